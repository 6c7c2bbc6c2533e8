"""The yearly collection form (実績値 記入票): write it for the departments, read it back.

:func:`build_form` makes an input workbook for one plan and evaluation year:
one sheet (or one per top-level section) with a header area (plan, year,
記入方法), then one row per KPI. Only 実績値, 実績時点 and 備考 are editable;
every other cell is locked by sheet protection without a password; 実績値
carries a data validation (a number). Actuals already recorded for the year
are pre-filled, so a form returned unchanged imports as "no change".

:func:`read_form` reads a filled form strictly: every cell it cannot use is a
:class:`~kpitool.problems.Problem` naming ``sheet!cell`` and the text found —
text in 実績値, an unknown or repeated id, an edited locked column, a form
for another plan or year — and nothing is imported while any remains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kpitool.model.actuals import Actual, ActualsFile, Submission
from kpitool.model.plan import KPI, Plan, Section
from kpitool.problems import DataError, Problem
from kpitool.render.xlsx.council import (
    HEADER,
    NOTE,
    PLAIN,
    TITLE,
    Cells,
    Look,
    add_sheet,
    new_workbook,
    number_format,
    prepare_sheet,
    row_height,
    save_workbook,
    section_heading,
    sheet_name,
    text_lines,
    top_sections,
)
from kpitool.render.xlsx.deterministic import DEFAULT_EPOCH
from kpitool.values.fiscal_year import fiscal_year_label_ja, parse_fiscal_year
from kpitool.values.numbers import (
    NumberError,
    UnitError,
    convert,
    format_number,
    parse_number,
    parse_quantity,
)
from kpitool.values.periods import PeriodError, parse_period

__all__ = [
    "COLUMNS",
    "EDITABLE",
    "FormReading",
    "build_form",
    "read_form",
    "write_form",
]


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    editable: bool = False
    checked: bool = True
    """A locked column compared with the plan on import (an edit is an error)."""


_COLUMNS = (
    _Column("No.", 8),
    _Column("施策", 24),
    _Column("指標名", 30),
    _Column("単位", 9),
    _Column("基準値", 12),
    _Column("基準時点", 12),
    _Column("目標値", 14),
    _Column("目標時点", 12),
    _Column("前回実績", 20, checked=False),
    _Column("実績値", 14, editable=True),
    _Column("実績時点", 14, editable=True),
    _Column("備考", 30, editable=True),
    _Column("id", 26),
)
COLUMNS = tuple(column.header for column in _COLUMNS)
"""The form's header row, left to right."""
EDITABLE = ("実績値", "実績時点", "備考")
"""The only columns a department fills in."""

_PLAN_LABEL = "計画ID"
_YEAR_LABEL = "評価年度"
_HEADER_ROW = 13
_SEARCH_ROWS = 40
_VALUE_LIMIT = Decimal("1e15")

_INPUT_FILL = "FFF2CC"
_LOCKED = Look(border=True, colour="404040")
_LOCKED_WRAP = Look(border=True, colour="404040", wrap=True)
_LOCKED_NUMBER = Look(border=True, colour="404040", align="right")
_ID = Look(border=True, colour="808080", size=9)
_INPUT = Look(border=True, fill=_INPUT_FILL, locked=False, align="right")
_INPUT_TEXT = Look(border=True, fill=_INPUT_FILL, locked=False, number_format="@")
_INPUT_NOTE = Look(border=True, fill=_INPUT_FILL, locked=False, wrap=True, number_format="@")
_LABEL = Look(bold=True)
_WRAPPED = ("施策", "指標名", "基準値", "目標値")


def _fixed(kpi: KPI, section: Section | None) -> dict[str, Decimal | str]:
    """The locked cells of a KPI's row, by header: what the form shows and import checks."""
    baseline = kpi.baseline
    base: Decimal | str = "—"
    if baseline is not None and baseline.value is not None:
        base = baseline.value
    elif baseline is not None and baseline.text:
        base = baseline.text
    target_value = kpi.target_value()
    target: Decimal | str = kpi.target.text or (target_value if target_value is not None else "—")
    return {
        "No.": kpi.number or "",
        "施策": section_heading(section),
        "指標名": kpi.name,
        "単位": kpi.unit,
        "基準値": base,
        "基準時点": baseline.period.label if baseline and baseline.period else "",
        "目標値": target,
        "目標時点": kpi.target.period.label,
        "id": kpi.id,
    }


def _previous(years: dict[str, Actual], year: int, kpi: KPI) -> str:
    """The latest recorded actual before ``year``: ``R5: 14,673 (R3年度)``."""
    earlier = []
    for label, actual in years.items():
        try:
            fiscal = parse_fiscal_year(label)
        except PeriodError:  # pragma: no cover - refused by the model
            continue
        if fiscal < year and actual.value is not None:
            earlier.append((fiscal, label, actual))
    if not earlier:
        return ""
    _, label, actual = max(earlier, key=lambda item: item[0])
    assert actual.value is not None
    period = actual.period.label if actual.period else None
    unit = actual.unit if actual.unit and actual.unit != kpi.unit else ""
    shown = f"{format_number(actual.value)}{unit}"
    return f"{label}: {shown} ({period})" if period else f"{label}: {shown}"


def _recorded(years: dict[str, Actual], year: int, kpi: KPI) -> Actual | None:
    for label, actual in years.items():
        try:
            if parse_fiscal_year(label) == year:
                return actual
        except PeriodError:  # pragma: no cover - refused by the model
            continue
    return None


def _instructions(plan: Plan, year_label: str) -> list[str]:
    return [
        "記入方法",
        "1. 黄色の欄（実績値・実績時点・備考）だけに記入してください。"
        "ほかの欄は保護されています（パスワードなし）。",
        "2. 実績値は「単位」欄の単位で、数値だけを入力してください（例: 14276、13.2、マイナスは -2.6）。",
        "3. 実績時点は、実績値がいつの数値かを文字で入力してください"
        "（例: R6年度、R6年度末、R7年1月、R5年）。",
        "4. 実績がまだない指標は実績値を空欄にしてください（理由は備考に書けます）。"
        "記入済みの値は前回までに取り込んだ値です。",
        f"5. 行・列の追加や削除、id 欄の変更はしないでください。取り込み: kpitool import <このファイル> "
        f"--plan {plan.id} --year {year_label}",
    ]


def _form_sheet(
    workbook: Workbook,
    name: str,
    plan: Plan,
    year: int,
    year_label: str,
    rows: Sequence[tuple[KPI, Section | None]],
    actuals: dict[str, dict[str, Actual]],
) -> None:
    sheet = add_sheet(workbook, name)
    cells = Cells(sheet)
    prepare_sheet(
        sheet,
        [column.width for column in _COLUMNS],
        header_row=_HEADER_ROW,
        freeze=f"D{_HEADER_ROW + 1}",
        title=f"{plan.title} 実績値記入票",
        subtitle=year_label,
    )
    sheet.append([cells("KPI 実績値 記入票", TITLE)])
    sheet.append([cells("計画", _LABEL), cells(plan.title, PLAIN)])
    sheet.append([cells(_PLAN_LABEL, _LABEL), cells(plan.id, PLAIN)])
    sheet.append(
        [cells(_YEAR_LABEL, _LABEL), cells(year_label, PLAIN), cells(fiscal_year_label_ja(year), PLAIN)]
    )
    sheet.append([])
    for instruction in _instructions(plan, year_label):
        sheet.append([cells(instruction, _LABEL if instruction == "記入方法" else NOTE)])
    sheet.append([])
    sheet.append([cells(column.header, HEADER) for column in _COLUMNS])
    widths = {column.header: column.width for column in _COLUMNS}
    for number, (kpi, section) in enumerate(rows, start=_HEADER_ROW + 1):
        fixed = _fixed(kpi, section)
        years = actuals.get(kpi.id, {})
        recorded = _recorded(years, year, kpi)
        line: list[Any] = []
        for column in _COLUMNS[:8]:
            shown = fixed[column.header]
            if isinstance(shown, Decimal):
                line.append(cells(shown, _LOCKED_NUMBER.with_format(number_format(shown))))
            else:
                look = _LOCKED_WRAP if column.header in _WRAPPED else _LOCKED
                line.append(cells(shown, look))
        line.append(cells(_previous(years, year, kpi), _LOCKED_WRAP))
        value = recorded.value_in(kpi.unit) if recorded is not None else None
        line.append(cells(value, _INPUT))
        line.append(cells(recorded.period.label if recorded and recorded.period else None, _INPUT_TEXT))
        line.append(cells(recorded.note if recorded else None, _INPUT_NOTE))
        line.append(cells(kpi.id, _ID))
        texts = {header: str(fixed[header]) for header in _WRAPPED}
        texts["前回実績"] = _previous(years, year, kpi)
        texts["備考"] = (recorded.note or "") if recorded else ""
        height = row_height(max(text_lines(text, widths[header]) for header, text in texts.items()))
        if height is not None:
            sheet.row_dimensions[number].height = height
        sheet.append(line)
    last = _HEADER_ROW + max(len(rows), 1)
    validation = DataValidation(
        type="decimal",
        operator="between",
        formula1="-999999999999999",
        formula2="999999999999999",
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="実績値",
        error="数値を入力してください（単位は「単位」欄のとおり。例: 14276、13.2、-2.6）。",
        promptTitle="実績値",
        prompt="「単位」欄の単位で数値を入力",
    )
    letter = get_column_letter(COLUMNS.index("実績値") + 1)
    validation.add(f"{letter}{_HEADER_ROW + 1}:{letter}{last}")
    sheet.data_validations.append(validation)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # column widths and row heights stay adjustable
    sheet.protection.formatRows = False


def _top_groups(plan: Plan) -> list[tuple[str, list[tuple[KPI, Section | None]]]]:
    groups: dict[str, list[tuple[KPI, Section | None]]] = {}
    top = top_sections(plan)
    for kpi, section in plan.iter_kpis():
        if section is None:
            name = "計画全体"
        else:
            head = top[section.id]
            name = f"{head.level}{head.number or ''}" if head.number else head.title
        groups.setdefault(name, []).append((kpi, section))
    return list(groups.items())


def build_form(
    plan: Plan, actuals: ActualsFile | None, year: int, year_label: str, *, by_section: bool = False
) -> Workbook:
    """The input workbook for ``plan`` and evaluation ``year`` (one sheet, or one per top-level section)."""
    workbook = new_workbook()
    recorded = dict(actuals.actuals) if actuals else {}
    used: set[str] = set()
    kpis = list(plan.iter_kpis())
    groups = _top_groups(plan) if by_section else [("記入票", kpis)]
    for name, rows in groups:
        _form_sheet(workbook, sheet_name(name, used), plan, year, year_label, rows, recorded)
    return workbook


def write_form(
    plan: Plan,
    actuals: ActualsFile | None,
    year: int,
    year_label: str,
    target: Path,
    when: datetime = DEFAULT_EPOCH,
    *,
    by_section: bool = False,
) -> None:
    """Build the form and save it atomically and deterministically to ``target``."""
    save_workbook(build_form(plan, actuals, year, year_label, by_section=by_section), target, when)


# --------------------------------------------------------------------------- #
# Reading a filled form


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
                if label == _PLAN_LABEL and _text(found) != self.plan.id:
                    self.bad(
                        name(r, c + 1),
                        f"the form is for plan {_text(found)!r}, not {self.plan.id!r} (--plan); "
                        "import it with its own plan",
                    )
                if label == _YEAR_LABEL:
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
        from kpitool.sources.workbook import cell_name

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
        for header, expected in _fixed(kpi, section).items():
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
    from kpitool.sources.workbook import open_workbook, sheet_rows

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
