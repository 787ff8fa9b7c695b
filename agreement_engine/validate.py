"""Validate an answer set: the JSON Schema first, then the cross-field rules, as one sorted list of findings.

Every problem is reported, not just the first; each finding carries a stable code, a severity, the JSON
path it concerns and a Dutch message that names the party where one is concerned.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator

from agreement_engine import lazy
from agreement_engine.answers import too_deep
from agreement_engine.findings import Finding, json_path, make_finding, printable
from agreement_engine.i18n import N_, Text, format_number, joined
from agreement_engine.resources import load_schema, schema_key
from agreement_engine.rules import check_rules, party_label
from agreement_engine.schema import field_title, resolve_ref, schema_at

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

# jsonschema (a tenth of a second to load) only when an answer set has a schema error or is not plain JSON data;
# the verdict on a plain valid one comes from jsonschema_rs (see _schema_valid).
jsonschema = lazy.module("jsonschema")
jsonschema_exceptions = lazy.module("jsonschema.exceptions")
jsonschema_rs = lazy.module("jsonschema_rs")

_TYPE_WORDS = {
    "string": N_("tekst"), "integer": N_("een geheel getal"), "number": N_("een getal"),
    "decimal": N_("een getal met decimalen"),
    "boolean": N_("true of false"), "object": N_("een object"), "array": N_("een lijst"), "null": N_("leeg (null)"),
}

#: The pattern of a name or other short text: one line, not only spaces (line breaks are told apart below).
_SINGLE_LINE = "^[^\\n\\r\\u0085\\u2028\\u2029]*\\S[^\\n\\r\\u0085\\u2028\\u2029]*$"

#: Human hints for the patterns of the schema, so a message explains the form instead of quoting a regex.
_PATTERN_HINTS = {
    r"^[0-9]{8}$": N_("precies 8 cijfers, bijvoorbeeld 41234567"),
    r"^[1-9][0-9]{3} ?[A-Z]{2}$": N_("vier cijfers en twee hoofdletters, bijvoorbeeld 3511 AB"),
    r"^[a-z][a-z0-9_-]{0,31}$": N_("een kleine letter gevolgd door hoogstens 31 kleine letters, cijfers, "
                                   "- of _"),
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$": N_("een datum als JJJJ-MM-DD, bijvoorbeeld 2027-01-01"),
    r"^[0-9]{4}-[0-9]{4}$": N_("twee jaartallen als 2027-2030"),
    r"\S": N_("de tekst mag niet alleen uit spaties bestaan"),
    _SINGLE_LINE: N_("één regel tekst, niet alleen spaties"),
}

_PARTY_ID_HINT = N_("een id van een partij")

#: How a broken limit is explained, by schema keyword ({value} the value, {limit} the limit).
_RANGE_DETAILS = {
    "minimum": N_("{value} is te klein; de waarde moet minstens {limit} zijn"),
    "maximum": N_("{value} is te groot; de waarde mag hoogstens {limit} zijn"),
    "exclusiveMinimum": N_("{value} is te klein; de waarde moet groter zijn dan {limit}"),
    "exclusiveMaximum": N_("{value} is te groot; de waarde moet kleiner zijn dan {limit}"),
    "minLength": N_("moet minstens {limit} tekens lang zijn"),
    "maxLength": N_("is {length} tekens lang; hoogstens {limit} tekens zijn toegestaan"),
    "maxItems": N_("bevat {count} elementen; hoogstens {limit} zijn toegestaan"),
    "maxProperties": N_("bevat {count} elementen; hoogstens {limit} zijn toegestaan"),
}

# Characters that XML 1.0 cannot hold, so a Word document cannot either; and the two private-use
# characters the engine uses internally to mark cross-references in rendered text.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff\ue000\ue001]")

#: Line breaks (what str.splitlines breaks on and XML can hold): never in a single-line field.
_LINE_BREAK = re.compile("[\n\r\x85\u2028\u2029]")

#: Unicode's own line and paragraph separators: a text field breaks lines with a plain line break or not at all.
_UNICODE_LINE_BREAK = re.compile("[\x85\u2028\u2029]")

#: Characters that change the direction of the text around them (embeddings, overrides, isolates and marks):
#: they can make a contract show something else than it says (visual spoofing), and Dutch never needs them.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Characters that draw nothing though Unicode does not call them spaces or format characters.
_BLANK = frozenset("\u115f\u1160\u180e\u2800\u3164\uffa0")


def _invisible(text: str) -> bool:
    """Return whether ``text`` holds characters but none that can be seen (a zero-width space, say).

    >>> _invisible("\u200b"), _invisible(" \u2060\u200d"), _invisible("De Haven"), _invisible("")
    (True, True, False, False)
    """
    return bool(text) and all(ch.isspace() or ch in _BLANK or unicodedata.category(ch) in ("Cc", "Cf", "Mn", "Me",
                                                                                            "Zs", "Zl", "Zp")
                              for ch in text)


def validate(answers: Any) -> list[Finding]:
    """Return every finding for ``answers`` (already parsed), sorted by JSON path.

    >>> [f.path for f in validate({"schema_version": "1"})][:3]
    ['$.alliance', '$.disputes.court', '$.insolvency']
    """
    deep = too_deep(answers)
    if deep:
        return deep  # the schema validator would recurse through it; nothing else is worth saying
    answers = _trimmed(answers, load_schema())
    # the fast path: a valid answer set (the usual case) costs one pass of the resolved validator; the findings
    # of a schema error are built by the validator that keeps the schema's own references and paths
    valid = _schema_valid(answers)
    findings: list[Finding] = [] if valid else _one_per_path(list(_schema_findings(answers, [], answers)))
    if isinstance(answers, dict):
        findings.extend(_value_findings(answers, [], answers))
        findings.extend(check_rules(answers))
    return capped(_sorted(findings))


def with_more(findings: list[Finding], more: list[Finding]) -> list[Finding]:
    """Return ``findings`` of validate() with ``more`` findings of a later check, in the same order and cap."""
    return capped(_sorted(findings + more)) if more else findings


def _trimmed(value: Any, schema: Any) -> Any:
    """Return ``value`` with every list or map far beyond its schema's maximum cut back to a little beyond it.

    The maximum is still exceeded, so the schema still says so; but ten thousand parties are not each
    validated, which would take minutes, to tell what the first of them already tells.
    """
    schema = resolve_ref(schema) if isinstance(schema, dict) else {}
    if isinstance(value, list):
        limit = schema.get("maxItems")
        if limit is not None and len(value) > limit + _SURPLUS:
            value = _Cut(value[: limit + _SURPLUS], len(value))
        items = schema.get("items")
        return _Cut((_trimmed(item, items) for item in value), getattr(value, "original_size", None)) \
            if isinstance(items, dict) else value
    if isinstance(value, dict):
        limit = schema.get("maxProperties")
        if limit is not None and len(value) > limit + _SURPLUS:
            value = _CutMap(list(value.items())[: limit + _SURPLUS], len(value))
        properties, extra = schema.get("properties", {}), schema.get("additionalProperties")
        return _CutMap(((key, _trimmed(item, properties.get(key, extra if isinstance(extra, dict) else None)))
                        for key, item in value.items()), getattr(value, "original_size", None))
    return value


class _Cut(list):
    """A list cut back by :func:`_trimmed`, which remembers how long it was (None: not cut)."""

    def __init__(self, items, original_size: int | None) -> None:
        super().__init__(items)
        self.original_size = original_size


class _CutMap(dict):
    """A map cut back by :func:`_trimmed`, which remembers how many entries it had (None: not cut)."""

    def __init__(self, items, original_size: int | None) -> None:
        super().__init__(items)
        self.original_size = original_size


#: How many items beyond a list's maximum are still validated one by one.
_SURPLUS = 10

#: How many findings of one code are shown one by one; the rest are counted in one finding.
SAME_CODE_LIMIT = 10


def capped(findings: list[Finding], limit: int = SAME_CODE_LIMIT) -> list[Finding]:
    """Keep the first ``limit`` findings of each code; count the others in one finding of that code.

    Ten thousand parties with the same mistake make one list a person can read, not ten thousand lines.

    >>> many = [make_finding("schema.required", f"$.parties[{i}].name", title="Naam") for i in range(12)]
    >>> [f.message for f in capped(many, 2)][1:]
    ['Naam ontbreekt; dit veld is verplicht', '… en nog 10 dergelijke bevindingen (schema.required)']
    """
    seen: dict[str, int] = {}
    for finding in findings:
        seen[finding.code] = seen.get(finding.code, 0) + 1
    if all(count <= limit for count in seen.values()):
        return findings
    kept: list[Finding] = []
    shown: dict[str, int] = {}
    for finding in findings:
        shown[finding.code] = shown.get(finding.code, 0) + 1
        if shown[finding.code] <= limit:
            kept.append(finding)
        elif shown[finding.code] == limit + 1:
            rest = seen[finding.code] - limit
            kept.append(Finding(finding.code, finding.severity, finding.path, Text.plural(
                "… en nog {count} dergelijke bevinding ({code})", "… en nog {count} dergelijke bevindingen ({code})",
                rest, count=format_number(rest), code=finding.code), values={"count": rest}))
    return kept


def validate_part(answers: dict, path: list) -> list[Finding]:
    """Return the findings of the schema for the value at ``path`` alone, sorted by JSON path.

    This checks one answer as it is given without validating the whole answer set again. The cross-field
    rules are not run here: they concern the whole set (:func:`~agreement_engine.rules.check_rules`).

    >>> [(f.code, f.path) for f in validate_part({"parties": [{"kvk": "1234"}]}, ["parties", 0, "kvk"])]
    [('schema.pattern', '$.parties[0].kvk')]
    """
    value: Any = answers
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return []
    where = json_path(path)
    deep = [f for f in too_deep(answers) if f.path == where or f.path.startswith((f"{where}.", f"{where}["))]
    if deep:
        return deep  # as in validate: the schema validator would recurse through it
    findings = _one_per_path(list(_schema_findings(value, path, answers)))
    findings.extend(_value_findings(value, path, answers))
    return _sorted(findings)


def _sorted(findings: list[Finding]) -> list[Finding]:
    unique = {(f.code, f.path, f.message): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)


def _one_per_path(findings: list[Finding]) -> list[Finding]:
    """Keep one finding where one mistake trips several keywords.

    A value of the wrong type keeps only its type finding; a date not even written as a date ("1-1-2027")
    keeps only its form finding, not also "no existing calendar date".
    """
    typed = {f.path for f in findings if f.code == "schema.type"}
    misshapen = {f.path for f in findings if f.code in ("schema.pattern", "value.line_break")}
    return [f for f in findings
            if (f.code == "schema.type" or f.path not in typed)
            and (f.code != "value.date" or f.path not in misshapen)]


@lru_cache(maxsize=None)
def ecma_pattern(pattern: str) -> re.Pattern:
    r"""Compile a schema pattern with the meaning JSON Schema gives it (ECMA 262): ``$`` is the end of the text.

    Python's ``$`` also matches before a final line break, so ``^[0-9]{8}$`` would accept "41263875\n";
    every ``$`` outside a character class becomes ``\Z``.

    >>> bool(ecma_pattern("^[0-9]{8}$").search("41263875\n")), bool(ecma_pattern("^[$]$").search("$"))
    (False, True)
    """
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        out.append(char)
    return re.compile("".join(out))


def _pattern(validator, pattern: str, instance: Any, schema: dict) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield jsonschema_exceptions.ValidationError(f"{instance!r} does not match {pattern!r}")


def _schema_valid(answers: Any) -> bool:
    """Return whether ``answers`` (trimmed) meet the answer-set schema in use.

    Plain JSON data (:func:`_plain`) against a schema whose keywords, formats and patterns mean the same to both
    (:func:`_fast_validator`) is judged by jsonschema_rs, compiled Rust: the same verdict as jsonschema's
    (tests/test_validate.py holds them to it on every answer set the tests have) without loading jsonschema.
    Anything else is judged by the resolved jsonschema validator.
    """
    fast = _fast_validator(schema_key()) if _plain(answers) else None
    if fast is not None:
        try:
            return fast.is_valid(answers)
        except ValueError:  # a value jsonschema_rs cannot take after all: jsonschema decides
            pass
    return _resolved_validator(schema_key()).is_valid(answers)


#: Characters in whose meaning Python's, ECMA 262's and Rust's regular expressions differ (``\s`` includes
#: them in one and not the other), and surrogates, which Rust strings cannot hold.
_NOT_PLAIN_CHARACTER = re.compile("[\x1c-\x1f\x85\ufeff\ud800-\udfff]")
#: Integers that both validators hold exactly.
_LARGEST_INTEGER = 2 ** 53


def _plain(value: Any) -> bool:
    """Return whether ``value`` is JSON data on which jsonschema_rs and this module's jsonschema validator agree.

    Only dicts with text keys, lists, text, booleans, None, integers up to 2**53 and floats that are finite and not
    whole: a whole float such as 4.0 is an integer to JSON Schema (and to jsonschema_rs) but not to this engine
    (see :func:`_validator_class`), and text without the characters of :data:`_NOT_PLAIN_CHARACTER`.

    >>> _plain({"a": [1, 2.5, "x", None, True]}), _plain({"a": 4.0}), _plain({"a": (1,)}), _plain("\x85")
    (True, False, False, False)
    """
    kind = type(value)
    if kind is str:
        return _NOT_PLAIN_CHARACTER.search(value) is None
    if kind is bool or value is None:
        return True
    if kind is int:
        return -_LARGEST_INTEGER <= value <= _LARGEST_INTEGER
    if kind is float:
        return math.isfinite(value) and not value.is_integer()
    if kind in (dict, _CutMap):
        return all(type(key) is str and _NOT_PLAIN_CHARACTER.search(key) is None and _plain(item)
                   for key, item in value.items())
    if kind in (list, _Cut):
        return all(_plain(item) for item in value)
    return False


#: The schema keywords whose meaning jsonschema_rs and jsonschema share for plain data (:func:`_plain`); a schema
#: with any other (a library's own schema may have them) is judged by jsonschema alone.
_SHARED_KEYWORDS = frozenset({
    "$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "default", "examples", "type", "enum",
    "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern",
    "format", "items", "minItems", "maxItems", "uniqueItems", "properties", "required", "additionalProperties",
    "propertyNames", "minProperties", "maxProperties", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"})
#: Keywords whose value is a schema, a list of schemas or a map of schemas.
_ONE_SCHEMA = ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_MAPS = ("properties", "$defs")
#: What a pattern may hold to mean the same in Python (ecma_pattern), ECMA 262 and Rust: literal characters,
#: classes, anchors, quantifiers, ``\s``/``\S`` and escaped characters; not ``.``, ``\d``, ``\w``, ``\b``, groups
#: with ``(?`` or back-references.
_SHARED_PATTERN = re.compile(r"(?:[^\\.(]|\\[sSnrt.\-\\/+*?()\[\]{}|^$@]|\\u[0-9a-fA-F]{4}|\((?!\?))*")


def _shared_meaning(schema: Any) -> bool:
    """Return whether every keyword, format and pattern of ``schema`` means the same to jsonschema_rs and
    jsonschema."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword.startswith("x-"):
            continue
        if keyword not in _SHARED_KEYWORDS:
            return False
        if keyword == "format" and value != "date":
            return False
        if keyword == "pattern" and not (isinstance(value, str) and _SHARED_PATTERN.fullmatch(value)):
            return False
        if keyword in _ONE_SCHEMA and not _shared_meaning(value):
            return False
        if keyword in _SCHEMA_LISTS and not (isinstance(value, list) and all(map(_shared_meaning, value))):
            return False
        if keyword in _SCHEMA_MAPS and not (isinstance(value, dict) and all(map(_shared_meaning, value.values()))):
            return False
    return True


@lru_cache(maxsize=None)
def _fast_validator(_schema: str) -> Any:
    """Return the jsonschema_rs validator of the answer-set schema in use (``_schema``, its key, keys the cache),
    checking dates as jsonschema's FormatChecker(formats=["date"]) does; None when the schema has a keyword,
    format or pattern whose meaning the two do not share, or jsonschema_rs is not installed."""
    schema = load_schema()
    if not _shared_meaning(schema):
        return None
    try:
        draft = jsonschema_rs.Draft202012Validator
    except ImportError:  # an environment installed before it was a dependency: jsonschema judges, more slowly
        return None
    return draft(schema, validate_formats=True, formats={"date": _is_date})


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _is_date(text: str) -> bool:
    """Return whether ``text`` is a date as jsonschema's format checker judges one (year 0000 is none).

    >>> _is_date("2028-02-29"), _is_date("2027-02-29"), _is_date("0000-01-01"), _is_date("2027-1-01")
    (True, False, False, False)
    """
    try:
        return bool(_DATE.fullmatch(text) and dt.date.fromisoformat(text))
    except ValueError:
        return False


@lru_cache(maxsize=None)
def _validator_class() -> type[Draft202012Validator]:
    """Return the validator class of answer sets.

    An integer is written as one: JSON Schema would accept 4.0, but a contract says "4 jaar", and the rules and
    the Dutch formatting count in whole numbers. Patterns match as JSON Schema means them (see ecma_pattern).
    """
    draft = jsonschema.Draft202012Validator
    return jsonschema.validators.extend(draft, validators={"pattern": _pattern}, type_checker=draft.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)))


def _validator(shape: tuple = ()) -> Draft202012Validator:
    """Return the validator for the schema at ``shape``, a path with every list index 0 (root: ``()``)."""
    return _compiled_validator(schema_key(), shape)


@lru_cache(maxsize=None)
def _compiled_validator(_schema: str, shape: tuple) -> Draft202012Validator:
    """Return the validator at ``shape`` of the answer-set schema in use (``_schema``, its key, keys the cache)."""
    schema = load_schema()
    node = {**schema_at(list(shape)), "$defs": schema["$defs"]} if shape else schema
    return _validator_class()(node, format_checker=jsonschema.FormatChecker(formats=["date"]))


@lru_cache(maxsize=None)
def _resolved_validator(_schema: str) -> Draft202012Validator:
    """Return a validator of the whole answer-set schema in use (``_schema``, its key, keys the cache) with every
    local ``$ref`` replaced by what it points to: the same verdict as :func:`_validator`, a third faster, since
    no reference is looked up while validating. Only its verdict is used (``is_valid``): the findings come from
    the validator of the schema as written, whose error paths they name."""
    schema = load_schema()
    definitions = schema.get("$defs", {})
    return _validator_class()({**_inlined(schema, definitions, frozenset()), "$defs": definitions},
                              format_checker=jsonschema.FormatChecker(formats=["date"]))


def _inlined(node: Any, definitions: dict, seen: frozenset) -> Any:
    """Return ``node`` with each ``{"$ref": "#/$defs/X", ...}`` replaced by X itself (with its siblings: their
    ``allOf``, which means the same), except a reference inside its own definition, which stays a reference.

    >>> _inlined({"a": {"$ref": "#/$defs/d"}, "b": {"$ref": "#/$defs/d", "title": "B"}}, {"d": {"type": "string"}},
    ...          frozenset())
    {'a': {'type': 'string'}, 'b': {'title': 'B', 'allOf': [{'type': 'string'}]}}
    """
    if isinstance(node, list):
        return [_inlined(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    name = reference[len("#/$defs/"):] if isinstance(reference, str) and reference.startswith("#/$defs/") else None
    if name is None or "/" in name or name not in definitions or name in seen:
        return {key: _inlined(value, definitions, seen) for key, value in node.items()}
    target = _inlined(definitions[name], definitions, seen | {name})
    rest = {key: _inlined(value, definitions, seen) for key, value in node.items() if key != "$ref"}
    return {**rest, "allOf": [*rest.get("allOf", []), target]} if rest else target


def _schema_findings(value: Any, prefix: list, answers: Any) -> Iterator[Finding]:
    shape = tuple(0 if isinstance(part, int) else part for part in prefix)
    for error in _validator(shape).iter_errors(value):
        yield from _from_error(error, prefix, answers)


def _from_error(error: ValidationError, prefix: list, answers: Any) -> Iterator[Finding]:
    path = prefix + list(error.absolute_path)
    keyword = error.validator
    value = error.instance
    if keyword in ("anyOf", "oneOf"):
        inner = jsonschema_exceptions.best_match(error.context) if error.context else None
        if inner is not None:
            yield from _from_error(inner, prefix, answers)
            return
    if keyword == "required":
        for name in error.validator_value:
            if isinstance(value, dict) and name not in value:
                yield _finding("schema.required", path + [name], answers)
        return
    if keyword == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        for name in value:
            if name not in known and not (not path and name == "$schema"):
                yield _finding("schema.unknown_field", path + [name], answers, field=name)
        return
    if "propertyNames" in error.relative_schema_path:
        hint = _PATTERN_HINTS.get(error.schema.get("pattern", ""), _PARTY_ID_HINT)
        yield _finding("schema.pattern", path + [str(value)], answers, value=_short(value), hint=Text(hint))
        return
    if keyword == "type":
        expected = error.validator_value
        kinds = expected if isinstance(expected, list) else [expected]
        expected = joined(N_(" of "), [_TYPE_WORDS.get(kind, kind) for kind in kinds])
        yield _finding("schema.type", path, answers, expected=expected, actual=_kind_of(value))
        return
    if keyword in ("enum", "const"):
        choices = error.validator_value if keyword == "enum" else [error.validator_value]
        yield _finding("schema.enum", path, answers, value=_short(value),
                       choices=", ".join(_short(c) for c in choices))
        return
    if keyword == "pattern" and error.schema.get("x-single-line") and isinstance(value, str):
        breaks = _LINE_BREAK.search(value)
        if breaks:
            yield _finding("value.line_break", path, answers, codepoint=ord(breaks.group()))
            return
    if keyword == "pattern":
        hint = _PATTERN_HINTS.get(error.validator_value)
        yield _finding("schema.pattern", path, answers, value=_short(value),
                       hint=Text(hint) if hint else error.validator_value)
        return
    if keyword == "format":
        yield _finding("value.date", path, answers, value=_short(value))
        return
    if keyword == "uniqueItems":
        yield _finding("schema.duplicate", path, answers)
        return
    detail = _range_detail(keyword, error.validator_value, value)
    if detail:
        yield _finding("schema.range", path, answers, detail=detail)
        return
    yield _finding("schema.invalid", path, answers, detail=error.message)


def _range_detail(keyword: str, limit: Any, value: Any) -> Text | None:
    if keyword == "minLength" and limit == 1:
        return Text("mag niet leeg zijn")
    if keyword in ("minItems", "minProperties"):
        return Text.plural("moet minstens {limit} element bevatten", "moet minstens {limit} elementen bevatten",
                           limit, limit=limit)
    template = _RANGE_DETAILS.get(keyword)
    count = format_number(getattr(value, "original_size", None) or len(value)) if isinstance(value, list | dict) else ""
    if isinstance(value, list | dict):
        value = ""  # a list or map is not quoted: its size is the point, and it may be huge
    return Text(template, value=_short(value), limit=limit, count=count,
                length=len(value) if isinstance(value, str) else "?") if template else None


def _finding(code: str, path: list, answers: Any, **values) -> Finding:
    return make_finding(code, json_path(path), party=party_label(answers, path),
                        title=field_title(path), **values)


def _kind_of(value: Any) -> Text:
    if isinstance(value, bool):
        return "true/false"
    for kind, name in ((str, "string"), (int, "integer"), (float, "decimal"), (dict, "object"), (list, "array")):
        if isinstance(value, kind):
            return Text(_TYPE_WORDS[name])
    return Text(_TYPE_WORDS["null"])


def _short(value: Any) -> str:
    return printable(value)


def _value_findings(value: Any, prefix: list, answers: Any) -> Iterator[Finding]:
    """Check what the schema cannot: two decimals for amounts and characters XML cannot hold."""
    def walk(value: Any, path: list) -> Iterator[Finding]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, path + [key])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, path + [index])
        elif isinstance(value, str):
            bad = _XML_ILLEGAL.search(value)
            if bad:
                yield _finding("input.control_character", path, answers, codepoint=ord(bad.group()))
                return
            node = schema_at(path) or {}
            if node.get("type") != "string":
                return  # not an answer the agreement shows (an unknown field is reported as such)
            bidi = BIDI.search(value)
            if bidi:
                yield _finding("value.bidi_control", path, answers, codepoint=ord(bidi.group()))
            separator = _UNICODE_LINE_BREAK.search(value)
            if separator and not node.get("x-single-line"):
                yield _finding("value.unicode_line_break", path, answers, codepoint=ord(separator.group()))
            if node.get("minLength") and _invisible(value.strip()) and not value.isspace():
                yield _finding("value.invisible", path, answers)
        elif isinstance(value, float | int) and not isinstance(value, bool):
            node = schema_at(path) or {}
            if node.get("x-decimals") is not None and _decimals(value) > node["x-decimals"]:
                yield _finding("value.decimals", path, answers, value=value)
            if value == 0 and math.copysign(1.0, value) < 0 and node.get("minimum") == 0:
                yield _finding("schema.range", path, answers, detail=Text("-0 is een negatief getal; schrijf 0"))

    yield from walk(value, list(prefix))


def _decimals(value: float | int) -> int:
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
