"""The yearly collection form (実績値 記入票) the departments fill in.

:func:`build_form` makes an input workbook for one plan and evaluation year:
one sheet (or one per top-level section) with a header area (plan, year,
記入方法), then one row per KPI. Only 実績値, 実績時点 and 備考 are editable;
every other cell is locked by sheet protection without a password; 実績値
carries a data validation (a number). Actuals already recorded for the year
are pre-filled, so a form returned unchanged imports as "no change".
The workbook's custom document properties carry the plan id, the year and a
checksum of the locked cells (:func:`~kpitool.sources.form_layout.form_checksum`),
which a department cannot delete by accident as it can delete rows: the reader
refuses a form whose identity or locked cells they do not prove.
The layout is shared with the reader, :func:`kpitool.sources.form.read_form`
(:mod:`kpitool.sources.form_layout`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kpitool.model.actuals import Actual, ActualsFile
from kpitool.model.plan import KPI, Plan, Section
from kpitool.render.xlsx.deterministic import DEFAULT_EPOCH
from kpitool.render.xlsx.kit import (
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
    sheet_name,
    text_lines,
)
from kpitool.sources.form_layout import (
    CHECKSUM_PROPERTY,
    COLUMNS,
    FORM_COLUMNS,
    PLAN_LABEL,
    PLAN_PROPERTY,
    YEAR_LABEL,
    YEAR_PROPERTY,
    form_checksum,
    locked_cells,
)
from kpitool.support.scratch import private_scratch
from kpitool.values.fiscal_year import FiscalYear, parse_fiscal_year
from kpitool.values.numbers import format_number
from kpitool.values.periods import PeriodError

__all__ = ["build_form", "write_form"]

_HEADER_ROW = 13

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


def _instructions(plan: Plan, year: FiscalYear) -> list[str]:
    return [
        "記入方法",
        "1. 黄色の欄（実績値・実績時点・備考）だけに記入してください。"
        "ほかの欄は保護されています（パスワードなし）。",
        "2. 実績値は「単位」欄の単位で、数値だけを入力してください（例: 14276、13.2、マイナスは -2.6）。",
        "3. 実績時点は、実績値がいつの数値かを文字で入力してください"
        "（例: R6年度、R6年度末、R7年1月、R5年）。",
        "4. 実績がまだない指標は実績値を空欄にし、理由を備考に書いてください（備考は取り込まれます）。"
        "記入済みの値は前回までに取り込んだ値です。",
        "5. 行・列の追加や削除、並べ替え、id 欄の変更はしないでください。"
        f"取り込み: kpitool import <このファイル> --plan {plan.id} --year {year.label}",
    ]


def _kpi_line(
    cells: Cells,
    kpi: KPI,
    section: Section | None,
    years: dict[str, Actual],
    year: int,
    widths: dict[str, float],
) -> tuple[list[Any], float | None]:
    """A KPI's row of cells (locked ones, then the inputs pre-filled) and the height it needs."""
    fixed = locked_cells(kpi, section)
    recorded = _recorded(years, year, kpi)
    line: list[Any] = []
    for column in FORM_COLUMNS[:8]:
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
    return line, row_height(max(text_lines(text, widths[header]) for header, text in texts.items()))


def _actual_validation() -> DataValidation:
    """The 実績値 column's data validation: a number, with the prompt and error Excel shows."""
    return DataValidation(
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


def _form_sheet(
    workbook: Workbook,
    name: str,
    plan: Plan,
    year: FiscalYear,
    rows: Sequence[tuple[KPI, Section | None]],
    actuals: dict[str, dict[str, Actual]],
) -> None:
    sheet = add_sheet(workbook, name)
    cells = Cells(sheet)
    prepare_sheet(
        sheet,
        [column.width for column in FORM_COLUMNS],
        header_row=_HEADER_ROW,
        freeze=f"D{_HEADER_ROW + 1}",
        title=f"{plan.title} 実績値記入票",
        subtitle=year.label,
    )
    sheet.append([cells("KPI 実績値 記入票", TITLE)])
    sheet.append([cells("計画", _LABEL), cells(plan.title, PLAIN)])
    sheet.append([cells(PLAN_LABEL, _LABEL), cells(plan.id, PLAIN)])
    sheet.append([cells(YEAR_LABEL, _LABEL), cells(year.label, PLAIN), cells(year.label_ja, PLAIN)])
    sheet.append([])
    for instruction in _instructions(plan, year):
        sheet.append([cells(instruction, _LABEL if instruction == "記入方法" else NOTE)])
    sheet.append([])
    sheet.append([cells(column.header, HEADER) for column in FORM_COLUMNS])
    widths = {column.header: column.width for column in FORM_COLUMNS}
    for number, (kpi, section) in enumerate(rows, start=_HEADER_ROW + 1):
        line, height = _kpi_line(cells, kpi, section, actuals.get(kpi.id, {}), year.year, widths)
        if height is not None:
            sheet.row_dimensions[number].height = height
        sheet.append(line)
    last = _HEADER_ROW + max(len(rows), 1)
    validation = _actual_validation()
    letter = get_column_letter(COLUMNS.index("実績値") + 1)
    validation.add(f"{letter}{_HEADER_ROW + 1}:{letter}{last}")
    sheet.data_validations.append(validation)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # column widths and row heights stay adjustable
    sheet.protection.formatRows = False


def _top_groups(plan: Plan) -> list[tuple[str, list[tuple[KPI, Section | None]]]]:
    groups: dict[str, list[tuple[KPI, Section | None]]] = {}
    top = plan.top_sections()
    for kpi, section in plan.iter_kpis():
        if section is None:
            name = "計画全体"
        else:
            head = top[section.id]
            name = f"{head.level}{head.number or ''}" if head.number else head.title
        groups.setdefault(name, []).append((kpi, section))
    return list(groups.items())


def build_form(
    plan: Plan, actuals: ActualsFile | None, year: FiscalYear, *, by_section: bool = False
) -> Workbook:
    """The input workbook for ``plan`` and evaluation ``year`` (one sheet, or one per top-level section)."""
    workbook = new_workbook()
    recorded = dict(actuals.actuals) if actuals else {}
    used: set[str] = set()
    kpis = list(plan.iter_kpis())
    groups = _top_groups(plan) if by_section else [("記入票", kpis)]
    for name, rows in groups:
        _form_sheet(workbook, sheet_name(name, used), plan, year, rows, recorded)
    checksum = form_checksum(
        plan.id, year.year, (locked_cells(kpi, section) for _, rows in groups for kpi, section in rows)
    )
    # Custom document properties: no deleted row or column takes them away (types-openpyxl lacks them).
    props = workbook.custom_doc_props  # type: ignore[attr-defined]
    for key, value in (
        (PLAN_PROPERTY, plan.id),
        (YEAR_PROPERTY, year.label),
        (CHECKSUM_PROPERTY, checksum),
    ):
        props.append(StringProperty(name=key, value=value))
    return workbook


def write_form(
    plan: Plan,
    actuals: ActualsFile | None,
    year: FiscalYear,
    target: Path,
    when: datetime = DEFAULT_EPOCH,
    *,
    by_section: bool = False,
) -> None:
    """Build the form and save it atomically and deterministically to ``target``.

    openpyxl's temporary sheet files live in a private folder removed at the end.
    """
    with private_scratch():
        save_workbook(build_form(plan, actuals, year, by_section=by_section), target, when)
