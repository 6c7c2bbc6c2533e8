"""The points known at an evaluation year: data periods, not evaluation years; the latest value wins."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from kpitool.model.actuals import ActualsFile
from kpitool.outlook.series import Point, baseline_value, known_points
from kpitool.outlook.timeline import period_time
from kpitool.rating.engine import index_actuals
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import parse_period
from tests.outlook.conftest import make_plan

KPI: dict[str, Any] = {
    "direction": "increase",
    "baseline": {"value": 90, "period": "R1年度"},
    "target": {"value": 150, "period": "R7年度"},
}


def points(
    actuals: dict[str, dict[str, Any]], year: str = "R6", kpi: dict[str, Any] = KPI
) -> tuple[Point, ...]:
    plan = make_plan(kpi)
    record = ActualsFile.model_validate({"plan": "demo", "actuals": {"k": actuals}})
    observations = index_actuals(plan.kpis, record).get("k", {})
    return known_points(plan.kpis[0], observations, FiscalYear.parse(year), plan.period)


def test_each_actual_sits_at_its_data_period_not_its_evaluation_year() -> None:
    found = points({"R6": {"value": 120, "period": "R4年度"}, "R5": {"value": 110, "period": "R3年度"}})
    assert [p.period.label for p in found] == ["R1年度", "R3年度", "R4年度"]
    assert [p.year.label if p.year else None for p in found] == [None, "R5", "R6"]
    assert found[-1].time == period_of("R4年度")


def period_of(label: str) -> Fraction:
    return period_time(parse_period(label))


def test_the_latest_evaluation_year_wins_for_a_data_period() -> None:
    found = points({"R4": {"value": 100, "period": "R2年度"}, "R5": {"value": 104, "period": "令和2年度"}})
    assert [(p.period.label, p.value) for p in found] == [("R1年度", 90), ("令和2年度", 104)]


def test_a_revised_baseline_period_takes_the_actual() -> None:
    found = points({"R4": {"value": 91, "period": "R1年度"}})
    assert [(p.value, p.year) for p in found] == [(91, FiscalYear.parse("R4"))]


def test_only_the_years_up_to_the_evaluation_year_are_known() -> None:
    actuals = {"R4": {"value": 100, "period": "R4年度"}, "R6": {"value": 120, "period": "R6年度"}}
    assert [p.value for p in points(actuals, "R5")] == [90, 100]
    assert [p.value for p in points(actuals, "R6")] == [90, 100, 120]


def test_an_actual_without_period_counts_for_its_evaluation_year_and_no_value_is_no_point() -> None:
    found = points({"R4": {"value": 100}, "R5": {"value": None, "period": "R5年度"}})
    assert [p.period for p in found] == [parse_period("R1年度"), parse_period("R4")]


def test_a_running_total_without_baseline_counts_from_zero_at_the_plan_start() -> None:
    kpi = {
        "direction": "increase",
        "cumulative": True,
        "baseline": {"value": None},
        "target": {"value": 12, "period": "R7年度"},
    }
    found = points({"R3": {"value": 3, "period": "R3年度"}}, kpi=kpi)
    assert [(p.period.label, p.value) for p in found] == [("R2.4.1", 0), ("R3年度", 3)]
    assert found[0].time == 2020 + Fraction(1, 4)
    assert baseline_value(make_plan(kpi).kpis[0]) == Decimal(0)


def test_a_baseline_without_value_is_no_point_unless_a_running_total() -> None:
    kpi = {
        "direction": "increase",
        "baseline": {"value": None, "period": "R1年度"},
        "target": {"value": 12, "period": "R7年度"},
    }
    assert [p.value for p in points({"R3": {"value": 3, "period": "R3年度"}}, kpi=kpi)] == [3]
