"""A KPI's history (推移): its value, data period and grades in each evaluation year, and its outlook.

:func:`plan_history` grades the chosen KPIs of a plan in every evaluation year its actuals
record (:func:`kpitool.rating.engine.evaluate_plan`), so each year shows the grade the rule
computes beside the official one (公表評価), and projects each KPI at the last of those years,
or at the year asked for (:mod:`kpitool.outlook.engine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpitool.model.actuals import ActualsFile
from kpitool.model.outlook_settings import OutlookMethod
from kpitool.model.plan import KPI, Plan
from kpitool.outlook.engine import KpiOutlook, outlook_plan
from kpitool.outlook.series import Point
from kpitool.rating.engine import evaluate_plan, index_actuals
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import Period

__all__ = ["SPARKS", "HistoryRow", "KpiHistory", "plan_history", "recorded_years", "sparkline"]

SPARKS = "▁▂▃▄▅▆▇█"
"""The eight heights of a sparkline, lowest first."""


@dataclass(frozen=True)
class HistoryRow:
    """One evaluation year of a KPI: the value it reported, its data period and its grades."""

    year: FiscalYear
    value: Decimal | None
    period: Period | None
    grade: str
    """The grade shown: the official one where recorded, else the computed one."""
    computed: str
    official: str | None


@dataclass(frozen=True)
class KpiHistory:
    """A KPI's series over the evaluation years, and its outlook."""

    kpi: KPI
    number: str
    rows: tuple[HistoryRow, ...]
    outlook: KpiOutlook

    @property
    def sparkline(self) -> str:
        """The outlook's points (baseline and each data period, in time order) as a sparkline."""
        return sparkline(self.outlook.points)


def sparkline(points: Sequence[Point]) -> str:
    """One bar per point, its height the value's place between the lowest and the highest, exactly."""
    if not points:
        return ""
    values = [p.exact for p in points]
    low, high = min(values), max(values)
    if low == high:
        return SPARKS[len(SPARKS) // 2 - 1] * len(values)
    top = len(SPARKS) - 1
    return "".join(SPARKS[int((v - low) * top / (high - low) + Fraction(1, 2))] for v in values)


def recorded_years(plan: Plan, actuals: ActualsFile | None, kpi_ids: Sequence[str]) -> list[FiscalYear]:
    """The evaluation years the actuals record for any of the KPIs, oldest first."""
    index = index_actuals((kpi for kpi, _section in plan.iter_kpis()), actuals)
    return sorted({FiscalYear(y) for kpi_id in kpi_ids for y in index.get(kpi_id, {})})


def plan_history(
    plan: Plan,
    actuals: ActualsFile | None,
    kpi_ids: Sequence[str],
    year: FiscalYear,
    method: OutlookMethod | None = None,
) -> list[KpiHistory]:
    """The history of each KPI named (in plan order), its outlook projected at ``year``."""
    chosen = set(kpi_ids)

    def select(kpi: KPI) -> bool:
        return kpi.id in chosen

    years = recorded_years(plan, actuals, kpi_ids)
    graded = [evaluate_plan(plan, actuals, y, select=select) for y in years]
    outlooks = outlook_plan(plan, actuals, year, method, select=select)
    histories = []
    for position, outlook in enumerate(outlooks.rows):
        rows = []
        for evaluation in graded:
            row = evaluation.rows[position]
            observation = row.observation
            if observation is None:
                continue
            rows.append(
                HistoryRow(
                    evaluation.year,
                    observation.value,
                    observation.actual.period,
                    row.grade,
                    row.computed.symbol,
                    row.official,
                )
            )
        histories.append(KpiHistory(outlook.kpi, outlook.number, tuple(rows), outlook))
    return histories
