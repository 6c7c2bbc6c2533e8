"""The council-ready Excel report (議会・評価委員会向け): 総括 sheet and one sheet per plan.

:func:`build_report` lays out a workbook from evaluations; :func:`save_workbook`
writes any workbook atomically and byte-identically (see
:mod:`kpitool.render.xlsx.deterministic`). The workbook is written in
openpyxl's write-only mode with each distinct cell look styled once
(:class:`Cells`), so a report of a hundred plans stays fast.

Layout, in Japanese as the published evaluations print it:

- 総括: per plan, the count and percent of each grade per evaluation year
  with the 判断基準 wording (seed 003's table: grades down, years across),
  and a native clustered column chart of the counts.
- one sheet per plan (a large plan: one per top-level section): KPIs grouped
  by section with 基準値・目標値 and their 時点, each year's 実績値 (時点) and
  評価, the latest year's 達成率・進捗率 and the published 評価理由.
- print-ready: A4 landscape fitted to one page wide, header row repeated on
  every page, frozen panes, a Japanese font, number formats with thousands
  separators and the decimals as written, header and footer with the plan
  title and page numbers.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import unicodedata
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from kpitool.model.plan import KPI, Plan, Section
from kpitool.rating.results import Evaluation, PlanEvaluation, Summary
from kpitool.rating.schemes.base import Scheme
from kpitool.render.left_out import skipped_text
from kpitool.render.xlsx.deterministic import DEFAULT_EPOCH, deterministic_xlsx
from kpitool.render.xlsx.style import TONE_COLOURS, Tone, display_rate, grade_tone
from kpitool.sources.selection import SkippedPlan
from kpitool.support.safe_write import write_bytes_atomic
from kpitool.values.fiscal_year import fiscal_year_label_ja
from kpitool.values.numbers import format_number, round_half_up

__all__ = [
    "FONT_NAME",
    "LARGE_PLAN_KPIS",
    "Cells",
    "Look",
    "add_sheet",
    "build_report",
    "display_width",
    "excel_number",
    "new_workbook",
    "number_format",
    "prepare_sheet",
    "row_height",
    "save_workbook",
    "section_heading",
    "sheet_name",
    "text_lines",
    "top_sections",
    "write_report",
]

FONT_NAME = "游ゴシック"
"""The workbook font: Excel's Japanese default (Yu Gothic); other systems substitute a CJK font."""

LARGE_PLAN_KPIS = 80
"""A plan with more KPIs than this gets one sheet per top-level section instead of one sheet."""

SUMMARY_SHEET = "総括"

_TONE_FONT = {Tone.GOOD: "006100", Tone.FAIR: "9C5700", Tone.POOR: "9C0006", Tone.NONE: "595959"}
"""Font colours Excel pairs with the good / neutral / bad fills of :data:`TONE_COLOURS`."""

_HEADER_FILL = "D9E1F2"
_SECTION_FILL = "F2F2F2"
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


# --------------------------------------------------------------------------- #
# Cells


@dataclass(frozen=True, eq=False)
class Look:
    """How a cell looks: font, fill, border, alignment, number format, protection.

    Compared by identity (cheap to hash per cell): keep looks as constants, and
    derive variants with :meth:`with_format` / :meth:`quoted`, which are memoised.
    """

    bold: bool = False
    size: float = 10
    colour: str | None = None
    fill: str | None = None
    border: bool = False
    align: str | None = None
    wrap: bool = False
    number_format: str = "General"
    locked: bool = True
    quote: bool = False
    """Excel's quote prefix: typed-over text stays text (never becomes a formula)."""

    def with_format(self, number_format: str) -> Look:
        """The same look with another number format (one object per format)."""
        return _variant(self, "number_format", number_format)

    def quoted(self) -> Look:
        """The same look with the quote prefix."""
        return _variant(self, "quote", True)


_VARIANTS: dict[tuple[Look, str, object], Look] = {}


def _variant(look: Look, name: str, value: object) -> Look:
    key = (look, name, value)
    found = _VARIANTS.get(key)
    if found is None:
        found = _VARIANTS[key] = dataclasses.replace(look, **{name: value})  # type: ignore[arg-type]
    return found


_FORMULA_STARTS = ("=", "+", "-", "@")
_MAX_TEXT = 32767  # Excel's limit for one cell


_WORKBOOK_STYLES: weakref.WeakKeyDictionary[Workbook, dict[Look, Any]] = weakref.WeakKeyDictionary()
"""Per workbook, the style of each :class:`Look` (style ids belong to the workbook, not a sheet)."""


class Cells:
    """Makes styled write-only cells for one sheet; each distinct :class:`Look` is styled once per workbook.

    Text is always written as text (data type ``s``): openpyxl would otherwise
    turn a value starting with ``=`` into a live formula and ``#N/A`` into an
    error. Text starting with = + - @ also gets the quote prefix, so editing
    the cell in Excel keeps it text. Characters XML cannot hold are dropped.
    """

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self._styles = _WORKBOOK_STYLES.setdefault(sheet.parent, {})

    def _style(self, look: Look) -> Any:
        style = self._styles.get(look)
        if style is None:
            proto = Cell(self.sheet, row=1, column=1)
            proto.font = Font(name=FONT_NAME, size=look.size, bold=look.bold, color=look.colour, charset=128)
            if look.fill:
                proto.fill = PatternFill("solid", start_color=look.fill, end_color=look.fill)
            if look.border:
                proto.border = _BOX
            proto.alignment = Alignment(horizontal=look.align, vertical="center", wrap_text=look.wrap or None)
            proto.number_format = look.number_format
            if not look.locked:
                proto.protection = Protection(locked=False)
            if look.quote:
                proto.quotePrefix = True
            style = self._styles[look] = proto._style  # type: ignore[attr-defined]
        return style

    def __call__(self, value: str | int | float | Decimal | None, look: Look) -> Cell:
        """A cell holding ``value`` with ``look``."""
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)[:_MAX_TEXT]
            if value.startswith(_FORMULA_STARTS) and not look.quote:
                look = look.quoted()
            cell = Cell(self.sheet, row=1, column=1, style_array=self._style(look))
            # Bound directly: the value setter would make "=…" a formula and "#N/A" an error.
            cell._value = value  # type: ignore[attr-defined]
            cell.data_type = "s"
            return cell
        cell = Cell(self.sheet, row=1, column=1, style_array=self._style(look))
        if isinstance(value, Decimal):
            cell._value = excel_number(value)  # type: ignore[attr-defined]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            cell._value = value  # type: ignore[attr-defined]
        elif value is not None:
            cell.value = value
        return cell


def excel_number(value: Decimal) -> int | float:
    """A Decimal as the number Excel stores: int when whole, else the nearest float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return min(-exponent, 10) if isinstance(exponent, int) and exponent < 0 else 0


def number_format(value: Decimal, suffix: str = "") -> str:
    """``#,##0.00`` with the decimals as written; ``suffix`` (e.g. `` (R4年度)``) shown after the number."""
    places = _places(value)
    fmt = "#,##0" + ("." + "0" * places if places else "")
    if suffix:
        fmt += '"' + suffix.replace('"', "'") + '"'
    return fmt


def display_width(text: str) -> int:
    """Width of text in Excel column units: East Asian wide characters count twice."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unused sheet name: no []:*?/\\, at most 31 characters, ``(2)`` added if taken."""
    base = " ".join(wanted.translate(_SHEET_NAME_BAD).split()).strip("'") or "Sheet"
    name, number = base[:31], 1
    while name.casefold() in used:
        number += 1
        tail = f"({number})"
        name = base[: 31 - len(tail)] + tail
    used.add(name.casefold())
    return name


class _CellSheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows hold only cells made by :class:`Cells`.

    openpyxl's own row path first tries each cell as a value (which fails with
    an exception whose message formats the cell) and then allocates a spare
    cell: about 15% of a report's writing time. Here the cells go to the
    writer as they are. Should openpyxl stop calling this hook, its own path
    writes the same bytes, only slower.
    """

    def _values_to_row(self, values: Iterable[Cell], row_idx: int) -> Iterator[Cell]:
        for column, cell in enumerate(values, start=1):
            if not isinstance(cell, Cell):
                raise TypeError(f"a report row holds cells made by Cells, not {type(cell).__name__}")
            cell.column = column
            cell.row = row_idx
            yield cell


def add_sheet(workbook: Workbook, title: str) -> Any:
    """A new last sheet of ``workbook`` (made by :func:`new_workbook`), for rows of :class:`Cells` cells."""
    sheet = _CellSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet)  # type: ignore[attr-defined]  # what Workbook.create_sheet does
    return sheet


def new_workbook() -> Workbook:
    """A write-only workbook whose default font is :data:`FONT_NAME` (empty cells included)."""
    workbook = Workbook(write_only=True)
    # Font 0 is every unstyled cell's font and the Normal style's; make it Japanese.
    fonts = IndexedList([Font(name=FONT_NAME, size=10, charset=128, family=3)])
    workbook._fonts = fonts  # type: ignore[attr-defined]
    return workbook


def prepare_sheet(
    sheet: Any,
    widths: Sequence[float],
    *,
    header_row: int,
    freeze: str | None,
    title: str,
    subtitle: str = "",
) -> None:
    """Column widths, frozen panes and print settings; call before the first row is appended.

    A4 landscape, one page wide, ``header_row`` repeated on every page, the
    title in the page header, page numbers in the footer.
    """
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.7
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddHeader.center.size = 10
    if subtitle:
        sheet.oddHeader.right.text = subtitle.replace("&", "&&")
        sheet.oddHeader.right.size = 9
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddFooter.center.size = 9


def save_workbook(workbook: Workbook, target: Path, when: datetime = DEFAULT_EPOCH) -> None:
    """Save atomically, with every time stamp fixed to ``when`` (byte-identical for the same content).

    Raises :class:`~kpitool.support.safe_write.WriteError` when ``target`` cannot be
    written; an existing file is then left untouched.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_bytes_atomic(target, deterministic_xlsx(buffer.getvalue(), when))


# --------------------------------------------------------------------------- #
# Shared looks

TEXT = Look(border=True)
WRAP = Look(border=True, wrap=True)
WRAP_CENTER = Look(border=True, wrap=True, align="center")
WRAP_RIGHT = Look(border=True, wrap=True, align="right")
REASON = Look(border=True, wrap=True, size=9)
CENTER = Look(border=True, align="center")
NUMBER = Look(border=True, align="right")
MISSING = Look(border=True, align="center", colour="808080")
HEADER = Look(bold=True, fill=_HEADER_FILL, border=True, align="center", wrap=True)
TITLE = Look(bold=True, size=14)
SUBTITLE = Look(size=10, colour="404040")
NOTE = Look(size=9, colour="404040")
SECTION = Look(bold=True, fill=_SECTION_FILL, border=True)
PERCENT = Look(border=True, align="right", number_format="#,##0.0%")
BLOCK_TITLE = Look(bold=True, size=12)
TOTAL_LABEL = Look(bold=True, border=True, align="center")
TOTAL = Look(bold=True, border=True, number_format="#,##0")
PLAIN = Look()


def grade_look(scheme: Scheme, symbol: str, *, size: float = 10, wrap: bool = False) -> Look:
    """The fill and font colour of a grade, matching the terminal table's colours."""
    return _tone_look(grade_tone(scheme, symbol), size, wrap)


@functools.cache
def _tone_look(tone: Tone, size: float, wrap: bool) -> Look:
    fill = TONE_COLOURS[tone][1]
    return Look(
        bold=True, size=size, colour=_TONE_FONT[tone], fill=fill, border=True, align="center", wrap=wrap
    )


def _ratio_cell(cells: Cells, ratio: Decimal | None) -> Cell:
    if ratio is None:
        return cells("—", MISSING)
    # Stored at the precision shown (0.1%), rounded half up as the terminal rounds.
    return cells(round_half_up(ratio, 3), PERCENT)


# --------------------------------------------------------------------------- #
# 総括


def _year_heading(year: int, label: str) -> str:
    return f"{label}（{fiscal_year_label_ja(year)}）"


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


def _summary_block(sheet: Any, cells: Cells, row: int, plan: Plan, results: Sequence[PlanEvaluation]) -> int:
    """Append one plan's 総括 table and chart starting at ``row``; return the next free row."""
    from openpyxl.chart import BarChart, Reference, Series
    from openpyxl.chart.label import DataLabelList
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
        first += [cells(_year_heading(summary.year, summary.year_label), HEADER), cells(None, HEADER)]
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
            line.append(cells(summary.counts.get(grade.symbol, 0), NUMBER.with_format("#,##0")))
            share = summary.percents[grade.symbol] / 100
            line.append(cells(share, PERCENT.with_format("0.0%")))
        line.append(cells(grade.criterion, TEXT))
        sheet.append(line)
    total = [cells("計", TOTAL_LABEL)]
    for summary in summaries:
        total += [
            cells(summary.total, TOTAL),
            cells(Decimal(1) if summary.total else Decimal(0), PERCENT.with_format("0.0%")),
        ]
    total.append(cells(None, TEXT))
    sheet.append(total)
    grades_from, grades_to = top + 2, top + 1 + len(scheme.grade_specs)
    next_row = grades_to + 2
    sheet.append([])

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
        series = Series(values, title=summary.year_label)
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
        chart.series.append(series)
    chart.set_categories(categories)
    sheet.add_chart(chart, f"A{next_row}")
    chart_rows = 17  # the chart's 7 cm, and a blank row before the next plan
    for _ in range(chart_rows):
        sheet.append([])
    return next_row + chart_rows + 1


def _summary_sheet(
    workbook: Workbook,
    plans: Sequence[Sequence[PlanEvaluation]],
    used: set[str],
    skipped: Sequence[SkippedPlan] = (),
) -> None:
    sheet = add_sheet(workbook, sheet_name(SUMMARY_SHEET, used))
    cells = Cells(sheet)
    years = max(len(results) for results in plans)
    widths = [9.0] + [8.0, 8.0] * years + [40.0]
    labels = {r.year: r.year_label for results in plans for r in results}
    periods = ", ".join(labels[year] for year in sorted(labels))
    prepare_sheet(sheet, widths, header_row=0, freeze=None, title="KPI評価 総括", subtitle=periods)
    row = first = 1
    if skipped:  # first, so that no reader takes the report for complete
        sheet.append([cells(skipped_text(skipped), NOTE)])
        sheet.append([])
        row = first = 3
    for results in plans:
        if row > first:  # each plan's 総括 starts on a new page
            sheet.row_breaks.append(Break(id=row - 1))
        row = _summary_block(sheet, cells, row, results[0].plan, results)


# --------------------------------------------------------------------------- #
# Plan sheets


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


def section_heading(section: Section | None) -> str:
    """A section as a heading line: ``施策分野 1 圏域全体の経済成長のけん引``; None → 計画全体."""
    if section is None:
        return "計画全体"
    return " ".join(f"{section.level} {section.number or ''} {section.title}".split())


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


def _ratio(cells: Cells, ratio: Decimal | None) -> _Out:
    return _Out(_ratio_cell(cells, ratio), display_rate(ratio))


def _kpi_row(cells: Cells, rows: Sequence[Evaluation], scheme: Scheme, reasons: bool) -> list[_Out]:
    latest = rows[-1]
    kpi = latest.kpi
    line = [
        _Out(cells(kpi.number or "", CENTER), kpi.number or ""),
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
    latest = results[-1].year_label
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
        label = result.year_label
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


def text_lines(text: str, width: float, wrap: bool = True) -> int:
    """How many lines ``text`` takes in a column ``width`` units wide (wrapped, or only at newlines)."""
    parts = text.split("\n")
    if not wrap:
        return len(parts)
    room = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(display_width(part) / room)) for part in parts)


def row_height(lines: float) -> float | None:
    """The height (points) of a row whose tallest cell needs ``lines`` lines of 13.5 pt; None for one line.

    Set explicitly because LibreOffice, unlike Excel, does not grow a written row to fit wrapped text.
    """
    return lines * 13.5 + 3 if lines > 1.1 else None


def _height(line: Sequence[_Out], widths: Sequence[float]) -> float | None:
    """The row height wrapped cells need (None: one line is enough)."""
    tallest = max(
        text_lines(out.text, width, out.wrap) * out.line_height / 13.5
        for out, width in zip(line, widths, strict=True)
    )
    return row_height(tallest)


def _notes(results: Sequence[PlanEvaluation]) -> list[str]:
    scheme = results[0].scheme
    latest = results[-1].year_label
    lines = [
        "注1: 評価は、公表された評価がある指標はその評価、ない指標は判断基準による計算結果。"
        "「(計算:△)」は計算結果が公表評価と異なることを示す。",
        f"注2: 達成率・進捗率は{latest}の値。"
        "達成率 = 実績値 ÷ 目標値（少ないほどよい指標は 目標値 ÷ 実績値）、"
        "進捗率 = (実績値 − 基準値) ÷ (目標値 − 基準値)。",
        "判断基準: " + " ／ ".join(f"{g.symbol} {g.criterion}" for g in scheme.grade_specs),
    ]
    for result in results:
        for row in result.disagreements:
            lines.append(
                f"公表評価と計算結果が異なる指標（{result.year_label}）: "
                f"{row.kpi.number or ''} {row.kpi.name} — "
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
    years = ", ".join(r.year_label for r in results)
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


def top_sections(plan: Plan) -> dict[str, Section]:
    """Section id → the top-level section holding it."""
    top: dict[str, Section] = {}
    for section in plan.sections:
        for inner, _depth in section.walk():
            top[inner.id] = section
    return top


def _plan_sheets(
    workbook: Workbook, results: Sequence[PlanEvaluation], used: set[str], large_plan: int
) -> None:
    plan = results[0].plan
    rows = results[-1].rows
    if len(rows) <= large_plan:
        _plan_sheet(
            workbook, results, range(len(rows)), sheet_name(plan.title, used), f"{plan.title} — KPI評価"
        )
        return
    top = top_sections(plan)
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


def build_report(
    plans: Sequence[Sequence[PlanEvaluation]],
    *,
    large_plan: int = LARGE_PLAN_KPIS,
    skipped: Sequence[SkippedPlan] = (),
) -> Workbook:
    """The report workbook: 総括 first, then each plan's sheet(s).

    ``plans`` holds, per plan, its evaluations in ascending year order (the
    years the plan is evaluated in). Plans with more than ``large_plan`` KPIs get
    one sheet per top-level section. The plans left out for errors in their files
    (``skipped``) are named at the top of 総括.
    """
    if not plans or not all(plans):
        raise ValueError("build_report needs at least one plan with at least one year")
    workbook = new_workbook()
    used: set[str] = set()
    _summary_sheet(workbook, plans, used, skipped)
    for results in plans:
        _plan_sheets(workbook, results, used, large_plan)
    return workbook


def write_report(
    plans: Sequence[Sequence[PlanEvaluation]],
    target: Path,
    when: datetime = DEFAULT_EPOCH,
    *,
    large_plan: int = LARGE_PLAN_KPIS,
    skipped: Sequence[SkippedPlan] = (),
) -> None:
    """Build the report and save it atomically and deterministically to ``target``."""
    save_workbook(build_report(plans, large_plan=large_plan, skipped=skipped), target, when)
