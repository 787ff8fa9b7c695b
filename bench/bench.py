"""Benchmark: the engine's per-document cost against a naive docxtpl loop, scaling, parallel batch, start-up.

Run from the project root with the engine installed (the README's first quick-start command does that):

    .venv/bin/python bench/bench.py            # 200 documents; scaling 10/100/1000; jobs 1 and 2
    .venv/bin/python bench/bench.py --quick    # 50 documents; scaling 10/100; for a first look

It prints milliseconds per document for:
- engine: the full work per document (validate, assemble, render, write .docx and manifest), in one
  process that loaded the library and the template once;
- naive: the way a developer would write it by hand: a fresh docxtpl ``DocxTemplate`` per document,
  rendered from a template holding the same agreement text, and saved;
- floor: only writing a .docx package of the same size (zip the parts, write the file);
and the ratio naive / engine. Then per-document time and peak memory (max RSS) for 10, 100 and 1,000
documents, each in a fresh process; the throughput of ``batch --jobs 1`` against ``--jobs 2``; and the
wall-clock time of a one-document ``agreement-engine render`` from start to exit.

Nothing here is a test: the numbers depend on the machine. Compare ratios within one run.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dak-en-thuis.json"


def answer_sets(n: int) -> Iterator[dict]:
    """Yield ``n`` different valid answer sets: the founding-story example with a numbered alliance name.

    One at a time, so that a run's peak memory is the engine's, not that of the inputs waiting their turn.
    """
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for i in range(n):
        answers = copy.deepcopy(base)
        answers["alliance"]["name"] = f"Alliantie Dak en Thuis {i + 1}"
        yield answers


def engine_loop(sets: Iterable[dict], folder: Path) -> list[float]:
    """Render every answer set through the engine's API; return the seconds per document."""
    from agreement_engine.api import render

    times = []
    for i, answers in enumerate(sets):
        started = time.perf_counter()
        render(answers, folder / f"engine-{i}.docx")
        times.append(time.perf_counter() - started)
    return times


def naive_template(path: Path) -> dict:
    """Write a hand-made docxtpl template with the example's full text; return the context it needs.

    The template is what a developer would write without the engine: the agreement's text in paragraphs,
    a loop over the parties for the comparitie and the signatures, a condition around every article and
    its number as a placeholder.
    """
    import docx

    from agreement_engine.api import assemble

    agreement = assemble(EXAMPLE)
    answers = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document = docx.Document()
    document.add_heading("{{ title }}", level=0)
    document.add_paragraph("{%p for party in parties %}")
    document.add_paragraph("{{ loop.index }}. {{ party.name }}, gevestigd te {{ party.seat }}, KvK-nummer "
                           "{{ party.kvk }}, hierna: \"{{ party.short_name }}\";")
    document.add_paragraph("{%p endfor %}")
    for paragraph in (*agreement.comparitie_closing, *agreement.recitals):
        document.add_paragraph(paragraph.text)
    for article in agreement.articles:
        key = article.clause_id
        document.add_paragraph(f"{{%p if articles.{key} %}}")
        document.add_heading(f"Artikel {{{{ articles.{key}.number }}}} {article.title}", level=1)
        for member in article.members:
            document.add_paragraph(f"{{{{ articles.{key}.number }}}}.{member.number.split('.')[-1]} "
                                   + member.body.text)
            for item in member.items:
                document.add_paragraph(item.text, style="List Bullet")
        document.add_paragraph("{%p endif %}")
    document.add_paragraph(agreement.signature_intro.text)
    document.add_paragraph("{%p for party in parties %}")
    document.add_paragraph("{{ party.name }}")
    document.add_paragraph("Naam: ______________________    Functie: ______________________")
    document.add_paragraph("{%p endfor %}")
    document.save(path)
    parties = [{"name": p["name"], "seat": p["address"]["city"], "kvk": p.get("kvk", ""),
                "short_name": p.get("short_name", p["name"])} for p in answers["parties"]]
    return {"title": agreement.title, "parties": parties,
            "articles": {a.clause_id: {"number": a.number} for a in agreement.articles}}


def naive_loop(template: Path, context: dict, n: int, folder: Path) -> list[float]:
    """Render the naive template ``n`` times, a fresh DocxTemplate each time; return seconds per document."""
    from docxtpl import DocxTemplate

    times = []
    for i in range(n):
        started = time.perf_counter()
        values = dict(context, title=f"{context['title']} {i + 1}")
        document = DocxTemplate(template)
        document.render(values)
        document.save(folder / f"naive-{i}.docx")
        times.append(time.perf_counter() - started)
    return times


def floor_loop(sample: Path, n: int, folder: Path) -> list[float]:
    """Write the parts of ``sample`` as a .docx package ``n`` times; return seconds per document."""
    from agreement_engine.output import atomic_write
    from agreement_engine.word.package import write_package

    with zipfile.ZipFile(sample) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    times = []
    for i in range(n):
        started = time.perf_counter()
        atomic_write(folder / f"floor-{i}.docx", write_package(parts))
        times.append(time.perf_counter() - started)
    return times


def ms(seconds: list[float]) -> float:
    """Return the median of ``seconds`` in milliseconds."""
    return statistics.median(seconds) * 1000


def scaling_child(n: int) -> None:
    """Render ``n`` documents in this (fresh) process; print per-document ms and peak memory as JSON."""
    with tempfile.TemporaryDirectory() as work:
        engine_loop(answer_sets(1), Path(work))  # the first document pays for loading library and template
        times = engine_loop(answer_sets(n), Path(work))
    print(json.dumps({"n": n, "ms": ms(times), "mean_ms": statistics.fmean(times) * 1000,
                      "peak_mib": peak_memory_kib() / 1024}))


def peak_memory_kib() -> int:
    """Return this process's peak resident memory in KiB.

    On Linux the peak of this process alone (VmHWM): ru_maxrss would also count the parent's memory at the
    fork that started this interpreter.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def scaling(counts: list[int]) -> list[dict]:
    """Run :func:`scaling_child` for each count in a fresh interpreter; return their results."""
    results = []
    for n in counts:
        out = subprocess.run([sys.executable, __file__, "--scaling-child", str(n)], capture_output=True,
                             text=True, check=True)
        results.append(json.loads(out.stdout))
    return results


def batch_throughput(n: int, jobs: int, folder: Path) -> float:
    """Return documents per second for ``batch --jobs JOBS`` over ``n`` fresh answer sets."""
    inputs = folder / f"in-{jobs}"
    inputs.mkdir()
    for i, answers in enumerate(answer_sets(n)):
        (inputs / f"a{i:04d}.json").write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    command = [*_command(), "batch", str(inputs), "--out-dir", str(folder / f"out-{jobs}"), "--jobs", str(jobs)]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return n / (time.perf_counter() - started)


def _command() -> list[str]:
    exe = shutil.which("agreement-engine", path=str(Path(sys.executable).parent)) or shutil.which("agreement-engine")
    return [exe] if exe else [sys.executable, "-m", "agreement_engine"]


def startup(runs: int, folder: Path) -> list[float]:
    """Return the wall-clock seconds of ``agreement-engine render`` on the example, ``runs`` times."""
    times = []
    for i in range(runs):
        started = time.perf_counter()
        subprocess.run([*_command(), "render", str(EXAMPLE), "-o", str(folder / f"start-{i}.docx")],
                       capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def machine() -> str:
    """Return a one-line description of this machine."""
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="documents for the engine/naive comparison")
    parser.add_argument("--quick", action="store_true", help="50 documents; scaling 10 and 100")
    parser.add_argument("--scaling-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scaling_child:
        scaling_child(args.scaling_child)
        return
    n = 50 if args.quick else args.n
    counts = [10, 100] if args.quick else [10, 100, 1000]
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        first = engine_loop(answer_sets(1), folder)[0]
        engine = engine_loop(answer_sets(n), folder)
        template = folder / "naive-template.docx"
        context = naive_template(template)
        naive = naive_loop(template, context, n, folder)
        floor = floor_loop(folder / "engine-0.docx", n, folder)
        size = (folder / "engine-0.docx").stat().st_size / 1024
        print(f"\none agreement: {len(context['articles'])} articles, {len(context['parties'])} parties, "
              f"{size:.0f} KiB .docx; {n} documents each, median ms per document")
        print(f"  engine (validate, assemble, render, write):  {ms(engine):7.1f} ms"
              f"   (first document, loading library and template: {first * 1000:.0f} ms)")
        print(f"  naive (fresh docxtpl DocxTemplate per doc):  {ms(naive):7.1f} ms")
        print(f"  floor (only writing the .docx package):       {ms(floor):7.1f} ms")
        print(f"  ratio naive / engine:                         {ms(naive) / ms(engine):7.2f}x")

        print("\nscaling (fresh process per run; per-document median and mean, peak RSS)")
        for result in scaling(counts):
            print(f"  {result['n']:>5} documents: {result['ms']:6.1f} ms median, {result['mean_ms']:6.1f} ms mean,"
                  f" peak {result['peak_mib']:6.1f} MiB")

        batch_n = n
        one = batch_throughput(batch_n, 1, folder)
        two = batch_throughput(batch_n, 2, folder)
        print(f"\nbatch of {batch_n} (whole command, start to exit)")
        print(f"  --jobs 1: {one:6.1f} documents/s")
        print(f"  --jobs 2: {two:6.1f} documents/s   ({two / one:.2f}x)")

        runs = startup(5, folder)
        print(f"\none-document render, start to exit: median {statistics.median(runs):.2f} s "
              f"(min {min(runs):.2f}, max {max(runs):.2f}, 5 runs)")


if __name__ == "__main__":
    main()
