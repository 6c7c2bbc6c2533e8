"""The 推移 sheet of the report: per KPI, its series by data period and a native line chart.

``report --outlook METHOD`` adds one such sheet per plan. Each KPI gets a block: a heading
(No., name, unit, the outlook's status, r and lag), a small table of the points it is drawn
from — the baseline and each actual at its data period, then the target period — and beside it
a scatter chart with lines, x being the time in years of docs/outlook.md (R4年度 at 2022.75):

- 実績値: the baseline and the actuals, solid with markers;
- 基準値→目標値: the straight line from the baseline to the target, thin and grey;
- 見通し: the projection from the latest actual to the target period, dashed;
- 目標値: the target alone, a diamond marker.

Two KPIs to an A4 landscape page (a page break after every second block). The chart XML is
openpyxl's, built once and filled in per KPI (:mod:`kpitool.render.xlsx.prewritten`), the bytes
fixed by :mod:`kpitool.render.xlsx.deterministic` like the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.chart.axis import NumericAxis
from openpyxl.worksheet.pagebreak import Break

from kpitool.outlook.engine import KpiOutlook, PlanOutlook
from kpitool.outlook.status import round_fraction
from kpitool.outlook.timeline import period_time
from kpitool.render.xlsx.kit import (
    HEADER,
    NOTE,
    NUMBER,
    SECTION,
    TEXT,
    Cells,
    add_sheet,
    number_format,
    prepare_sheet,
    sheet_name,
)
from kpitool.render.xlsx.paging import Paper
from kpitool.render.xlsx.prewritten import ChartTemplate
from kpitool.values.numbers import format_number

__all__ = ["BLOCK_ROWS", "SERIES_TITLES", "trend_sheet"]

SERIES_TITLES = ("実績値", "基準値→目標値", "見通し", "目標値")
"""The chart's series, in order (columns C to F of each block)."""

BLOCK_ROWS = 18
"""Rows one KPI takes: the chart's 8 cm and a blank row; two blocks to an A4 landscape page."""

_HEADINGS = ("時点", "時間 (年)", *SERIES_TITLES)
_WIDTHS = [18.0, 9.0, 11.0, 14.0, 11.0, 11.0]


_TIME = NUMBER.with_format("0.00")


def _figure(cells: Cells, value: Decimal | None) -> Any:
    """A figure with thousands separators and its decimals as written (15,670.2)."""
    return cells(value, NUMBER if value is None else NUMBER.with_format(number_format(value)))


def _time(value: Fraction) -> Decimal:
    return round_fraction(value, 4).normalize()


def _rows(row: KpiOutlook) -> list[list[Any]]:
    """The block's table: one row per point, then the target period; each series in its column."""
    latest = row.latest
    out: list[list[Any]] = []
    for point in row.points:
        baseline = point.value if point.year is None else None
        start = point.value if latest is not None and point is latest and row.projected is not None else None
        out.append([point.period.label, _time(point.time), point.value, baseline, start, None])
    projected = row.projected_shown
    out.append(
        [
            row.projected_period.label,
            _time(period_time(row.projected_period)),
            None,
            row.target,
            projected,
            row.target,
        ]
    )
    return out


def _heading(row: KpiOutlook) -> str:
    unit = f"［{row.kpi.unit_shown}］" if row.kpi.unit_shown else ""
    ratio = "" if row.ratio is None else f"、r = {format_number(round_fraction(row.ratio, 2))}"
    lag = "" if row.lag_years is None else f"、遅れ {row.lag_years}年"
    late = "（目標時点のデータは計画期間内に公表されない）" if row.final_data_in_period is False else ""
    return f"{row.number} {row.kpi.name}{unit} — 見通し: {row.status.label}{ratio}{lag}{late}"


def _chart(row: KpiOutlook, sheet: Any, first: int, last: int) -> ScatterChart:
    """The block's chart over rows ``first``..``last`` (the table, without its header)."""
    title, y_title = f"{row.number} {row.kpi.name}", row.kpi.unit_shown or "値"
    global _template
    if _template is None:
        _template = ChartTemplate(_build_chart)
    found = _template.chart(title, y_title, sheet, first, last)
    return found if found is not None else _build_chart(title, y_title, sheet, first, last)


_template: ChartTemplate | None = None
"""The chart of :func:`_build_chart` with slots for its strings, made at the first chart."""


def _build_chart(title: str, y_title: str, sheet: Any, first: int, last: int) -> ScatterChart:
    """The chart built with openpyxl's objects: every series over rows ``first``..``last`` of ``sheet``."""
    chart = ScatterChart()
    chart.title = title
    chart.style = 13
    chart.x_axis.title = "時点 (年)"
    chart.y_axis.title = y_title
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.x_axis.number_format = "0"
    if isinstance(chart.x_axis, NumericAxis):  # always, for a scatter chart
        chart.x_axis.majorUnit = 1
    chart.display_blanks = "span"  # the two-point lines pass over the rows between their points
    if chart.legend is not None:
        chart.legend.position = "b"
    chart.width, chart.height = 17, 8  # cm
    xs = Reference(sheet, min_col=2, min_row=first, max_row=last)
    for offset, name in enumerate(SERIES_TITLES):
        ys = Reference(sheet, min_col=3 + offset, min_row=first - 1, max_row=last)
        series = Series(ys, xs, title_from_data=True)
        _style(series, name)
        chart.series.append(series)
    return chart


def _style(series: Any, title: str) -> None:  # openpyxl's Series is a factory: its type is untyped
    line = series.graphicalProperties.line
    if title == "実績値":
        series.marker.symbol, line.solidFill, line.width = "circle", "1F4E79", 28575
    elif title == "基準値→目標値":
        series.marker.symbol, line.solidFill, line.width = "none", "A6A6A6", 12700
    elif title == "見通し":
        series.marker.symbol, line.solidFill, line.dashStyle = "none", "C55A11", "dash"
    else:
        series.marker.symbol, series.marker.size, line.noFill = "diamond", 9, True
        series.marker.graphicalProperties.solidFill = "C00000"
        series.marker.graphicalProperties.line.solidFill = "C00000"
    series.smooth = False


def trend_sheet(workbook: Workbook, outlook: PlanOutlook, used: set[str], paper: Paper = Paper.A4) -> None:
    """Append the 推移 sheet of one plan's outlook: one block (table and chart) per KPI."""
    sheet = add_sheet(workbook, sheet_name(f"推移 {outlook.plan.title}", used))
    cells = Cells(sheet)
    subtitle = f"{outlook.year.label} 時点の見通し ({outlook.method.value}); x は時点の年 (R4年度 = 2022.75)"
    prepare_sheet(
        sheet,
        _WIDTHS,
        header_row=0,
        freeze=None,
        title=f"推移 — {outlook.plan.title}",
        subtitle=subtitle,
        paper=paper,
    )
    row_number = 1
    for index, row in enumerate(outlook.rows):
        if index and index % 2 == 0:
            sheet.row_breaks.append(Break(id=row_number - 1))
        sheet.append([cells(_heading(row), SECTION)])
        sheet.append([cells(text, HEADER) for text in _HEADINGS])
        table = _rows(row)
        for values in table:
            time, *figures = values[1:]
            sheet.append([cells(values[0], TEXT), cells(time, _TIME), *(_figure(cells, v) for v in figures)])
        first, last = row_number + 2, row_number + 1 + len(table)
        sheet.add_chart(_chart(row, sheet, first, last), f"H{row_number + 1}")
        used_rows = 2 + len(table)
        for _ in range(max(BLOCK_ROWS - used_rows, 1)):
            sheet.append([])
        row_number += max(BLOCK_ROWS, used_rows + 1)
    sheet.append([cells("x: 時点を年で表した位置（年度は10月1日、年は7月1日、年度末は翌4月1日）。", NOTE)])


def trend_sheets(
    workbook: Workbook, outlooks: Sequence[PlanOutlook], used: set[str], paper: Paper = Paper.A4
) -> None:
    """A 推移 sheet for each plan's outlook, in order."""
    for outlook in outlooks:
        trend_sheet(workbook, outlook, used, paper)
