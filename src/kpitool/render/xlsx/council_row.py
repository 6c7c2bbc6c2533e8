"""The cells and columns of a KPI row on the report's KPI sheets (指標の行), with their widths and heights.

A KPI's row: No., 指標名, 単位, 基準値・時点, 目標値・時点, each year's 実績値・時点・評価, the
latest year's 達成率・進捗率 and, where published, a year's 評価理由. Each cell comes with the
text it shows, so that column widths and row heights follow what the cells show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from openpyxl.cell.cell import Cell

from kpitool.model.plan import KPI
from kpitool.rating.results import Evaluation, PlanEvaluation
from kpitool.rating.schemes.base import Scheme
from kpitool.render.style import display_rate
from kpitool.render.xlsx.kit import (
    CENTER,
    MISSING,
    NUMBER,
    PERCENT,
    REASON,
    WRAP,
    WRAP_CENTER,
    WRAP_RIGHT,
    Cells,
    Look,
    display_width,
    grade_look,
    number_format,
    text_lines,
)
from kpitool.render.xlsx.paging import line_pitch
from kpitool.values.numbers import format_number, percent_places, round_half_up

__all__ = [
    "BLANK",
    "REASON_WIDTH",
    "Column",
    "Out",
    "column_widths",
    "columns_of",
    "kpi_row",
    "kpi_row_height",
    "lines_height",
    "page_groups",
]

REASON_WIDTH = 34.0
"""The width of the 評価理由 column (before it is widened to fill its column page)."""


@dataclass(frozen=True)
class Column:
    header: str
    cap: float | None = None
    """Widest a column gets for wrapped text; numbers always get their full width."""
    fixed: float | None = None
    """A fixed width (long wrapped text)."""


class Out(NamedTuple):  # a tuple: made for every cell of a plan sheet
    """One cell of a table row, with what it shows (for widths and heights)."""

    cell: Cell
    text: str
    wrap: bool = False
    size: float = 10


def _number(cells: Cells, value: Decimal | None, suffix: str = "") -> Out:
    if value is None:
        return Out(cells("—", MISSING), "—")
    return Out(cells(value, NUMBER.with_format(number_format(value, suffix))), format_number(value) + suffix)


def _text_out(cells: Cells, text: str, look: Look = WRAP) -> Out:
    return Out(cells(text, look), text, wrap=True, size=look.size)


def _period(cells: Cells, label: str | None) -> Out:
    if not label:
        return Out(cells("", WRAP_CENTER), "")
    return _text_out(cells, label, WRAP_CENTER)


def _baseline(cells: Cells, kpi: KPI) -> list[Out]:
    baseline = kpi.baseline
    period = _period(cells, baseline.period.label if baseline and baseline.period else None)
    if baseline is not None and baseline.value is None and baseline.text:
        return [_text_out(cells, baseline.text, WRAP_RIGHT), period]
    return [_number(cells, kpi.baseline_value), period]


def _target(cells: Cells, kpi: KPI, target: Decimal | None) -> list[Out]:
    period = _period(cells, kpi.target.period.label)
    if kpi.target.text:
        return [_text_out(cells, kpi.target.text, WRAP_RIGHT), period]
    return [_number(cells, target), period]


def _actual(cells: Cells, row: Evaluation) -> list[Out]:
    observation = row.observation
    if observation is None or observation.value is None:
        return [Out(cells("—", MISSING), "—"), _period(cells, None)]
    actual = observation.actual
    period = _period(cells, actual.period.label if actual.period else None)
    if actual.unit and actual.unit != row.kpi.unit and actual.value is not None:
        # The figure as the source printed it (299,539人), like the terminal table.
        return [_number(cells, actual.value, actual.unit), period]
    return [_number(cells, observation.value), period]


def _grade(cells: Cells, scheme: Scheme, row: Evaluation) -> Out:
    text = row.grade
    if row.disagrees:
        text += f"\n(計算:{row.computed.symbol})"
    return Out(cells(text, grade_look(scheme, row.grade, wrap=row.disagrees)), text, wrap=row.disagrees)


def _ratio_cell(cells: Cells, ratio: Decimal | None) -> Cell:
    if ratio is None:
        return cells("—", MISSING)
    # Stored at the precision shown (0.1%, more for 99.9998%), rounded half up as the terminal rounds.
    places = percent_places(ratio)
    look = PERCENT if places == 1 else PERCENT.with_format(f"#,##0.{'0' * places}%")
    return cells(round_half_up(ratio, places + 2), look)


def _ratio(cells: Cells, ratio: Decimal | None) -> Out:
    return Out(_ratio_cell(cells, ratio), display_rate(ratio))


def kpi_row(
    cells: Cells, rows: Sequence[Evaluation], scheme: Scheme, reasons: int | None, outlook: str | None = None
) -> list[Out]:
    """One KPI's cells: the plan's columns, each year's, the latest rates, its outlook (見通し)
    when the report has one and, when ``reasons`` is the index of a year, that year's published
    reason."""
    latest = rows[-1]
    kpi = latest.kpi
    line = [
        Out(cells(latest.number, CENTER), latest.number),
        _text_out(cells, kpi.name),
        _text_out(cells, kpi.unit_shown, WRAP_CENTER),
        *_baseline(cells, kpi),
        *_target(cells, kpi, latest.target),
    ]
    for row in rows:
        line += [*_actual(cells, row), _grade(cells, scheme, row)]
    line += [_ratio(cells, latest.achievement), _ratio(cells, latest.progress)]
    if outlook is not None:
        line.append(_text_out(cells, outlook, WRAP_CENTER))
    if reasons is not None:
        line.append(_text_out(cells, rows[reasons].official_reason or "", REASON))
    return line


def columns_of(results: Sequence[PlanEvaluation], reasons: int | None, outlook: bool = False) -> list[Column]:
    latest = results[-1].year.label
    columns = [
        Column("No."),
        Column("指標名", fixed=24),
        Column("単位", cap=8),
        Column("基準値", cap=12),
        Column("基準\n時点", cap=9),
        Column("目標値", cap=12),
        Column("目標\n時点", cap=9),
    ]
    for result in results:
        label = result.year.label
        columns += [
            Column(f"{label}\n実績値", cap=12),
            Column(f"{label}\n時点", cap=9),
            Column(f"{label}\n評価"),
        ]
    columns += [Column(f"{latest}\n達成率"), Column(f"{latest}\n進捗率")]
    if outlook:
        columns.append(Column(f"{latest}\n見通し", cap=10))
    if reasons is not None:
        columns.append(Column(f"{results[reasons].year.label} 評価理由（公表）", fixed=REASON_WIDTH))
    return columns


def page_groups(
    columns: Sequence[Column], widths: Sequence[float], years: int, outlook: bool = False
) -> list[list[float]]:
    """The widths in groups that print on one page: the plan's 7 columns, each year's 3, the rates
    (with the outlook), the reasons."""
    rates = 3 if outlook else 2
    sizes = [7] + [3] * years + [rates] + [1] * (len(columns) - 7 - rates - 3 * years)
    groups, start = [], 0
    for size in sizes:
        groups.append(list(widths[start : start + size]))
        start += size
    return groups


def column_widths(columns: Sequence[Column], table: Sequence[list[Out]]) -> list[float]:
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


_KPI_LINES = 2
"""Every KPI row is at least two 10 pt lines high, so the rows of a table look even."""
_PADDING = 4.0
"""Points above and below the text of a row."""
BLANK = 8.0
"""The height of a blank row between blocks."""


def kpi_row_height(line: Sequence[Out], widths: Sequence[float]) -> float:
    """The height of a KPI row: the lines its tallest cell needs (at least :data:`_KPI_LINES`)."""
    tallest = max(
        text_lines(out.text, width, out.wrap, out.size) * line_pitch(out.size)
        for out, width in zip(line, widths, strict=True)
    )
    return round(max(tallest, _KPI_LINES * line_pitch(10)) + _PADDING, 1)


def lines_height(lines: int, size: float) -> float:
    return round(lines * line_pitch(size) + _PADDING, 1)
