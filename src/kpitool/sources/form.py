"""Read a filled collection form (実績値 記入票) back, strictly.

:func:`read_form` reads a form made by ``kpitool template``
(:mod:`kpitool.render.xlsx.form`) and filled by a department: every cell it
cannot use is a :class:`~kpitool.problems.Problem` naming ``sheet!cell`` and
the text found — text in 実績値, an unknown or repeated id, an edited locked
column, a form for another plan or year — and nothing is imported while any
remains. What a cell holds is read as the person saw it: a percentage format
(``0.0%``) on a % KPI's 実績値 gives the percentage shown, and a value the
number format hides (``;;;``) is refused. The form's identity — plan, year and
a checksum of its locked cells, kept in its document properties — must hold
(:mod:`kpitool.sources.form_identity`). A row with a 備考 but no 実績値 gives
a note-only submission: the reason is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

from kpitool.model.actuals import Submission
from kpitool.model.plan import KPI, Plan, Section
from kpitool.problems import DataError, Problem
from kpitool.sources.form_identity import FoundRow, identity_problems, properties
from kpitool.sources.form_layout import CHECKED, EDITABLE, PLAN_LABEL, YEAR_LABEL, locked_cells
from kpitool.sources.number_format import hides, percent_scale, shown_text
from kpitool.sources.workbook import cell_formats, cell_name, open_workbook, sheet_rows
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
from kpitool.values.text import describe_hidden, hidden_character

__all__ = ["FormReading", "read_form"]

_SEARCH_ROWS = 40
_VALUE_LIMIT = Decimal("1e15")
_PERCENT_UNITS = ("%", "％")
"""The units of a KPI whose 実績値 may be typed under a percentage format."""
_PERCENT_DIGITS = Context(prec=15)
"""Excel keeps 15 significant digits: a percentage read from 0.131 is 13.1, not 13.100000000000001."""


@dataclass
class FormReading:
    """What a filled form holds for import."""

    submissions: list[Submission] = field(default_factory=list)
    """One per KPI row with a 実績値 or a 備考, in form order (a 備考 alone: a note-only submission)."""
    blank: list[tuple[str, str]] = field(default_factory=list)
    """(KPI id, 備考) of rows left without a 実績値, in form order; a 備考 is kept as a note-only entry."""
    sheets: list[str] = field(default_factory=list)
    """The sheets read (those with a form header row)."""
    rows: list[FoundRow] = field(default_factory=list)
    """Each KPI row's locked cells as found, in form order: what the checksum is computed over."""


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


def _tidy(number: Decimal) -> Decimal:
    """The shortest exact form: 13.100 → 13.1, 1.3E+2 → 130."""
    normal = number.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


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
    reported: set[str] = field(default_factory=set)
    """``plan`` / ``year`` once a header cell said the form is for another one."""
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    """The number formats of the sheet being read."""

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
                    self.reported.add("plan")
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
                        self.reported.add("year")
                        self.bad(
                            name(r, c + 1),
                            f"the form is for the year {_text(found)!r}, not the --year given; "
                            "import it with its own year",
                        )

    def percent(self, raw: float | int, scale: int, kpi: KPI, where: str, code: str) -> Decimal | None:
        """A percentage-formatted number as the percentage Excel shows, for a KPI in %; else refused."""
        shown = _tidy(_PERCENT_DIGITS.plus(Decimal(repr(raw)) * Decimal(100) ** scale))
        held = format_number(_as_decimal(raw) or Decimal(0))
        label = f"{kpi.number or ''} {kpi.name}".strip()
        if kpi.unit not in _PERCENT_UNITS:
            self.bad(
                where,
                f"実績値 (actual) has the percentage format {code!r}: it holds {held} and shows "
                f"{format_number(shown)}%, but {label} is in {kpi.unit}, not %; set the cell's format "
                f"to 標準 (General) and type the value in {kpi.unit}",
            )
            return None
        scale_of_plan = [abs(v) for v in (kpi.baseline_value, kpi.target_value()) if v is not None]
        limit = _tidy(10 * max([Decimal(10), *scale_of_plan]))
        if abs(shown) > limit:
            self.bad(
                where,
                f"実績値 (actual) shows {format_number(shown)}% (it holds {held} under the percentage "
                f"format {code!r}), over {format_number(limit)}%, ten times the larger of {label}'s "
                f"baseline, target and 10: was {held}% meant? Set the cell's format to 標準 (General) "
                "and type the percentage as a number (13.1 for 13.1%)",
            )
            return None
        return shown

    def value(self, raw: Any, kpi: KPI, where: str, code: str | None = None) -> Decimal | None:
        if isinstance(raw, datetime | date | time):
            self.bad(where, f"実績値 (actual) is a date ({raw}); type the number itself")
            return None
        if isinstance(raw, bool):
            self.bad(where, f"実績値 (actual) is {str(raw).upper()}; type a number")
            return None
        scale = percent_scale(code, raw)
        number = _as_decimal(raw)
        if scale and code is not None and isinstance(raw, int | float):
            number = self.percent(raw, scale, kpi, where, code)
            if number is None:
                return None
        elif number is None:
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
        found = hidden_character(text)
        if found is not None:
            self.bad(where, f"{label} {text!r} holds {describe_hidden(found)}; remove it")
        return found is None

    def sheet(self, title: str, rows: Sequence[Sequence[Any]], header: int, reading: FormReading) -> None:
        def name(r: int, c: int) -> str:
            return cell_name(title, r, c)

        reading.sheets.append(title)
        self.meta(rows, header, name)
        self.hidden_values(rows, name)
        columns: dict[str, int] = {}
        for index, value in enumerate(rows[header]):
            text = _text(value)
            if text in columns:
                self.bad(name(header, index), f"column {text!r} appears twice in the header row")
            elif text:
                columns[text] = index
        lost = [header_text for header_text in CHECKED if header_text not in columns]
        if lost:
            self.bad(
                name(header, 0),
                f"the locked column(s) {', '.join(lost)} are missing from the header row (deleted?): "
                "the rows cannot be checked against the plan; undo the deletion, or make a new form "
                "with kpitool template",
            )
            return
        for r in range(header + 1, len(rows)):
            self.row(rows[r], r, columns, name, reading)

    def hidden_values(self, rows: Sequence[Sequence[Any]], name: Callable[[int, int], str]) -> None:
        """A problem for each cell whose number format hides its value (``;;;``): it looks empty."""
        for (r, c), code in sorted(self.formats.items()):
            value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
            if value is not None and hides(code, value):
                self.bad(
                    name(r, c),
                    f"the cell holds {_text(value)!r}, but its number format {shown_text(code)} hides "
                    "it: the cell looks empty; set the format to 標準 (General), or clear the cell",
                )

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
        reading.rows.append(FoundRow(where("id"), kpi_id, {h: get(h) for h in CHECKED}))
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
        code = self.formats.get((r, columns["実績値"]))
        value = self.value(get("実績値"), kpi, where("実績値"), code)
        period = self.period(get("実績時点"), where("実績時点")) if "実績時点" in columns else None
        note = _text(get("備考")) or None
        if note is not None and not self.visible(note, where("備考"), "備考 (note)"):
            return
        if len(self.problems) > problems:
            return
        if value is not None:
            reading.submissions.append(Submission(kpi_id, value, period, note, where("実績値")))
        elif period is not None:
            self.bad(
                where("実績時点"),
                f"実績時点 (period) {period!r} is given without a 実績値 (actual): fill in the value, "
                "or clear the period (an import never removes a recorded value: edit the YAML for that)",
            )
        else:  # empty or —: not reported this year; a 備考 saying why is kept
            reading.blank.append((kpi_id, note or ""))
            if note is not None:
                reading.submissions.append(Submission(kpi_id, None, None, note, where("備考")))


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
            reader.formats = cell_formats(sheet)
            reader.sheet(sheet.title, rows, header, reading)
        props = properties(workbook)
    finally:
        workbook.close()
    if not reading.sheets:
        reader.bad(
            "",
            f"no sheet has a header row with 'id' and '実績値' in its first {_SEARCH_ROWS} rows; "
            "is this a form made by kpitool template?",
        )
    else:
        for where, message in identity_problems(
            props, plan, year, reading.rows, reported=reader.reported, cells_clean=not reader.problems
        ):
            reader.bad(where, message)
    if reader.problems:
        raise DataError(reader.problems)
    return reading
