"""総括 in machine-readable form: JSON per plan and year, and the long CSV (one row per grade).

The rendering of ``summary --format json|csv``; the shapes shared with ``evaluate`` (plan,
percents, CSV for Excel) come from :mod:`kpitool.render.machine`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kpitool.model.plan import Plan
from kpitool.rating.results import Published, Summary
from kpitool.render.left_out import with_left_out
from kpitool.render.machine import csv_text, percents_json, plan_json, to_json
from kpitool.sources.selection import NOTHING_LEFT_OUT, LeftOut

__all__ = ["SUMMARY_CSV_COLUMNS", "summaries_csv", "summaries_json"]


def _published_json(published: Published | None) -> dict[str, Any] | None:
    if published is None:
        return None
    return {
        "counts": dict(published.counts),
        "total": published.total,
        "matches": published.matches,
        "differing": list(published.differing),
        "source": published.source,
    }


def _year_json(summary: Summary) -> dict[str, Any]:
    """One year of the 総括: counts, percents, how many grades are official, the published counts."""
    return {
        "label": summary.year.label,
        "fiscal_year": summary.year.year,
        "counts": dict(summary.counts),
        **percents_json(summary),
        "total": summary.total,
        "official_grades": summary.official,
        "official_overrides": summary.overridden,
        "published": _published_json(summary.published),
    }


def summaries_json(
    plan_summaries: Sequence[tuple[Plan, Sequence[Summary]]], left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    """総括 as JSON: per plan, per year, counts and percents of each grade; and the plans left out."""
    items = []
    for plan, summaries in plan_summaries:
        grades = summaries[0].grades if summaries else ()
        items.append(
            {
                "plan": plan_json(plan),
                "grades": [
                    {"key": g.key, "symbol": g.symbol, "label": g.label, "criterion": g.criterion}
                    for g in grades
                ],
                "years": [_year_json(s) for s in summaries],
            }
        )
    items = [with_left_out(item, left_out) for item in items]
    return to_json(items[0] if len(items) == 1 else items)


SUMMARY_CSV_COLUMNS = (
    "plan_id",
    "year",
    "fiscal_year",
    "grade",
    "count",
    "percent",
    "criterion",
    "label",
    "published_count",
    "published_matches",
    "published_source",
    "official_grades",
    "official_overrides",
)
"""The columns of ``summary --format csv``; the ``published_*`` ones are empty for a year
without a recorded 公表総括, ``published_matches`` and ``official_*`` repeat on each row of a year."""


def summaries_csv(plan_summaries: Sequence[tuple[Plan, Sequence[Summary]]]) -> str:
    """総括 as long CSV: plan, year, grade, count, percent, criterion, then the published count."""
    rows = []
    for plan, summaries in plan_summaries:
        for s in summaries:
            published = s.published
            year = [
                "" if published is None else str(published.matches).lower(),
                "" if published is None else published.source,
                s.official,
                s.overridden,
            ]
            for grade in s.grades:
                rows.append(
                    [
                        plan.id,
                        s.year.label,
                        s.year.year,
                        grade.symbol,
                        s.counts.get(grade.symbol, 0),
                        s.percents[grade.symbol],
                        grade.criterion,
                        grade.label,
                        "" if published is None else published.counts.get(grade.symbol, 0),
                        *year,
                    ]
                )
            rows.append(
                [
                    plan.id,
                    s.year.label,
                    s.year.year,
                    "計",
                    s.total,
                    s.percent_total,
                    s.rounding_note or "",
                    "",
                    "" if published is None else published.total,
                    *year,
                ]
            )
    return csv_text(rows, SUMMARY_CSV_COLUMNS)
