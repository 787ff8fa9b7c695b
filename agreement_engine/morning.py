"""The morning report of a batch: one row per alliance, what needs attention, as an Excel workbook.

A facilitator reads it the morning after an overnight batch: the alliance by its name, its status, how many
errors and warnings, the findings in words, the variant chosen per topic by its Dutch name, the comfort
needs that are not met, and a link to the document. It speaks the report's language (Dutch).
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from agreement_engine.i18n import N_, _, language
from agreement_engine.library import Library
from agreement_engine.resources import load_schema
from agreement_engine.variant_options import variant_name

#: Findings about comfort (``comfort[]`` of the answer set) start with this code: the "comfort unmet" column.
COMFORT_CODES = "comfort."
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_SEVERITY_WORDS = {"error": N_("fout"), "warning": N_("waarschuwing"), "info": N_("opmerking")}


def cell_text(value: Any) -> Any:
    r"""Return ``value`` as a workbook cell can hold it: a text with control characters shown as ``\x1b`` and a
    file name that is not UTF-8 as ``\udce9`` (as in the JSON report); other values as they are.

    >>> print(cell_text("caf\udce9\x1b.json"))
    caf\udce9\x1b.json
    """
    if not isinstance(value, str):
        return value
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


#: What XML 1.0 (and so a workbook) cannot hold.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_comfort(schema: dict | None = None) -> bool:
    """Return whether the answer set has comfort needs (``comfort[]``), so the report gets their column."""
    return "comfort" in (schema or load_schema()).get("properties", {})


def variant_names(library: Library) -> dict[tuple[str, str], str]:
    """Return the Dutch name of every variant by (topic, variant id)."""
    return {(clause.topic, variant.id): variant_name(clause, variant)
            for clause in library.clauses if clause.topic for variant in clause.variants}


def finding_line(finding: dict[str, Any]) -> str:
    """Return one finding in words: its severity, the cell or field it concerns, its message."""
    word = _(_SEVERITY_WORDS.get(finding.get("severity", ""), N_("opmerking")))
    where = finding.get("where") or ("" if finding.get("path") in (None, "$") else finding["path"])
    return f"{word}: {where}: {finding['message']}" if where else f"{word}: {finding['message']}"


def rows(items: list, library: Library, statuses: dict[str, str], *, comfort: bool | None = None) -> list[list]:
    """Return the header and one row per batch item (see :class:`agreement_engine.batch.BatchItem`).

    A row: name, input, status (in words), errors, warnings, findings, a variant name per topic, [comfort
    unmet], document. Words are in the current language; call it inside ``language(...)``.
    """
    comfort = has_comfort() if comfort is None else comfort
    names = variant_names(library)
    topics = list(library.topics)
    header = [_("Alliantie"), _("Invoer"), _("Status"), _("Fouten"), _("Waarschuwingen"), _("Bevindingen"),
              *(library.topics[t] for t in topics), *([_("Comfort niet vervuld")] if comfort else []),
              _("Document")]
    result = [header]
    for item in items:
        findings = sorted(item.recorded, key=lambda f: _SEVERITY_ORDER.get(f.get("severity"), 3))
        count = {kind: sum(1 for f in findings if f.get("severity") == kind) for kind in ("error", "warning")}
        unmet = [f["message"] for f in findings if str(f.get("code", "")).startswith(COMFORT_CODES)
                 and f.get("severity") in ("error", "warning")]
        result.append([
            item.alliance or Path(item.input).stem, item.input, _(statuses[item.status]) if item.status else "",
            count["error"], count["warning"], "\n".join(finding_line(f) for f in findings),
            *(names.get((t, item.choices[t]), item.choices[t]) if t in item.choices else "" for t in topics),
            *(["\n".join(unmet)] if comfort else []),
            Path(item.output).name if item.output else "",
        ])
    return result


def workbook(items: list, library: Library, statuses: dict[str, str], report_language: str,
             out_dir: Path) -> bytes:
    """Return the morning report (.xlsx): a row per item, frozen headers, a filter, a link per document."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    with language(report_language):
        table = rows(items, library, statuses)
        title = _("Ochtendrapport")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in table:
        sheet.append([cell_text(value) for value in row])
    header = table[0]
    widths = {0: 34, 1: 30, 2: 16, 3: 8, 4: 16, 5: 80, len(header) - 1: 30}
    for index, name in enumerate(header):
        cell = sheet.cell(1, index + 1)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index + 1)].width = widths.get(index, 24)
    attention = PatternFill("solid", fgColor="FCE4D6")
    sheet.row_dimensions[1].height = _height(header, widths)
    wrapped = Alignment(wrap_text=True, vertical="top")  # one object for every cell: openpyxl stores it once
    for number, (row, item) in enumerate(zip(table[1:], items), start=2):
        sheet.row_dimensions[number].height = _height(row, widths)
        for index in range(len(header)):
            sheet.cell(number, index + 1).alignment = wrapped
        if row[3]:
            sheet.cell(number, 3).fill = attention
        if item.output:
            link = sheet.cell(number, len(header))
            link.hyperlink = cell_text(_relative(Path(item.output), out_dir))
            link.style = "Hyperlink"
    sheet.freeze_panes = "B2"
    sheet.page_setup.orientation = "landscape"  # printed: the header row and the names on every page
    sheet.print_title_rows, sheet.print_title_cols = "1:1", "A:A"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(table), 2)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _height(row: list, widths: dict[int, int], default: int = 24) -> float:
    """Return the height (points) that shows every wrapped line of ``row``; not every program computes it."""
    lines = 1
    for index, value in enumerate(row):
        width = widths.get(index, default)
        text = str(value) if value is not None else ""
        lines = max(lines, sum(max(1, -(-len(line) // max(1, int(width * 1.1)))) for line in text.split("\n")))
    return min(15.0 * lines, 409.0)  # 409 points: the highest row Excel allows


def _relative(document: Path, out_dir: Path) -> str:
    """Return the link to ``document`` from a report in ``out_dir``: relative, so the folder may move."""
    try:
        return Path(os.path.relpath(document, out_dir)).as_posix()
    except ValueError:  # another drive (Windows)
        return document.resolve().as_uri()
