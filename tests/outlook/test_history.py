"""A KPI's history: one row per evaluation year with its grades, the outlook, the sparkline."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from kpitool.model.actuals import ActualsFile
from kpitool.outlook.history import SPARKS, KpiHistory, plan_history, recorded_years, sparkline
from kpitool.outlook.series import Point
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import parse_period
from tests.outlook.conftest import make_plan

KPI = {
    "direction": "increase",
    "baseline": {"value": 100, "period": "R2年度"},
    "target": {"value": 200, "period": "R7年度"},
}
ACTUALS = {
    "R4": {"value": 110, "period": "R3年度"},
    "R5": {"value": None},
    "R6": {"value": 130, "period": "R5年度", "official_grade": "×"},
}


def history(year: str = "R6") -> list[KpiHistory]:
    plan = make_plan(KPI)
    record = ActualsFile.model_validate({"plan": "demo", "actuals": {"k": ACTUALS}})
    return plan_history(plan, record, ["k"], FiscalYear.parse(year))


def test_each_recorded_evaluation_year_is_a_row_with_its_grades() -> None:
    (item,) = history()
    assert [(row.year.label, row.value, row.period.label if row.period else None) for row in item.rows] == [
        ("R4", 110, "R3年度"),
        ("R5", None, None),  # recorded as — : shown, graded —
        ("R6", 130, "R5年度"),
    ]
    assert item.rows[1].computed == "—"
    r6 = item.rows[-1]
    # 30 of the 100 planned: 進捗率 0.3 > 0 is △ by the default rule, the published grade ×
    assert (r6.computed, r6.official, r6.grade) == ("△", "×", "×")


def test_the_outlook_is_at_the_year_asked_for() -> None:
    (item,) = history("R4")
    assert [p.value for p in item.outlook.points] == [100, 110]
    assert item.outlook.projected == 150  # 10 a year from R2年度: four more years after R3年度
    (latest,) = history()
    assert [p.value for p in latest.outlook.points] == [100, 110, 130]  # still 10 a year
    assert latest.outlook.projected == 150


def test_recorded_years_are_those_of_the_kpis_asked_for() -> None:
    plan = make_plan(KPI)
    record = ActualsFile.model_validate({"plan": "demo", "actuals": {"k": ACTUALS}})
    assert [y.label for y in recorded_years(plan, record, ["k"])] == ["R4", "R5", "R6"]
    assert recorded_years(plan, None, ["k"]) == []


def _points(*values: int) -> list[Point]:
    period = parse_period("R2年度")
    return [Point(period, Fraction(index), Decimal(value), None) for index, value in enumerate(values)]


def test_sparkline_spans_lowest_to_highest_exactly() -> None:
    assert sparkline(_points(0, 7, 14)) == SPARKS[0] + SPARKS[4] + SPARKS[7]  # 3.5 rounds half up
    assert sparkline(_points(5, 5)) == SPARKS[3] * 2
    assert sparkline([]) == ""
