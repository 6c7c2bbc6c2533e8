"""Print layout of the report's KPI sheets (印刷レイアウト): paper, scale, column pages, row breaks.

A sheet too wide for the paper is not shrunk to one page wide (19 columns on A4
print at about 6 pt): its columns are cut into column pages at the boundaries of
groups that belong together (the plan's columns, each year's 実績値・時点・評価,
the rates, the reasons), the No. and 指標名 columns are repeated on each, and the
scale is the largest (at most 100 %) at which the widest column page fits. The
groups are packed so that the smallest text prints at :data:`MIN_PRINTED_POINTS`
or more. Row breaks are chosen here too, from the heights the sheet sets on
every row, so that a section starts a page where it would otherwise be cut, a
section heading never ends a page, and the last page holds at least two KPI
rows with the notes.

Pure arithmetic (no openpyxl): :func:`column_pages` and :func:`row_breaks` are
tested as they are, and the workbook's own widths and heights are re-checked
against the same constants by the tests.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "MARGIN_SIDE",
    "MARGIN_TOP",
    "MIN_PRINTED_POINTS",
    "POINTS_PER_UNIT",
    "Block",
    "ColumnPages",
    "Paper",
    "column_pages",
    "line_pitch",
    "printable",
    "row_breaks",
    "table_blocks",
]

MIN_PRINTED_POINTS = 8.0
"""The smallest text a printed KPI sheet may show (font size × print scale), in points."""

POINTS_PER_UNIT = 6.35
"""Printed width of one Excel column-width unit at 100 %, in points, as LibreOffice prints a
workbook whose default font is 游ゴシック 10 pt (measured: a 100-unit column is 635.0 pt wide).
Excel's unit for that font is narrower, so a page that fits in LibreOffice fits in Excel."""

MARGIN_SIDE = 0.4
"""Left and right page margins, inches."""
MARGIN_TOP = 0.7
"""Top and bottom page margins (the page header and footer sit inside them), inches."""

_SLACK = 0.98
"""Share of the printable area planned for, so that rounding in the printing program never
pushes a column or a row onto a page of its own."""


class Paper(StrEnum):
    """The paper a report prints on, landscape (用紙)."""

    A4 = "A4"
    A3 = "A3"

    @property
    def code(self) -> int:
        """The paper's number in SpreadsheetML's ``paperSize`` (9 A4, 8 A3)."""
        return {Paper.A4: 9, Paper.A3: 8}[self]


_LANDSCAPE_POINTS = {Paper.A4: (841.89, 595.28), Paper.A3: (1190.55, 841.89)}


def printable(paper: Paper) -> tuple[float, float]:
    """Width and height (points) inside the margins of ``paper`` in landscape."""
    width, height = _LANDSCAPE_POINTS[paper]
    return width - 2 * 72 * MARGIN_SIDE, height - 2 * 72 * MARGIN_TOP


def line_pitch(size: float) -> float:
    """The height of one line of wrapped text at ``size`` pt, in points.

    LibreOffice's substitute font (Noto Sans CJK) needs 1.45 × size (measured: 14.5 pt at
    10 pt); 1.6 × size leaves room for 游ゴシック's taller lines in Excel.
    """
    return round(1.6 * size, 1)


@dataclass(frozen=True)
class ColumnPages:
    """Where a sheet's columns are cut into pages, and the scale they print at."""

    scale: int
    """Print scale, percent."""
    last_columns: tuple[int, ...]
    """The last column (1-based) of each column page, the sheet's last column included."""
    title_columns: int
    """The columns repeated at the left of every column page (印刷タイトル列)."""
    widths: tuple[float, ...]
    """Each column page's width in Excel units, its title columns included."""


def column_pages(
    groups: Sequence[Sequence[float]], title_columns: int, paper: Paper, smallest_font: float
) -> ColumnPages:
    """Cut columns (widths in Excel units, grouped) into column pages of ``paper``.

    The first group holds the ``title_columns`` repeated on every page. A group is never cut.
    The pages are as few as keep each page narrow enough for ``smallest_font`` to print at
    :data:`MIN_PRINTED_POINTS`. When that many pages, each filled in turn, print at 100 %, so
    be it (the first page keeps the most columns); else the groups are shared out so that the
    widest page is as narrow as it can be. The scale is the largest whole percent (at most
    100) at which the widest page fits.
    """
    width, _ = printable(paper)
    full = width * _SLACK / POINTS_PER_UNIT  # units that fit at 100 %
    sizes = [sum(group) for group in groups]
    title = sum(groups[0][:title_columns])
    count = len(_filled(sizes, title, full * smallest_font / MIN_PRINTED_POINTS))
    ends = _filled(sizes, title, full)
    if len(ends) > count:  # not at 100 %: share the groups out
        ends = _balanced(sizes, title, count)
    starts = [0, *ends[:-1]]
    pages = [sum(sizes[a:b]) + (title if a else 0) for a, b in zip(starts, ends, strict=True)]
    scale = min(100, math.floor(100 * width * _SLACK / (max(pages) * POINTS_PER_UNIT)))
    last_columns = tuple(sum(len(group) for group in groups[:end]) for end in ends)
    return ColumnPages(scale, last_columns, title_columns, tuple(pages))


def _filled(sizes: Sequence[float], title: float, room: float) -> list[int]:
    """The ends (exclusive group indices) of pages filled in turn up to ``room`` units."""
    ends: list[int] = []
    used = sizes[0]
    for index, size in enumerate(sizes[1:], start=1):
        if used + size <= room:
            used += size
        else:
            ends.append(index)
            used = title + size
    return [*ends, len(sizes)]


def _balanced(sizes: Sequence[float], title: float, count: int) -> list[int]:
    """The ends (exclusive group indices) of ``count`` pages of consecutive groups whose widest
    page is the narrowest; every page after the first also holds the ``title`` columns."""

    @functools.cache
    def best(start: int, pages: int) -> tuple[float, tuple[int, ...]]:
        if pages == 1:
            return sum(sizes[start:]) + (title if start else 0), (len(sizes),)
        found: tuple[float, tuple[int, ...]] = (math.inf, ())
        for end in range(start + 1, len(sizes) - pages + 2):
            rest, ends = best(end, pages - 1)
            widest = max(sum(sizes[start:end]) + (title if start else 0), rest)
            if widest < found[0]:
                found = (widest, (end, *ends))
        return found

    return list(best(0, min(count, len(sizes)))[1])


@dataclass(frozen=True)
class Block:
    """Rows that print on one page together (a heading with its first KPI row, the notes …)."""

    rows: int
    """How many sheet rows the block holds."""
    height: float
    """Their total height, points."""
    section: float = 0.0
    """For the first block of a section: the height of the whole section, else 0."""
    whole: bool = False
    """The section starts a new page whenever it would be cut and fits on one (the last rows
    and the notes), not only when the page it leaves is half full."""


def row_breaks(
    first_row: int, blocks: Sequence[Block], repeated: float, paper: Paper, scale: int
) -> list[int]:
    """The rows after which a page ends, for ``blocks`` starting at sheet row ``first_row``.

    ``repeated`` is the height of the rows printed at the top of every page after the first
    (印刷タイトル行). A block is never cut (one taller than a page gets a page of its own and
    the printing program cuts it). A section that would be cut starts a new page when it fits
    on one and the page it leaves is at least half full (a :attr:`Block.whole` one: whenever
    it fits on one).
    """
    _, height = printable(paper)
    room = height * _SLACK * 100 / scale
    breaks: list[int] = []
    used = 0.0
    row = first_row
    for block in blocks:
        fresh = room - repeated
        cut_section = block.section and used + block.section > room and block.section <= fresh
        early = cut_section and (block.whole or used >= room / 2)
        if used and (used + block.height > room or early):
            breaks.append(row - 1)
            used = repeated
        used += block.height
        row += block.rows
    return breaks


def table_blocks(
    top: Sequence[float], table: Sequence[tuple[float, bool]], notes: Sequence[float]
) -> list[Block]:
    """A table's rows in blocks: the ``top`` rows (title and header), each section heading with
    its first KPI row, each other KPI row, the last two KPI rows, and the ``notes`` (the first
    two rows, a blank and a note, together), the last rows and the notes kept whole if they fit
    on a page.

    ``table`` holds each row's height and whether it is a section heading.
    """
    blocks = [Block(len(top), sum(top))]
    kpis = [index for index, (_, heading) in enumerate(table) if not heading]
    tail = kpis[-2] if len(kpis) > 1 else 0
    if tail and table[tail - 1][1]:
        tail -= 1
    sections: dict[int, float] = {}
    current = -1
    for index, (height, heading) in enumerate(table):
        current = index if heading else current
        if current >= 0:
            sections[current] = sections.get(current, 0.0) + height
    index = 0
    while index < tail:
        rows = 2 if table[index][1] else 1
        height = sum(h for h, _ in table[index : index + rows])
        blocks.append(Block(rows, height, sections.get(index, 0.0)))
        index += rows
    last = sum(h for h, _ in table[tail:])
    blocks.append(Block(len(table) - tail, last, last + sum(notes), whole=True))
    blocks += [Block(len(notes[:2]), sum(notes[:2]))] if notes else []
    blocks += [Block(1, height) for height in notes[2:]]
    return blocks
