"""施策別 — the sections of a plan graded from their KPIs (:mod:`kpitool.rating.rollup`), as the
JSON ``sections`` list and the 施策別 block under the terminal table.

Both appear for every plan with sections: counts only (grade null) unless the plan's
``evaluation.rollup`` sets a method that grades sections.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kpitool.model.plan import section_heading
from kpitool.model.rollup_settings import RollupMethod
from kpitool.rating.results import PlanEvaluation
from kpitool.rating.rollup import SectionResult, section_results
from kpitool.values.numbers import round_half_up

if TYPE_CHECKING:
    from kpitool.render.flow import Atom, Flow

__all__ = ["section_lines", "sections_member", "summary_section_lines", "with_year_sections"]


def _value(result: SectionResult) -> float | None:
    return None if result.value is None else float(round_half_up(result.value, 4))


def sections_member(result: PlanEvaluation) -> dict[str, Any]:
    """``{"sections": [...]}`` for a plan with sections, else ``{}``."""
    sections = section_results(result)
    if not sections:
        return {}
    return {
        "sections": [
            {
                "id": found.section.id,
                "title": found.section.title,
                "level": found.section.level,
                "number": found.section.number,
                "depth": found.depth,
                "counts": dict(found.counts),
                "total": found.total,
                "grade": found.grade,
                "value": _value(found),
            }
            for found in sections
        ]
    }


def _method_words(result: PlanEvaluation) -> str:
    settings = result.plan.evaluation
    rollup = settings.rollup if settings else None
    if rollup is None or rollup.method is RollupMethod.COUNTS:
        return "件数"
    if rollup.method is RollupMethod.WORST:
        return "最も低い評価"
    if rollup.method is RollupMethod.MEAN_SCORE:
        scores = " ".join(f"{symbol}{score.normalize():f}" for symbol, score in rollup.scores.items())
        return f"平均点: {scores}"
    return f"{'・'.join(rollup.count)}の割合"


def _shown_value(result: PlanEvaluation, value: Decimal) -> str:
    settings = result.plan.evaluation
    if settings and settings.rollup and settings.rollup.method is RollupMethod.SHARE_AT_LEAST:
        return f"{round_half_up(value * 100, 1)}%"
    return f"{round_half_up(value, 2)}"


def section_lines(result: PlanEvaluation, title: str = "施策別") -> list[Flow]:
    """The 施策別 block: one line per section, indented by its level, counts then its grade."""
    from kpitool.render.flow import Atom, Flow, token, words  # here: the JSON needs no rich
    from kpitool.render.totals import grade_atom

    sections = section_results(result)
    if not sections:
        return []
    lines = [Flow([[token(title, "bold"), *words(f"({_method_words(result)})", gap=1)]])]
    for found in sections:
        atoms: list[Atom] = [token("  " * (found.depth + 1)), *words(section_heading(found.section))]
        for index, (symbol, count) in enumerate(found.counts.items()):
            mark = grade_atom(result.scheme, symbol)
            atoms.append(Atom((*mark.pieces, (f" {count}", "")), 2 if index else 3))
        atoms.append(token(f"計 {found.total}", gap=2))
        if found.grade is not None:
            atoms.append(token(f"→ {found.grade}", "bold", gap=3))
        if found.value is not None:
            atoms.append(token(f"({_shown_value(result, found.value)})", gap=1))
        lines.append(Flow([atoms], indent=2 * found.depth + 4))
    return lines


def summary_section_lines(results: Sequence[PlanEvaluation]) -> list[Flow]:
    """``summary``'s 施策別: each year's block under the 総括 table, headed by the year."""
    lines: list[Flow] = []
    for result in results:
        lines += section_lines(result, f"施策別 {result.year.label}")
    return lines


def with_year_sections(
    text: str, plans: Sequence[tuple[Any, Sequence[PlanEvaluation]]], dump: Callable[[Any], str]
) -> str:
    """``summary``'s JSON with a ``sections`` member per year (R4 → [...]) for plans with sections.

    The text is unchanged (not even parsed) when no plan has sections.
    """
    by_plan = {
        results[0].plan.id: {
            r.year.label: sections_member(r)["sections"] for r in results if sections_member(r)
        }
        for _plan, results in plans
        if results
    }
    by_plan = {plan_id: years for plan_id, years in by_plan.items() if years}
    if not by_plan:
        return text
    data = json.loads(text)
    for item in data if isinstance(data, list) else [data]:
        if item["plan"]["id"] in by_plan:
            item["sections"] = by_plan[item["plan"]["id"]]
    return dump(data)
