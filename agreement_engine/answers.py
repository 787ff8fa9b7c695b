"""Load an answer set from JSON and complete it with the defaults of the schema.

This module owns the first pipeline stage: bytes on disk become a plain dict, or a finding that says
why they could not. It never raises on bad input; it never guesses a value the schema does not give.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from agreement_engine.files import MAX_ANSWERS_BYTES, FileReadError, read_regular_file, size_text
from agreement_engine.findings import Finding, json_path, make_finding
from agreement_engine.i18n import N_, Text
from agreement_engine.library import default_library
from agreement_engine.phrases import Phrases
from agreement_engine.schema import fill_defaults

#: How deeply lists and objects may nest. An answer set needs five levels; the JSON parser and the schema
#: validator recurse once per level and must never reach Python's recursion limit.
MAX_NESTING = 10

#: The json module's messages in Dutch, so that a facilitator understands what is wrong.
_JSON_MESSAGES = {
    "Expecting value": N_("waarde verwacht (ontbreekt er iets, of staat er een komma te veel?)"),
    "Expecting property name enclosed in double quotes": N_("naam van een veld tussen dubbele aanhalingstekens "
                                                            "verwacht"),
    "Expecting ',' delimiter": N_("komma verwacht"),
    "Expecting ':' delimiter": N_("dubbele punt verwacht"),
    "Unterminated string starting at": N_("tekst zonder afsluitend aanhalingsteken"),
    "Extra data": N_("extra tekens na het einde van het JSON-object"),
    "Invalid control character at": N_("stuurteken in een tekst (gebruik \\n voor een nieuwe regel)"),
    "Invalid \\escape": N_("ongeldige escape-reeks met een backslash"),
    "Invalid \\uXXXX escape": N_("ongeldige \\u-reeks"),
    "Unexpected UTF-8 BOM (decode using utf-8-sig)": N_("meer dan één bytevolgordemarkering (BOM) aan het begin "
                                                        "van het bestand"),
}

#: What a JSON value that is not an object is called in a message.
_KIND_WORDS = {list: N_("lijst"), str: N_("tekst"), bool: N_("waarheidswaarde"), type(None): N_("null"),
               int: N_("getal"), float: N_("getal")}


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _pairs_without_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _reject_constant(value: str):
    raise ValueError(f"constant:{value}")


#: The most digits a number in an answer set may have; Python refuses to read more than 4300 in one integer.
_MAX_DIGITS = 30


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(f"constant:{text[:12]}…")
    return int(text)


def _bounded_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")) or len(text) > 2 * _MAX_DIGITS:
        raise ValueError(f"constant:{text[:24]}{'…' if len(text) > 24 else ''}")
    return value


def parse(text: str) -> tuple[dict | None, list[Finding]]:
    """Parse answer-set text; return the object, or None and the finding that says why not.

    >>> parse('{"a": 1}')
    ({'a': 1}, [])
    >>> parse('[1]')[1][0].code
    'input.not_object'
    >>> parse('{"a": 1,}')[1][0].message
    'geen geldige JSON op regel 1, kolom 9: naam van een veld tussen dubbele aanhalingstekens verwacht'
    """
    if not text.strip():
        return None, [make_finding("input.empty", "$")]
    try:
        data = json.loads(text, object_pairs_hook=_pairs_without_duplicates,
                          parse_constant=_reject_constant, parse_int=_bounded_int, parse_float=_bounded_float)
    except _DuplicateKey as exc:
        return None, [make_finding("input.duplicate_key", "$", key=exc.key)]
    except json.JSONDecodeError as exc:
        reason = _JSON_MESSAGES.get(exc.msg, N_("de tekst volgt hier niet de regels van JSON"))
        return None, [make_finding("input.not_json", "$", line=exc.lineno, column=exc.colno, reason=Text(reason))]
    except ValueError as exc:
        value = str(exc).removeprefix("constant:")
        return None, [make_finding("input.not_a_number", "$", value=value)]
    except RecursionError:
        return None, [make_finding("input.too_deep", "$", limit=MAX_NESTING)]
    if not isinstance(data, dict):
        return None, [make_finding("input.not_object", "$", kind=Text(_KIND_WORDS[type(data)]))]
    return data, []


def too_deep(value: Any) -> list[Finding]:
    """Return the finding for the first list or object nested deeper than MAX_NESTING, else nothing.

    Walks without recursion, so that any depth gets an answer.

    >>> too_deep({"a": [[1]]})
    []
    >>> nested = []
    >>> for _ in range(MAX_NESTING):
    ...     nested = [nested]
    >>> too_deep({"a": nested})[0].path
    '$.a[0][0][0][0][0][0][0][0][0]'
    """
    stack: list[tuple[Any, list, int]] = [(value, [], 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            continue
        if depth > MAX_NESTING:
            return [make_finding("input.too_deep", json_path(path), limit=MAX_NESTING)]
        stack.extend((child, path + [key], depth + 1) for key, child in reversed(children))
    return []


def load(path: str | Path) -> tuple[dict | None, list[Finding]]:
    """Read and parse the answer set at ``path``; never raises on a bad, missing, special or huge file."""
    path = Path(path)
    try:
        raw = read_regular_file(path, MAX_ANSWERS_BYTES)
    except FileReadError as exc:
        if exc.kind == "missing":
            return None, [make_finding("input.missing", "$", file=str(path))]
        if exc.kind == "not_regular":
            return None, [make_finding("input.not_regular_file", "$", file=str(path), kind=exc.reason)]
        if exc.kind == "too_large":
            return None, [make_finding("input.too_large", "$", limit=size_text(exc.limit))]
        return None, [make_finding("input.unreadable", "$", reason=exc.reason)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [make_finding("input.encoding", "$",
                                   reason=Text("ongeldige byte op positie {position}", position=exc.start))]
    return parse(text)


def normalize(answers: dict, phrases: Phrases | None = None) -> dict:
    """Return a copy of a valid answer set with every schema default and derived default filled in.

    Optional objects without required fields are created so that later stages can read
    ``answers["disputes"]["route"]`` without asking whether ``disputes`` was given. Derived
    defaults, worded by ``phrases`` (default: the installed library's for the answer set's language): the
    document title, each party's seat and defined term (a single gemeente: "de Gemeente"), the place of
    arbitration.
    """
    result = copy.deepcopy(answers)
    fill_defaults(result)
    phrases = phrases or default_library().phrases_for(result["language"])
    document = result["document"]
    document.setdefault("title", default_title(document["kind"], result["alliance"]["name"], phrases))
    gemeenten = [p for p in result["parties"] if p["legal_form"] == "gemeente"]
    for party in result["parties"]:
        party.setdefault("seat", party["address"]["city"])
        # A single gemeente is "de Gemeente" in the text, as Dutch contracts name it, not "Gemeente Zwolle".
        party.setdefault("short_name", phrases.text("party.single_gemeente") if gemeenten == [party]
                         else party["name"])
    signing = result["alliance"]["signing"]
    result["disputes"].setdefault("place", signing.get("place"))
    return result


def default_title(kind: str, name: str, phrases: Phrases) -> str:
    """Return the title of a document of ``kind`` for the cooperation ``name``, never doubling the kind's word.

    The title word and the words a name may start with that it already says are ``phrases`` of the kind
    ("Alliantie Dak en Thuis" becomes "Alliantieovereenkomst Dak en Thuis").

    >>> from agreement_engine.library import default_library
    >>> nl = default_library().phrases_for("nl")
    >>> default_title("covenant", "Convenant Warme Overdracht", nl)
    'Convenant Warme Overdracht'
    >>> default_title("alliance", "Alliantie Dak en Thuis", nl)
    'Alliantieovereenkomst Dak en Thuis'
    >>> default_title("cooperation", "Samenwerking Jeugd Noord", nl)
    'Samenwerkingsovereenkomst Jeugd Noord'
    >>> default_title("cooperation", "Samenwerkingsverbanden Oost", nl)
    'Samenwerkingsovereenkomst Samenwerkingsverbanden Oost'
    >>> default_title("alliance", "Samen aan Tafel", nl)
    'Alliantieovereenkomst Samen aan Tafel'
    """
    words = name.split(maxsplit=1)
    if len(words) == 2 and words[0].casefold() in phrases.words(f"kind.{kind}.name_words"):
        name = words[1]
    return f"{phrases.text(f'kind.{kind}.title')} {name}"
