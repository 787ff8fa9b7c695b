"""The batch: mixed inputs, the report and choices.csv, skipping what is up to date, crashes and kills."""
from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from conftest import EXAMPLES, Exits, example, run, run_process

from agreement_engine import batch, output


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
    assert report(out)["counts"] == {"rendered": 4, "skipped": 0, "invalid": 2, "failed": 0, "edited": 0}
    for name in ("dak-en-thuis", "twee-partijen", "zorg", "zorg-2"):
        assert_complete(out, name)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [batch.REPORT, report(out)["report"], batch.CHOICES, batch.MORNING_REPORT,
         report(out)["report"].replace(".json", ".xlsx")]
        + [f"{n}{ext}" for n in ("dak-en-thuis", "twee-partijen", "zorg", "zorg-2") for ext in (".docx", ".manifest.json")])
    rows = list(csv.DictReader(io.StringIO((out / batch.CHOICES).read_text("utf-8-sig")), delimiter=";"))
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
    assert report(out)["counts"] == {"rendered": 0, "skipped": 4, "invalid": 2, "failed": 0, "edited": 0}
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.docx")} == first
    assert len(list(csv.reader(io.StringIO((out / batch.CHOICES).read_text("utf-8-sig")), delimiter=";"))) == 5

    changed = example("twee-partijen")
    changed["alliance"]["name"] = "Samen aan Tafel Zwolle"
    put(inputs / "twee-partijen.json", changed)
    (out / "dak-en-thuis.docx").write_bytes(b"beschadigd")
    run("batch", str(inputs), "--out-dir", str(out))
    assert statuses(out)["twee-partijen.json"] == "rendered"
    assert statuses(out)["dak-en-thuis.json"] == "edited"  # its document no longer matched its manifest: left alone
    assert (out / "dak-en-thuis.docx").read_bytes() == b"beschadigd"
    assert statuses(out)["noord/zorg.json"] == "skipped"

    run("batch", str(inputs), "--out-dir", str(out), "--force")
    assert report(out)["counts"]["rendered"] == 4
    assert (out / "dak-en-thuis.edited-1.docx").read_bytes() == b"beschadigd"
    assert_complete(out, "dak-en-thuis")


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
    assert report(out)["counts"] == {"rendered": 2, "skipped": 0, "invalid": 1, "failed": 0, "edited": 0}


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
    assert report(out)["counts"] == {"rendered": 3, "skipped": 0, "invalid": 2, "failed": 1, "edited": 0}


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


def many_inputs(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "in"
    answers = example("dak-en-thuis")
    for n in range(count):
        answers["alliance"]["name"] = f"Alliantie {n}"
        put(folder / f"a{n:02d}.json", answers)
    return folder


def test_killed_batch_resumes_and_leaves_only_whole_documents(tmp_path, batch_child):
    folder = many_inputs(tmp_path, 24)
    out = tmp_path / "out"
    args = ["batch", str(folder), "--out-dir", str(out), "--jobs", "2"]
    child = batch_child(*args)
    child.wait_for(4)
    code, _printed = child.end(signal.SIGKILL)
    assert code == -signal.SIGKILL, "the batch finished before it could be killed"
    finished = [p.name.removesuffix(".manifest.json") for p in out.glob("*.manifest.json")]
    assert len(finished) >= 4
    for name in finished:
        assert_complete(out, name)
    for path in out.glob("*.docx"):  # a document without a manifest must still be whole
        docx.Document(path)

    result = run_process(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = report(out)["counts"]
    assert counts["skipped"] >= len(finished) and counts["rendered"] + counts["skipped"] == 24
    assert counts["rendered"] > 0
    for n in range(24):
        assert_complete(out, f"a{n:02d}")
    assert not list(out.glob(".*"))  # no temporary file left behind


def documents(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.suffix in (".docx", ".json")} if out.exists() else set()


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="watches the workers through /proc and pidfds (Linux)")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
                         ids=lambda signum: signal.Signals(signum).name)
def test_the_workers_end_with_the_batch_and_write_nothing_after_it(tmp_path, batch_child, signum):
    """Stopped by a signal, a batch ends its workers, also one that hangs (as on a named pipe); killed, the
    kernel ends them. Either way no document appears after the batch ended."""
    folder = many_inputs(tmp_path, 24)
    out = tmp_path / "out"
    child = batch_child("batch", str(folder), "--out-dir", str(out), "--jobs", "2", hang_on="Alliantie 0")
    child.wait_for(1)  # the other worker finished a document: both run, one hangs on the first input
    workers = child.workers()
    assert len(workers) == 2, workers
    exits = Exits(workers)
    code, printed = child.end(signum)
    assert code is not None, f"the batch did not end on {signal.Signals(signum).name}"
    made = documents(out)  # what there was when the batch had ended
    assert exits.wait(timeout=30) == [], f"workers outlived the batch ({signal.Signals(signum).name})"
    assert documents(out) == made, "a worker wrote on after the batch had ended"
    assert len([n for n in made if n.endswith(".manifest.json")]) < 24, "the batch finished before the signal"
    if signum == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:  # stopped in an orderly way: said so, and cleaned up what the ended workers were writing
        assert code == 1 and "batch afgebroken" in printed and "Traceback" not in printed, printed
        assert not list(out.glob(".agreement-engine-*"))


def test_a_worker_whose_batch_died_before_it_started_ends_at_once():
    """The race where the batch dies before a new worker has asked the kernel to end it with its batch."""
    script = "from agreement_engine import batch; batch._worker_start(1); print('lived on')"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1 and "lived on" not in result.stdout and result.stderr == ""


def test_output_folder_that_is_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "bestand").write_text("x")
    assert run("batch", str(EXAMPLES), "--out-dir", str(tmp_path / "bestand")).exit_code == 2


def test_a_worker_terminated_by_sigterm_fails_only_its_own_input(inputs, tmp_path, monkeypatch):
    real = batch.render_document

    def terminated(answers, **kwargs):
        if answers["alliance"]["name"].startswith("Alliantie Dak"):
            signal.raise_signal(signal.SIGTERM)  # delivered before raise_signal returns: the worker ends here
            raise AssertionError("SIGTERM did not end the worker")
        return real(answers, **kwargs)

    monkeypatch.setattr(batch, "render_document", terminated)
    out = tmp_path / "out"
    result = run("batch", str(inputs), "--out-dir", str(out), "--jobs", "2")
    assert result.exit_code == 1 and "afgebroken" not in result.output, result.output
    assert statuses(out)["dak-en-thuis.json"] == "failed"
    assert report(out)["counts"] == {"rendered": 3, "skipped": 0, "invalid": 2, "failed": 1, "edited": 0}
    assert signal.getsignal(signal.SIGTERM) is not None and "_interrupt" not in repr(signal.getsignal(signal.SIGTERM))


@pytest.mark.skipif(not hasattr(os, "pidfd_open") or "fork" not in multiprocessing.get_all_start_methods(),
                    reason="the crash is injected into forked workers and watched through a pidfd")
def test_a_pool_that_breaks_between_results_loses_no_input(inputs, tmp_path, monkeypatch):
    """The crash happens while the batch is busy with a finished item, before it submits more."""
    real = batch.render_document
    fork = multiprocessing.get_context("fork")
    batch_busy, worker_waits = fork.Event(), fork.Event()
    crashing = fork.Value("i", 0)

    def crash_when_the_batch_is_busy(answers, **kwargs):
        if answers["alliance"]["name"].startswith("Alliantie Dak"):
            crashing.value = os.getpid()
            worker_waits.set()
            assert batch_busy.wait(timeout=120), "the batch never reported progress"
            os._exit(3)
        return real(answers, **kwargs)

    monkeypatch.setattr(batch, "render_document", crash_when_the_batch_is_busy)
    seen = []

    def busy_until_the_worker_is_gone(item):
        seen.append(item)
        if len(seen) == 1:  # another worker finished first; the one with Dak waits for this moment
            assert worker_waits.wait(timeout=120), "no worker took Dak en Thuis"
            batch_busy.set()
            assert Exits([crashing.value]).wait(timeout=120) == []

    summary = batch.run([str(inputs)], tmp_path / "out", jobs=2, progress=busy_until_the_worker_is_gone)
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


# the report: one language, one per run ------------------------------------------------------------------

def test_the_report_speaks_dutch_whatever_the_command_line_speaks(tmp_path):
    folder = tmp_path / "in"
    late = example("twee-partijen")
    late["alliance"]["signing"]["date"] = "2031-01-01"  # after the start: a warning, the document is made
    put(folder / "laat.json", late)
    bad = example("twee-partijen")
    bad["parties"][0]["kvk"] = "123"
    put(folder / "fout.json", bad)
    put(folder / "kapot.json", '{"schema_version": ')
    out = tmp_path / "out"
    first = run("--lang", "en", "batch", str(folder), "--out-dir", str(out))
    assert "invalid" in first.output and "ongeldig" not in first.output  # the command line speaks English
    rendered = report(out)
    assert run("--lang", "en", "batch", str(folder), "--out-dir", str(out)).exit_code == 1
    skipped = report(out)
    for content, status in ((rendered, "rendered"), (skipped, "skipped")):
        assert content["language"] == "nl"
        items = {Path(item["input"]).name: item for item in content["items"]}
        assert items["laat.json"]["status"] == status
        assert [(f["code"], f["message"]) for f in items["laat.json"]["findings"]] == [
            ("signing.after_start", "de ondertekeningsdatum (1 januari 2031) ligt na de ingangsdatum (1 maart 2027)")]
        assert items["fout.json"]["findings"][0]["code"] == "schema.pattern"
        assert "heeft niet de juiste vorm" in items["fout.json"]["findings"][0]["message"]
        assert items["kapot.json"]["findings"][0]["message"].startswith("geen geldige JSON op regel 1")
    assert rendered["items"][1]["findings"] == skipped["items"][1]["findings"]


def test_every_run_keeps_its_own_report_and_batch_report_holds_the_latest(inputs, tmp_path):
    out = tmp_path / "out"
    first = run("batch", str(inputs), "--out-dir", str(out))
    first_report = report(out)
    changed = example("twee-partijen")
    changed["alliance"]["name"] = "Samen aan Tafel Zwolle"
    put(inputs / "twee-partijen.json", changed)
    second = run("batch", str(inputs), "--out-dir", str(out))
    runs = sorted(out.glob("batch-report-*.json"))
    assert [p.name for p in runs] == sorted([first_report["report"], report(out)["report"]])
    assert len(runs) == 2 and runs[0].name < runs[1].name  # the names sort as the runs started
    assert json.loads(runs[0].read_text("utf-8")) == first_report
    assert json.loads(runs[0].read_text("utf-8"))["counts"] == {"rendered": 4, "skipped": 0, "invalid": 2,
                                                                 "failed": 0, "edited": 0}
    assert json.loads(runs[1].read_text("utf-8")) == report(out)
    assert report(out)["counts"] == {"rendered": 1, "skipped": 3, "invalid": 2, "failed": 0, "edited": 0}
    assert report(out)["started"] > first_report["started"]
    assert f"deze run: {runs[1]}" in " ".join(second.output.split()) and runs[0].name in first.output
    assert [p.name for p in batch.find_inputs([str(out)])[0]] == []  # a report is never taken for input


@pytest.mark.parametrize("blocked", [batch.REPORT, batch.CHOICES, batch.MORNING_REPORT])
def test_when_a_report_cannot_be_written_the_summary_is_still_shown(inputs, tmp_path, blocked):
    out = tmp_path / "out"
    (out / blocked).mkdir(parents=True)  # a folder where the file goes: it cannot be written
    result = run("batch", str(inputs), "--out-dir", str(out))
    assert result.exit_code == 1 and "interne fout" not in result.output
    assert "6 antwoordensets" in result.output and "4 gemaakt" in result.output
    assert "fout.json: $.parties[0].kvk:" in result.output  # the per-item summary
    assert f"{out / blocked}: kan niet worden geschreven: dit is een map" in result.output
    assert len(list(out.glob("*.manifest.json"))) == 4
    assert bool(re.search("^rapport:", result.output, re.M)) == (blocked != batch.REPORT)
    assert ("ochtendrapport:" in result.output) == (blocked != batch.MORNING_REPORT)


# two writers in one folder ------------------------------------------------------------------------------

def test_a_temporary_file_being_written_by_another_process_is_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    live = out / f"{output.TEMPORARY_PREFIX}live{output.TEMPORARY_SUFFIX}"
    live.write_bytes(b"half a document")
    with live.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as atomic_write holds it while it writes
        result = run("batch", str(EXAMPLES / "twee-partijen.json"), "--out-dir", str(out))
        assert result.exit_code == 0, result.output
        assert live.read_bytes() == b"half a document"
    (out / f"{output.TEMPORARY_PREFIX}dead{output.TEMPORARY_SUFFIX}").write_bytes(b"left by a killed batch")
    assert batch.remove_stale_temporaries(out) == 2  # no writer holds them any more
    assert not list(out.glob(".*"))


# which inputs --------------------------------------------------------------------------------------------

def test_one_file_named_twice_is_rendered_once(tmp_path):
    folder = tmp_path / "in"
    put(folder / "zorg.json", example("twee-partijen"))
    (folder / "sub").mkdir()
    (folder / "koppeling.json").symlink_to("zorg.json")
    out = tmp_path / "out"
    result = run("batch", str(folder / "zorg.json"), str(folder / "sub" / ".." / "zorg.json"),
                 str(folder / "koppeling.json"), str(folder), "--out-dir", str(out))
    assert result.exit_code == 0, result.output
    assert report(out)["counts"]["rendered"] == 1 and len(report(out)["items"]) == 1
    assert sorted(p.name for p in out.glob("*.docx")) == ["zorg.docx"]  # the name it was first given


def test_a_pattern_does_not_follow_a_symbolic_link_loop(tmp_path):
    folder = tmp_path / "in"
    put(folder / "zorg.json", example("twee-partijen"))
    (folder / "lus").symlink_to(".")  # glob.glob made in/zorg.json, in/lus/zorg.json, in/lus/lus/zorg.json, ...
    out = tmp_path / "out"
    for pattern in (str(folder / "**" / "*.json"), str(folder / "*" / "*.json"), str(folder)):
        assert [p.name for p in batch.find_inputs([pattern])[0]] == ["zorg.json"], pattern
    result = run("batch", str(folder / "**" / "*.json"), "--out-dir", str(out))
    assert result.exit_code == 0 and report(out)["counts"]["rendered"] == 1, result.output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_explicit_device_is_not_a_regular_file(tmp_path):
    out = tmp_path / "out"
    result = run("batch", "/dev/zero", str(EXAMPLES / "twee-partijen.json"), "--out-dir", str(out))
    assert result.exit_code == 1
    assert "/dev/zero is een apparaat, geen gewoon bestand" in result.output
    assert "niet gevonden" not in result.output
    item = report(out)["items"][0]
    assert (item["status"], item["findings"][0]["code"]) == ("invalid", "input.not_regular_file")
    assert report(out)["counts"]["rendered"] == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_in_a_batch_folder_is_skipped_with_a_finding(tmp_path):
    folder = tmp_path / "in"
    put(folder / "zorg.json", example("twee-partijen"))
    os.mkfifo(folder / "pijp.json")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "agreement_engine", "batch", str(folder), "--out-dir", str(out), "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        printed, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # it waits on the pipe: end it, with its workers, and fail
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError("the batch waited on the named pipe") from None
    assert process.returncode == 1, printed
    assert "pijp.json is een pijp (FIFO), geen gewoon bestand" in printed
    assert {Path(i["input"]).name: i["status"] for i in report(out)["items"]} == {
        "pijp.json": "invalid", "zorg.json": "rendered"}


def test_jobs_are_capped_at_the_documents_to_make(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    for name in ("een", "twee", "drie"):
        put(folder / f"{name}.json", example("twee-partijen"))
    pools = []
    real = batch._pool

    def counted(jobs):
        pools.append(jobs)
        return real(jobs)

    monkeypatch.setattr(batch, "_pool", counted)
    out = tmp_path / "out"
    assert run("batch", str(folder), "--out-dir", str(out), "--jobs", "200").exit_code == 0
    expected = min(3, 2 * (os.cpu_count() or 1))
    assert pools == [expected] and report(out)["jobs"] == expected
    assert run("batch", str(folder), "--out-dir", str(out), "--jobs", "200").exit_code == 0
    assert pools == [expected] and report(out)["jobs"] == 0  # all up to date: no worker started


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_edited_document_is_reported_and_left_alone_until_force_keeps_a_copy(tmp_path, jobs):
    folder = tmp_path / "in"
    put(folder / "dak-en-thuis.json", example("dak-en-thuis"))
    put(folder / "twee-partijen.json", example("twee-partijen"))
    out = tmp_path / "out"
    assert run("batch", str(folder), "--out-dir", str(out), "--jobs", jobs).exit_code == 0
    edited = out / "dak-en-thuis.docx"
    document = docx.Document(edited)
    document.add_paragraph("Toegevoegd door de advocaat.")
    document.save(edited)
    lawyers = edited.read_bytes()
    changed = example("twee-partijen")
    changed["alliance"]["name"] = "Samen aan Tafel Zwolle"
    put(folder / "twee-partijen.json", changed)
    put(folder / "dak-en-thuis.json", {**example("dak-en-thuis"), "document": {"version_label": "Concept 3"}})

    result = run("batch", str(folder), "--out-dir", str(out), "--jobs", jobs)
    assert result.exit_code == 1, result.output  # not every input has an up-to-date document
    items = {Path(item["input"]).name: item for item in report(out)["items"]}
    assert items["dak-en-thuis.json"]["status"] == "edited" and "kept" not in items["dak-en-thuis.json"]
    assert items["dak-en-thuis.json"]["findings"][0]["code"] == "batch.edited"
    assert items["twee-partijen.json"]["status"] == "rendered"  # the batch went on
    assert report(out)["counts"] == {"rendered": 1, "skipped": 0, "invalid": 0, "failed": 0, "edited": 1}
    assert "1 bewerkt (blijft staan)" in result.output and "dak-en-thuis.edited-1.docx" in result.output
    assert edited.read_bytes() == lawyers
    assert not (out / "dak-en-thuis.edited-1.docx").exists()

    result = run("batch", str(folder), "--out-dir", str(out), "--jobs", jobs, "--force")
    assert result.exit_code == 0, result.output
    copy = out / "dak-en-thuis.edited-1.docx"
    assert copy.read_bytes() == lawyers
    assert output.manifest_path(copy).exists()  # so that explain can still tell what the lawyer changed
    items = {Path(item["input"]).name: item for item in report(out)["items"]}
    assert items["dak-en-thuis.json"]["status"] == "rendered"
    assert items["dak-en-thuis.json"]["kept"] == str(copy)
    assert str(copy) in result.output
    assert_complete(out, "dak-en-thuis")
    # a second edit and --force keep the next copy; the first is never overwritten
    edited.write_bytes(edited.read_bytes() + b"\0")
    assert run("batch", str(folder), "--out-dir", str(out), "--jobs", jobs, "--force").exit_code == 0
    assert copy.read_bytes() == lawyers and (out / "dak-en-thuis.edited-2.docx").exists()
