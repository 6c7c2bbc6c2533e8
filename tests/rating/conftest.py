"""Shared fixtures of the rating tests: one KPI, a plan holding it, its actuals, and exact rates.

KPIs are small explicit fixtures (``KPI.model_validate`` with Decimal values).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import KPI, Plan
from kpitool.rating.engine import evaluate_plan
from kpitool.rating.results import Evaluation, PlanEvaluation
from kpitool.values.fiscal_year import FiscalYear

D = Decimal
HUNDRED, TWO_HUNDRED = Decimal(100), Decimal(200)


def make_kpi(
    direction: str = "increase",
    baseline: Decimal | None = HUNDRED,
    target: Decimal | None = TWO_HUNDRED,
    *,
    unit: str = "人",
    strict: bool = False,
    factor: Decimal | None = None,
    has_baseline: bool = True,
    baseline_period: str = "R2年度",
    target_period: str = "R7年度",
    interim: tuple[tuple[Decimal, str], ...] = (),
    kpi_id: str = "k",
) -> KPI:
    """A KPI; ``factor`` makes the target ``basis: baseline`` (維持 = 1, 8割減 = 0.2)."""
    data: dict[str, Any] = {
        "id": kpi_id,
        "name": "テスト指標",
        "unit": unit,
        "direction": direction,
        "target": {"value": target, "period": target_period, "strict": strict},
    }
    if factor is not None:
        data["target"] = {"basis": "baseline", "factor": factor, "period": target_period}
    if has_baseline:
        data["baseline"] = {"value": baseline, "period": baseline_period}
    if interim:
        data["interim_targets"] = [{"value": v, "period": p} for v, p in interim]
    return KPI.model_validate(data)


def evaluate(
    kpis: list[KPI],
    actuals: Mapping[str, Mapping[str, Mapping[str, Any]]],
    year: str = "R6",
    evaluation: Mapping[str, Any] | None = None,
) -> PlanEvaluation:
    """Grade a one-section-less plan holding ``kpis`` for ``year``."""
    plan = Plan.model_validate(
        {
            "id": "t",
            "title": "テスト計画",
            "kind": "comprehensive_plan",
            "municipality": "テスト市",
            "evaluation": evaluation,
            "kpis": kpis,
        }
    )
    recorded = ActualsFile.model_validate({"plan": "t", "actuals": actuals})
    return evaluate_plan(plan, recorded, FiscalYear.parse(year))


def rate(
    kpi: KPI,
    actual: Decimal | None,
    *,
    evaluation: Mapping[str, Any] | None = None,
    **extra: Any,
) -> Evaluation:
    """Grade one KPI whose R6 actual is ``actual`` (with its data period R6年度)."""
    entry = {"value": actual, "period": "R6年度", **extra}
    return evaluate([kpi], {kpi.id: {"R6": entry}}, evaluation=evaluation).rows[0]


def same_ratio(value: Decimal | None, exact: Fraction | None) -> bool:
    """A rate equals the exact fraction (to the engine's 34 digits when it does not terminate)."""
    if value is None or exact is None:
        return value is exact
    return abs(Fraction(value) - exact) < Fraction(1, 10**30)


F = Fraction

# Strategies of the property tests: whole figures (scaled to decimals) and every direction.
values = st.integers(min_value=-(10**7), max_value=10**7)


directions = st.sampled_from(["increase", "decrease", "at_least", "at_most"])


def scaled(number: int | None, places: int) -> Decimal | None:
    """``number`` × 10^-places, exactly (None stays None)."""
    return None if number is None else D(number).scaleb(-places)
