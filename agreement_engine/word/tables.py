"""The table toolkit of the Word stage: rows, tables and column widths that fit their texts."""
from __future__ import annotations

import re
from collections.abc import Sequence

from agreement_engine.word.ooxml import Node, el

_CHAR_WIDTH, _CELL_PADDING = 110, 200  # twips per character of 10 pt table text, and cell margins
HEADER_FILL = "D9D9D9"
Cell = tuple[list[Node], int, "str | None"]  # content, width in twips, fill colour


def row(cells: list[Cell], *, header: bool = False, split: bool = False,
        mark: Sequence[Node] = ()) -> Node:
    """Return a table row (a header row repeats on each page); it stays on one page unless ``split``."""
    props = ([] if split else [el("w:cantSplit")]) + ([el("w:tblHeader")] if header else []) + list(mark)
    tr = el("w:tr", [el("w:trPr", props)])
    for content, width, fill in cells:
        tc_props = [el("w:tcW", w=width, type="dxa")]
        if fill:
            tc_props.append(el("w:shd", val="clear", color="auto", fill=fill))
        tr.append(el("w:tc", [el("w:tcPr", tc_props), *content]))
    return tr


def table(widths: list[int], table_rows: list[Node], *, borders: bool) -> Node:
    """Return a table of fixed column ``widths`` (twips), with grey borders or none."""
    edge = "single" if borders else "nil"
    border_set = el("w:tblBorders", [
        el(f"w:{side}", val=edge, sz=4, space=0, color="808080") if borders else el(f"w:{side}", val="nil")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")])
    props = el("w:tblPr", [el("w:tblW", w=sum(widths), type="dxa"), border_set,
                           el("w:tblLayout", type="fixed"),
                           el("w:tblCellMar", [el("w:left", w=85 if borders else 0, type="dxa"),
                                               el("w:right", w=85 if borders else 284, type="dxa")]),
                           el("w:tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=1, lastColumn=0,
                              noHBand=0, noVBand=1)])
    grid = el("w:tblGrid", [el("w:gridCol", w=w) for w in widths])
    return el("w:tbl", [props, grid, *table_rows])


def column_widths(columns: list[list[str]], total: int) -> list[int]:
    """Return column widths (twips) adding up to ``total``, from the texts in each column.

    A column gets its natural width (its longest text on one line) when that is at most 30% of the
    table; the other columns start at the width of their longest word and share what is left in proportion
    to how much more they would need to stand on one line.

    >>> column_widths([["Partij", "Stichting De Haven"], ["Aandeel", "33,33%"]], 9000)
    [6228, 2772]
    >>> column_widths([["Partij", "Stichting Zorgpunt GGZ"], ["Voorwaarde", "de raad van toezicht " * 6],
    ...                ["Uiterste datum", "10 december 2026"]], 9000)
    [2620, 4420, 1960]
    >>> column_widths([["Partij", "Stichting" + "x" * 62], ["Aandeel", "33,33%"], ["Bedrag", "€ 1,00 " * 9]], 9000)
    [7326, 887, 787]
    """
    def width(text: str) -> int:
        return len(text) * _CHAR_WIDTH + _CELL_PADDING

    natural = [max(width(t) for t in texts) for texts in columns]
    if sum(natural) <= total:
        widths = [total * n // sum(natural) for n in natural]
    else:
        fixed = [n <= total * 3 // 10 for n in natural]
        minimum = [n if f else max(width(w) for t in texts for w in t.split() or [""])
                   for n, f, texts in zip(natural, fixed, columns)]
        if sum(minimum) > total:  # even the longest words do not fit: every column gets its share of them
            widths = [total * m // sum(minimum) for m in minimum]
        else:
            spare = total - sum(minimum)
            wanted = [0 if f else n - m for n, m, f in zip(natural, minimum, fixed)]
            widths = [m + (spare * w // sum(wanted) if sum(wanted) else 0) for m, w in zip(minimum, wanted)]
    widths[-1] += total - sum(widths)
    return widths


def is_number(text: str) -> bool:
    """Return whether a table cell holds an amount, percentage or number (aligned right)."""
    return bool(re.fullmatch(r"[€\-]?[\s\u00a0]*-?[\d.,]+[\s\u00a0]*%?", text.strip()))


BAR_FILL = "4F81BD"
OUTER_MARGIN = 284  # twips: the right cell margin of a table without borders, around the chart
_BAR_STEPS = 40  # grid columns of the bar area: a bar is as precise as 1/40 of the largest value


def bar_chart(bars: Sequence[tuple[list[Node], float | None, list[Node]]], widths: tuple[int, int, int]) -> Node:
    """Return a bar chart as a table: per bar its label, a shaded cell as long as its value, and its value text.

    ``bars`` are (label paragraphs, value or None for no bar, value paragraphs); ``widths`` (twips) are those of
    the label, the bar area and the value. The longest bar fills the bar area. The chart stands in the one row
    of an outer table that cannot split, so no page ever breaks it (LibreOffice does not keep rows together by
    "keep with next").
    """
    label_width, area, value_width = widths
    step = area // _BAR_STEPS
    largest = max((v for _, v, _ in bars if v), default=0)
    rows = []
    for label, value, text in bars:
        bar = [el("w:p")]
        filled = round(_BAR_STEPS * value / largest) if value and largest else 0
        filled = max(filled, 1) if value else 0
        cells = [el("w:tc", [el("w:tcPr", [el("w:tcW", w=label_width, type="dxa")]), *label])]
        if filled:
            cells.append(el("w:tc", [el("w:tcPr", [el("w:tcW", w=step * filled, type="dxa"),
                                                   el("w:gridSpan", val=filled),
                                                   el("w:shd", val="clear", color="auto", fill=BAR_FILL)]),
                                     *bar]))
        if filled < _BAR_STEPS:
            cells.append(el("w:tc", [el("w:tcPr", [el("w:tcW", w=step * (_BAR_STEPS - filled), type="dxa"),
                                                   el("w:gridSpan", val=_BAR_STEPS - filled)]), *bar]))
        cells.append(el("w:tc", [el("w:tcPr", [el("w:tcW", w=value_width, type="dxa")]), *text]))
        rows.append(el("w:tr", [el("w:trPr", [el("w:cantSplit")]), *cells]))
    chart = table([label_width, *([step] * _BAR_STEPS), value_width], rows, borders=False)
    total = label_width + step * _BAR_STEPS + value_width + OUTER_MARGIN
    return table([total], [row([([chart, el("w:p", [el("w:pPr", [el("w:spacing", before=0, after=0, line=20,
                                                                        lineRule="exact")])])], total, None)])],
                 borders=False)
