"""The header row of a KPI table (見出し行): which column holds which field, and which are years.

:data:`COLUMNS` lists every accepted header text (docs/tables.md); a header that is
neither a column nor a year label (R6, 令和6年度 …) is an error, as is a table whose
header is not its first row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kpitool.problems import DataError, Problem
from kpitool.sources.table_cells import cell_text
from kpitool.values.fiscal_year import parse_fiscal_year
from kpitool.values.periods import PeriodError

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "Columns",
    "TableSource",
    "check_header_row",
    "column_label",
    "column_map",
    "table_problem",
]

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ID", "指標ID"),
    "name": ("指標名", "name"),
    "unit": ("単位", "unit"),
    "direction": ("方向", "direction"),
    "cumulative": ("累計", "cumulative"),
    "baseline": ("基準値", "baseline"),
    "baseline_period": ("基準時点", "baseline_period"),
    "target": ("目標値", "target"),
    "target_period": ("目標時点", "target_period"),
    "note": ("備考", "note"),
    "official": ("公表評価", "評価", "判定", "published"),
    "number": ("番号", "No.", "No", "NO.", "№", "number"),
}
"""Field → accepted header texts (Japanese first)."""

_YEAR_GRADE = re.compile(
    r"^(?:(?P<before>.+?)\s*[の_]?\s*(?:公表評価|評価|判定|published)"
    r"|(?:公表評価|評価|判定|published)\s*[（(]?\s*(?P<after>[^()（）]+?)\s*[)）]?)$",
    re.IGNORECASE,
)
"""A grade column of one year: ``R6評価``, ``R6 公表評価``, ``評価(R6)``, ``published R6``."""

REQUIRED = ("name", "target", "target_period")
"""Columns a table must have; 方向 may be left out when every 目標値 says 以上 / 以下."""


@dataclass(frozen=True)
class TableSource:
    """Where the cells came from, for messages: a file name and a way to name a cell."""

    name: str
    cell: Callable[[int, int], str]
    """(row index from 0, column index from 0) → e.g. ``row 3, column D`` or ``Sheet1!D3``."""


@dataclass
class Columns:
    """What each header column holds: a field, a year's actuals, or a year's published grade."""

    fields: dict[str, int] = field(default_factory=dict)
    """field key → column index."""
    years: dict[int, tuple[int, str]] = field(default_factory=dict)
    """column index → (fiscal year, header text) of an actuals column."""
    grades: dict[int, int] = field(default_factory=dict)
    """column index → the fiscal year whose published grade (公表評価) it holds."""

    def years_in(self) -> list[int]:
        """The fiscal years of the actuals columns."""
        return [year for year, _ in self.years.values()]

    def year_label(self, year: int) -> str | None:
        """The header of the actuals column of ``year``, if the table has one."""
        return next((label for y, label in self.years.values() if y == year), None)


def _year_of_grade_column(text: str) -> int | None:
    """The year of a header such as ``R6評価`` or ``評価(R6)``; None if it is not one."""
    match = _YEAR_GRADE.match(text)
    if match is None:
        return None
    try:
        return parse_fiscal_year(match["before"] or match["after"])
    except PeriodError:
        return None


def _bind_plain_grade(columns: Columns, source: TableSource, problems: list[Problem]) -> None:
    """A 評価 column without a year holds the grades of the table's latest year column."""
    index = columns.fields.pop("official", None)
    if index is None:
        return
    if not columns.years:
        message = "a 評価 column needs a year column (R6 …) whose actuals it grades"
        problems.append(table_problem(source, 0, index, "評価", message))
        return
    latest = max(year for year, _ in columns.years.values())
    if latest in columns.grades.values():
        message = "two grade columns for the latest year: keep one"
        problems.append(table_problem(source, 0, index, "評価", message))
    columns.grades[index] = latest


def column_map(header: Sequence[Any], source: TableSource) -> Columns:
    """Header → field, year and grade columns; errors for unknown or repeated headers."""
    by_header = {alias.casefold(): key for key, aliases in COLUMNS.items() for alias in aliases}
    columns = Columns()
    fields, years = columns.fields, columns.years
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        text = cell_text(cell)
        if not text:
            continue
        key = by_header.get(text.casefold())
        if key is not None:
            if key in fields:
                problems.append(table_problem(source, 0, index, text, f"column {text!r} appears twice"))
            fields[key] = index
            continue
        graded = _year_of_grade_column(text)
        if graded is not None:
            if graded in columns.grades.values():
                problems.append(table_problem(source, 0, index, text, f"grade column {text!r} appears twice"))
            columns.grades[index] = graded
            continue
        try:
            year = parse_fiscal_year(text)
        except PeriodError:
            known = ", ".join(aliases[0] for aliases in COLUMNS.values())
            problems.append(
                table_problem(
                    source,
                    0,
                    index,
                    text,
                    f"unknown column {text!r}: expected {known}, a year label such as R6 / 令和6年度, "
                    "or a year's grade such as R6評価",
                )
            )
            continue
        if year in {y for y, _ in years.values()}:
            problems.append(table_problem(source, 0, index, text, f"year column {text!r} appears twice"))
        years[index] = (year, text)
    _bind_plain_grade(columns, source, problems)
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in fields]
    if "id" not in fields and "number" not in fields:
        missing.insert(0, "id (or No.)")
    if missing:
        problems.append(
            table_problem(source, 0, 0, "", f"header row lacks the column(s) {', '.join(missing)}")
        )
    if problems:
        raise DataError(problems)
    return columns


def _is_header(row: Sequence[Any]) -> bool:
    """True if the row names every required column."""
    texts = {cell_text(cell).casefold() for cell in row}
    return all(any(alias.casefold() in texts for alias in COLUMNS[key]) for key in REQUIRED)


def table_problem(source: TableSource, row: int, column: int, header: str, message: str) -> Problem:
    return Problem(
        source.name, row + 1, column + 1, header, f"{source.cell(row, column)}: {message}", code="table"
    )


def column_label(key: str) -> str:
    """``目標時点 (target_period)`` — a column as messages name it."""
    japanese = COLUMNS[key][0]
    return key if japanese == key else f"{japanese} ({key})"


def check_header_row(rows: Sequence[Sequence[Any]], source: TableSource) -> None:
    """Refuse an empty table, and one whose header is not its first row."""
    header_index = next((i for i, row in enumerate(rows) if any(cell_text(c) for c in row)), None)
    if header_index is None:
        raise DataError([Problem(source.name, None, None, "", "the table is empty", code="table")])
    below = next((i for i, row in enumerate(rows[:20]) if _is_header(row)), 0)
    if below:  # a title or notes above the header, as hand-kept sheets often have
        message = (
            f"the header row must be the first row: row {below + 1} holds the headers; "
            "delete the rows above it"
        )
        raise DataError([table_problem(source, below, 0, "", message)])
    if header_index:
        raise DataError(
            [
                table_problem(
                    source,
                    header_index,
                    0,
                    "",
                    "the header row must be the first row (rows above it are empty)",
                )
            ]
        )
