"""A hostile run against the commands that read files (not a test; the tests hold the same corpus).

Feeds check, render, explain and interview --resume: special files (a named pipe, /dev/zero, a file above the
size limit), 300-character names, every crafted document and hostile template of tests/hostile.py (plus a template
whose document.xml unpacks to 1 GiB and a document whose provenance unpacks to 1 GiB), and seeded random bytes,
JSON and templates. Counts attempts, clear refusals, successes and internal errors, and the peak memory of the
bomb cases. Run: .venv/bin/python bench/hostile.py [--quick]
"""
from __future__ import annotations

import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from click.testing import CliRunner  # noqa: E402
from hostile import DOCUMENTS, TEMPLATES, huge_document_xml, template, with_provenance_text  # noqa: E402

from agreement_engine.cli import main  # noqa: E402

EXAMPLE = str(ROOT / "examples" / "twee-partijen.json")
INTERNAL = "interne fout"
counts: Counter = Counter()
failures: list[str] = []


def record(name: str, exit_code: int, output: str, expect_ok: bool = False) -> None:
    counts["attempts"] += 1
    if INTERNAL in output or "Traceback" in output or exit_code not in (0, 1, 2):
        counts["internal errors"] += 1
        failures.append(f"{name}: {output.strip()[-200:]}")
    elif exit_code == 0:
        counts["accepted"] += 1
        if not expect_ok:
            failures.append(f"{name}: accepted")
    else:
        counts["refused clearly"] += 1


def invoke(name: str, *args: str, expect_ok: bool = False) -> None:
    result = CliRunner().invoke(main, list(args), input="")
    output = result.output + ("" if result.exception is None or isinstance(result.exception, SystemExit)
                              else f"{INTERNAL}: {result.exception!r}")
    record(name, result.exit_code, output, expect_ok)


def in_child(name: str, *args: str) -> int:
    """Run in a fresh process (2 GiB address space, 120 s); return its peak memory in KiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    try:
        done = subprocess.run([sys.executable, "-m", "agreement_engine", *args], capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL, env={**os.environ, "AGREEMENT_ENGINE_LANG": "nl"},
                              preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)))
        record(name, done.returncode, done.stdout + done.stderr)
    except subprocess.TimeoutExpired:
        record(name, 99, f"{INTERNAL}: timeout")
    return max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main_run(quick: bool) -> None:
    started = time.monotonic()
    rng = random.Random(13)
    work = Path(tempfile.mkdtemp(prefix="agreement-engine-hostile-"))
    out = work / "uit"
    out.mkdir()
    commands = {
        "check": lambda f: ["check", f],
        "render": lambda f: ["render", f, "-o", str(out / "x.docx"), "--force"],
        "render --template": lambda f: ["render", EXAMPLE, "--template", f, "-o", str(out / "x.docx"), "--force"],
        "explain": lambda f: ["explain", f],
        "interview --resume": lambda f: ["interview", "--resume", f, "-o", str(out / "n.json")],
    }
    fifo = work / "pijp.json"
    os.mkfifo(fifo)
    big = work / "groot.json"
    big.write_bytes(b'{"a": "' + b"x" * (9 << 20) + b'"}')
    for special in (str(fifo), "/dev/zero", str(big)):
        for command, args in commands.items():
            in_child(f"{command} {special}", *args(special))
    long = "a" * 300
    for args in (["render", EXAMPLE, "-o", f"{work}/{long}.docx"], ["render", EXAMPLE, "-o", f"{work}/{long}/x.docx"],
                 ["check", f"{long}.json"], ["explain", f"{long}.docx"], ["render", EXAMPLE, "--template", long],
                 ["batch", EXAMPLE, "--out-dir", f"{work}/{long}"], ["compare", EXAMPLE, EXAMPLE, "-o", f"{long}.docx"],
                 ["variants", "disputes", "-o", f"{work}/{long}.docx"]):
        invoke(f"long name: {args[0]}", *args)
    for name, (build, fragment) in DOCUMENTS.items():
        path = work / "document.docx"
        path.write_bytes(build())
        for fmt in ("text", "json"):
            invoke(f"document {name}", "explain", str(path), "--format", fmt)
    for name, (build, fragment) in TEMPLATES.items():
        path = work / "sjabloon.docx"
        path.write_bytes(build())
        invoke(f"template {name}", *commands["render --template"](str(path)), expect_ok=fragment is None)
    bomb_document = work / "bom.docx"
    bomb_document.write_bytes(with_provenance_text('{"title": "' + " " * ((1 << 30) if not quick else 64 << 20) + '"}'))
    peak_explain = in_child("explain: provenance that unpacks to 1 GiB", "explain", str(bomb_document))
    bomb_template = work / "bom-sjabloon.docx"
    bomb_template.write_bytes(huge_document_xml((1 << 30) if not quick else 64 << 20))
    peak_template = in_child("template: document.xml that unpacks to 1 GiB",
                             *commands["render --template"](str(bomb_template)))
    pieces = ["{{ title }}", "{{p body }}", "{% if draft %}", "{% endif %}", "{% for party in parties %}", "{{ party }}",
              "{% endfor %}", "{{", "}}", "{%", "%}", "|upper", "|center(99)", "*", "**", "%", "range(", ")",
              "title.__class__", "{% include 'x' %}", "'", "<", "&", "x", " "]
    for i in range(60 if quick else 300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
        path = work / "zufall.json"
        path.write_bytes(data if i % 2 else json.dumps(_random_json(rng)).encode())
        for command in ("check", "render", "explain", "interview --resume"):
            (out / "n.json").unlink(missing_ok=True)
            invoke(f"random {command}", *commands[command](str(path)))
        paragraphs = ["".join(rng.choice(pieces) for _ in range(rng.randrange(6))) for _ in range(rng.randrange(1, 4))]
        path = work / "t.docx"
        path.write_bytes(template(*paragraphs))
        invoke("random template", *commands["render --template"](str(path)), expect_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()}")
    print(f"attempts: {counts['attempts']}; refused clearly: {counts['refused clearly']}; "
          f"accepted: {counts['accepted']}; internal errors: {counts['internal errors']}")
    print(f"peak memory of the child (KiB, max so far): explain bomb {peak_explain}, template bomb {peak_template}")
    print(f"time: {time.monotonic() - started:.0f} s")
    for failure in failures:
        print("  !", failure)


def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randrange(-10**6, 10**6)
    if kind == 3:
        return "".join(chr(rng.randrange(32, 0x250)) for _ in range(rng.randrange(8)))
    if kind == 4:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 5:
        return {str(rng.randrange(100)): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}
    return {"schema_version": "1.0", "alliance": _random_json(rng, depth + 1)}


if __name__ == "__main__":
    main_run("--quick" in sys.argv)
