"""The batch: mixed inputs, the report and choices.csv, skipping what is up to date, crashes and kills."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, example

from agreement_engine import batch
from agreement_engine.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def put(path: Path, answers: dict | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(answers if isinstance(answers, str) else json.dumps(answers, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def inputs(tmp_path) -> Path:
    """A folder of answer sets: two good ones, two with the same file name, one invalid, one not JSON."""
    folder = tmp_path / "in"
    put(folder / "dak-en-thuis.json", example("dak-en-thuis"))
    put(folder / "twee-partijen.json", example("twee-partijen"))
    put(folder / "noord" / "zorg.json", example("twee-partijen"))
    other = example("twee-partijen")
    other["liability"]["model"] = "pro_rata"
    put(folder / "zuid" / "zorg.json", other)
    bad = example("twee-partijen")
    bad["parties"][0]["kvk"] = "123"
    put(folder / "fout.json", bad)
    put(folder / "kapot.json", '{"schema_version": ')
    return folder


def report(out: Path) -> dict:
    return json.loads((out / batch.REPORT).read_text("utf-8"))


def statuses(out: Path) -> dict[str, str]:
    return {Path(item["input"]).relative_to(out.parent / "in").as_posix(): item["status"]
            for item in report(out)["items"]}


def assert_complete(out: Path, name: str) -> None:
    """Assert that ``name`` is a whole document: it opens, and its manifest records exactly its bytes."""
    data = (out / f"{name}.docx").read_bytes()
    manifest = json.loads((out / f"{name}.manifest.json").read_text("utf-8"))
    assert manifest["document_sha256"] == hashlib.sha256(data).hexdigest()
    assert docx.Document(io.BytesIO(data)).paragraphs


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_mixed_folder_gives_report_choices_and_exit_1(inputs, tmp_path, jobs):
    out = tmp_path / "out"
    result = run("batch", str(inputs), "--out-dir", str(out), "--jobs", jobs)
    assert result.exit_code == 1, result.output
    assert statuses(out) == {"dak-en-thuis.json": "rendered", "fout.json": "invalid", "kapot.json": "invalid",
                             "noord/zorg.json": "rendered", "twee-partijen.json": "rendered",
                             "zuid/zorg.json": "rendered"}
    items = {Path(i["input"]).name + ("/" + Path(i["input"]).parent.name): i for i in report(out)["items"]}
    assert items["fout.json/in"]["findings"][0]["path"] == "$.parties[0].kvk"
    assert items["kapot.json/in"]["findings"][0]["code"] == "input.not_json"
    assert report(out)["counts"] == {"rendered": 4, "skipped": 0, "invalid": 2, "failed": 0}
    for name in ("dak-en-thuis", "twee-partijen", "zorg", "zorg-2"):
        assert_complete(out, name)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [batch.REPORT, batch.CHOICES] + [f"{n}{ext}" for n in ("dak-en-thuis", "twee-partijen", "zorg", "zorg-2")
                                         for ext in (".docx", ".manifest.json")])
    rows = list(csv.DictReader(io.StringIO((out / batch.CHOICES).read_text("utf-8-sig"))))
    assert [Path(r["invoer"]).name for r in rows] == ["dak-en-thuis.json", "zorg.json", "twee-partijen.json",
                                                       "zorg.json"]
    liability = next(c for c in rows[0] if c.endswith("(liability)"))
    assert [r[liability] for r in rows] == ["A2", "A1", "A1", "A2"]
    assert "6 antwoordensets" in result.output and "4 gemaakt" in result.output and "2 ongeldig" in result.output
    assert "overeenkomsten" not in result.output  # no progress bar when the output is not a terminal


def test_second_run_skips_everything_and_a_changed_input_is_redone(inputs, tmp_path):
    out = tmp_path / "out"
    run("batch", str(inputs), "--out-dir", str(out), "--jobs", "1")
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.docx")}
    assert run("batch", str(inputs), "--out-dir", str(out)).exit_code == 1
    assert report(out)["counts"] == {"rendered": 0, "skipped": 4, "invalid": 2, "failed": 0}
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.docx")} == first
    assert len(list(csv.reader(io.StringIO((out / batch.CHOICES).read_text("utf-8-sig"))))) == 5

    changed = example("twee-partijen")
    changed["alliance"]["name"] = "Samen aan Tafel Zwolle"
    put(inputs / "twee-partijen.json", changed)
    (out / "dak-en-thuis.docx").write_bytes(b"beschadigd")
    run("batch", str(inputs), "--out-dir", str(out))
    assert statuses(out)["twee-partijen.json"] == "rendered"
    assert statuses(out)["dak-en-thuis.json"] == "rendered"  # its document no longer matched its manifest
    assert statuses(out)["noord/zorg.json"] == "skipped"
    assert_complete(out, "dak-en-thuis")

    run("batch", str(inputs), "--out-dir", str(out), "--force")
    assert report(out)["counts"]["rendered"] == 4


def test_another_engine_version_redoes_the_document(inputs, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run("batch", str(inputs / "twee-partijen.json"), "--out-dir", str(out))
    monkeypatch.setattr(batch, "__version__", "9.9.9")
    run("batch", str(inputs / "twee-partijen.json"), "--out-dir", str(out))
    assert report(out)["counts"]["rendered"] == 1


def test_globs_and_inputs_that_match_nothing(inputs, tmp_path):
    out = tmp_path / "out"
    result = run("batch", str(inputs / "*" / "zorg.json"), str(tmp_path / "weg-*.json"), "--out-dir", str(out))
    assert result.exit_code == 1
    assert "bestand niet gevonden" in result.output
    assert report(out)["counts"] == {"rendered": 2, "skipped": 0, "invalid": 1, "failed": 0}


def test_an_exception_in_one_input_does_not_stop_the_rest(inputs, tmp_path, monkeypatch):
    real = batch.render_document

    def flaky(answers, **kwargs):
        if answers["alliance"]["name"].startswith("Alliantie Dak"):
            raise RuntimeError("kapot")
        return real(answers, **kwargs)

    monkeypatch.setattr(batch, "render_document", flaky)
    out = tmp_path / "out"
    result = run("batch", str(inputs), "--out-dir", str(out), "--jobs", "2")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert statuses(out)["dak-en-thuis.json"] == "failed"
    assert "mislukt   " in result.output and "interne fout (RuntimeError: kapot)" in result.output
    assert report(out)["counts"] == {"rendered": 3, "skipped": 0, "invalid": 2, "failed": 1}


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="the crash is injected into forked workers")
def test_a_crashing_worker_takes_only_its_own_input(inputs, tmp_path, monkeypatch):
    real = batch.render_document

    def crash(answers, **kwargs):
        if answers["alliance"]["name"].startswith("Alliantie Dak"):
            os._exit(3)  # the worker process dies, as on a segfault
        return real(answers, **kwargs)

    monkeypatch.setattr(batch, "render_document", crash)
    out = tmp_path / "out"
    summary = batch.run([str(inputs)], out, jobs=2)
    assert {Path(i.input).name: i.status for i in summary.items if i.status != "invalid"} == {
        "dak-en-thuis.json": "failed", "twee-partijen.json": "rendered", "zorg.json": "rendered"}
    assert summary.count("rendered") == 3 and summary.count("failed") == 1
    for name in ("twee-partijen", "zorg", "zorg-2"):
        assert_complete(out, name)


def test_killed_batch_resumes_and_leaves_only_whole_documents(tmp_path):
    folder = tmp_path / "in"
    answers = example("dak-en-thuis")
    for n in range(24):
        answers["alliance"]["name"] = f"Alliantie {n}"
        put(folder / f"a{n:02d}.json", answers)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "agreement_engine", "batch", str(folder), "--out-dir", str(out), "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.manifest.json"))) < 4 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the batch finished before it could be killed"
    finished = [p.name.removesuffix(".manifest.json") for p in out.glob("*.manifest.json")]
    assert finished, "the batch was killed before it finished anything"
    for name in finished:
        assert_complete(out, name)
    for path in out.glob("*.docx"):  # a document without a manifest must still be whole
        docx.Document(path)

    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = report(out)["counts"]
    assert counts["skipped"] >= len(finished) and counts["rendered"] + counts["skipped"] == 24
    assert counts["rendered"] > 0
    for n in range(24):
        assert_complete(out, f"a{n:02d}")
    assert not list(out.glob(".*"))  # no temporary file left behind


def test_output_folder_that_is_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "bestand").write_text("x")
    assert run("batch", str(EXAMPLES), "--out-dir", str(tmp_path / "bestand")).exit_code == 2


def test_a_worker_terminated_by_sigterm_fails_only_its_own_input(inputs, tmp_path, monkeypatch):
    real = batch.render_document

    def terminated(answers, **kwargs):
        if answers["alliance"]["name"].startswith("Alliantie Dak"):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        return real(answers, **kwargs)

    monkeypatch.setattr(batch, "render_document", terminated)
    out = tmp_path / "out"
    result = run("batch", str(inputs), "--out-dir", str(out), "--jobs", "2")
    assert result.exit_code == 1 and "afgebroken" not in result.output, result.output
    assert statuses(out)["dak-en-thuis.json"] == "failed"
    assert report(out)["counts"] == {"rendered": 3, "skipped": 0, "invalid": 2, "failed": 1}
    assert signal.getsignal(signal.SIGTERM) is not None and "_interrupt" not in repr(signal.getsignal(signal.SIGTERM))


def test_a_pool_that_breaks_between_results_loses_no_input(inputs, tmp_path, monkeypatch):
    real = batch.render_document

    def crash_later(answers, **kwargs):
        if answers["alliance"]["name"].startswith("Alliantie Dak"):
            time.sleep(0.3)
            os._exit(3)
        return real(answers, **kwargs)

    monkeypatch.setattr(batch, "render_document", crash_later)
    seen = []

    def slow_progress(item):  # the crash happens while the parent is busy here, before it submits more
        seen.append(item)
        if len(seen) == 1:
            time.sleep(1.5)

    summary = batch.run([str(inputs)], tmp_path / "out", jobs=2, progress=slow_progress)
    statuses_ = {Path(i.input).relative_to(inputs).as_posix(): i.status for i in summary.items}
    assert statuses_ == {"dak-en-thuis.json": "failed", "fout.json": "invalid", "kapot.json": "invalid",
                         "noord/zorg.json": "rendered", "twee-partijen.json": "rendered",
                         "zuid/zorg.json": "rendered"}


def test_only_the_engines_own_temporary_files_are_cleaned_up(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".editor-swap.tmp").write_text("not ours")
    (out / ".agreement-engine-abc123.tmp").write_text("left by a killed batch")
    run("batch", str(EXAMPLES / "twee-partijen.json"), "--out-dir", str(out))
    assert (out / ".editor-swap.tmp").exists()
    assert not (out / ".agreement-engine-abc123.tmp").exists()


def test_a_file_name_that_is_not_utf8_still_gets_a_report(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.path.join(os.fsencode(folder), b"caf\xe9.json")
    with open(odd, "w", encoding="utf-8") as handle:
        json.dump(example("twee-partijen"), handle)
    out = tmp_path / "out"
    result = run("batch", str(folder), "--out-dir", str(out))
    assert result.exit_code == 0, result.output
    assert report(out)["items"][0]["input"].endswith("caf\udce9.json")  # JSON escape of the raw byte
    assert "caf\\udce9.json" in (out / batch.CHOICES).read_text("utf-8-sig")


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path):
    (tmp_path / "bestand").write_text("x")
    result = run("batch", str(EXAMPLES / "twee-partijen.json"), "--out-dir", str(tmp_path / "bestand" / "sub"))
    assert result.exit_code == 1 and "interne fout" not in result.output
    assert "de uitvoermap kan niet worden gemaakt" in result.output


def test_a_pattern_over_an_output_folder_skips_the_batchs_own_files(tmp_path):
    out = tmp_path / "out"
    run("batch", str(EXAMPLES / "twee-partijen.json"), "--out-dir", str(out))
    (out / "nieuw.json").write_text(json.dumps(example("twee-partijen")), encoding="utf-8")
    found, unmatched = batch.find_inputs([str(out / "*.json")])
    assert [p.name for p in found] == ["nieuw.json"] and unmatched == []
