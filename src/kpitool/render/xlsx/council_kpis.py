"""The council report's KPI sheets: per plan (a large plan: per top-level section), one row per KPI.

KPIs are grouped by section with 基準値・目標値 and their 時点, each year's
実績値 (時点) and 評価, the latest year's 達成率・進捗率 and the published
評価理由; column widths and row heights follow what the cells show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from kpitool.model.plan import KPI, section_heading
from kpitool.rating.results import Evaluation, PlanEvaluation
from kpitool.rating.schemes.base import Scheme
from kpitool.render.xlsx.kit import (
    CENTER,
    HEADER,
    MISSING,
    NOTE,
    NUMBER,
    PERCENT,
    REASON,
    SECTION,
    SUBTITLE,
    TITLE,
    WRAP,
    WRAP_CENTER,
    WRAP_RIGHT,
    Cells,
    Look,
    add_sheet,
    display_width,
    grade_look,
    number_format,
    prepare_sheet,
    row_height,
    sheet_name,
    text_lines,
)
from kpitool.render.xlsx.style import display_rate
from kpitool.values.numbers import format_number, round_half_up

__all__ = ["plan_sheets"]


@dataclass(frozen=True)
class _Column:
    header: str
    cap: float | None = None
    """Widest a column gets for wrapped text; numbers always get their full width."""
    fixed: float | None = None
    """A fixed width (long wrapped text)."""


class _Out(NamedTuple):  # a tuple: made for every cell of a plan sheet
    """One cell of a table row, with what it shows (for widths and heights)."""

    cell: Cell
    text: str
    wrap: bool = False
    line_height: float = 13.5


def _number(cells: Cells, value: Decimal | None, suffix: str = "") -> _Out:
    if value is None:
        return _Out(cells("—", MISSING), "—")
    return _Out(cells(value, NUMBER.with_format(number_format(value, suffix))), format_number(value) + suffix)


def _text_out(cells: Cells, text: str, look: Look = WRAP) -> _Out:
    return _Out(cells(text, look), text, wrap=True, line_height=12.0 if look.size < 10 else 13.5)


def _period(cells: Cells, label: str | None) -> _Out:
    if not label:
        return _Out(cells("", WRAP_CENTER), "")
    return _text_out(cells, label, WRAP_CENTER)


def _baseline(cells: Cells, kpi: KPI) -> list[_Out]:
    baseline = kpi.baseline
    period = _period(cells, baseline.period.label if baseline and baseline.period else None)
    if baseline is not None and baseline.value is None and baseline.text:
        return [_text_out(cells, baseline.text, WRAP_RIGHT), period]
    return [_number(cells, kpi.baseline_value), period]


def _target(cells: Cells, kpi: KPI, target: Decimal | None) -> list[_Out]:
    period = _period(cells, kpi.target.period.label)
    if kpi.target.text:
        return [_text_out(cells, kpi.target.text, WRAP_RIGHT), period]
    return [_number(cells, target), period]


def _actual(cells: Cells, row: Evaluation) -> list[_Out]:
    observation = row.observation
    if observation is None or observation.value is None:
        return [_Out(cells("—", MISSING), "—"), _period(cells, None)]
    actual = observation.actual
    period = _period(cells, actual.period.label if actual.period else None)
    if actual.unit and actual.unit != row.kpi.unit and actual.value is not None:
        # The figure as the source printed it (299,539人), like the terminal table.
        return [_number(cells, actual.value, actual.unit), period]
    return [_number(cells, observation.value), period]


def _grade(cells: Cells, scheme: Scheme, row: Evaluation) -> _Out:
    text = row.grade
    if row.disagrees:
        text += f"\n(計算:{row.computed.symbol})"
    return _Out(cells(text, grade_look(scheme, row.grade, wrap=row.disagrees)), text, wrap=row.disagrees)


def _ratio_cell(cells: Cells, ratio: Decimal | None) -> Cell:
    if ratio is None:
        return cells("—", MISSING)
    # Stored at the precision shown (0.1%), rounded half up as the terminal rounds.
    return cells(round_half_up(ratio, 3), PERCENT)


def _ratio(cells: Cells, ratio: Decimal | None) -> _Out:
    return _Out(_ratio_cell(cells, ratio), display_rate(ratio))


def _kpi_row(cells: Cells, rows: Sequence[Evaluation], scheme: Scheme, reasons: bool) -> list[_Out]:
    latest = rows[-1]
    kpi = latest.kpi
    line = [
        _Out(cells(latest.number, CENTER), latest.number),
        _text_out(cells, kpi.name),
        _text_out(cells, kpi.unit, WRAP_CENTER),
        *_baseline(cells, kpi),
        *_target(cells, kpi, latest.target),
    ]
    for row in rows:
        line += [*_actual(cells, row), _grade(cells, scheme, row)]
    line += [_ratio(cells, latest.achievement), _ratio(cells, latest.progress)]
    if reasons:
        line.append(_text_out(cells, latest.official_reason or "", REASON))
    return line


def _columns(results: Sequence[PlanEvaluation], reasons: bool) -> list[_Column]:
    latest = results[-1].year.label
    columns = [
        _Column("No."),
        _Column("指標名", fixed=24),
        _Column("単位", cap=8),
        _Column("基準値", cap=12),
        _Column("基準\n時点", cap=9),
        _Column("目標値", cap=12),
        _Column("目標\n時点", cap=9),
    ]
    for result in results:
        label = result.year.label
        columns += [
            _Column(f"{label}\n実績値", cap=12),
            _Column(f"{label}\n時点", cap=9),
            _Column(f"{label}\n評価"),
        ]
    columns += [_Column(f"{latest}\n達成率"), _Column(f"{latest}\n進捗率")]
    if reasons:
        columns.append(_Column(f"{latest} 評価理由（公表）", fixed=34))
    return columns


def _widths(columns: Sequence[_Column], table: Sequence[list[_Out]]) -> list[float]:
    widths = []
    for number, column in enumerate(columns):
        if column.fixed is not None:
            widths.append(column.fixed)
            continue
        widest = float(max(display_width(part) for part in column.header.split("\n")))
        for line in table:
            out = line[number]
            width = float(max(display_width(part) for part in out.text.split("\n")))
            if out.wrap and column.cap is not None:
                width = min(width, column.cap)
            widest = max(widest, width)
        widths.append(round(max(widest, 3) + 1.5, 1))
    return widths


def _height(line: Sequence[_Out], widths: Sequence[float]) -> float | None:
    """The row height wrapped cells need (None: one line is enough)."""
    tallest = max(
        text_lines(out.text, width, out.wrap) * out.line_height / 13.5
        for out, width in zip(line, widths, strict=True)
    )
    return row_height(tallest)


def _notes(results: Sequence[PlanEvaluation]) -> list[str]:
    scheme = results[0].scheme
    latest = results[-1].year.label
    lines = [
        "注1: 評価は、公表された評価がある指標はその評価、ない指標は判断基準による計算結果。"
        "「(計算:△)」は計算結果が公表評価と異なることを示す。",
        f"注2: 達成率・進捗率は{latest}の値。"
        "達成率 = 実績値 ÷ 目標値（少ないほどよい指標は 目標値 ÷ 実績値）、"
        "進捗率 = (実績値 − 基準値) ÷ (目標値 − 基準値)。"
        "目標値と基準値の差が基準値の1%未満の指標は、進捗率を表示しない（—）。",
        "判断基準: " + " ／ ".join(f"{g.symbol} {g.criterion}" for g in scheme.grade_specs),
    ]
    for result in results:
        for row in result.disagreements:
            lines.append(
                f"公表評価と計算結果が異なる指標（{result.year.label}）: "
                f"{row.number} {row.kpi.name} — "
                f"公表 {row.official} ／ 計算 {row.computed.symbol}"
                f"（達成率 {display_rate(row.achievement)}、進捗率 {display_rate(row.progress)}）"
            )
    return lines


def _plan_sheet(
    workbook: Workbook,
    results: Sequence[PlanEvaluation],
    rows: Sequence[int],
    name: str,
    heading: str,
) -> None:
    """One sheet of KPI rows (indices into each result's rows), grouped by section."""
    plan = results[0].plan
    scheme = results[0].scheme
    sheet = add_sheet(workbook, name)
    cells = Cells(sheet)
    reasons = any(results[-1].rows[index].official_reason for index in rows)
    columns = _columns(results, reasons)
    table: list[list[_Out]] = []
    headings: dict[int, _Out] = {}
    current: object = object()
    for index in rows:
        section = results[-1].rows[index].section
        if section is not current:
            current = section
            text = section_heading(section)
            headings[len(table) + len(headings)] = _Out(cells(text, SECTION), text)
        table.append(_kpi_row(cells, [r.rows[index] for r in results], scheme, reasons))
    widths = _widths(columns, table)
    header_row = 4
    years = ", ".join(r.year.label for r in results)
    freeze = f"C{header_row + 1}"
    prepare_sheet(sheet, widths, header_row=header_row, freeze=freeze, title=plan.title, subtitle=years)
    sheet.append([cells(heading, TITLE)])
    period = f"計画期間 {plan.period.start}～{plan.period.end}　" if plan.period else ""
    sheet.append([cells(f"{period}評価年度 {years}　評価方式: {scheme.title}　（{plan.id}）", SUBTITLE)])
    sheet.append([])
    header_lines = max(column.header.count("\n") + 1 for column in columns)
    sheet.row_dimensions[header_row].height = 13.5 * header_lines + 3
    sheet.append([cells(column.header, HEADER) for column in columns])
    filler = [cells(None, SECTION) for _ in columns[1:]]
    kpi_rows = iter(table)
    row_number = header_row
    for position in range(len(table) + len(headings)):
        row_number += 1
        heading_out = headings.get(position)
        if heading_out is not None:
            sheet.append([heading_out.cell, *filler])
            continue
        line = next(kpi_rows)
        height = _height(line, widths)
        if height is not None:
            sheet.row_dimensions[row_number].height = height
        sheet.append([out.cell for out in line])
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{row_number}"
    sheet.append([])
    for note in _notes(results):
        sheet.append([cells(note, NOTE)])


def plan_sheets(
    workbook: Workbook, results: Sequence[PlanEvaluation], used: set[str], large_plan: int
) -> None:
    """Append the KPI sheet(s) of one plan: one sheet, or one per top-level section when large."""
    plan = results[0].plan
    rows = results[-1].rows
    if len(rows) <= large_plan:
        _plan_sheet(
            workbook, results, range(len(rows)), sheet_name(plan.title, used), f"{plan.title} — KPI評価"
        )
        return
    top = plan.top_sections()
    groups: dict[str | None, list[int]] = {}
    for index, row in enumerate(rows):
        key = top[row.section.id].id if row.section is not None else None
        groups.setdefault(key, []).append(index)
    by_id = {section.id: section for section in plan.sections}
    for key, indices in groups.items():
        section = by_id.get(key) if key else None
        label = section_heading(section)
        short = f"{section.level}{section.number or ''}" if section else "計画全体"
        heading = f"{plan.title} — KPI評価 — {label}"
        _plan_sheet(workbook, results, indices, sheet_name(short, used), heading)
