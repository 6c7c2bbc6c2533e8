"""Notes printed under a terminal table: why a 進捗率 is not shown, why percents miss 100.0,
why a KPI has no value (the 備考 of a note-only actual).

Kept apart from the table layouts of :mod:`kpitool.render.terminal`: a note is running
text under the table, wrapped to the width like the table's own legend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kpitool.rating.facts import SMALL_SPAN_NOTE
from kpitool.rating.results import PlanEvaluation, Summary

if TYPE_CHECKING:  # rich is imported where a note is drawn: the workbook's notes are text (issue 18)
    from rich.console import RenderableType

__all__ = ["evaluation_notes", "own_setting_lines", "summary_notes", "value_note_lines"]


def evaluation_notes(result: PlanEvaluation) -> list[RenderableType]:
    """注: the KPIs whose 進捗率 is left out for a too small span, and a 集計 that misses 100.0;
    備考: the note of each actual recorded without a value (why it is —)."""
    lines = []
    hidden = [row.number for row in result.rows if SMALL_SPAN_NOTE in row.rule]
    if hidden:
        lines.append(f"注: {SMALL_SPAN_NOTE} ({'、'.join(hidden)})")
    if result.summary.rounding_note:
        lines.append(f"注: {result.summary.rounding_note}")
    lines += value_note_lines(result) + own_setting_lines(result)
    for row in result.rows:  # a note-only actual: the 備考 says why there is no value
        observation = row.observation
        if observation is not None and observation.value is None and observation.actual.note:
            lines.append(f"備考: {row.number} {row.kpi.name} (実績値なし): {observation.actual.note}")
    if result.narrative is not None:
        named = {
            section.id: f"{section.level}{section.number or ''}" for section, _ in result.plan.walk_sections()
        }
        parts = ["総括"] if result.narrative.summary else []
        parts += [named.get(key, key) for key in result.narrative.sections]
        lines.append(f"評価文あり: {result.year.label} の {'、'.join(parts)}")
    from kpitool.render.flow import Flow, words

    return [Flow([words(line)], indent=2) for line in lines]


def value_note_lines(result: PlanEvaluation) -> list[str]:
    """``注: ① 指標名 — 基準値: 参考値 ／ 実績値: 速報値``, one line per KPI with notes on its figures."""
    return [
        f"注: {row.number} {row.kpi.name} — {' ／ '.join(row.value_notes)}"
        for row in result.rows
        if row.value_notes
    ]


def own_setting_lines(result: PlanEvaluation) -> list[str]:
    """``注: ② 指標名 — 指標独自の評価設定で評価 (default, nearly_achieved=1)``, per such KPI."""
    return [
        f"注: {row.number} {row.kpi.name} — 指標独自の評価設定で評価 ({row.details['own_evaluation']})"
        for row in result.rows
        if "own_evaluation" in row.details
    ]


def summary_notes(summaries: Sequence[Summary]) -> list[RenderableType]:
    """注: the years of a 総括 whose rounded percents do not add up to 100.0."""
    missing = [summary for summary in summaries if summary.rounding_note]
    if not missing:
        return []
    totals = "、".join(f"{summary.year.label} {summary.percent_total}%" for summary in missing)
    from kpitool.render.flow import Flow, words

    return [Flow([words(f"注: {missing[0].rounding_note} (合計 {totals})")], indent=2)]
