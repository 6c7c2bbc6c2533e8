"""The council-ready Excel report (議会・評価委員会向け): 総括 sheet and one sheet per plan.

:func:`build_report` lays out a workbook from evaluations; :func:`render_report`
gives its bytes, the same for the same inputs (see
:mod:`kpitool.render.xlsx.deterministic`), for the caller to write. The cells
are made with the toolkit of :mod:`kpitool.render.xlsx.kit`.

Layout, in Japanese as the published evaluations print it:

- 総括: per plan, the count and percent of each grade per evaluation year
  with the 判断基準 wording (seed 003's table: grades down, years across);
  under it the published counts (公表) where the actuals record them, each
  differing count marked ≠, and notes naming the differences and the years
  whose counts rest on official grades; a native clustered column chart of
  the counts.
- one sheet per plan (a large plan: one per top-level section): KPIs grouped
  by section (:mod:`kpitool.render.xlsx.council_kpis`); for a plan with
  sections, a 施策別 sheet after it (:mod:`kpitool.render.xlsx.sections`).
- print-ready on A4 (or A3) landscape: 総括 fitted to one page wide, each KPI
  sheet cut into column pages that print its text at 8 pt or more
  (:mod:`kpitool.render.xlsx.paging`), header row repeated on every page,
  frozen panes, a Japanese font, number formats with thousands separators
  and the decimals as written, header and footer with the plan title and
  page numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break

from kpitool.model.actuals import paragraphs
from kpitool.model.plan import Plan
from kpitool.outlook.engine import PlanOutlook
from kpitool.rating.engine import half_up_percents
from kpitool.rating.results import PlanEvaluation, Summary
from kpitool.render.left_out import skipped_text
from kpitool.render.published import (
    DIFFERS,
    difference_text,
    official_text,
    published_figure,
    sources_text,
)
from kpitool.render.xlsx.council_kpis import NARRATIVE, NARRATIVE_HEAD, NOTE_WRAP, plan_sheets
from kpitool.render.xlsx.council_row import lines_height
from kpitool.render.xlsx.deterministic import DEFAULT_EPOCH
from kpitool.render.xlsx.kit import (
    CENTER,
    HEADER,
    NOTE,
    NUMBER,
    PERCENT,
    SUBTITLE,
    TEXT,
    Cells,
    Look,
    add_sheet,
    grade_look,
    new_workbook,
    prepare_sheet,
    sheet_name,
    text_lines,
    workbook_bytes,
)
from kpitool.render.xlsx.paging import Paper
from kpitool.render.xlsx.sections import section_sheet
from kpitool.render.xlsx.trend import trend_sheets
from kpitool.sources.selection import SkippedPlan
from kpitool.support.scratch import private_scratch
from kpitool.values.fiscal_year import FiscalYear

__all__ = ["LARGE_PLAN_KPIS", "build_report", "render_report"]

LARGE_PLAN_KPIS = 80
"""A plan with more KPIs than this gets one sheet per top-level section instead of one sheet."""

SUMMARY_SHEET = "総括"

BLOCK_TITLE = Look(bold=True, size=12)
TOTAL_LABEL = Look(bold=True, border=True, align="center")
TOTAL = Look(bold=True, border=True, number_format="#,##0")
COUNT = NUMBER.with_format("#,##0")
SHARE = PERCENT.with_format("0.0%")
# A published count that differs from the computed one: Excel's neutral fill, and ≠ shown by the
# number format so the cell stays a number.
DIFFERING = Look(bold=True, border=True, align="right", fill="FFEB9C", number_format=f'"{DIFFERS} "#,##0')
DIFFERING_NOTE = Look(bold=True, size=9, colour="9C5700")
PUBLISHED_LEGEND = f"公表の件数（{DIFFERS}: 計算と異なる）"


def _year_heading(year: FiscalYear) -> str:
    return f"{year.label}（{year.label_ja}）"


def _series_colours(count: int) -> list[str]:
    """Blues from light (oldest year) to dark (latest)."""
    light, dark = (0xBD, 0xD7, 0xEE), (0x1F, 0x4E, 0x79)
    if count == 1:
        return ["2E75B6"]
    out = []
    for index in range(count):
        share = index / (count - 1)
        rgb = [round(a + (b - a) * share) for a, b in zip(light, dark, strict=True)]
        out.append("".join(f"{c:02X}" for c in rgb))
    return out


def _summary_block(
    sheet: Any, cells: Cells, row: int, plan: Plan, results: Sequence[PlanEvaluation], room: float
) -> int:
    """Append one plan's 総括 table, its notes and chart starting at ``row``; return the next free row."""
    summaries = [r.summary for r in results]
    grades_from, grades_to, next_row = _summary_table(sheet, cells, row, plan, results)
    for note in _summary_notes(summaries):
        sheet.append([cells(note, DIFFERING_NOTE if note.startswith(DIFFERS) else NOTE)])
        next_row += 1
    sheet.append([])
    _summary_chart(sheet, summaries, grades_from, grades_to, next_row)
    chart_rows = 17  # the chart's 7 cm, and a blank row before the next plan
    for _ in range(chart_rows):
        sheet.append([])
    return _summary_narrative(sheet, cells, next_row + chart_rows + 1, results, room)


def _summary_narrative(
    sheet: Any, cells: Cells, row: int, results: Sequence[PlanEvaluation], room: float
) -> int:
    """Append the texts published under the 総括 (each year that has them), wrapped in cells merged
    across the table, each row as high as its text; return the next free row."""
    from openpyxl.worksheet.cell_range import CellRange

    last_col = 2 + 2 * len(results)
    lines: list[tuple[str, Look]] = []
    for result in results:
        texts = result.narrative.summary if result.narrative else None
        if texts is None:
            continue
        lines.append((f"総括 — {result.year.label} 評価", NARRATIVE_HEAD))
        for heading, text in texts.texts():
            lines += [(heading, NARRATIVE_HEAD)] + [(p, NARRATIVE) for p in paragraphs(text)]
        if result.narrative and result.narrative.source:
            lines.append((f"出典: {result.narrative.source}", NOTE_WRAP))
    for text, look in lines:
        sheet.row_dimensions[row].height = lines_height(text_lines(text, room, size=look.size), look.size)
        sheet.append([cells(text, look)])
        sheet.merged_cells.add(CellRange(min_col=1, max_col=last_col, min_row=row, max_row=row))
        row += 1
    if lines:
        sheet.append([])
        row += 1
    return row


def _summary_notes(summaries: Sequence[Summary]) -> list[str]:
    """The lines under a plan's 総括: differences from the published counts, official grades, sources."""
    notes = [f"{DIFFERS} {text}" for text in map(difference_text, summaries) if text]
    notes += [text for text in map(official_text, summaries) if text]
    sources = sources_text(summaries)
    notes += [sources] if sources else []
    rounding = {s.rounding_note for s in summaries if s.rounding_note}
    notes += [f"注: {note}" for note in sorted(rounding)]  # one wording: at most one line
    return notes


def _summary_table(
    sheet: Any, cells: Cells, row: int, plan: Plan, results: Sequence[PlanEvaluation]
) -> tuple[int, int, int]:
    """Append the title and the grade × year table (and the 公表 rows, if any).

    Returns the first and last row of the grade counts, and the next free row.
    """
    from openpyxl.worksheet.cell_range import CellRange

    scheme = results[0].scheme
    summaries: list[Summary] = [r.summary for r in results]
    years = len(summaries)
    last_col = 2 + 2 * years
    sheet.append([cells(f"{plan.title} — 総括", BLOCK_TITLE)])
    sheet.append([cells(f"評価方式: {scheme.title}　（{plan.id}）", SUBTITLE)])
    top = row + 2
    first = [cells("進捗度", HEADER)]
    second = [cells(None, HEADER)]
    for summary in summaries:
        first += [cells(_year_heading(summary.year), HEADER), cells(None, HEADER)]
        second += [cells("件数", HEADER), cells("割合", HEADER)]
    first.append(cells("判断基準", HEADER))
    second.append(cells(None, HEADER))
    sheet.append(first)
    sheet.append(second)
    sheet.merged_cells.add(CellRange(min_col=1, max_col=1, min_row=top, max_row=top + 1))
    sheet.merged_cells.add(CellRange(min_col=last_col, max_col=last_col, min_row=top, max_row=top + 1))
    for index in range(years):
        column = 2 + 2 * index
        sheet.merged_cells.add(CellRange(min_col=column, max_col=column + 1, min_row=top, max_row=top))
    for grade in scheme.grade_specs:
        line = [cells(grade.symbol, grade_look(scheme, grade.symbol, size=12))]
        for summary in summaries:
            line.append(cells(summary.counts.get(grade.symbol, 0), COUNT))
            line.append(cells(summary.percents[grade.symbol] / 100, SHARE))
        line.append(cells(grade.criterion, TEXT))
        sheet.append(line)
    total = [cells("計", TOTAL_LABEL)]
    for summary in summaries:
        total += [cells(summary.total, TOTAL), cells(summary.percent_total / 100, SHARE)]
    total.append(cells(None, TEXT))
    sheet.append(total)
    grades = len(scheme.grade_specs)
    published = _published_rows(sheet, cells, summaries)
    return top + 2, top + 1 + grades, top + 3 + grades + published


def _published_rows(sheet: Any, cells: Cells, summaries: Sequence[Summary]) -> int:
    """公表: under the computed counts, the published count and percent of each grade per year.

    A count that differs from the computed one is marked (≠, filled); a year without a
    published 総括 is left empty. Nothing when no year has one. Returns the rows appended.
    """
    if not any(s.published for s in summaries):
        return 0
    symbols: list[str | None] = [*summaries[0].counts, None]  # the grades, then the total
    for index, symbol in enumerate(symbols):
        line = [cells(f"公表 {symbol or '計'}", CENTER if symbol else TOTAL_LABEL)]
        for summary in summaries:
            published = summary.published
            if published is None:
                line += [cells(None, TEXT), cells(None, TEXT)]
                continue
            differs, _ = published_figure(summary, symbol)
            shares = half_up_percents(published.counts)
            count = published.total if symbol is None else published.counts.get(symbol, 0)
            share = sum(shares.values()) if symbol is None else shares.get(symbol, 0)
            look = DIFFERING if differs else (COUNT if symbol else TOTAL)
            line += [cells(count, look), cells(share / 100, SHARE)]
        line.append(cells(None if index else PUBLISHED_LEGEND, TEXT))
        sheet.append(line)
    return len(symbols)


def _summary_chart(
    sheet: Any, summaries: Sequence[Summary], grades_from: int, grades_to: int, at_row: int
) -> None:
    """A clustered column chart of the grade counts (one series per year), placed at ``at_row``."""
    from openpyxl.chart import BarChart, Reference, Series
    from openpyxl.chart.label import DataLabelList

    years = len(summaries)
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "進捗度別の件数"
    chart.y_axis.title = "件数"
    chart.x_axis.title = "進捗度"
    chart.y_axis.scaling.min = 0
    chart.y_axis.number_format = "0"
    if max(s.total for s in summaries) <= 12:
        chart.y_axis.majorUnit = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.width, chart.height = 16, 7  # cm
    chart.gapWidth = 60
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    categories = Reference(sheet, min_col=1, min_row=grades_from, max_row=grades_to)
    for index, (summary, colour) in enumerate(zip(summaries, _series_colours(years), strict=True)):
        values = Reference(sheet, min_col=2 + 2 * index, min_row=grades_from, max_row=grades_to)
        series = Series(values, title=summary.year.label)
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
        chart.series.append(series)
    chart.set_categories(categories)
    sheet.add_chart(chart, f"A{at_row}")


def _summary_sheet(
    workbook: Workbook,
    plans: Sequence[Sequence[PlanEvaluation]],
    used: set[str],
    skipped: Sequence[SkippedPlan] = (),
    paper: Paper = Paper.A4,
) -> None:
    sheet = add_sheet(workbook, sheet_name(SUMMARY_SHEET, used))
    cells = Cells(sheet)
    years = max(len(results) for results in plans)
    widths = [9.0] + [8.0, 8.0] * years + [40.0]
    periods = ", ".join(year.label for year in sorted({r.year for results in plans for r in results}))
    prepare_sheet(
        sheet, widths, header_row=0, freeze=None, title="KPI評価 総括", subtitle=periods, paper=paper
    )
    row = first = 1
    if skipped:  # first, so that no reader takes the report for complete
        sheet.append([cells(skipped_text(skipped), NOTE)])
        sheet.append([])
        row = first = 3
    for results in plans:
        if row > first:  # each plan's 総括 starts on a new page
            sheet.row_breaks.append(Break(id=row - 1))
        room = sum(widths[: 2 + 2 * len(results)])
        row = _summary_block(sheet, cells, row, results[0].plan, results, room)


def build_report(
    plans: Sequence[Sequence[PlanEvaluation]],
    *,
    large_plan: int = LARGE_PLAN_KPIS,
    skipped: Sequence[SkippedPlan] = (),
    paper: Paper = Paper.A4,
    outlooks: Sequence[PlanOutlook] = (),
) -> Workbook:
    """The report workbook: 総括 first, then each plan's sheet(s).

    ``plans`` holds, per plan, its evaluations in ascending year order (the
    years the plan is evaluated in). Plans with more than ``large_plan`` KPIs get
    one sheet per top-level section. The plans left out for errors in their files
    (``skipped``) are named at the top of 総括. Every sheet prints on ``paper``, landscape.
    ``outlooks`` (``report --outlook``) add a 見通し column to the KPI sheets and a 推移 sheet
    per plan (:mod:`.trend`).
    """
    if not plans or not all(plans):
        raise ValueError("build_report needs at least one plan with at least one year")
    workbook = new_workbook()
    used: set[str] = set()
    _summary_sheet(workbook, plans, used, skipped, paper)
    by_plan = {outlook.plan.id: outlook for outlook in outlooks}
    for results in plans:
        plan_sheets(workbook, results, used, large_plan, paper, by_plan.get(results[0].plan.id))
        section_sheet(workbook, results, used, paper)
    trend_sheets(workbook, outlooks, used, paper)
    return workbook


def render_report(
    plans: Sequence[Sequence[PlanEvaluation]],
    when: datetime = DEFAULT_EPOCH,
    *,
    large_plan: int = LARGE_PLAN_KPIS,
    skipped: Sequence[SkippedPlan] = (),
    paper: Paper = Paper.A4,
    outlooks: Sequence[PlanOutlook] = (),
) -> bytes:
    """The report workbook's bytes, every time stamp fixed to ``when``: the same inputs, the same bytes.

    The caller writes them (atomically: :func:`kpitool.support.safe_write.write_bytes_atomic`).
    openpyxl's temporary sheet files live in a private folder removed at the end.
    """
    with private_scratch():
        workbook = build_report(plans, large_plan=large_plan, skipped=skipped, paper=paper, outlooks=outlooks)
        return workbook_bytes(workbook, when)
