"""Flat KPI tables (the spreadsheet an analyst already has) → a plan and its actuals.

The table has a header row with the columns below (English aliases accepted)
and one column per evaluation year whose header is a year label (R5,
令和6年度, 2024年度 …). Reading the file is :mod:`kpitool.sources.table_file`'s
job (CSV, or .xlsx through :mod:`kpitool.sources.workbook`); :func:`parse_kpi_table`
turns the cells into model objects, strictly: a cell it cannot read is an error
naming its row, column and text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kpitool.model.actuals import Actual, ActualsFile
from kpitool.model.plan import KPI, Plan
from kpitool.problems import DataError, Problem
from kpitool.values.fiscal_year import parse_fiscal_year
from kpitool.values.numbers import NumberError, UnitError, convert, parse_number, parse_quantity
from kpitool.values.periods import Period, PeriodError, parse_period

__all__ = ["COLUMNS", "TableSource", "parse_kpi_table"]

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
}
"""Field → accepted header texts (Japanese first)."""

_REQUIRED = ("id", "name", "direction", "target", "target_period")
_TEXT_COLUMNS = ("id", "name", "unit", "direction", "cumulative", "baseline_period", "target_period", "note")
_DIRECTIONS = {
    "増加": "increase",
    "減少": "decrease",
    "以上": "at_least",
    "以下": "at_most",
    "increase": "increase",
    "decrease": "decrease",
    "at_least": "at_least",
    "at_most": "at_most",
}
_TRUE = {"○", "〇", "1", "true", "yes", "累計"}
_FALSE = {"", "×", "0", "false", "no", "-", "—", "－"}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_WITH_PERIOD = re.compile(r"^(?P<value>.*?)\s*[（(](?P<period>[^()（）]+)[)）]\s*$")


@dataclass(frozen=True)
class TableSource:
    """Where the cells came from, for messages: a file name and a way to name a cell."""

    name: str
    cell: Callable[[int, int], str]
    """(row index from 0, column index from 0) → e.g. ``row 3, column D`` or ``Sheet1!D3``."""


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if not math.isfinite(cell):  # a crafted <v>NaN</v> reads as a float NaN
            return repr(cell)
        return repr(cell) if cell != int(cell) else str(int(cell))
    return str(cell).strip()


def _column_map(
    header: Sequence[Any], source: TableSource
) -> tuple[dict[str, int], dict[int, tuple[int, str]]]:
    """Header → field columns and year columns; errors for unknown or repeated headers."""
    by_header = {alias.casefold(): key for key, aliases in COLUMNS.items() for alias in aliases}
    fields: dict[str, int] = {}
    years: dict[int, tuple[int, str]] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        key = by_header.get(text.casefold())
        if key is not None:
            if key in fields:
                problems.append(_problem(source, 0, index, text, f"column {text!r} appears twice"))
            fields[key] = index
            continue
        try:
            year = parse_fiscal_year(text)
        except PeriodError:
            known = ", ".join(aliases[0] for aliases in COLUMNS.values())
            problems.append(
                _problem(
                    source,
                    0,
                    index,
                    text,
                    f"unknown column {text!r}: expected {known}, or a year label such as R6 / 令和6年度",
                )
            )
            continue
        if year in {y for y, _ in years.values()}:
            problems.append(_problem(source, 0, index, text, f"year column {text!r} appears twice"))
        years[index] = (year, text)
    missing = [COLUMNS[key][0] for key in _REQUIRED if key not in fields]
    if missing:
        problems.append(_problem(source, 0, 0, "", f"header row lacks the column(s) {', '.join(missing)}"))
    if problems:
        raise DataError(problems)
    return fields, years


def _is_header(row: Sequence[Any]) -> bool:
    """True if the row names every required column."""
    texts = {_text(cell).casefold() for cell in row}
    return all(any(alias.casefold() in texts for alias in COLUMNS[key]) for key in _REQUIRED)


def _problem(source: TableSource, row: int, column: int, header: str, message: str) -> Problem:
    return Problem(
        source.name, row + 1, column + 1, header, f"{source.cell(row, column)}: {message}", code="table"
    )


def _label(key: str) -> str:
    """``目標時点 (target_period)`` — a column as messages name it."""
    japanese = COLUMNS[key][0]
    return key if japanese == key else f"{japanese} ({key})"


def _explain(cell: Any, exc: Exception) -> str:
    """``'<cell text>': <why>`` without quoting the text twice."""
    text = _text(cell)
    message = str(exc)
    quoted = f"'{text}': "
    return message if message.startswith(quoted) else f"{quoted}{message}"


def _split_period(text: str) -> tuple[str, Period | None]:
    match = _WITH_PERIOD.match(text)
    if not match:
        if any(mark in text for mark in "()（）"):
            raise NumberError(f"'{text}': write the data period in closed parentheses, as in 14,276 (R2年度)")
        return text, None
    return match["value"], parse_period(match["period"])


def _value(cell: Any, unit: str) -> tuple[Decimal | None, Period | None]:
    """A value cell: number (with separators, ▲/△, full-width), optional unit and (period)."""
    if isinstance(cell, date | time | timedelta):  # a workbook cell formatted as a date or time
        raise NumberError("the cell holds a date or time, not a number: format it as 標準 and retype it")
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        number = Decimal(_text(cell))
        if not number.is_finite():
            raise NumberError(f"{cell!r} is not a finite number")
        return number, None
    text, period = _split_period(_text(cell))
    quantity = parse_quantity(text)
    if quantity.value is None:
        if text.strip() and parse_number(text) is not None:  # pragma: no cover - defensive
            raise NumberError(f"{text!r} is not a number")
        return None, period
    value = quantity.value
    if quantity.unit and quantity.unit != unit:
        value = convert(value, quantity.unit, unit)
    return value, period


def _check_header_row(rows: Sequence[Sequence[Any]], source: TableSource) -> None:
    """Refuse an empty table, and one whose header is not its first row."""
    header_index = next((i for i, row in enumerate(rows) if any(_text(c) for c in row)), None)
    if header_index is None:
        raise DataError([Problem(source.name, None, None, "", "the table is empty", code="table")])
    below = next((i for i, row in enumerate(rows[:20]) if _is_header(row)), 0)
    if below:  # a title or notes above the header, as hand-kept sheets often have
        message = (
            f"the header row must be the first row: row {below + 1} holds the headers; "
            "delete the rows above it"
        )
        raise DataError([_problem(source, below, 0, "", message)])
    if header_index:
        raise DataError(
            [
                _problem(
                    source,
                    header_index,
                    0,
                    "",
                    "the header row must be the first row (rows above it are empty)",
                )
            ]
        )


_BAD_VALUE = (NumberError, UnitError, PeriodError)


class _RowReader:
    """Reads the KPI rows under a header, collecting the problems of every cell.

    A row with a problem is reported and left out; the rows read become KPIs
    (:attr:`kpis`) and their year columns actuals (:attr:`actuals`).
    """

    def __init__(self, header: Sequence[Any], source: TableSource) -> None:
        self.header = header
        self.source = source
        self.fields, self.years = _column_map(header, source)
        self.unnamed = [index for index, cell in enumerate(header) if not _text(cell)]
        self.problems: list[Problem] = []
        self.kpis: list[KPI] = []
        self.actuals: dict[str, dict[str, Actual]] = {}
        self.seen_ids: dict[str, int] = {}

    def cell(self, row: Sequence[Any], key: str) -> Any:
        """The row's cell of a field column, None if the table has no such column."""
        index = self.fields.get(key)
        return row[index] if index is not None and index < len(row) else None

    def bad(self, row_index: int, key: str | int, message: str) -> None:
        """Record a problem at the row's cell of a field (by name) or column (by index)."""
        column = self.fields.get(key, 0) if isinstance(key, str) else key
        header = _text(self.header[column]) if column < len(self.header) else ""
        self.problems.append(_problem(self.source, row_index, column, header, message))

    def read(self, row_index: int, row: Sequence[Any]) -> None:
        """Read one KPI row: its cells, its year columns, then the KPI when every cell read."""
        before = len(self.problems)
        self._stray_cells(row_index, row)
        kpi_id = _text(self.cell(row, "id"))
        if not self._new_id(row_index, kpi_id):
            return
        unit = _text(self.cell(row, "unit"))
        entry = self._entry(row_index, row, kpi_id, unit)
        self._year_actuals(row_index, row, kpi_id, unit)
        if len(self.problems) > before:
            return  # the cells are reported; the model would only repeat them
        try:
            self.kpis.append(KPI.model_validate(entry))
        except ValidationError as exc:  # pragma: no cover - every cell is checked above
            for error in exc.errors(include_url=False, include_input=False):
                field = str(error["loc"][0]) if error["loc"] else "id"
                column_key = field if field in self.fields else "id"
                self.bad(row_index, column_key, f"{field}: {error['msg'].removeprefix('Value error, ')}")

    def _stray_cells(self, row_index: int, row: Sequence[Any]) -> None:
        """Values beyond the header or under no header, and empty required cells."""
        for extra in range(len(self.header), len(row)):
            if _text(row[extra]):
                message = f"{_text(row[extra])!r}: a cell beyond the last header column (a stray comma?)"
                self.bad(row_index, extra, message)
        for blank in self.unnamed:  # a value there would be silently dropped (a merged or deleted header)
            if blank < len(row) and _text(row[blank]):
                self.bad(row_index, blank, f"{_text(row[blank])!r}: a value in a column with no header")
        for key in _TEXT_COLUMNS:  # Excel turned the text typed (2024/2/7, 4-5) into a date
            if isinstance(self.cell(row, key), date | time | timedelta):
                what = f"the cell holds a date or time, not a {_label(key)}"
                self.bad(row_index, key, f"{what}: format it as 文字列 and retype it")
        for key in ("id", "name", "direction"):  # 単位 may be empty: 合計特殊出生率, 倍率
            if not _text(self.cell(row, key)):
                self.bad(row_index, key, f"{_label(key)} is empty")

    def _new_id(self, row_index: int, kpi_id: str) -> bool:
        """Check the KPI id; False (the row is skipped) when an earlier row has it."""
        if kpi_id and not _ID.fullmatch(kpi_id):
            message = f"id {kpi_id!r}: use ASCII letters, digits, '.', '_' or '-' (e.g. visitors-1)"
            self.bad(row_index, "id", message)
        if kpi_id in self.seen_ids:
            message = f"id {kpi_id!r} is used twice (first in row {self.seen_ids[kpi_id] + 1})"
            self.bad(row_index, "id", message)
            return False
        self.seen_ids[kpi_id] = row_index
        return True

    def _entry(self, row_index: int, row: Sequence[Any], kpi_id: str, unit: str) -> dict[str, Any]:
        """The KPI's fields from the row's cells, for :class:`~kpitool.model.plan.KPI`."""
        direction_text = _text(self.cell(row, "direction"))
        direction = _DIRECTIONS.get(direction_text.casefold()) or _DIRECTIONS.get(direction_text)
        if direction is None and direction_text:
            message = f"{direction_text!r}: expected 増加 / 減少 / 以上 / 以下 (or increase …)"
            self.bad(row_index, "direction", message)
        cumulative_text = _text(self.cell(row, "cumulative")).casefold()
        if cumulative_text not in _TRUE | _FALSE:
            self.bad(row_index, "cumulative", f"{cumulative_text!r}: expected ○ (累計) or empty")
        entry: dict[str, Any] = {
            "id": kpi_id,
            "name": _text(self.cell(row, "name")),
            "unit": unit,
            "direction": direction or "increase",
            "cumulative": cumulative_text in _TRUE,
        }
        baseline = self._baseline(row_index, row, unit)
        if baseline is not None:
            entry["baseline"] = baseline
        entry["target"] = self._target(row_index, row, unit)
        note = _text(self.cell(row, "note"))
        if note:
            entry["note"] = note
        return entry

    def _baseline(self, row_index: int, row: Sequence[Any], unit: str) -> dict[str, Any] | None:
        """基準値 and 基準時点: the period column wins over a (period) in the value; None if unreadable."""
        try:
            base_value, base_period = _value(self.cell(row, "baseline"), unit)
            period_text = _text(self.cell(row, "baseline_period"))
            if period_text:
                base_period = parse_period(period_text)
        except _BAD_VALUE as exc:
            self.bad(row_index, "baseline", _explain(self.cell(row, "baseline"), exc))
            return None
        return {"value": base_value, "period": base_period}

    def _target(self, row_index: int, row: Sequence[Any], unit: str) -> dict[str, Any]:
        """目標値 and 目標時点, both required: the period from its column or a (period) in the value."""
        target_period: Period | None = None
        try:
            target_value, target_period = _value(self.cell(row, "target"), unit)
            if target_value is None:
                self.bad(row_index, "target", f"{_label('target')} is empty")
        except _BAD_VALUE as exc:
            target_value = None
            self.bad(row_index, "target", _explain(self.cell(row, "target"), exc))
        period_text = _text(self.cell(row, "target_period"))
        try:
            if period_text:
                target_period = parse_period(period_text)
            elif target_period is None:
                message = f"{_label('target_period')} is empty (or write 200 (R7年度) as the 目標値)"
                self.bad(row_index, "target_period", message)
        except PeriodError as exc:
            self.bad(row_index, "target_period", _explain(period_text, exc))
        return {"value": target_value, "period": target_period}

    def _year_actuals(self, row_index: int, row: Sequence[Any], kpi_id: str, unit: str) -> None:
        """The actuals in the row's year columns (実績値), within the model's limits."""
        for column, (_year, label) in self.years.items():
            raw = row[column] if column < len(row) else None
            try:
                value, period = _value(raw, unit)
            except _BAD_VALUE as exc:
                self.bad(row_index, column, _explain(raw, exc))
                continue
            if value is None:
                continue
            try:
                actual = Actual(value=value, period=period)
            except ValidationError as exc:  # e.g. out of range: the model's limits
                reason = str(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
                self.bad(row_index, column, _explain(raw, ValueError(reason)))
                continue
            self.actuals.setdefault(kpi_id, {})[label] = actual


def parse_kpi_table(rows: Sequence[Sequence[Any]], source: TableSource) -> tuple[Plan, ActualsFile]:
    """Turn table cells into a plan (one section-less list of KPIs) and its actuals.

    Raises :class:`DataError` listing every unreadable cell.
    """
    _check_header_row(rows, source)
    reader = _RowReader(rows[0], source)
    for row_index, row in enumerate(rows[1:], start=1):
        if any(_text(c) for c in row):  # blank lines between blocks are common in hand-kept sheets
            reader.read(row_index, row)
    if reader.problems:
        raise DataError(reader.problems)
    if not reader.kpis:
        raise DataError([Problem(source.name, None, None, "", "the table has no KPI rows", code="table")])
    plan = Plan.model_validate(
        {
            "id": "table",
            "title": Path(source.name).name,
            "kind": "comprehensive_plan",
            "municipality": "—",
            "kpis": reader.kpis,
        }
    )
    return plan, ActualsFile(plan="table", actuals=reader.actuals)
