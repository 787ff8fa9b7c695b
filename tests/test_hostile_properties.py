"""Nothing a user can feed check, render, explain or interview --resume ends in an internal error: random bytes,
random JSON, an example with any value replaced by random JSON, random templates and damaged documents all get a
finding or a clear message (exit 0, 1 or 2)."""
from __future__ import annotations

import io
import json
import zipfile

from conftest import EXAMPLES, example, run
from hostile import rendered, replace_parts, template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import _paths, _replace


#: The engine's answer for a bug: what no input may ever produce.
INTERNAL = "interne fout"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)


def invoke(*args: str):
    """Run a command in-process; return its result after asserting it took a defined exit, not the bug path."""
    result = run(*args, input="", catch_exceptions=True)
    assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert INTERNAL not in result.output and "Traceback" not in result.output, result.output
    return result


def feed(tmp_path, data: bytes, *, commands=("check", "render", "explain", "resume")) -> None:
    """Feed ``data`` as a file to every command."""
    source = tmp_path / "invoer.json"
    source.write_bytes(data)
    for command in commands:
        out = tmp_path / "uit"
        args = {"check": ["check", str(source)],
                "render": ["render", str(source), "-o", str(out / "x.docx"), "--force"],
                "explain": ["explain", str(source)],
                "resume": ["interview", "--resume", str(source), "-o", str(out / "a.json")]}[command]
        out.mkdir(exist_ok=True)
        (out / "a.json").unlink(missing_ok=True)
        invoke(*args)


@FAST
@given(data=st.binary(max_size=300))
def test_random_bytes(tmp_path, data):
    feed(tmp_path, data)


@FAST
@given(value=json_values)
def test_random_json(tmp_path, value):
    feed(tmp_path, json.dumps(value).encode())


@SLOW
@given(data=st.data())
def test_an_example_with_one_value_replaced_by_random_json(tmp_path, data):
    answers = example("twee-partijen")
    path = data.draw(st.sampled_from(_paths(answers)))
    changed = _replace(answers, path, data.draw(json_values))
    feed(tmp_path, json.dumps(changed).encode(), commands=("check", "render", "resume"))


#: Pieces of template text: the placeholders, Jinja syntax and its dangerous corners.
_PIECES = ["{{ title }}", "{{p body }}", "{{ alliance_name }}", "{% if draft %}", "{% endif %}", "{% for party in parties %}",
           "{{ party }}", "{% endfor %}", "{{", "}}", "{%", "%}", "{#", "#}", "|upper", "|center(99)", "*", "**", "%",
           "range(", ")", "title.__class__", "{% include 'x' %}", "{% set x = 1 %}", "'", "\"", "<", "&", "x", " "]


@SLOW
@given(paragraphs=st.lists(st.lists(st.sampled_from(_PIECES), max_size=6).map("".join), min_size=1, max_size=5),
       header=st.none() | st.lists(st.sampled_from(_PIECES), max_size=4).map("".join))
def test_random_templates(tmp_path, paragraphs, header):
    path = tmp_path / "sjabloon.docx"
    path.write_bytes(template(*paragraphs, header=header or None))
    invoke("render", str(EXAMPLES / "twee-partijen.json"), "--template", str(path), "-o", str(tmp_path / "x.docx"),
           "--force")


def _parts() -> list[str]:
    with zipfile.ZipFile(io.BytesIO(rendered())) as package:
        return package.namelist()


@SLOW
@given(data=st.data())
def test_damaged_documents_and_templates(tmp_path, data):
    part = data.draw(st.sampled_from(_parts()))
    content = data.draw(st.binary(max_size=200) | st.just(b"") | st.text(max_size=100).map(str.encode))
    damaged = replace_parts(rendered(), {part: content})
    path = tmp_path / "document.docx"
    path.write_bytes(damaged)
    invoke("explain", str(path))
    invoke("render", str(EXAMPLES / "twee-partijen.json"), "--template", str(path), "-o", str(tmp_path / "x.docx"),
           "--force")
