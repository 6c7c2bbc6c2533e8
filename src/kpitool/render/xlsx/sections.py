"""The 施策別 sheet of the report: each section's grade counts and grade, year by year.

Every plan with sections (:mod:`kpitool.rating.rollup`) gets one such sheet after its KPI
sheets: per section (indented by its level) one row per year — the count of each grade, the
total, and, where ``evaluation.rollup`` grades sections, the section grade and the mean score
or share it was cut from (a plan without ``rollup`` counts only: 評価 —). The header row
repeats on every printed page, the sheet fits one page wide.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook

from kpitool.model.plan import section_heading
from kpitool.model.rollup_settings import RollupMethod
from kpitool.rating.results import PlanEvaluation
from kpitool.rating.rollup import section_results
from kpitool.render.xlsx.kit import (
    CENTER,
    HEADER,
    NUMBER,
    SECTION,
    TEXT,
    Cells,
    add_sheet,
    grade_look,
    prepare_sheet,
    sheet_name,
)
from kpitool.render.xlsx.paging import Paper

__all__ = ["section_sheet"]

_SCORE = NUMBER.with_format("0.00")
_SHARE = NUMBER.with_format("0.0%")


def section_sheet(
    workbook: Workbook, results: Sequence[PlanEvaluation], used: set[str], paper: Paper
) -> None:
    """Append the 施策別 sheet of one plan (its evaluations in year order) if it has sections."""
    by_year = [(result, section_results(result)) for result in results]
    if not any(found for _, found in by_year):
        return
    first = results[0]
    rollup = first.plan.evaluation.rollup if first.plan.evaluation else None
    method = rollup.method if rollup else RollupMethod.COUNTS
    symbols = first.scheme.symbols()
    value_title = {"mean_score": "平均点", "share_at_least": "割合"}.get(method.value, "")
    headings = ["施策", "年度", *symbols, "計", "評価", *([value_title] if value_title else [])]
    sheet = add_sheet(workbook, sheet_name(f"施策別 {first.plan.title}", used))
    cells = Cells(sheet)
    widths = [44.0, 9.0, *(6.0 for _ in symbols), 6.0, 8.0, *([9.0] if value_title else [])]
    prepare_sheet(sheet, widths, header_row=1, freeze="A2", title=f"施策別 — {first.plan.title}", paper=paper)
    sheet.append([cells(text, HEADER) for text in headings])
    value_look = _SHARE if method is RollupMethod.SHARE_AT_LEAST else _SCORE
    for position, found in enumerate(by_year[0][1]):
        indent = "　" * found.depth
        heading = cells(indent + section_heading(found.section), SECTION)
        sheet.append([heading, *(cells("", SECTION) for _ in headings[1:])])
        for result, sections in by_year:
            row = sections[position]
            grade = cells(
                row.grade or "—", grade_look(result.scheme, row.grade) if row.grade in symbols else CENTER
            )
            sheet.append(
                [
                    cells("", TEXT),
                    cells(result.year.label, CENTER),
                    *(cells(row.counts.get(symbol, 0), NUMBER) for symbol in symbols),
                    cells(row.total, NUMBER),
                    grade,
                    *(
                        [cells(row.value, value_look) if row.value is not None else cells("", TEXT)]
                        if value_title
                        else []
                    ),
                ]
            )
