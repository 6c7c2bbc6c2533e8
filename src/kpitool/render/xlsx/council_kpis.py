"""The council report's KPI sheets: per plan (a large plan: per top-level section), one row per KPI.

KPIs are grouped by section with 基準値・目標値 and their 時点, each year's
実績値 (時点) and 評価, the latest year's 達成率・進捗率 and the published
評価理由; column widths and row heights follow what the cells show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break

from kpitool.model.actuals import paragraphs
from kpitool.model.plan import section_heading
from kpitool.outlook.engine import PlanOutlook
from kpitool.rating.results import PlanEvaluation
from kpitool.render.notes import own_setting_lines
from kpitool.render.style import display_rate
from kpitool.render.xlsx.council_row import (
    BLANK,
    REASON_WIDTH,
    Column,
    Out,
    column_widths,
    columns_of,
    kpi_row,
    kpi_row_height,
    lines_height,
    page_groups,
)
from kpitool.render.xlsx.kit import (
    HEADER,
    NOTE,
    PLAIN,
    REASON,
    SECTION,
    SUBTITLE,
    TITLE,
    Cells,
    Look,
    add_sheet,
    prepare_sheet,
    print_pages,
    sheet_name,
    text_lines,
)
from kpitool.render.xlsx.paging import (
    ColumnPages,
    Paper,
    column_pages,
    row_breaks,
    table_blocks,
)

__all__ = ["plan_sheets"]

NOTE_WRAP = Look(size=NOTE.size, colour=NOTE.colour, wrap=True)
"""A note under the table, wrapped in cells merged across the first column page but its title
columns (which every column page repeats, and would cut the note off)."""
HEADING = Look(bold=True, fill=SECTION.fill, border=True, wrap=True)
"""A section heading, wrapped in the No. and 指標名 cells merged (repeated on every column page)."""
NARRATIVE_HEAD = Look(bold=True, wrap=True)
NARRATIVE = Look(wrap=True)
"""The published texts (評価文) under the table: a heading, then each paragraph at 10 pt, wrapped."""
_TITLE_COLUMNS = 2
"""No. and 指標名: repeated at the left of every column page."""
_REASON_WIDEST = 80.0
"""The most the 評価理由 column is widened to fill its column page."""


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
    return lines + own_setting_lines(results[-1]) + _annotation_lines(results)


def _annotation_lines(results: Sequence[PlanEvaluation]) -> list[str]:
    """注記: each KPI's notes on its baseline and target, then on each year's actual."""
    lines = []
    for row in results[-1].rows:
        fixed = [note for note in row.value_notes if not note.startswith("実績値")]
        if fixed:
            lines.append(f"注記: {row.number} {row.kpi.name} — {' ／ '.join(fixed)}")
    for result in results:
        for row in result.rows:
            actual = row.observation.actual if row.observation else None
            if actual is not None and actual.annotation:
                lines.append(
                    f"注記（{result.year.label}）: {row.number} {row.kpi.name} — 実績値: {actual.annotation}"
                )
    return lines


def narrative_lines(results: Sequence[PlanEvaluation], rows: Sequence[int]) -> list[tuple[str, Look]]:
    """The published texts of the sections of ``rows``, each year that has them: a heading per
    section and year, each text's heading (①KPIの達成状況, <実績>, <課題>), its paragraphs."""
    sections = list(dict.fromkeys(results[-1].rows[i].section for i in rows if results[-1].rows[i].section))
    lines: list[tuple[str, Look]] = []
    for result in results:
        if result.narrative is None:
            continue
        for section in sections:
            texts = result.narrative.sections.get(section.id) if section else None
            if texts is None:
                continue
            lines.append((f"{section_heading(section)} — {result.year.label} 評価", NARRATIVE_HEAD))
            for heading, text in texts.texts():
                lines.append((heading, NARRATIVE_HEAD))
                lines += [(paragraph, NARRATIVE) for paragraph in paragraphs(text)]
    if lines and results[-1].narrative and results[-1].narrative.source:
        lines.append((f"出典: {results[-1].narrative.source}", NOTE_WRAP))
    return lines


class _Row(NamedTuple):
    """One row of the table: its cells, its height and whether it is a section heading."""

    cells: list[Cell]
    height: float
    heading: bool = False


def _table(
    cells: Cells,
    results: Sequence[PlanEvaluation],
    rows: Sequence[int],
    reasons: int | None,
    outlook: Mapping[str, str] | None,
) -> list[tuple[Out | None, list[Out]]]:
    """The table's lines in order: a section heading (with no KPI cells) or a KPI's cells;
    ``outlook`` maps each KPI id to its 見通し label when the report has one."""
    scheme = results[0].scheme
    table: list[tuple[Out | None, list[Out]]] = []
    current: object = object()
    for index in rows:
        section = results[-1].rows[index].section
        if section is not current:
            current = section
            text = section_heading(section)
            table.append((Out(cells(text, HEADING), text), []))
        kpi = results[-1].rows[index].kpi
        status = None if outlook is None else outlook.get(kpi.id, "")
        table.append((None, kpi_row(cells, [r.rows[index] for r in results], scheme, reasons, status)))
    return table


def _fit_pages(
    columns: Sequence[Column], widths: list[float], years: int, paper: Paper, outlook: bool
) -> ColumnPages:
    """Cut the columns into pages; a 評価理由 column on a narrower last page is widened to fill it."""
    smallest = min(NOTE.size, REASON.size, 10)
    pages = column_pages(page_groups(columns, widths, years, outlook), _TITLE_COLUMNS, paper, smallest)
    if columns[-1].fixed == REASON_WIDTH and len(pages.widths) > 1:
        widths[-1] += min(max(pages.widths) - pages.widths[-1], _REASON_WIDEST - REASON_WIDTH)
        pages = column_pages(page_groups(columns, widths, years, outlook), _TITLE_COLUMNS, paper, smallest)
    return pages


def _layout(
    cells: Cells,
    results: Sequence[PlanEvaluation],
    rows: Sequence[int],
    paper: Paper,
    outlook: Mapping[str, str] | None,
) -> tuple[list[Column], list[float], ColumnPages, list[_Row]]:
    """The sheet's columns, their widths, its column pages and its table rows with their heights."""
    with_reasons = [y for y, r in enumerate(results) if any(r.rows[index].official_reason for index in rows)]
    reasons = with_reasons[-1] if with_reasons else None  # the latest year that published reasons
    columns = columns_of(results, reasons, outlook is not None)
    lines = _table(cells, results, rows, reasons, outlook)
    widths = column_widths(columns, [line for out, line in lines if out is None])
    pages = _fit_pages(columns, widths, len(results), paper, outlook is not None)
    title_width = sum(widths[:_TITLE_COLUMNS])
    filler = [cells(None, SECTION) for _ in columns[_TITLE_COLUMNS - 1 :]]
    table = [
        _Row([out.cell, *filler], lines_height(text_lines(out.text, title_width), 10), heading=True)
        if out is not None
        else _Row([o.cell for o in line], kpi_row_height(line, widths))
        for out, line in lines
    ]
    return columns, widths, pages, table


def _plan_sheet(
    workbook: Workbook,
    results: Sequence[PlanEvaluation],
    rows: Sequence[int],
    names: tuple[str, str],
    paper: Paper,
    outlook: Mapping[str, str] | None = None,
) -> None:
    """One sheet (``names``: sheet name, heading) of KPI rows (indices into each result's rows),
    grouped by section; its columns cut into pages and its rows into page blocks.

    The title rows above the header stay off the printed pages (the page header and footer
    carry the plan, its years and its 評価方式): the title columns repeated on each column page
    would cut them off.
    """
    plan, scheme = results[0].plan, results[0].scheme
    name, heading = names
    sheet = add_sheet(workbook, name)
    cells = Cells(sheet)
    years = ", ".join(r.year.label for r in results)
    columns, widths, pages, table = _layout(cells, results, rows, paper, outlook)
    note_end = pages.last_columns[0]
    room = sum(widths[_TITLE_COLUMNS:note_end])
    notes = [
        (text, lines_height(text_lines(text, room, size=look.size), look.size), look)
        for text, look in [(t, NOTE_WRAP) for t in _notes(results)] + narrative_lines(results, rows)
    ]
    header_lines = max(column.header.count("\n") + 1 for column in columns)
    top = [lines_height(1, TITLE.size), lines_height(1, SUBTITLE.size), BLANK]
    header = lines_height(header_lines, 10)
    period = f"計画期間 {plan.period.start}～{plan.period.end}　" if plan.period else ""
    about = f"{period}評価方式: {scheme.title}"
    prepare_sheet(sheet, widths, header_row=4, freeze="C5", title=plan.title, subtitle=years, paper=paper)
    print_pages(sheet, pages, footer=(about, plan.id))
    blocks = table_blocks(
        [header], [(row.height, row.heading) for row in table], [BLANK] + [h for _, h, _ in notes]
    )
    for row in row_breaks(4, blocks, header, paper, pages.scale):
        sheet.row_breaks.append(Break(id=row))
    blank = [cells(None, PLAIN)] * _TITLE_COLUMNS
    body = [
        [cells(heading, TITLE)],
        [cells(f"{period}評価年度 {years}　評価方式: {scheme.title}　（{plan.id}）", SUBTITLE)],
        [],
        [cells(c.header, HEADER) for c in columns],
    ]
    body += [row.cells for row in table] + [[]] + [[*blank, cells(text, look)] for text, _, look in notes]
    heights = [*top, header, *(row.height for row in table), BLANK, *(height for _, height, _ in notes)]
    for number, (line, height) in enumerate(zip(body, heights, strict=True), start=1):
        sheet.row_dimensions[number].height = height
        sheet.append(line)
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A4:{last}{4 + len(table)}"
    sheet.print_area = f"A4:{last}{len(body)}"
    merged = [5 + i for i, row in enumerate(table) if row.heading]
    for number in merged:
        sheet.merged_cells.add(CellRange(f"A{number}:{get_column_letter(_TITLE_COLUMNS)}{number}"))
    for number in range(len(body) - len(notes) + 1, len(body) + 1):
        sheet.merged_cells.add(CellRange(f"C{number}:{get_column_letter(note_end)}{number}"))


def plan_sheets(
    workbook: Workbook,
    results: Sequence[PlanEvaluation],
    used: set[str],
    large_plan: int,
    paper: Paper = Paper.A4,
    outlook: PlanOutlook | None = None,
) -> None:
    """Append the KPI sheet(s) of one plan: one sheet, or one per top-level section when large;
    with ``outlook``, a 見通し column beside the rates (each KPI's status at the last year)."""
    plan = results[0].plan
    rows = results[-1].rows
    statuses = None if outlook is None else {row.kpi.id: row.status.label for row in outlook.rows}
    if len(rows) <= large_plan:
        names = (sheet_name(plan.title, used), f"{plan.title} — KPI評価")
        _plan_sheet(workbook, results, range(len(rows)), names, paper, statuses)
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
        _plan_sheet(workbook, results, indices, (sheet_name(short, used), heading), paper, statuses)
