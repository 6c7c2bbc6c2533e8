"""A KPI's outlook end to end: projection, ratio, status, reason, lag, on constructed series."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from kpitool.model.outlook_settings import OutlookMethod
from kpitool.outlook.status import OutlookStatus
from tests.outlook.conftest import line, plan_outlook, project

M, S = OutlookMethod, OutlookStatus


def increase(baseline: object = 100, target: object = 200, **extra: Any) -> dict[str, Any]:
    """Baseline at R2年度, target at R7年度: five years apart."""
    return {
        "direction": "increase",
        "baseline": {"value": baseline, "period": "R2年度"},
        "target": {"value": target, "period": "R7年度"},
        **extra,
    }


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ("19", S.ON_TRACK),  # 100 + 5 × 19 = 195: r = 0.95 exactly
        ("18.99", S.ACCELERATE),
        ("10", S.ACCELERATE),  # r = 0.5 exactly
        ("9.99", S.LIMITED),
        ("0", S.LIMITED),  # r = 0
        ("-0.01", S.REVERSE),
    ],
)
def test_every_status_edge_on_a_straight_line(change: str, status: OutlookStatus) -> None:
    row = project(increase(), line({"R3": Decimal(100) + Decimal(change)}))
    assert row.projected == 100 + 5 * Fraction(change)
    assert row.ratio == Fraction(change) / 20
    assert row.status is status


def test_a_series_moving_away_is_reverse() -> None:
    row = project(increase(), line({"R3": 90, "R4": 80}))
    assert row.projected == 50
    assert row.ratio == Fraction(-1, 2)
    assert row.status is S.REVERSE
    assert row.reason == "r = -0.500 (r < 0)"


def test_a_target_already_met_is_achieved_whatever_the_trend() -> None:
    row = project(increase(), line({"R3": 210, "R4": 205}))
    assert row.status is S.ACHIEVED
    assert row.reason == "the latest actual meets the target"
    assert project(increase(target=205), line({"R4": 205})).status is S.ACHIEVED


def test_a_strict_target_must_be_passed() -> None:
    kpi = increase()
    kpi["target"] = {"value": 200, "period": "R7年度", "strict": True}
    assert project(kpi, line({"R3": 200})).status is not S.ACHIEVED
    assert project(kpi, line({"R3": 201})).status is S.ACHIEVED


def test_one_point_only_or_no_baseline_is_insufficient_data() -> None:
    row = project(increase(), {})
    assert (row.status, row.reason) == (S.INSUFFICIENT_DATA, "fewer than two points (1)")
    assert row.projected is None
    assert row.lag_years is None
    assert row.final_data_in_period is None
    unbased = increase()
    del unbased["baseline"]
    row = project(unbased, line({"R3": 110, "R4": 120}))
    assert (row.status, row.reason) == (S.INSUFFICIENT_DATA, "no baseline")


def test_a_decrease_falling_to_zero() -> None:
    kpi = {
        "direction": "decrease",
        "baseline": {"value": 54, "period": "R2年度"},
        "target": {"value": 0, "period": "R7年度"},
    }
    falling = project(kpi, line({"R3": 32, "R4": 10}))  # 22 fewer a year: −56 by R7
    assert falling.projected == -56
    assert falling.ratio == Fraction(110, 54)
    assert falling.status is S.ON_TRACK
    assert project(kpi, line({"R3": 27, "R4": 0})).status is S.ACHIEVED
    assert project(kpi, line({"R3": 27, "R4": 0}), method=M.CAGR).status is S.ACHIEVED


def test_cagr_of_a_series_that_reached_zero_says_why_or_falls_back() -> None:
    actuals = line({"R3": 5, "R4": 0})
    row = project(increase(baseline=10, target=20), actuals, method=M.CAGR)
    assert row.status is S.INSUFFICIENT_DATA
    assert row.reason == "cagr needs positive values; R4年度 is 0"
    fallback = project(
        increase(baseline=10, target=20), actuals, method=M.CAGR, outlook={"cagr_fallback": "linear"}
    )
    assert fallback.method is M.LINEAR
    assert fallback.projected == -15
    assert fallback.status is S.REVERSE
    assert fallback.reason.startswith(
        "cagr needs positive values; R4年度 is 0: linear used (cagr_fallback); r = "
    )


def test_constant_growth_by_cagr() -> None:
    row = project(increase(target=170), line({"R3": 110, "R4": 121}), method=M.CAGR)
    assert row.projected == Fraction("161.051")
    assert row.ratio == Fraction("61.051") / 70
    assert row.projected_shown == Decimal("161.1")


def test_lagged_data_periods_place_the_points_and_set_the_lag() -> None:
    kpi = increase(baseline=90)
    kpi["baseline"]["period"] = "R1年度"
    actuals = {
        "R4": {"value": 100, "period": "R2年度"},
        "R5": {"value": 110, "period": "R3年度"},
        "R6": {"value": 120, "period": "R4年度"},
    }
    row = project(kpi, actuals)
    assert [p.period.label for p in row.points] == ["R1年度", "R2年度", "R3年度", "R4年度"]
    assert row.projected == 150  # 10 a year from R4年度 to R7年度, not from R6
    assert row.lag_years == 2
    # R7年度 data arrives in the R9 evaluation; the plan's last is R8 (the year after R2–R7)
    assert row.final_data_in_period is False
    assert project(kpi, {"R6": {"value": 120, "period": "R5年度"}}).final_data_in_period is True


def test_a_floor_kept_falling_behind_or_recovering() -> None:
    floor = {
        "direction": "at_least",
        "baseline": {"value": 100, "period": "R1年度"},
        "target": {"value": 100, "period": "R7年度"},
    }
    kept = project(floor, line({"R3": 100, "R4": 100}))
    assert (kept.status, kept.ratio) == (S.ACHIEVED, None)
    falling = project(floor, line({"R3": 95, "R4": 90}))
    assert falling.status is S.REVERSE
    assert falling.reason.endswith("misses the floor 100, moving away from it")
    recent = {"recent_years": 1}
    recovering = project(floor, line({"R3": 88, "R4": 90}), method=M.RECENT, outlook=recent)
    assert recovering.projected == 96
    assert recovering.status is S.ACCELERATE
    reaching = project(floor, line({"R3": 80, "R4": 90}), method=M.RECENT, outlook=recent)
    assert (reaching.projected, reaching.status) == (120, S.ON_TRACK)
    meets_now = project(floor, line({"R3": 110, "R4": 101}), method=M.RECENT, outlook=recent)  # −9 a year
    assert meets_now.status is S.REVERSE  # the latest meets the floor, the projection does not


def test_a_misdrawn_increase_below_its_baseline_is_a_floor() -> None:
    kpi = increase(baseline="13.60", target="13.50")
    row = project(kpi, line({"R3": "13.50", "R4": "13.40"}))
    assert row.direction.value == "at_least"
    assert row.ratio is None
    assert row.status is S.REVERSE


def test_a_running_total_counts_from_zero_and_reaches_its_total() -> None:
    kpi = {
        "direction": "increase",
        "cumulative": True,
        "baseline": {"value": None},
        "target": {"value": 11, "period": "R7年度"},
    }
    # 0 at 1 April R2, then 2 a year: 1 at R2年度 (half a year on), 3 at R3年度, 11 at R7年度
    row = project(kpi, line({"R2": 1, "R3": 3}))
    assert row.baseline == 0
    assert row.projected == 11
    assert (row.ratio, row.status) == (1, S.ON_TRACK)


def test_a_target_without_a_number_is_insufficient() -> None:
    kpi = {"direction": "increase", "target": {"basis": "baseline", "factor": 1, "period": "R7年度"}}
    row = project(kpi, line({"R3": 1, "R4": 2}))
    assert (row.status, row.reason) == (S.INSUFFICIENT_DATA, "no numeric target")


def test_the_plan_s_method_and_thresholds_apply_unless_the_command_names_a_method() -> None:
    actuals = line({"R3": 100, "R4": 121})
    settings = {"method": "cagr", "on_track": "0.9", "accelerate": "0.5", "limited": "0"}
    result = plan_outlook(increase(target=300), actuals, outlook=settings)
    assert result.method is M.CAGR
    assert result.rows[0].method is M.CAGR
    assert plan_outlook(increase(target=300), actuals, method=M.LINEAR, outlook=settings).method is M.LINEAR
    exact = plan_outlook(increase(target=200), line({"R3": 118}), method=M.LINEAR, outlook=settings).rows[0]
    assert (exact.ratio, exact.status) == (Fraction(9, 10), S.ON_TRACK)


def test_the_summary_counts_every_status() -> None:
    result = plan_outlook(increase(), line({"R3": 119}))
    assert list(result.summary) == list(S)
    assert result.summary[S.ON_TRACK] == 1
    assert sum(result.summary.values()) == 1


def test_a_target_of_a_range_s_last_year_is_projected_to_that_year() -> None:
    kpi = increase()
    kpi["target"] = {"value": 200, "period": "R5～R7", "over": "final_year"}
    row = project(kpi, line({"R3": 110}))
    assert row.projected == 150  # at R7年度, the range's last year, not its middle (R6年度: 140)


def test_a_target_of_every_year_is_a_level_to_keep() -> None:
    kpi = increase(baseline=100, target=120)
    kpi["target"] = {"value": 120, "period": "R2～R7", "every_year": True}
    row = project(kpi, line({"R3": 105, "R4": 115}))  # 7.5 a year: 136.67 at R7年度, above 120
    assert (row.ratio, row.status) == (None, S.ON_TRACK)
    assert "meets the floor 120" in row.reason


def test_a_total_over_several_years_is_not_projected() -> None:
    kpi = increase()
    kpi["target"] = {"value": 600, "period": "R4～R7", "over": "total"}
    row = project(kpi, line({"R4": 150, "R5": 150}))
    assert row.status is S.INSUFFICIENT_DATA
    assert row.reason == "a total over several years (over: total) is not projected"
