"""Read a filled collection form (実績値 記入票) back, strictly.

:func:`read_form` reads a form made by ``kpitool template``
(:mod:`kpitool.render.xlsx.form`) and filled by a department: every cell it
cannot use is a :class:`~kpitool.problems.Problem` naming ``sheet!cell`` and
the text found — text in 実績値, an unknown or repeated id, an edited locked
column, a form for another plan or year — and nothing is imported while any
remains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from kpitool.model.actuals import Submission
from kpitool.model.plan import KPI, Plan, Section
from kpitool.problems import DataError, Problem
from kpitool.sources.form_layout import EDITABLE, PLAN_LABEL, YEAR_LABEL, locked_cells
from kpitool.sources.workbook import cell_name, open_workbook, sheet_rows
from kpitool.values.fiscal_year import parse_fiscal_year
from kpitool.values.numbers import (
    NumberError,
    UnitError,
    convert,
    format_number,
    parse_number,
    parse_quantity,
)
from kpitool.values.periods import PeriodError, parse_period

__all__ = ["FormReading", "read_form"]

_SEARCH_ROWS = 40
_VALUE_LIMIT = Decimal("1e15")


@dataclass
class FormReading:
    """What a filled form holds for import."""

    submissions: list[Submission] = field(default_factory=list)
    """One per KPI row with a 実績値, in form order."""
    blank: list[tuple[str, str]] = field(default_factory=list)
    """(KPI id, 備考) of rows left without a 実績値: not imported."""
    sheets: list[str] = field(default_factory=list)
    """The sheets read (those with a form header row)."""


# What the YAML loader refuses in any text (control and direction-changing characters).
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_decimal(value: Any) -> Decimal | None:
    """A numeric cell as an exact Decimal (13.2 stays 13.2); None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    return None


def _same(expected: Decimal | str, found: Any) -> bool:
    if isinstance(expected, Decimal):
        number = _as_decimal(found)
        if number is None and isinstance(found, str):
            try:
                number = parse_number(found)
            except NumberError:
                return False
        return number is not None and number == expected
    return " ".join(_text(found).split()) == " ".join(expected.split())


def _shown(value: Decimal | str) -> str:
    return format_number(value) if isinstance(value, Decimal) else value


@dataclass
class _Reader:
    path: Path
    plan: Plan
    year: int
    kpis: dict[str, tuple[KPI, Section | None]]
    problems: list[Problem] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)

    def bad(self, where: str, message: str) -> None:
        self.problems.append(Problem(str(self.path), None, None, where, message, code="form"))

    def meta(self, rows: Sequence[Sequence[Any]], header: int, name: Callable[[int, int], str]) -> None:
        """Check the 計画ID and 評価年度 cells above the header, where present."""
        for r in range(header):
            row = rows[r]
            for c, value in enumerate(row[:-1]):
                label = _text(value)
                found = row[c + 1]
                if label == PLAN_LABEL and _text(found) != self.plan.id:
                    self.bad(
                        name(r, c + 1),
                        f"the form is for plan {_text(found)!r}, not {self.plan.id!r} (--plan); "
                        "import it with its own plan",
                    )
                if label == YEAR_LABEL:
                    try:
                        form_year = parse_fiscal_year(_text(found))
                    except PeriodError:
                        self.bad(name(r, c + 1), f"評価年度 (year) {_text(found)!r} is not a fiscal year")
                        continue
                    if form_year != self.year:
                        self.bad(
                            name(r, c + 1),
                            f"the form is for the year {_text(found)!r}, not the --year given; "
                            "import it with its own year",
                        )

    def value(self, raw: Any, kpi: KPI, where: str) -> Decimal | None:
        if isinstance(raw, datetime | date | time):
            self.bad(where, f"実績値 (actual) is a date ({raw}); type the number itself")
            return None
        if isinstance(raw, bool):
            self.bad(where, f"実績値 (actual) is {str(raw).upper()}; type a number")
            return None
        number = _as_decimal(raw)
        if number is None:
            text = _text(raw)
            try:
                quantity = parse_quantity(text)
                number = quantity.value
                if number is not None and quantity.unit and quantity.unit != kpi.unit:
                    number = convert(number, quantity.unit, kpi.unit)
            except (NumberError, UnitError) as exc:
                self.bad(where, f"実績値 (actual) {text!r} is not a number in {kpi.unit}: {exc}")
                return None
        if number is not None and abs(number) >= _VALUE_LIMIT:
            self.bad(where, f"実績値 (actual) {_text(raw)!r} is out of range")
            return None
        return number

    def period(self, raw: Any, where: str) -> str | None:
        if isinstance(raw, datetime | date | time):
            self.bad(
                where,
                f"実績時点 (period) is a date ({raw}); type it as text, e.g. R6年度末 or 令和7年3月31日",
            )
            return None
        text = _text(raw)
        if not text:
            return None
        if not self.visible(text, where, "実績時点 (period)"):
            return None
        try:
            parse_period(text)
        except PeriodError as exc:
            self.bad(where, f"実績時点 (period) {text!r} is not a period: {exc}")
            return None
        return text

    def visible(self, text: str, where: str, label: str) -> bool:
        """False (and a problem) when text holds a character a data file may not hold."""
        found = _INVISIBLE.search(text)
        if found is not None:
            self.bad(
                where, f"{label} {text!r} holds the invisible character U+{ord(found.group()):04X}; remove it"
            )
        return found is None

    def sheet(self, title: str, rows: Sequence[Sequence[Any]], header: int, reading: FormReading) -> None:
        def name(r: int, c: int) -> str:
            return cell_name(title, r, c)

        reading.sheets.append(title)
        self.meta(rows, header, name)
        columns: dict[str, int] = {}
        for index, value in enumerate(rows[header]):
            text = _text(value)
            if text in columns:
                self.bad(name(header, index), f"column {text!r} appears twice in the header row")
            elif text:
                columns[text] = index
        for r in range(header + 1, len(rows)):
            self.row(rows[r], r, columns, name, reading)

    def row(
        self,
        row: Sequence[Any],
        r: int,
        columns: dict[str, int],
        name: Callable[[int, int], str],
        reading: FormReading,
    ) -> None:
        def get(header: str) -> Any:
            index = columns.get(header)
            return row[index] if index is not None and index < len(row) else None

        def where(header: str) -> str:
            return name(r, columns[header])

        kpi_id = _text(get("id"))
        entered = [h for h in EDITABLE if h in columns and _text(get(h))]
        if not kpi_id:
            if entered:
                self.bad(
                    where(entered[0]), f"{entered[0]} {_text(get(entered[0]))!r} is in a row without an id"
                )
            return
        if kpi_id not in self.kpis:
            self.bad(where("id"), f"unknown id {kpi_id!r}: no KPI with this id in plan {self.plan.id!r}")
            return
        if kpi_id in self.seen:
            self.bad(where("id"), f"id {kpi_id!r} appears twice (first at {self.seen[kpi_id]})")
            return
        self.seen[kpi_id] = where("id")
        kpi, section = self.kpis[kpi_id]
        for header, expected in locked_cells(kpi, section).items():
            if header in columns and header != "id" and not _same(expected, get(header)):
                self.bad(
                    where(header),
                    f"{header} is locked but reads {_text(get(header))!r} "
                    f"(the plan says {_shown(expected)!r}); "
                    "locked columns must not be edited — if the plan changed, make a new form "
                    "with kpitool template",
                )
        problems = len(self.problems)
        value = self.value(get("実績値"), kpi, where("実績値")) if "実績値" in columns else None
        period = self.period(get("実績時点"), where("実績時点")) if "実績時点" in columns else None
        note = _text(get("備考")) or None
        if note is not None and not self.visible(note, where("備考"), "備考 (note)"):
            return
        if value is None:
            if len(self.problems) == problems:  # empty or —: not reported this year
                reading.blank.append((kpi_id, note or ""))
            return
        reading.submissions.append(Submission(kpi_id, value, period, note, where("実績値")))


def _header_row(rows: Sequence[Sequence[Any]]) -> int | None:
    """Index of the row holding the ``id`` and ``実績値`` headers (in the first rows), if any."""
    for index, row in enumerate(rows[:_SEARCH_ROWS]):
        if {"id", "実績値"} <= {_text(v) for v in row}:
            return index
    return None


def read_form(path: Path, plan: Plan, year: int) -> FormReading:
    """Read a filled form for ``plan`` and evaluation ``year``.

    Reads every sheet with a header row holding ``id`` and ``実績値``. Raises
    :class:`~kpitool.problems.DataError` listing every cell that cannot be used
    (each named ``sheet!cell`` with its text), and
    :class:`~kpitool.sources.workbook.WorkbookError` when the file is not
    a readable workbook.
    """
    reader = _Reader(path, plan, year, {kpi.id: (kpi, section) for kpi, section in plan.iter_kpis()})
    reading = FormReading()
    workbook = open_workbook(path)
    try:
        for sheet in workbook.worksheets:
            try:
                rows: Sequence[Sequence[Any]] = sheet_rows(path, sheet)
                layout: list[Problem] = []
            except DataError as exc:
                # Merged cells, hidden rows holding values, formulas without a saved value:
                # refused on a form sheet, whatever a department's own extra sheet holds.
                rows = [list(row) for row in sheet.iter_rows(max_row=_SEARCH_ROWS, values_only=True)]
                layout = exc.problems
            header = _header_row(rows)
            if header is None:
                continue
            if layout:
                reader.problems.extend(layout)
                reading.sheets.append(sheet.title)
                continue
            reader.sheet(sheet.title, rows, header, reading)
    finally:
        workbook.close()
    if not reading.sheets:
        reader.bad(
            "",
            f"no sheet has a header row with 'id' and '実績値' in its first {_SEARCH_ROWS} rows; "
            "is this a form made by kpitool template?",
        )
    if reader.problems:
        raise DataError(reader.problems)
    return reading
