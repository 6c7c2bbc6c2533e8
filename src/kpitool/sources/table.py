"""Flat KPI tables (the spreadsheet an analyst already has) → a plan and its actuals.

The table has a header row with the columns below (English aliases accepted)
and one column per evaluation year whose header is a year label (R5,
令和6年度, 2024年度 …). Reading the file is :mod:`kpitool.sources.table_file`'s
job (CSV, or .xlsx through :mod:`kpitool.sources.workbook`); :func:`parse_kpi_table`
turns the cells into model objects, strictly: a cell it cannot read is an error
naming its row, column and text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kpitool.model.actuals import Actual, ActualsFile
from kpitool.model.plan import KPI, Grade, Plan
from kpitool.problems import DataError, Problem
from kpitool.sources.table_cells import (
    PERIOD_FORMS,
    QUALIFIERS,
    VALUE_FORMS,
    CellError,
    PeriodCell,
    ValueCell,
    cell_text,
    is_missing,
    read_period,
    read_value,
)
from kpitool.sources.table_columns import (
    COLUMNS,
    TableSource,
    check_header_row,
    column_label,
    column_map,
    table_problem,
)
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.numbers import NumberError, UnitError
from kpitool.values.periods import Period, PeriodError, parse_period

__all__ = ["COLUMNS", "TableSource", "parse_kpi_table"]

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
_GRADES = tuple(grade.value for grade in Grade)
_GRADE_LOOKALIKES = {"〇": "○", "◯": "○", "▲": "△", "✕": "×", "x": "×", "X": "×", "ｘ": "×"}
_HIGHER = {"increase", "at_least"}
_TRUE = {"○", "〇", "1", "true", "yes", "累計"}
_FALSE = {"", "×", "0", "false", "no", "-", "—", "－"}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _explain(cell: Any, exc: Exception, forms: str = "") -> str:
    """``'<cell text>': <why>; accepted: …`` without quoting the text twice."""
    text = cell_text(cell)
    message = str(exc)
    quoted = f"'{text}': "
    message = message if message.startswith(quoted) else f"{quoted}{message}"
    return f"{message}; {forms}" if forms and "accepted:" not in message else message


_BAD_VALUE = (NumberError, UnitError, PeriodError, CellError)


class _RowReader:
    """Reads the KPI rows under a header, collecting the problems of every cell.

    A row with a problem is reported and left out; the rows read become KPIs
    (:attr:`kpis`) and their year columns actuals (:attr:`actuals`).
    """

    def __init__(self, header: Sequence[Any], source: TableSource) -> None:
        self.header = header
        self.source = source
        self.columns = column_map(header, source)
        self.fields, self.years = self.columns.fields, self.columns.years
        self.unnamed = [index for index, cell in enumerate(header) if not cell_text(cell)]
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
        header = cell_text(self.header[column]) if column < len(self.header) else ""
        self.problems.append(table_problem(self.source, row_index, column, header, message))

    def read(self, row_index: int, row: Sequence[Any]) -> None:
        """Read one KPI row: its cells, its year columns, then the KPI when every cell read."""
        before = len(self.problems)
        self._stray_cells(row_index, row)
        kpi_id = cell_text(self.cell(row, "id"))
        if "id" not in self.fields:  # a published table numbers its rows (No.) instead
            number = cell_text(self.cell(row, "number"))
            kpi_id = f"kpi-{number}" if number else ""
        if not self._new_id(row_index, kpi_id):
            return
        unit = cell_text(self.cell(row, "unit"))
        entry = self._entry(row_index, row, kpi_id, unit)
        self._year_actuals(row_index, row, kpi_id, unit)
        self._published_grades(row_index, row, kpi_id)
        if len(self.problems) > before:
            self.problems[before:] = sorted(self.problems[before:], key=lambda p: p.column or 0)
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
            if cell_text(row[extra]):
                message = f"{cell_text(row[extra])!r}: a cell beyond the last header column (a stray comma?)"
                self.bad(row_index, extra, message)
        for blank in self.unnamed:  # a value there would be silently dropped (a merged or deleted header)
            if blank < len(row) and cell_text(row[blank]):
                self.bad(row_index, blank, f"{cell_text(row[blank])!r}: a value in a column with no header")
        for key in _TEXT_COLUMNS:  # Excel turned the text typed (2024/2/7, 4-5) into a date
            if isinstance(self.cell(row, key), date | time | timedelta):
                what = f"the cell holds a date or time, not a {column_label(key)}"
                self.bad(row_index, key, f"{what}: format it as 文字列 and retype it")
        for key in ("id" if "id" in self.fields else "number", "name"):  # 単位 may be empty: 倍率
            if not cell_text(self.cell(row, key)):
                self.bad(row_index, key, f"{column_label(key)} is empty")

    def _new_id(self, row_index: int, kpi_id: str) -> bool:
        """Check the KPI id; False (the row is skipped) when an earlier row has it."""
        column = "id" if "id" in self.fields else "number"
        if kpi_id and not _ID.fullmatch(kpi_id):
            message = f"id {kpi_id!r}: use ASCII letters, digits, '.', '_' or '-' (e.g. visitors-1)"
            self.bad(row_index, column, message)
        if kpi_id in self.seen_ids:
            message = f"id {kpi_id!r} is used twice (first in row {self.seen_ids[kpi_id] + 1})"
            self.bad(row_index, column, message)
            return False
        self.seen_ids[kpi_id] = row_index
        return True

    def _entry(self, row_index: int, row: Sequence[Any], kpi_id: str, unit: str) -> dict[str, Any]:
        """The KPI's fields from the row's cells, for :class:`~kpitool.model.plan.KPI`."""
        cumulative_text = cell_text(self.cell(row, "cumulative")).casefold()
        if cumulative_text not in _TRUE | _FALSE:
            self.bad(row_index, "cumulative", f"{cumulative_text!r}: expected ○ (累計) or empty")
        target, qualifier = self._target(row_index, row, unit)
        entry: dict[str, Any] = {
            "id": kpi_id,
            "number": cell_text(self.cell(row, "number")) or None,
            "name": cell_text(self.cell(row, "name")),
            "unit": unit,
            "direction": self._direction(row_index, row, qualifier),
            "cumulative": cumulative_text in _TRUE,
        }
        if entry["cumulative"] and target.get("every_year"):
            message = f"{cumulative_text!r}: an annual target (毎年度) holds for each year, it cannot be 累計"
            self.bad(row_index, "cumulative", message)
        baseline = self._baseline(row_index, row, unit)
        if baseline is not None:
            entry["baseline"] = baseline
        entry["target"] = target
        note = cell_text(self.cell(row, "note"))
        if note:
            entry["note"] = note
        return entry

    def _direction(self, row_index: int, row: Sequence[Any], qualifier: str | None) -> str:
        """方向 from its cell, or from the target's qualifier (85%以上 → at_least); they must agree."""
        text = cell_text(self.cell(row, "direction"))
        direction = _DIRECTIONS.get(text.casefold()) or _DIRECTIONS.get(text)
        if direction is None and text:
            message = f"{text!r}: expected 増加 / 減少 / 以上 / 以下 (or increase …)"
            self.bad(row_index, "direction", message)
        if qualifier is None:
            if not text:
                self.bad(
                    row_index,
                    "direction",
                    f"{column_label('direction')} is empty (or write 85%以上 as the 目標値)",
                )
            return direction or "increase"
        implied = QUALIFIERS[qualifier][0]
        if direction is not None and (direction in _HIGHER) != (implied in _HIGHER):
            target = cell_text(self.cell(row, "target"))
            self.bad(row_index, "target", f"{target!r}: {qualifier} contradicts 方向 {text!r}")
        return implied

    def _baseline(self, row_index: int, row: Sequence[Any], unit: str) -> dict[str, Any] | None:
        """基準値 and 基準時点: the period column wins over a (period) in the value.

        None when both are - (no baseline) or a cell is unreadable.
        """
        try:
            value = read_value(self.cell(row, "baseline"), unit)
        except _BAD_VALUE as exc:
            self.bad(row_index, "baseline", _explain(self.cell(row, "baseline"), exc, VALUE_FORMS))
            return None
        period, notes = value.period, list(value.notes)
        try:
            period_cell = read_period(self.cell(row, "baseline_period"))
            if period_cell.inner is not None:
                raise CellError(f"{cell_text(self.cell(row, 'baseline_period'))!r}: a 基準時点 is one period")
            period = period_cell.period or period
            notes += period_cell.notes
        except _BAD_VALUE as exc:
            self.bad(
                row_index, "baseline_period", _explain(self.cell(row, "baseline_period"), exc, PERIOD_FORMS)
            )
            return None
        if value.value is None and period is None and not notes:
            return None  # - in both cells: no baseline
        return {"value": value.value, "period": period, "annotation": "、".join(notes) or None}

    def _target(self, row_index: int, row: Sequence[Any], unit: str) -> tuple[dict[str, Any], str | None]:
        """目標値 and 目標時点, both required: the period from its column or a (period) in the value.

        Returns the target's fields and the qualifier of the 目標値 (以上 …), if any.
        """
        value = ValueCell(None)
        try:
            value = read_value(self.cell(row, "target"), unit, qualified=True)
            if value.value is None:
                self.bad(row_index, "target", f"{column_label('target')} is empty")
        except _BAD_VALUE as exc:
            self.bad(row_index, "target", _explain(self.cell(row, "target"), exc, VALUE_FORMS))
        target: dict[str, Any] = {"value": value.value, "period": value.period}
        notes = list(value.notes)
        if value.qualifier:
            target.update(strict=QUALIFIERS[value.qualifier][1], text=value.wording)
        raw = self.cell(row, "target_period")
        try:
            period_cell = read_period(raw)
            notes += period_cell.notes
            if period_cell.annual:
                target.update(every_year=True, period=period_cell.inner or self._table_range(raw))
                notes.append(
                    cell_text(raw) if period_cell.inner else f"{cell_text(raw)} ({target['period']})"
                )
            elif period_cell.inner is not None:
                raise CellError(f"{cell_text(raw)!r}: a period in parentheses; {PERIOD_FORMS}")
            elif period_cell.over is not None and period_cell.period is not None:
                target.update(over=period_cell.over, period=self._over_range(period_cell))
                notes.append(cell_text(raw))
            elif period_cell.period is not None:
                target["period"] = period_cell.period
            elif target["period"] is None:
                message = f"{column_label('target_period')} is empty (or write 200 (R7年度) as the 目標値)"
                self.bad(row_index, "target_period", message)
        except _BAD_VALUE as exc:
            self.bad(row_index, "target_period", _explain(raw, exc, PERIOD_FORMS))
        if notes:
            target["annotation"] = "、".join(notes)
        return target, value.qualifier

    @staticmethod
    def _over_range(cell: PeriodCell) -> Period:
        """The range of a multi-year target: R4(3年間で) → R2～R4; else the period as written."""
        assert cell.period is not None
        if cell.years is None:
            return cell.period
        last = cell.period.fiscal_year
        first = FiscalYear(last - cell.years + 1).label
        return parse_period(f"{first}～{FiscalYear(last).label}") if cell.years > 1 else cell.period

    def _table_range(self, raw: Any) -> Period:
        """The years of the table's year columns: the range of 毎年度 written without one."""
        years = self.columns.years_in()
        if not years:
            raise CellError(f"{cell_text(raw)!r}: write the range, as in 各年度(R2-R4), or add year columns")
        first, last = FiscalYear(min(years)).label, FiscalYear(max(years)).label
        return parse_period(first if first == last else f"{first}～{last}")

    def _year_actuals(self, row_index: int, row: Sequence[Any], kpi_id: str, unit: str) -> None:
        """The actuals in the row's year columns (実績値), within the model's limits."""
        for column, (_year, label) in self.years.items():
            raw = row[column] if column < len(row) else None
            try:
                value = read_value(raw, unit)
            except _BAD_VALUE as exc:
                self.bad(row_index, column, _explain(raw, exc, VALUE_FORMS))
                continue
            if value.value is None and not value.notes:
                continue
            try:
                actual = Actual(
                    value=value.value, period=value.period, annotation="、".join(value.notes) or None
                )
            except ValidationError as exc:  # e.g. out of range: the model's limits
                reason = str(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
                self.bad(row_index, column, _explain(raw, ValueError(reason)))
                continue
            self.actuals.setdefault(kpi_id, {})[label] = actual

    def _published_grades(self, row_index: int, row: Sequence[Any], kpi_id: str) -> None:
        """公表評価 columns: each grade becomes its year's official grade (beside the computed one)."""
        for column, year in self.columns.grades.items():
            grade = cell_text(row[column]) if column < len(row) else ""
            if is_missing(grade):
                continue
            if grade not in _GRADES:
                meant = _GRADE_LOOKALIKES.get(grade)
                hint = f"; did you mean {meant}?" if meant else ""
                message = f"{grade!r}: a published grade is one of {' '.join(_GRADES)}{hint}"
                self.bad(row_index, column, message)
                continue
            years = self.actuals.setdefault(kpi_id, {})
            label = self.columns.year_label(year) or FiscalYear(year).label
            recorded = years.get(label) or Actual(value=None)
            years[label] = recorded.model_copy(update={"official_grade": grade})


def parse_kpi_table(rows: Sequence[Sequence[Any]], source: TableSource) -> tuple[Plan, ActualsFile]:
    """Turn table cells into a plan (one section-less list of KPIs) and its actuals.

    Raises :class:`DataError` listing every unreadable cell.
    """
    check_header_row(rows, source)
    reader = _RowReader(rows[0], source)
    for row_index, row in enumerate(rows[1:], start=1):
        if any(cell_text(c) for c in row):  # blank lines between blocks are common in hand-kept sheets
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
