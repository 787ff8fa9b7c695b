"""A portfolio of alliances in one workbook: the template to fill in, its import to answer sets and back.

The workbook's layout is read from the answer-set schema, so a new field needs no change here: the
alliances sheet holds every field of an alliance that is not a list of objects, each list of objects
(parties, representatives, conditions, comfort) gets a sheet with one row per item keyed by the alliance's
id (and the party's id for what belongs to a party), and a field keyed by party id (an allocation key, a
contact person) is a column of the parties sheet. Headers are the schema's Dutch titles, the input help its
descriptions; a hidden row under the headers names each column's field, so columns may be moved. Every
problem found on import is a finding located at its sheet, row and column. Only this module and
:mod:`agreement_engine.report` import openpyxl.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agreement_engine import output
from agreement_engine.answers import load
from agreement_engine.errors import InputError
from agreement_engine.files import read_regular_file
from agreement_engine.findings import Finding, Severity, json_path, make_finding
from agreement_engine.i18n import _, get_language
from agreement_engine.i18n import language as in_language
from agreement_engine.morning import cell_text
from agreement_engine.resources import load_schema
from agreement_engine.schema import in_schema_order, resolve_ref
from agreement_engine.validate import validate

#: The largest workbook the engine reads: a portfolio of a thousand alliances is a few megabytes.
MAX_WORKBOOK_BYTES = 64 * 1024 * 1024
#: Rows 1-2 are the headers (section, field), row 3 (hidden) names each column's field, data starts at row 4.
SECTION_ROW, TITLE_ROW, KEY_ROW, FIRST_ROW = 1, 2, 3, 4
#: The technical names of the key columns (row 3), and the pattern of an alliance's id (a file name).
ALLIANCE_KEY, PARTY_KEY = "#alliance", "#party"
ALLIANCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
#: The hidden sheet that holds the drop-down lists.
LISTS_SHEET = "Keuzelijsten"
YES, NO = "ja", "nee"
_TRUE = {"ja", "j", "yes", "y", "waar", "true", "1", "x"}
_FALSE = {"nee", "n", "no", "onwaar", "false", "0"}
#: Fields that are not filled in by hand: the schema's version is always "1", an interview's progress is internal.
_LEFT_OUT = {"$interview", "schema_version"}


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the field it holds (a path inside the sheet's item), its headers and its kind.

    ``by_party`` is set for a column of the parties sheet that holds one entry of a field keyed by party id
    (``("resources", "shares")``); ``path`` is then the path inside that entry.
    """

    key: str
    path: tuple[str, ...]
    section: str
    title: str
    help: str
    kind: str  # text, integer, number, boolean, date, choice, list
    node: dict = field(compare=False, repr=False)
    by_party: tuple[str, ...] | None = None

    @property
    def choices(self) -> dict[str, str]:
        """Return the Dutch label of every allowed value (the value itself when the schema gives none)."""
        node = self.node["items"] if self.kind == "list" else self.node
        labels = node.get("x-labels", {})
        return {str(value): labels.get(str(value), str(value)) for value in node.get("enum", [])}


@dataclass(frozen=True)
class Sheet:
    """One sheet of the portfolio: the list it holds (``array``: a path of the answer set, with the party
    list first for what belongs to a party; empty for the alliances themselves), its keys and its columns."""

    name: str
    array: tuple[str, ...]
    keys: tuple[Column, ...]
    columns: tuple[Column, ...]
    help: str = ""

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Return the key columns and then the field columns, as they stand on the sheet."""
        return self.keys + self.columns


@dataclass(frozen=True)
class Where:
    """A cell of the workbook: sheet, row, column letter and the column's header."""

    sheet: str
    row: int
    column: str = ""
    title: str = ""

    def __str__(self) -> str:
        if not self.column:
            return _("{sheet}, rij {row}").format(sheet=self.sheet, row=self.row)
        return _("{sheet}, rij {row}, kolom {column} ({title})").format(sheet=self.sheet, row=self.row,
                                                                       column=self.column, title=self.title)


@dataclass(frozen=True)
class Problem:
    """A finding about one alliance of the workbook, with the cell it concerns (None: the alliance as a whole)."""

    finding: Finding
    where: Where | None

    def __str__(self) -> str:
        return f"{self.where}: {self.finding.message}" if self.where else self.finding.message

    def to_dict(self, language: str | None = None) -> dict[str, Any]:
        """Return the finding as data (see Finding.to_dict), with ``where`` in words when the cell is known."""
        data = self.finding.to_dict(language)
        if self.where is not None:
            with in_language(language or get_language()):
                data["where"] = str(self.where)
        return data


@dataclass
class Alliance:
    """One alliance read from the workbook: its id, the answer set and every problem, located."""

    id: str
    where: Where
    answers: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    cells: dict[str, Where] = field(default_factory=dict)  # JSON path -> the cell it came from
    rows: dict[str, tuple[Where, dict[str, Where]]] = field(default_factory=dict)  # item path -> row, its columns

    @property
    def ok(self) -> bool:
        """Return whether the alliance has no error (warnings allowed)."""
        return not any(p.finding.severity is Severity.ERROR for p in self.problems)


# the layout, read from the schema ---------------------------------------------------------------------

def _kind(node: dict) -> str:
    if node.get("type") == "array":
        return "list"
    if "enum" in node:
        return "choice"
    if node.get("format") == "date":
        return "date"
    return {"boolean": "boolean", "integer": "integer", "number": "number"}.get(node.get("type"), "text")


def _is_party_map(node: dict, root: dict) -> bool:
    names = node.get("propertyNames")
    return (node.get("type") == "object" and isinstance(names, dict) and names.get("$ref") == "#/$defs/party_id"
            and isinstance(node.get("additionalProperties"), dict))


def _flatten(node: dict, path: tuple[str, ...], section: str, root: dict, out: list[Column],
             party_maps: list[tuple[tuple[str, ...], dict]], *, arrays: list | None) -> None:
    """Append a column per field under ``node``; lists of objects go to ``arrays``, party maps to ``party_maps``."""
    for name, sub in node.get("properties", {}).items():
        if name in _LEFT_OUT:
            continue
        sub = resolve_ref(sub, root)
        here = path + (name,)
        if _is_party_map(sub, root):
            party_maps.append((here, sub))
        elif sub.get("type") == "object" and "properties" in sub:
            _flatten(sub, here, section if path else sub.get("title", name), root, out, party_maps, arrays=arrays)
        elif sub.get("type") == "array" and resolve_ref(sub.get("items", {}), root).get("type") == "object":
            if arrays is not None:
                arrays.append((here, sub))
        else:
            if sub.get("type") == "array":
                sub = {**sub, "items": resolve_ref(sub.get("items", {}), root)}
            out.append(Column(".".join(here), here, section if path else "", sub.get("title", name),
                              sub.get("description", ""), _kind(sub), sub))


def _unique_titles(columns: list[Column], sections: dict[tuple[str, ...], str]) -> list[Column]:
    """Return the columns with a title that is unique on the sheet: a repeated one names its parent too."""
    seen: dict[str, int] = {}
    for column in columns:
        seen[column.title] = seen.get(column.title, 0) + 1
    result = []
    for column in columns:
        title = column.title
        if seen[title] > 1:
            parent = sections.get(column.path[:-1]) or column.section
            title = f"{parent}: {title[:1].lower()}{title[1:]}" if parent else title
        result.append(Column(column.key, column.path, column.section, title, column.help, column.kind,
                             column.node, column.by_party))
    return result


def _object_titles(node: dict, path: tuple[str, ...], root: dict, out: dict) -> dict:
    for name, sub in node.get("properties", {}).items():
        sub = resolve_ref(sub, root)
        if sub.get("type") == "object":
            out[path + (name,)] = sub.get("title", name)
            _object_titles(sub, path + (name,), root, out)
    return out


def _sheet_title(title: str) -> str:
    """Return ``title`` as Excel allows a sheet's name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31].strip()


#: The language of the workbook: that of the schema's titles and descriptions, whatever the command line speaks.
WORKBOOK_LANGUAGE = "nl"


def layout(schema: dict | None = None) -> tuple[Sheet, ...]:
    """Return the sheets of a portfolio for the answer-set ``schema`` (default: the installed one), in Dutch."""
    with in_language(WORKBOOK_LANGUAGE):
        return _layout(schema if schema is not None else load_schema())


def _layout(root: dict) -> tuple[Sheet, ...]:
    alliance_key = Column(ALLIANCE_KEY, (), "", _("Alliantie (kenmerk)"),
                          _("Het kenmerk van de alliantie: kleine letters, cijfers en streepjes, bijvoorbeeld "
                            "\"dak-en-thuis\". Het is ook de naam van haar antwoordenset en document."), "text", {})
    columns: list[Column] = []
    party_maps: list[tuple[tuple[str, ...], dict]] = []
    arrays: list[tuple[tuple[str, ...], dict]] = []
    _flatten(root, (), "", root, columns, party_maps, arrays=arrays)
    columns.sort(key=lambda column: column.key.startswith("$"))  # "$schema", for editors, last: not a choice
    titles = _object_titles(root, (), root, {})
    sheets = [Sheet(_("Allianties"), (), (alliance_key,), tuple(_unique_titles(columns, titles)),
                    root.get("description", ""))]
    for path, node in arrays:
        sheets.extend(_array_sheets(path, node, root, alliance_key, party_maps, titles))
    return tuple(sheets)


def _array_sheets(path: tuple[str, ...], node: dict, root: dict, alliance_key: Column,
                  party_maps: list, titles: dict) -> list[Sheet]:
    items = resolve_ref(node.get("items", {}), root)
    columns: list[Column] = []
    nested: list[tuple[tuple[str, ...], dict]] = []
    _flatten(items, (), node.get("title", path[-1]), root, columns, [], arrays=nested)
    keys: tuple[Column, ...] = (alliance_key,)
    if path == ("parties",):
        for map_path, map_node in party_maps:  # a field keyed by party id: one entry per party row
            value = resolve_ref(map_node["additionalProperties"], root)
            section = map_node.get("title", map_path[-1])
            if value.get("type") == "object":
                for name, sub in value.get("properties", {}).items():
                    sub = resolve_ref(sub, root)
                    columns.append(Column(".".join(map_path + (name,)), (name,), section, sub.get("title", name),
                                          sub.get("description", ""), _kind(sub), sub, map_path))
            else:
                if value.get("type") == "array":
                    value = {**value, "items": resolve_ref(value.get("items", {}), root)}
                columns.append(Column(".".join(map_path), (), section, value.get("title", section),
                                      value.get("description", "") or map_node.get("description", ""),
                                      _kind(value), value, map_path))
    sheet = Sheet(_sheet_title(node.get("title", path[-1])), path, keys, tuple(_unique_titles(columns, titles)),
                  node.get("description", ""))
    result = [sheet]
    if "id" in items.get("properties", {}):  # the items have ids: their own lists get a sheet keyed by it
        parent = Column(PARTY_KEY, (), "", items["properties"]["id"].get("title", "id"),
                        items["properties"]["id"].get("description", ""), "text", {})
        for sub_path, sub_node in nested:
            sub_items = resolve_ref(sub_node.get("items", {}), root)
            sub_columns: list[Column] = []
            _flatten(sub_items, (), sub_node.get("title", sub_path[-1]), root, sub_columns, [], arrays=None)
            result.append(Sheet(_sheet_title(sub_node.get("title", sub_path[-1])), path + sub_path, (alliance_key, parent),
                                tuple(_unique_titles(sub_columns, titles)), sub_node.get("description", "")))
    return result


# cells: to and from answer values ---------------------------------------------------------------------

def cell_value(column: Column, value: Any) -> Any:
    """Return the cell value for the answer ``value`` of ``column``: a date, a number, "ja", a label, lines."""
    if value is None:
        return None
    if column.kind == "boolean":
        return YES if value else NO
    if column.kind == "choice":
        return column.choices.get(str(value), str(value))
    if column.kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if column.kind == "list":
        labels = column.choices
        return "\n".join(labels.get(str(v), str(v)) if labels else str(v) for v in value)
    return value


class CellError(ValueError):
    """Raised when a cell holds what its column cannot take; ``code`` and ``values`` make the finding."""

    def __init__(self, code: str, **values: Any) -> None:
        self.code = code
        self.values = values
        super().__init__(code)


_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def answer_value(column: Column, value: Any) -> Any:
    """Return the answer for a cell's ``value`` in ``column``; raise CellError when it cannot be one."""
    text = value.strip() if isinstance(value, str) else value
    shown = str(value).strip()
    if column.kind == "text":
        if isinstance(value, (dt.date, dt.datetime)):
            return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value) if not isinstance(value, str) else value
    if column.kind == "boolean":
        if isinstance(value, bool):
            return value
        if shown.lower() in _TRUE:
            return True
        if shown.lower() in _FALSE:
            return False
        raise CellError("portfolio.not_yes_no", value=shown)
    if column.kind == "choice":
        return _choice(column, shown)
    if column.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        match = _DUTCH_DATE.match(shown)
        try:
            if match:
                return dt.date(int(match[3]), int(match[2]), int(match[1])).isoformat()
            return dt.date.fromisoformat(shown).isoformat()
        except ValueError:
            raise CellError("portfolio.not_a_date", value=shown) from None
    if column.kind in ("integer", "number"):
        number = _number(text, shown)
        if column.kind == "integer":
            if isinstance(number, float) and not number.is_integer():
                raise CellError("portfolio.not_an_integer", value=shown)
            return int(number)
        return int(number) if isinstance(number, float) and number.is_integer() else number
    # a list: one item per line
    lines = [line.strip() for line in str(value).splitlines() if line.strip()]
    items = column.node.get("items", {})
    if "enum" in items:
        return [_choice(column, line) for line in lines]
    if items.get("type") in ("integer", "number"):
        return [_number(line, line) for line in lines]
    return lines


def _choice(column: Column, shown: str) -> Any:
    """Return the value of a choice typed as its label, its value, or the start of one label only."""
    choices = column.choices
    typed = shown.casefold()
    found = [value for value, label in choices.items() if typed in (value.casefold(), label.casefold())]
    if not found and typed:
        found = [value for value, label in choices.items() if label.casefold().startswith(typed)]
    if len(found) != 1:
        raise CellError("portfolio.not_a_choice", value=shown, choices="; ".join(choices.values()))
    node = column.node["items"] if column.kind == "list" else column.node
    return next(v for v in node["enum"] if str(v) == found[0])


def _number(value: Any, shown: str) -> int | float:
    if isinstance(value, bool):
        raise CellError("portfolio.not_a_number", value=shown)
    if isinstance(value, (int, float)):
        return value
    text = str(value).replace("€", "").replace("%", "").replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.match(text) or re.match(r"^-?\d+\.\d{3}$", text):  # "1.250": a thousand or one and a quarter?
        raise CellError("portfolio.not_a_number", value=shown)
    number = float(text.replace(",", "."))
    return int(number) if "," not in text and "." not in text else number


# reading a workbook -----------------------------------------------------------------------------------

def open_workbook(path: str | Path):
    """Return the workbook at ``path`` (values, not formulas); raise InputError when it is none."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    data = read_regular_file(path, MAX_WORKBOOK_BYTES)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, TypeError, IndexError, AttributeError,
            EOFError) as exc:
        raise InputError(_("{file}: geen Excel-werkmap (.xlsx) die kan worden gelezen ({reason})").format(
            file=path, reason=type(exc).__name__)) from exc
    except Exception as exc:  # noqa: BLE001 - a damaged zip or XML file can raise almost anything
        raise InputError(_("{file}: geen Excel-werkmap (.xlsx) die kan worden gelezen ({reason})").format(
            file=path, reason=type(exc).__name__)) from exc


def read_portfolio(path: str | Path, *, check: bool = True) -> list[Alliance]:
    """Return every alliance of the workbook at ``path``, in the order of the alliances sheet.

    Each has its answer set and its problems located at sheet, row and column: what a cell cannot hold, and
    (with ``check``) every finding of validation on the answer set, placed at the cell of its JSON path.
    Raise InputError when the file is no workbook of a portfolio.
    """
    book = open_workbook(path)
    sheets = layout()
    main = sheets[0]
    if main.name not in book.sheetnames:
        raise InputError(_("{file}: het blad '{sheet}' ontbreekt; maak een werkmap met 'agreement-engine "
                           "portfolio template'").format(file=path, sheet=main.name))
    if ALLIANCE_KEY not in _columns_by_key(book[main.name], main):
        raise InputError(_("{file}: op het blad '{sheet}' ontbreekt de verborgen rij {row} met de namen van de "
                           "velden; maak een werkmap met 'agreement-engine portfolio template'").format(
            file=path, sheet=main.name, row=KEY_ROW))
    alliances: dict[str, Alliance] = {}
    loose: list[Problem] = []
    for sheet in sheets:
        if sheet.name not in book.sheetnames:
            continue
        _read_sheet(book[sheet.name], sheet, alliances, loose)
    result = list(alliances.values())
    for alliance in result:
        alliance.answers = in_schema_order(alliance.answers)
        if check:
            for finding in validate(alliance.answers):
                alliance.problems.append(Problem(finding, cell_of(alliance, finding.path)))
    if loose:
        raise PortfolioError(loose)
    return result


class PortfolioError(InputError):
    """Raised when rows of the workbook belong to no alliance; ``problems`` says where."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def cell_of(alliance: Alliance, path: str) -> Where:
    """Return the cell of the JSON path ``path``: the cell it came from, the (empty) cell of its column in the
    row of its item, or the row of the nearest item above it."""
    probe, rest = path, ""
    while probe:
        if probe in alliance.cells:
            return alliance.cells[probe]
        if probe in alliance.rows:
            row, columns = alliance.rows[probe]
            return columns.get(re.sub(r"\[\d+\]", "", rest).strip("."), row)
        cut = max(probe.rfind("."), probe.rfind("["))
        if cut <= 0:
            break
        rest, probe = probe[cut:] + rest, probe[:cut]
    row, columns = alliance.rows.get("$", (alliance.where, {}))
    return columns.get(re.sub(r"\[\d+\]", "", path[1:]).strip("."), row)


def _columns_by_key(worksheet, sheet: Sheet) -> dict[str, int]:
    """Return the column number of every field of ``sheet`` found in the hidden row of field names."""
    known = {c.key for c in sheet.all_columns}
    found: dict[str, int] = {}
    for index, cell in enumerate(next(worksheet.iter_rows(min_row=KEY_ROW, max_row=KEY_ROW), ()), start=1):
        if isinstance(cell.value, str) and cell.value.strip() in known:
            found.setdefault(cell.value.strip(), index)
    return found


def _read_sheet(worksheet, sheet: Sheet, alliances: dict[str, Alliance], loose: list[Problem]) -> None:
    from openpyxl.utils import get_column_letter

    positions = _columns_by_key(worksheet, sheet)
    columns = [(c, positions[c.key]) for c in sheet.all_columns if c.key in positions]
    alliance_column = positions.get(ALLIANCE_KEY)
    counters: dict[tuple, int] = {}
    for row in worksheet.iter_rows(min_row=FIRST_ROW):
        values = {index: row[index - 1].value for _c, index in columns if index <= len(row)}
        values = {i: v for i, v in values.items() if v is not None and not (isinstance(v, str) and not v.strip())}
        if not values:
            continue
        number = row[0].row

        def where(column: Column | None, index: int | None = None) -> Where:
            if column is None:
                return Where(sheet.name, number)
            return Where(sheet.name, number, get_column_letter(index), column.title)

        key = values.get(alliance_column) if alliance_column else None
        key_column = sheet.keys[0]
        ident = str(key).strip() if key is not None else ""
        if not sheet.array:
            if not ident:
                loose.append(Problem(make_finding("portfolio.no_alliance", "$", column=key_column.title),
                                     where(key_column, alliance_column or 1)))
                continue
            if ident in alliances:
                alliance = alliances[ident]
                alliance.problems.append(Problem(make_finding("portfolio.duplicate_alliance", "$", id=ident,
                                                              row=alliance.where.row), where(key_column, alliance_column)))
                continue
            alliance = alliances[ident] = Alliance(ident, where(key_column, alliance_column),
                                                   {"schema_version": "1"})
            alliance.rows["$"] = (where(None), _row_columns(sheet.name, number, columns))
            if not ALLIANCE_ID.match(ident):
                alliance.problems.append(Problem(make_finding("portfolio.bad_alliance_id", "$", id=ident),
                                                 where(key_column, alliance_column)))
            _required_objects(alliance.answers, load_schema())
            target, base = alliance.answers, []
        else:
            if ident not in alliances:
                loose.append(Problem(make_finding("portfolio.unknown_alliance", "$", id=ident or "",
                                                  sheet=layout()[0].name),
                                     where(key_column, alliance_column or 1)))
                continue
            alliance = alliances[ident]
            target, base = _new_item(alliance, sheet, values, positions, where, counters)
            if target is None:
                continue
        for column, index in columns:
            if column.key in (ALLIANCE_KEY, PARTY_KEY) or index not in values:
                continue
            cell = where(column, index)
            try:
                value = answer_value(column, values[index])
            except CellError as exc:
                alliance.problems.append(Problem(make_finding(exc.code, json_path(base + list(column.path)),
                                                              title=column.title, **exc.values), cell))
                continue
            if column.by_party is not None:
                party = target.get("id")
                if not isinstance(party, str):
                    continue
                path = list(column.by_party) + [party] + list(column.path)
                _put(alliance.answers, path, value)
            else:
                path = base + list(column.path)
                _put(alliance.answers, path, value)
            alliance.cells[json_path(path)] = cell


def _new_item(alliance: Alliance, sheet: Sheet, values: dict, positions: dict, where, counters: dict):
    """Append an item for this row to its list in the alliance; return it and its path (None when it cannot)."""
    if len(sheet.keys) == 1:
        items = _list_at(alliance.answers, list(sheet.array))
        path = list(sheet.array) + [len(items)]
    else:
        party_index = positions.get(PARTY_KEY)
        party_id = str(values.get(party_index, "")).strip() if party_index else ""
        parties = alliance.answers.get("parties", [])
        found = next((i for i, p in enumerate(parties) if p.get("id") == party_id), None)
        if found is None:
            column = sheet.keys[1]
            alliance.problems.append(Problem(make_finding("portfolio.unknown_party", "$", id=party_id,
                                                          sheet=sheet_name(("parties",))),
                                             where(column, party_index or 2)))
            return None, []
        items = _list_at(alliance.answers, ["parties", found] + list(sheet.array[1:]))
        path = ["parties", found] + list(sheet.array[1:]) + [len(items)]
    item: dict = {}
    _required_objects(item, _item_schema(sheet))
    items.append(item)
    alliance.rows[json_path(path)] = (where(None), _row_columns(sheet.name, where(None).row,
                                                                [(c, positions[c.key]) for c in sheet.columns
                                                                 if c.key in positions and c.by_party is None]))
    return item, path


def _row_columns(sheet: str, row: int, columns: list[tuple[Column, int]]) -> dict[str, Where]:
    """Return the cell of every field column of one row, by the field's dotted path inside the item."""
    from openpyxl.utils import get_column_letter

    return {".".join(c.path): Where(sheet, row, get_column_letter(index), c.title)
            for c, index in columns if c.path and c.by_party is None}


def sheet_name(array: tuple[str, ...]) -> str:
    """Return the name of the sheet of the list at ``array`` (``("parties",)``)."""
    return next(s.name for s in layout() if s.array == array)


def _item_schema(sheet: Sheet) -> dict:
    root = load_schema()
    node = root
    for part in sheet.array:
        node = resolve_ref(node, root)["properties"][part]
        node = resolve_ref(resolve_ref(node, root).get("items", {}), root)
    return node


def _required_objects(value: dict, node: dict) -> None:
    """Create the required objects of ``node`` in ``value`` (a required section may be empty)."""
    root = load_schema()
    node = resolve_ref(node, root)
    for name in node.get("required", []):
        sub = resolve_ref(node.get("properties", {}).get(name, {}), root)
        if sub.get("type") == "object" and name not in value:
            value[name] = {}
            _required_objects(value[name], sub)


def _list_at(answers: dict, path: list) -> list:
    node: Any = answers
    for part in path[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    return node.setdefault(path[-1], [])


def _put(answers: dict, path: list, value: Any) -> None:
    node: Any = answers
    for part in path[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    node[path[-1]] = value


def import_portfolio(path: str | Path, out_dir: str | Path, *, force: bool = False) -> list[Alliance]:
    """Write ``out_dir/<id>.json`` for every alliance of the workbook without errors; return all alliances.

    An alliance with an error writes nothing. An existing file is replaced only with ``force``.
    """
    import json

    alliances = read_portfolio(path)
    out = Path(out_dir)
    files = []
    for alliance in alliances:
        if alliance.ok:
            target = out / f"{alliance.id}.json"
            if target.exists() and not force:
                raise output.TargetExists(_("{file} bestaat al; overschrijf met --force").format(file=target))
            text = json.dumps(alliance.answers, ensure_ascii=False, indent=2) + "\n"
            files.append((target, text.encode("utf-8")))
    if files:
        out.mkdir(parents=True, exist_ok=True)
        for target, data in files:
            output.atomic_write(target, data)
    return alliances


# writing a workbook ------------------------------------------------------------------------------------

def _rows(sheet: Sheet, alliance_id: str, answers: dict) -> Iterable[dict[str, Any]]:
    """Yield the rows of ``sheet`` for one answer set: column key -> answer value."""
    if not sheet.array:
        yield {ALLIANCE_KEY: alliance_id, **{c.key: _get(answers, c.path) for c in sheet.columns}}
        return
    if len(sheet.keys) == 1:
        for item in _get(answers, sheet.array) or []:
            row = {ALLIANCE_KEY: alliance_id}
            for column in sheet.columns:
                if column.by_party is not None:
                    entry = (_get(answers, column.by_party) or {}).get(item.get("id"))
                    row[column.key] = _get(entry, column.path) if column.path else entry
                else:
                    row[column.key] = _get(item, column.path)
            yield row
        return
    for party in answers.get("parties") or []:
        for item in _get(party, sheet.array[1:]) or []:
            yield {ALLIANCE_KEY: alliance_id, PARTY_KEY: party.get("id"),
                   **{c.key: _get(item, c.path) for c in sheet.columns}}


def _get(value: Any, path: Iterable[str]) -> Any:
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def write_portfolio(target: str | Path, answer_sets: Iterable[tuple[str, dict]] = ()) -> None:
    """Write the portfolio workbook to ``target``: the empty template, or the ``answer_sets`` (id, answers)."""
    output.atomic_write(Path(target), portfolio_bytes(answer_sets))


def portfolio_bytes(answer_sets: Iterable[tuple[str, dict]] = ()) -> bytes:
    """Return the portfolio workbook (.xlsx) for ``answer_sets`` (none: the template to fill in), in Dutch."""
    with in_language(WORKBOOK_LANGUAGE):
        return _portfolio_bytes(list(answer_sets))


def _portfolio_bytes(answer_sets: list[tuple[str, dict]]) -> bytes:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_ranges: dict[tuple, str] = {}
    header_font, section_font = Font(bold=True), Font(bold=True, color="1F4E79")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    key_fill = PatternFill("solid", fgColor="FFF2CC")
    last = 1048576  # Excel's last row: a drop-down list and format hold for every row a facilitator adds

    def choice_range(options: tuple[str, ...]) -> str:
        if options not in list_ranges:
            column = get_column_letter(len(list_ranges) + 1)
            for n, option in enumerate(options, start=1):
                lists[f"{column}{n}"] = option
            list_ranges[options] = f"{LISTS_SHEET}!${column}$1:${column}${len(options)}"
        return list_ranges[options]

    for sheet in layout():
        ws = book.create_sheet(sheet.name)
        previous_section = None
        for index, column in enumerate(sheet.all_columns, start=1):
            letter = get_column_letter(index)
            if column.section and column.section != previous_section:
                ws.cell(SECTION_ROW, index, column.section).font = section_font
            previous_section = column.section
            title = ws.cell(TITLE_ROW, index, column.title)
            title.font, title.fill = header_font, key_fill if column in sheet.keys else header_fill
            title.alignment = Alignment(wrap_text=True, vertical="top")
            if column.help:
                title.comment = Comment(column.help, "agreement-engine", width=320, height=160)
            ws.cell(KEY_ROW, index, column.key)
            ws.column_dimensions[letter].width = _width(column)
            validation = _validation(column, choice_range)
            if validation is not None:
                validation.add(f"{letter}{FIRST_ROW}:{letter}{last}")
                ws.add_data_validation(validation)
            fmt = _format(column)
            if fmt:  # the column's own format, for the cells typed in it (a per-cell format would make it slow)
                ws.column_dimensions[letter].number_format = fmt
        ws.row_dimensions[KEY_ROW].hidden = True
        ws.row_dimensions[TITLE_ROW].height = 45
        ws.freeze_panes = ws.cell(FIRST_ROW, len(sheet.keys) + 1)
        row_number = FIRST_ROW
        for alliance_id, answers in answer_sets:
            for row in _rows(sheet, alliance_id, answers):
                for index, column in enumerate(sheet.all_columns, start=1):
                    value = cell_text(cell_value(column, row.get(column.key)))
                    if value is not None:
                        cell = ws.cell(row_number, index, value)
                        cell.number_format = _format(column) or "General"
                        if column.kind == "list" or (column.kind == "text" and "\n" in str(value)):
                            cell.alignment = Alignment(wrap_text=True, vertical="top")
                row_number += 1
    book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames))
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _format(column: Column) -> str | None:
    """Return the number format of a column's cells: a date, a whole number, an amount, text kept as typed."""
    if column.kind == "number":
        return "#,##0.00" if column.node.get("x-decimals") == 2 and column.node.get("maximum", 0) > 100 else "0.00"
    return {"date": "DD-MM-YYYY", "integer": "0", "text": "@"}.get(column.kind)


def _width(column: Column) -> int:
    """Return a column's width in characters: room for its longest choice, a date, a number or a text."""
    if column.kind == "choice":
        return min(40, max(16, len(column.title) // 2, *(len(label) + 3 for label in column.choices.values())))
    return {"date": 14, "integer": 14, "number": 16, "boolean": 16}.get(column.kind, 34)


def _prompt(column: Column) -> tuple[str, str]:
    """Return the input help of a column as Excel shows it (a title of 32, a text of 255 characters at most)."""
    text = column.help
    if column.kind == "list":
        text = _("Eén per regel (Alt+Enter voor een nieuwe regel in de cel).") + " " + text
    if len(text) > 255:
        text = text[:254].rsplit(" ", 1)[0] + "…"
    return column.title[:32], text


def _validation(column: Column, choice_range):
    from openpyxl.worksheet.datavalidation import DataValidation

    title, prompt = _prompt(column)
    kind = column.kind
    if kind == "choice":
        rule = DataValidation(type="list", formula1=choice_range(tuple(column.choices.values())), allow_blank=True)
        rule.error = _("Kies een waarde uit de lijst.")
    elif kind == "boolean":
        rule = DataValidation(type="list", formula1=choice_range((YES, NO)), allow_blank=True)
        rule.error = _("Kies ja of nee.")
    elif kind == "date":
        rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        rule.error = _("Typ een datum, bijvoorbeeld 1-1-2027.")
    elif kind in ("integer", "number"):
        low, high = column.node.get("minimum"), column.node.get("maximum")
        rule = DataValidation(type="whole" if kind == "integer" else "decimal", operator="between",
                              formula1=str(low if low is not None else -1e15),
                              formula2=str(high if high is not None else 1e15), allow_blank=True)
        rule.error = _("Typ een getal van {low} tot en met {high}.").format(
            low=low if low is not None else "…", high=high if high is not None else "…")
    else:
        rule = DataValidation(allow_blank=True)
        rule.showErrorMessage = False
    if kind in ("choice", "boolean", "date", "integer", "number"):
        rule.showErrorMessage = True
        rule.errorTitle = column.title[:32]
    rule.promptTitle, rule.prompt, rule.showInputMessage = title, prompt, True
    return rule


def export_portfolio(found: Any, target: str | Path) -> list[tuple[Path, list[Finding]]]:
    """Write the answer sets ``found`` (batch.Inputs: the files that batch's scan_inputs found, the patterns
    that matched nothing, the paths that are no regular file) to the workbook ``target``.

    Return the files that could not be read, with why; the others are written (their id is the file's name).
    """
    refused: list[tuple[Path, list[Finding]]] = [
        (Path(pattern), [make_finding("input.missing", "$", file=pattern)]) for pattern in found.unmatched]
    refused += [(Path(name), [make_finding("input.not_regular_file", "$", file=name, kind=kind)])
                for name, kind in found.special]
    sets, used = [], set()
    for file in found.files:
        if file.suffix.lower() == ".xlsx":
            continue
        answers, findings = load(file)
        if answers is None:
            refused.append((file, findings))
            continue
        ident = output.slug(file.stem, "alliantie")
        base, n = ident, 1
        while ident in used:
            n += 1
            ident = f"{base}-{n}"
        used.add(ident)
        sets.append((ident, answers))
    write_portfolio(target, sets)
    return refused


__all__ = ["Alliance", "Column", "Problem", "Sheet", "Where", "layout", "read_portfolio", "import_portfolio",
           "export_portfolio", "write_portfolio", "portfolio_bytes"]
