"""The table toolkit of the Word stage: rows, tables and column widths that fit their texts."""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from agreement_engine.word.ooxml import Node, el

_CHAR_WIDTH, _CELL_PADDING = 110, 200  # twips per character of 10 pt table text, and cell margins
HEADER_FILL = "D9D9D9"
SIGNATURE_INDENT = 284  # twips: the right cell margin of a table without borders
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
                                               el("w:right", w=85 if borders else SIGNATURE_INDENT, type="dxa")]),
                           el("w:tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=1, lastColumn=0,
                              noHBand=0, noVBand=1)])
    grid = el("w:tblGrid", [el("w:gridCol", w=w) for w in widths])
    return el("w:tbl", [props, grid, *table_rows])


def column_widths(columns: list[list[str]], total: int) -> list[int]:
    """Return column widths (twips) adding up to ``total``, from the texts in each column (the same rows in each).

    When every text fits on one line, the columns share ``total`` in proportion to their longest texts. Else
    each column starts at the width of its longest word (and a character), and the rest goes, a little at a
    time, where it saves the most lines per twip: lines of the table's height (its rows' tallest cells) count
    thrice, lines of any cell once, so a long text column gets the room, and a column of dates or names is not
    left so narrow that each value takes three lines.

    >>> column_widths([["Partij", "Stichting De Haven"], ["Aandeel", "33,33%"]], 9000)
    [6228, 2772]
    >>> column_widths([["Partij", "Stichting Zorgpunt GGZ"], ["Voorwaarde", "de raad van toezicht " * 6],
    ...                ["Uiterste datum", "10 december 2026"]], 9000)
    [1643, 5396, 1961]
    >>> column_widths([["Partij", "Stichting" + "x" * 62], ["Aandeel", "33,33%"], ["Bedrag", "€ 1,00 " * 9]], 9000)
    [7185, 955, 860]
    """
    def width(text: str) -> int:
        return len(text) * _CHAR_WIDTH + _CELL_PADDING

    natural = [max(width(t) for t in texts) for texts in columns]
    minimum = [max(width(w + " ") for t in texts for w in t.split() or [""]) for texts in columns]  # a char to spare
    if sum(natural) <= total:
        widths = [total * n // sum(natural) for n in natural]
    elif sum(minimum) >= total:  # even the longest words do not fit: every column gets its share of them
        widths = [total * m // sum(minimum) for m in minimum]
    else:
        widths = _shortest(columns, minimum, natural, total)
    widths[-1] += total - sum(widths)
    return widths


@functools.lru_cache(maxsize=4096)
def _lines(text: str, width: int) -> int:
    """Return how many lines ``text`` takes in a cell ``width`` twips wide, words wrapped whole."""
    per_line = max((width - _CELL_PADDING) // _CHAR_WIDTH, 1)
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1 + (len(word) - 1) // per_line, len(word) % per_line or per_line
        else:
            used += len(word) + (1 if used else 0)
    return lines


def _shortest(columns: list[list[str]], minimum: list[int], natural: list[int], total: int) -> list[int]:
    """Return widths from ``minimum`` with the rest of ``total`` given step by step where the table gets shortest."""
    rows = list(zip(*columns))

    def cost(widths: list[int]) -> int:
        """The table's height in lines, counted thrice, plus the lines of all cells: shorter first, then tidier."""
        lines = [[_lines(cell, w) for cell, w in zip(row, widths)] for row in rows]
        return 3 * sum(max(r) for r in lines) + sum(map(sum, lines))

    widths, step = list(minimum), max(total // 60, 1)
    current = cost(widths)
    while total - sum(widths) >= step:
        best = None
        for column, (now, most) in enumerate(zip(widths, natural)):
            for size in (step, 2 * step, 4 * step, 8 * step):
                grow = min(size, most - now, total - sum(widths))
                if grow <= 0:
                    break
                trial = widths[:column] + [now + grow] + widths[column + 1:]
                after = cost(trial)
                gain = (current - after) / grow
                if best is None or gain > best[0]:
                    best = (gain, trial, after)
        if best is None or best[0] <= 0:
            break
        _, widths, current = best
    wanted = [max(most - now, 0) for now, most in zip(widths, natural)]
    spare = total - sum(widths)
    return [now + (spare * want // sum(wanted) if sum(wanted) else spare * now // sum(widths))
            for now, want in zip(widths, wanted)]


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
