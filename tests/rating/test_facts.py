"""Tests for kpitool.rating.facts: rates from a missing baseline, targets on the wrong side of the
baseline (floors and ceilings), strict targets, and expected values (期待値 / 目安値).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from kpitool.model.plan import Direction
from kpitool.rating.facts import expected_value
from tests.rating.conftest import (
    D,
    F,
    make_kpi,
    rate,
    same_ratio,
)

# --------------------------------------------------------------------------- #
# 進捗率 and the direction applied


@pytest.mark.parametrize("has_baseline", [True, False], ids=["baseline-null", "no-baseline"])
@pytest.mark.parametrize(
    ("actual", "grade", "progress"),
    [("3", "△", F(3, 10)), ("0", "×", F(0)), ("10", "○", F(1))],
)
def test_missing_baseline_counts_as_zero(
    has_baseline: bool, actual: str, grade: str, progress: Fraction
) -> None:
    """The seeds' "—" baselines are counts that start from zero."""
    row = rate(make_kpi("increase", None, D(10), has_baseline=has_baseline), D(actual))
    assert row.baseline is None
    assert row.grade == grade
    assert same_ratio(row.progress, progress)


@pytest.mark.parametrize(
    ("actual", "grade", "words"),
    [
        ("13.50", "○", "target reached"),
        ("13.70", "○", "target reached"),
        ("13.44", "○", "nearly achieved"),  # 13.44 / 13.50 = 99.56%
        ("13.40", "×", "floor not met"),  # a decline: never △
        ("13.20", "×", "floor not met"),
    ],
)
def test_target_on_the_wrong_side_is_a_floor(actual: str, grade: str, words: str) -> None:
    """年少人口割合 13.60% → 13.50%, higher is better: graded as at_least."""
    kpi = make_kpi("increase", D("13.60"), D("13.50"), unit="%")
    row = rate(kpi, D(actual))
    assert row.direction is Direction.AT_LEAST
    assert row.grade == grade
    assert words in row.rule
    assert "graded as a floor (at_least)" in row.rule
    # The naive ratio of two negative differences, (13.40 − 13.60) / (13.50 − 13.60) = 2.0,
    # would call the decline progress; the engine leaves it undefined.
    assert row.progress is None


@pytest.mark.parametrize(("actual", "grade"), [("11", "○"), ("12.05", "○"), ("13", "×")])
def test_target_on_the_wrong_side_is_a_ceiling(actual: str, grade: str) -> None:
    row = rate(make_kpi("decrease", D(10), D(12)), D(actual))
    assert row.direction is Direction.AT_MOST
    assert row.grade == grade
    assert "graded as a ceiling (at_most)" in row.rule
    assert row.progress is None


def test_strict_targets_are_not_reached_by_their_value() -> None:
    """超 / 未満: the value itself is not "reached"; the default rule still calls 100% nearly achieved."""
    above = make_kpi("increase", D(17000), D(17187), strict=True)
    at_value = rate(above, D(17187))
    assert at_value.grade == "○"
    assert at_value.rule.startswith("nearly achieved")
    assert rate(above, D(17188)).rule == "target reached"
    bands = {"scheme": "progress_bands"}
    assert rate(above, D(17187), evaluation=bands).computed.key == "mostly_on_track"
    assert rate(above, D(17188), evaluation=bands).computed.key == "on_track"
    below = make_kpi("at_most", D("1.5"), D("1.0"), unit="%", strict=True)
    assert rate(below, D("1.0")).rule.startswith("nearly achieved")
    assert rate(below, D("0.9")).rule == "target reached"
    assert rate(below, D("1.0"), evaluation={"scheme": "baseline_tolerance"}).computed.key != "s"


# --------------------------------------------------------------------------- #
# Expected values (期待値 / 目安値)


def test_expected_value_interpolates_exactly() -> None:
    kpi = make_kpi("increase", D(100), D(130), baseline_period="R2年度", target_period="R5年度")
    assert expected_value(kpi, 2021) == 110  # not 109.99…: multiplied before dividing
    assert expected_value(kpi, 2020) == 100
    assert expected_value(kpi, 2023) == 130
    assert expected_value(kpi, 2030) == 130  # after the target: the target
    assert expected_value(kpi, 2019) is None  # before the baseline: unknown


def test_expected_value_uses_interim_targets() -> None:
    kpi = make_kpi("increase", D(100), D(190), interim=((D(160), "R4年度"),))
    assert expected_value(kpi, 2022) == 160
    assert expected_value(kpi, 2021) == 130  # between R2 (100) and the interim R4 (160)
    assert expected_value(kpi, 2023) == 170  # between the interim R4 (160) and R7 (190)


def test_expected_value_from_a_dated_dash_baseline_starts_at_zero() -> None:
    kpi = make_kpi("increase", None, D(50), baseline_period="R2年度", target_period="R7年度")
    assert expected_value(kpi, 2022) == 20
    assert expected_value(make_kpi("increase", None, D(50), has_baseline=False), 2022) is None


# --------------------------------------------------------------------------- #
# 進捗率 over a span below 1% of the baseline is not shown


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "hidden"),
    [
        pytest.param("increase", 85885, 86000, True, id="art-museum-0.13%"),
        pytest.param("increase", 10558, 10700, False, id="tourists-1.3%"),
        pytest.param("increase", 1000, 1010, False, id="exactly-1%-is-shown"),
        pytest.param("increase", 1000, "1009.99", True, id="just-below-1%"),
        pytest.param("decrease", 1000, 995, True, id="decrease-0.5%"),
        pytest.param("increase", -1000, -995, True, id="negative-baseline"),
        pytest.param("increase", 0, "0.001", False, id="zero-baseline"),
    ],
)
def test_progress_is_hidden_over_a_span_below_one_percent(
    direction: str, baseline: int, target: int | str, hidden: bool
) -> None:
    row = rate(make_kpi(direction, D(baseline), D(target)), D(baseline) - 1)
    assert (row.progress is None) is hidden
    assert ("進捗率 not shown: target − baseline is below 1% of the baseline" in row.rule) is hidden


def test_a_hidden_progress_still_grades_by_the_side_of_the_baseline() -> None:
    """85,885 → 86,000: a fall is ×, a rise short of ○ is △, as 進捗率 > 0 would say."""
    kpi = make_kpi("increase", D(85885), D(86000))
    fell, below = rate(kpi, D(52339)), rate(kpi, D(85000))
    assert (fell.grade, fell.progress, fell.achievement is not None) == ("×", None, True)
    assert fell.rule.startswith("not better than the baseline: no progress")
    small = make_kpi("increase", D(100000), D(100900))  # 0.9%: 99.5% of the target is 100,395.5
    moved = rate(small, D(100200))
    assert (moved.grade, moved.progress) == ("△", None)
    assert moved.rule.startswith("better than the baseline: approaching the target")
    assert below.grade == "×"
