"""``evaluate --compare-schemes``: the KPIs whose verdict depends on the scheme, for people
(grouped by verdict, fitting any width) and as JSON or CSV (every KPI under every preset).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from rich.text import Text

from kpitool.rating.compare import Comparison, KpiVerdicts, Verdict
from kpitool.render.flow import Atom, Flow, token, words
from kpitool.render.machine import csv_text, plan_json, to_json

__all__ = ["comparison_csv", "comparison_json", "comparison_lines"]


def _kpi_lines(kpi: KpiVerdicts) -> list[Flow]:
    row = kpi.row
    own = token(f"(この計画の方式で {row.computed.symbol})", gap=2)
    lines = [Flow([[token(row.number), *words(row.kpi.name, gap=1), own]])]
    for verdict in (Verdict.ACHIEVED, Verdict.APPROACHING, Verdict.BEHIND, Verdict.NOT_JUDGED):
        names = [f"{name} {symbol}" for name, (symbol, found) in kpi.grades.items() if found is verdict]
        if names:
            atoms: list[Atom] = [token("  "), token(f"{verdict.label}:")]
            atoms += [
                token(f"{name}{',' if i < len(names) - 1 else ''}", gap=1) for i, name in enumerate(names)
            ]
            lines.append(Flow([atoms], indent=4))
    return lines


def comparison_lines(comparison: Comparison) -> list[RenderableType]:
    """The title, each KPI whose verdict depends on the scheme with the presets by verdict, a count."""
    plan, year = comparison.plan, comparison.year
    out: list[RenderableType] = [Flow([words(f"{plan.title} — {year.label} 評価方式による違い", "italic")])]
    out.append(Flow([words(f"評価方式: {', '.join(comparison.presets)}")], indent=2))
    for kpi in comparison.depending:
        out += _kpi_lines(kpi)
    total, depending = len(comparison.kpis), len(comparison.depending)
    out.append(Flow([words(f"評価方式により判定が変わる指標: {depending} / {total}")]))
    out.append(Text(""))
    return out


def _kpi_json(kpi: KpiVerdicts) -> dict[str, Any]:
    return {
        "id": kpi.row.kpi.id,
        "no": kpi.row.number,
        "name": kpi.row.kpi.name,
        "depends_on_scheme": kpi.depends_on_scheme,
        "grades": {
            name: {"grade": symbol, "verdict": verdict.value}
            for name, (symbol, verdict) in kpi.grades.items()
        },
    }


def comparison_json(comparisons: Sequence[Comparison]) -> str:
    """Per plan: the presets, every KPI's grades and verdicts, and the ids that depend on the scheme."""
    items = [
        {
            "plan": plan_json(c.plan),
            "year": {"label": c.year.label, "fiscal_year": c.year.year},
            "presets": list(c.presets),
            "kpis": [_kpi_json(kpi) for kpi in c.kpis],
            "depends_on_scheme": [kpi.row.kpi.id for kpi in c.depending],
        }
        for c in comparisons
    ]
    return to_json(items[0] if len(items) == 1 else items)


COMPARISON_CSV_COLUMNS = (
    "plan_id",
    "year",
    "id",
    "no",
    "name",
    "preset",
    "grade",
    "verdict",
    "depends_on_scheme",
)


def comparison_csv(comparisons: Sequence[Comparison]) -> str:
    """One row per KPI and preset."""
    rows = [
        [
            c.plan.id,
            c.year.label,
            kpi.row.kpi.id,
            kpi.row.number,
            kpi.row.kpi.name,
            name,
            symbol,
            verdict.value,
            str(kpi.depends_on_scheme).lower(),
        ]
        for c in comparisons
        for kpi in c.kpis
        for name, (symbol, verdict) in kpi.grades.items()
    ]
    return csv_text(rows, COMPARISON_CSV_COLUMNS)
