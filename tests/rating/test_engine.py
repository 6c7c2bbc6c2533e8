"""Tests for kpitool.rating.engine: the default ○/△/×/— rule on every branch, the other schemes,
official grades, the 総括 percentages, and properties that must hold for any figures.

KPIs are small explicit fixtures (``KPI.model_validate`` with Decimal values); the
scheme examples are the YAML of docs/rating.md, run through the real CLI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import KPI, Direction, EvaluationSettings, Plan
from kpitool.rating.engine import (
    SCHEMES,
    Evaluation,
    PlanEvaluation,
    RatingError,
    evaluate_plan,
    expected_value,
    largest_remainder_percents,
    resolve_scheme,
    summarise,
)
from kpitool.sources.yaml_strict import parse_yaml
from kpitool.values.periods import parse_fiscal_year

D = Decimal
HUNDRED, TWO_HUNDRED = Decimal(100), Decimal(200)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rating.md"

# --------------------------------------------------------------------------- #
# Fixtures: one KPI, one plan, its actuals


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
    return evaluate_plan(plan, recorded, parse_fiscal_year(year), year)


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

# --------------------------------------------------------------------------- #
# The default rule, branch by branch

# (direction, baseline, target, actual, grade, words of the rule, 達成率, 進捗率)
DEFAULT_CASES = [
    # increase 100 → 200
    pytest.param("increase", 100, 200, "200", "○", "target reached", F(1), F(1), id="inc-reached"),
    pytest.param("increase", 100, 200, "250", "○", "target reached", F(5, 4), F(3, 2), id="inc-beyond"),
    pytest.param(
        "increase", 100, 200, "199", "○", "nearly achieved", F(995, 1000), F(99, 100), id="inc-99.5%-exactly"
    ),
    pytest.param(
        "increase",
        100,
        200,
        "198.99",
        "△",
        "approaching",
        F(19899, 20000),
        F(9899, 10000),
        id="inc-below-99.5%",
    ),
    pytest.param("increase", 100, 200, "150", "△", "approaching", F(3, 4), F(1, 2), id="inc-halfway"),
    pytest.param("increase", 100, 200, "100", "×", "≤ 0", F(1, 2), F(0), id="inc-progress-exactly-0"),
    pytest.param(
        "increase", 100, 200, "100.01", "△", "approaching", F(10001, 20000), F(1, 10000), id="inc-just-moved"
    ),
    pytest.param("increase", 100, 200, "90", "×", "≤ 0", F(9, 20), F(-1, 10), id="inc-moved-away"),
    # decrease 300 → 199
    pytest.param("decrease", 300, 199, "199", "○", "target reached", F(1), F(1), id="dec-reached"),
    pytest.param(
        "decrease", 300, 199, "150", "○", "target reached", F(199, 150), F(150, 101), id="dec-beyond"
    ),
    pytest.param(
        "decrease", 300, 199, "200", "○", "nearly achieved", F(995, 1000), F(100, 101), id="dec-99.5%-exactly"
    ),
    pytest.param(
        "decrease",
        300,
        199,
        "200.01",
        "△",
        "approaching",
        F(19900, 20001),
        F(9999, 10100),
        id="dec-below-99.5%",
    ),
    pytest.param("decrease", 300, 199, "300", "×", "≤ 0", F(199, 300), F(0), id="dec-progress-exactly-0"),
    pytest.param("decrease", 300, 199, "310", "×", "≤ 0", F(199, 310), F(-10, 101), id="dec-moved-away"),
    # at_least 365 → 365 (維持)
    pytest.param("at_least", 365, 365, "365", "○", "target reached", F(1), None, id="floor-met"),
    pytest.param("at_least", 365, 365, "400", "○", "target reached", F(400, 365), None, id="floor-beyond"),
    pytest.param("at_least", 365, 365, "364", "○", "nearly achieved", F(364, 365), None, id="floor-nearly"),
    pytest.param("at_least", 365, 365, "363", "×", "floor not met", F(363, 365), None, id="floor-not-met"),
    # at_most 12 → 10: improving on the baseline is still × while above the ceiling
    pytest.param("at_most", 12, 10, "10", "○", "target reached", F(1), None, id="ceiling-met"),
    pytest.param("at_most", 12, 10, "8", "○", "target reached", F(10, 8), None, id="ceiling-under"),
    pytest.param(
        "at_most", 12, 10, "10.05", "○", "nearly achieved", F(1000, 1005), None, id="ceiling-nearly"
    ),
    pytest.param("at_most", 12, 10, "11", "×", "ceiling not met", F(10, 11), None, id="ceiling-not-met"),
    # 待機児童数 54 → 0: a zero target (達成率 target/actual is 0, or 0/0 undefined)
    pytest.param("decrease", 54, 0, "0", "○", "target reached", None, F(1), id="zero-target-reached"),
    pytest.param("decrease", 54, 0, "10", "△", "approaching", F(0), F(44, 54), id="zero-target-approaching"),
    pytest.param("decrease", 54, 0, "54", "×", "≤ 0", F(0), F(0), id="zero-target-no-move"),
    pytest.param("decrease", 54, 0, "60", "×", "≤ 0", F(0), F(-6, 54), id="zero-target-worse"),
    # 全国平均との差 ▲2.6 → 0: a zero target, higher is better (actual/0 undefined)
    pytest.param("increase", D("-2.6"), 0, "0", "○", "target reached", None, F(1), id="gap-closed"),
    pytest.param("increase", D("-2.6"), 0, "0.5", "○", "target reached", None, F(31, 26), id="gap-beyond"),
    pytest.param("increase", D("-2.6"), 0, "-1.0", "△", "approaching", None, F(16, 26), id="gap-narrowed"),
    pytest.param("increase", D("-2.6"), 0, "-2.6", "×", "≤ 0", None, F(0), id="gap-unchanged"),
    pytest.param("increase", D("-2.6"), 0, "-3", "×", "≤ 0", None, F(-4, 26), id="gap-widened"),
    # zero baselines
    pytest.param("increase", 0, 10, "0", "×", "≤ 0", F(0), F(0), id="zero-baseline-no-move"),
    pytest.param("increase", 0, 10, "5", "△", "approaching", F(1, 2), F(1, 2), id="zero-baseline-halfway"),
    pytest.param("increase", 0, 10, "10", "○", "target reached", F(1), F(1), id="zero-baseline-reached"),
    pytest.param("at_most", 0, 0, "0", "○", "target reached", None, None, id="zero-ceiling-kept"),
    pytest.param("at_most", 0, 0, "1", "×", "ceiling not met", F(0), None, id="zero-ceiling-broken"),
]


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "actual", "grade", "words", "achievement", "progress"), DEFAULT_CASES
)
def test_default_rule(
    direction: str,
    baseline: int | Decimal,
    target: int | Decimal,
    actual: str,
    grade: str,
    words: str,
    achievement: Fraction | None,
    progress: Fraction | None,
) -> None:
    row = rate(make_kpi(direction, D(baseline), D(target)), D(actual))
    assert row.computed.symbol == grade
    assert row.grade == grade
    assert words in row.rule
    assert same_ratio(row.achievement, achievement), row.achievement
    assert same_ratio(row.progress, progress), row.progress


def test_no_epsilon_at_the_995_boundary() -> None:
    """99.5% is compared exactly: a hair below is not "nearly achieved"."""
    kpi = make_kpi("increase", D(0), D(200))
    assert rate(kpi, D("199")).computed.key == "achieved"
    assert rate(kpi, D("198.9999999999999999")).computed.key == "approaching"


def test_no_actual_is_not_judged() -> None:
    kpi = make_kpi()
    row = rate(kpi, None)
    assert (row.grade, row.achievement, row.progress) == ("—", None, None)
    assert row.rule == "no actual for R6"
    empty = evaluate([kpi], {}).rows[0]
    assert empty.grade == "—"
    assert empty.observation is None


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


@pytest.mark.parametrize(
    ("direction", "baseline", "factor", "actual", "target", "grade"),
    [
        pytest.param("at_least", 365, "1", "365", 365, "○", id="maintain-kept"),
        pytest.param("at_least", 365, "1", "300", 365, "×", id="maintain-lost"),
        pytest.param("decrease", 100, "0.2", "20", 20, "○", id="80%-cut-reached"),
        pytest.param("decrease", 100, "0.2", "50", 20, "△", id="80%-cut-approaching"),
        pytest.param("decrease", 100, "0.2", "100", 20, "×", id="80%-cut-no-move"),
    ],
)
def test_targets_relative_to_the_baseline(
    direction: str, baseline: int, factor: str, actual: str, target: int, grade: str
) -> None:
    """維持 (= baseline × 1) and 基準値より8割減 (= baseline × 0.2)."""
    row = rate(make_kpi(direction, D(baseline), None, factor=D(factor)), D(actual))
    assert row.target == target
    assert row.grade == grade


def test_relative_target_without_a_baseline_cannot_be_judged() -> None:
    row = rate(make_kpi("decrease", None, None, factor=D("0.2")), D(5))
    assert row.target is None
    assert row.grade == "—"
    assert "target is not a number" in row.rule


def test_actuals_in_another_unit_are_converted_exactly() -> None:
    """45.0万人 recorded for a KPI counted in 人."""
    people = make_kpi("increase", D(400000), D(450000), unit="人")
    row = rate(people, D("45.0"), unit="万人")
    assert row.actual_value == 450000
    assert row.rule == "target reached"
    assert rate(people, D("44.8"), unit="万人").rule.startswith("nearly achieved")  # 448,000: 99.56%
    in_man = make_kpi("increase", D("40.0"), D("45.0"), unit="万人")
    assert rate(in_man, D(447000), unit="人").actual_value == D("44.7")


def test_unconvertible_actual_is_left_out() -> None:
    """An actual in 件 for a KPI in 人 is skipped here (validate reports it)."""
    row = rate(make_kpi(), D(150), unit="件")
    assert row.grade == "—"


# --------------------------------------------------------------------------- #
# Official grades


def test_official_grade_agreeing() -> None:
    row = rate(make_kpi(), D(200), official_grade="○")
    assert (row.grade, row.computed.symbol, row.official, row.disagrees) == ("○", "○", "○", False)


def test_official_grade_disagreeing_is_shown_and_listed() -> None:
    """Computed △, published ×: the row shows ×, keeps △, and the plan lists the disagreement."""
    kpis = [make_kpi(kpi_id="a"), make_kpi(kpi_id="b")]
    result = evaluate(
        kpis,
        {
            "a": {
                "R6": {"value": D(150), "official_grade": "×", "official_reason": "基準値を下回るものもある"}
            },
            "b": {"R6": {"value": D(150)}},
        },
    )
    first, second = result.rows
    assert (first.grade, first.computed.symbol, first.official) == ("×", "△", "×")
    assert first.official_reason == "基準値を下回るものもある"
    assert first.disagrees
    assert (second.grade, second.official, second.disagrees) == ("△", None, False)
    assert result.disagreements == (first,)
    assert result.summary.counts == {"○": 0, "△": 1, "×": 1, "—": 0}


# --------------------------------------------------------------------------- #
# 総括 percentages: largest remainder, adding up to exactly 100.0


def _assert_largest_remainder(counts: dict[str, int], percents: Mapping[str, Decimal]) -> None:
    total = sum(counts.values())
    assert list(percents) == list(counts)
    assert sum(percents.values()) == D("100.0")
    for key, count in counts.items():
        assert percents[key].as_tuple().exponent == -1
        assert abs(Fraction(percents[key]) - Fraction(100 * count, total)) < Fraction(1, 10)


def test_percents_of_the_seed_r5_row() -> None:
    """Seed 003, 総括 R5: ○3 △2 ×7 —0 of 12 is printed 25.0 / 16.7 / 58.3 / 0.0."""
    counts = {"○": 3, "△": 2, "×": 7, "—": 0}
    percents = largest_remainder_percents(counts)
    assert percents == {"○": D("25.0"), "△": D("16.7"), "×": D("58.3"), "—": D("0.0")}
    _assert_largest_remainder(counts, percents)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # 49 KPIs (総合戦略): 20.408 / 26.531 / 53.061 floor to 99.9; ×'s remainder is largest
        ((10, 13, 26, 0), ("20.4", "26.5", "53.1", "0.0")),
        # 7 KPIs: 14.286 / 28.571 / 57.143 floor to 99.8; the two largest remainders get 0.1
        ((1, 2, 4, 0), ("14.3", "28.6", "57.1", "0.0")),
        # three equal shares: the tie goes to the grade listed first
        ((1, 1, 1, 0), ("33.4", "33.3", "33.3", "0.0")),
        ((0, 0, 0, 6), ("0.0", "0.0", "0.0", "100.0")),
    ],
)
def test_percents_of_awkward_totals(counts: tuple[int, ...], expected: tuple[str, ...]) -> None:
    keyed = dict(zip("○△×—", counts, strict=True))
    percents = largest_remainder_percents(keyed)
    assert percents == dict(zip("○△×—", map(D, expected), strict=True))
    _assert_largest_remainder(keyed, percents)


def test_percents_of_nothing_are_zero() -> None:
    assert largest_remainder_percents({"○": 0, "×": 0}) == {"○": D("0.0"), "×": D("0.0")}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=6).filter(any))
def test_percents_always_add_up_to_100(numbers: list[int]) -> None:
    counts = {f"g{i}": n for i, n in enumerate(numbers)}
    _assert_largest_remainder(counts, largest_remainder_percents(counts))


def test_summary_counts_every_row_once() -> None:
    kpis = [make_kpi(kpi_id=f"k{i}") for i in range(7)]
    values = ["200", "150", "150", "90", "90", "90", None]
    result = evaluate(kpis, {f"k{i}": {"R6": {"value": v}} for i, v in enumerate(values) if v})
    assert result.summary.counts == {"○": 1, "△": 2, "×": 3, "—": 1}
    assert result.summary.total == 7
    again = summarise(result.rows, result.scheme, result.year, result.year_label)
    # 14.286 / 28.571 / 42.857 / 14.286: × has the smallest remainder, so it is the one left at 42.8
    assert again.percents == {"○": D("14.3"), "△": D("28.6"), "×": D("42.8"), "—": D("14.3")}


# --------------------------------------------------------------------------- #
# Properties

values = st.integers(min_value=-(10**7), max_value=10**7)
directions = st.sampled_from(["increase", "decrease", "at_least", "at_most"])


@settings(max_examples=200, deadline=None)
@given(directions, st.none() | values, values, st.integers(min_value=0, max_value=3))
def test_an_actual_equal_to_the_target_is_achieved(
    direction: str, baseline: int | None, target: int, places: int
) -> None:
    """Whatever the direction, baseline and target, hitting a (non-strict) target is ○."""
    scale = D(1).scaleb(-places)
    kpi = make_kpi(direction, None if baseline is None else D(baseline) * scale, D(target) * scale)
    row = rate(kpi, D(target) * scale)
    assert row.grade == "○"
    assert row.rule.startswith("target reached")


def _scaled(number: int | None, places: int) -> Decimal | None:
    return None if number is None else D(number).scaleb(-places)


# Schemes whose grade must not depend on the unit multiplier (baseline_tolerance in
# points is absolute, so it is left out).
UNIT_FREE = {
    "default": None,
    "progress_bands": {"scheme": "progress_bands"},
    "expected_value": {"scheme": "expected_value"},
    "achievement_bands": {"scheme": "achievement_bands"},
    "baseline_tolerance": {"scheme": "baseline_tolerance"},
    "trend_and_progress": {"scheme": "trend_and_progress"},
    "target_comparison": {"scheme": "target_comparison"},
}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(UNIT_FREE)),
    directions,
    st.none() | values,
    values,
    values,
    values,
    st.booleans(),
)
def test_grades_do_not_depend_on_the_unit_multiplier(
    scheme: str,
    direction: str,
    baseline: int | None,
    target: int,
    previous: int,
    actual: int,
    record_in_people: bool,
) -> None:
    """The same KPI counted in 人 and in 万人 (values scaled exactly) grades the same."""
    settings_block = UNIT_FREE[scheme]

    def graded(unit: str, places: int, actual_unit: str | None) -> Evaluation:
        kpi = make_kpi(direction, _scaled(baseline, places), _scaled(target, places), unit=unit)
        recorded_places = 0 if actual_unit == "人" else places
        history = {
            "R5": {"value": _scaled(previous, recorded_places), "period": "R5年度", "unit": actual_unit},
            "R6": {"value": _scaled(actual, recorded_places), "period": "R6年度", "unit": actual_unit},
        }
        return evaluate([kpi], {"k": history}, evaluation=settings_block).rows[0]

    people = graded("人", 0, None)
    man = graded("万人", 4, "人" if record_in_people else None)
    assert man.computed.key == people.computed.key
    assert man.achievement == people.achievement
    assert man.progress == people.progress
    assert man.actual_value == _scaled(actual, 4)


MIRRORED = {"increase": "decrease", "decrease": "increase", "at_least": "at_most", "at_most": "at_least"}
# The 達成率 is a ratio, defined for positive figures only, so negating the values
# changes it; reach and 進捗率 are what mirror. The default rule is checked with its
# "nearly achieved" band at 100% (where it adds nothing to reaching the target).
MIRROR_SCHEMES = {
    "default": {"options": {"nearly_achieved": D(1)}},
    "target_comparison": {"scheme": "target_comparison"},
    "baseline_tolerance": {"scheme": "baseline_tolerance"},
    "baseline_tolerance_points": {
        "scheme": "baseline_tolerance",
        "options": {"tolerance": 3, "points": True},
    },
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(MIRROR_SCHEMES)), directions, st.none() | values, values, values)
def test_mirroring_values_and_direction_mirrors_grades(
    scheme: str, direction: str, baseline: int | None, target: int, actual: int
) -> None:
    """increase (b, t, a) grades as decrease (−b, −t, −a); at_least as at_most."""
    block = MIRROR_SCHEMES[scheme]

    def negate(number: int | None) -> Decimal | None:
        return None if number is None else D(-number)

    straight = rate(make_kpi(direction, _scaled(baseline, 0), D(target)), D(actual), evaluation=block)
    mirrored = rate(
        make_kpi(MIRRORED[direction], negate(baseline), negate(target)), negate(actual), evaluation=block
    )
    assert mirrored.computed.key == straight.computed.key
    assert mirrored.progress == straight.progress
    assert mirrored.direction.value == MIRRORED[straight.direction.value]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["increase", "decrease"]), st.none() | values, values, values)
def test_a_decline_is_never_approaching(
    direction: str, baseline: int | None, target: int, actual: int
) -> None:
    """No movement, or movement away from the target, is never △ (whatever side the target is on)."""
    start = baseline or 0
    moved_away = actual <= start if direction == "increase" else actual >= start
    row = rate(make_kpi(direction, _scaled(baseline, 0), D(target)), D(actual))
    if moved_away:
        assert row.grade != "△"


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
# Scheme settings and their errors


def resolve(block: Mapping[str, Any]) -> Any:
    return resolve_scheme(EvaluationSettings.model_validate(block))


def test_every_scheme_resolves_with_its_defaults() -> None:
    for name, scheme_type in SCHEMES.items():
        scheme = resolve({"scheme": name})
        assert type(scheme) is scheme_type
        assert scheme.not_judged.symbol == "—"
        assert len(set(scheme.symbols())) == len(scheme.symbols())
    assert type(resolve_scheme(None)) is SCHEMES["default"]


@pytest.mark.parametrize(
    ("block", "words", "path"),
    [
        ({"scheme": "nope"}, "unknown evaluation scheme 'nope' (known: default, progress_bands", ()),
        (
            {"options": {"threshold": D("0.8")}},
            "scheme 'default' has no option 'threshold'",
            ("options", "threshold"),
        ),
        (
            {"scheme": "progress_bands", "grades": [{"key": "on_track"}, {"key": "great", "symbol": "◎"}]},
            "scheme 'progress_bands' has no grade 'great' (grades: on_track, mostly_on_track, behind, not_judged)",
            ("grades", 1, "key"),
        ),
        (
            {"options": {"nearly_achieved": "99.5%"}},
            "option 'nearly_achieved' must be a number",
            ("options", "nearly_achieved"),
        ),
        ({"options": {"nearly_achieved": D(-1)}}, "must be a number ≥ 0", ("options", "nearly_achieved")),
        (
            {"scheme": "progress_bands", "options": {"threshold": D(80)}},
            "option 'threshold' is 80; write ratios as fractions (0.8 = 80%)",
            ("options", "threshold"),
        ),
        (
            {"scheme": "achievement_bands", "options": {"b": D("1.2")}},
            "option 'a' (1.1) must not be below 'b' (1.2)",
            ("options", "b"),
        ),
        (
            {"scheme": "baseline_tolerance", "options": {"tolerance": D(10)}},
            "a relative tolerance of 10 is over 100%",
            ("options", "tolerance"),
        ),
        (
            {"scheme": "baseline_tolerance", "options": {"points": "yes"}},
            "option 'points' must be true or false",
            ("options", "points"),
        ),
        (
            {"scheme": "trend_and_progress", "options": {"on_track": D(1)}},
            "option 'on_track' must be text",
            ("options", "on_track"),
        ),
        (
            {"grades": [{"key": "approaching", "symbol": "○"}]},
            "two grades share a symbol (○, ○, ×, —)",
            ("grades",),
        ),
    ],
)
def test_bad_settings_raise_a_clear_rating_error(
    block: dict[str, Any], words: str, path: tuple[str | int, ...]
) -> None:
    with pytest.raises(RatingError) as caught:
        resolve(block)
    assert words in str(caught.value)
    assert caught.value.path == path


def test_points_tolerance_may_exceed_one() -> None:
    scheme = resolve({"scheme": "baseline_tolerance", "options": {"tolerance": D(3), "points": True}})
    assert scheme.options == {"tolerance": D(3), "points": True}


# --------------------------------------------------------------------------- #
# The schemes of other municipalities: the worked examples of docs/rating.md,
# run through the real CLI on a small plan.

PLAN_HEAD = """\
id: demo
title: テスト計画
kind: comprehensive_plan
municipality: テスト市
period: {start: R2, end: R7}
"""


def kpi_yaml(
    kpi_id: str,
    baseline: str,
    target: str,
    direction: str = "increase",
    extra: str = "",
    baseline_period: str = "R2年度",
) -> str:
    return (
        f"  - {{id: {kpi_id}, name: 指標{kpi_id}, unit: 人, direction: {direction},\n"
        f"     baseline: {{value: {baseline}, period: {baseline_period}}},\n"
        f"     target: {{value: {target}, period: R7年度}}{extra}}}\n"
    )


def run_scheme(
    runner: CliRunner,
    data_dir: Callable[..., Path],
    example: str,
    kpis: str,
    actuals: Mapping[str, Mapping[str, str]],
    year: str = "R6",
) -> dict[str, Any]:
    """Write a plan with the settings ``example`` and grade it; the JSON output and table text."""
    lines = ["plan: demo", "actuals:"]
    for kpi_id, years in actuals.items():
        lines.append(f"  {kpi_id}:")
        lines.extend(
            f"    {label}: {{value: {value}, period: {label}年度}}" for label, value in years.items()
        )
    root = data_dir(
        plans={"demo.yaml": PLAN_HEAD + example + "kpis:\n" + kpis},
        actuals={"demo.yaml": "\n".join(lines) + "\n"},
    )
    checked = runner.invoke(app, ["validate", str(root)])
    assert checked.exit_code == 0, checked.output
    result = runner.invoke(app, ["evaluate", "--data", str(root), "--year", year, "--format", "json"])
    assert result.exit_code == 0, result.output
    output: dict[str, Any] = json.loads(result.stdout)
    table = runner.invoke(app, ["evaluate", "--data", str(root), "--year", year, "--width", "300"])
    assert table.exit_code == 0, table.output
    output["table"] = table.stdout
    return output


def grades_of(output: Mapping[str, Any]) -> dict[str, str]:
    return {row["id"]: row["grade"] for row in output["kpis"]}


def example(name: str) -> str:
    """A worked settings example; the test below checks docs/rating.md prints it verbatim."""
    return EXAMPLES[name]


EXAMPLES = {
    "progress_bands": """\
evaluation:
  scheme: progress_bands
  options:
    threshold: 0.8            # B from 進捗率 80%
  grades:
    - {key: on_track, symbol: A, label: 順調, criterion: 目標値を達成した}
    - {key: mostly_on_track, symbol: B, label: おおむね順調, criterion: 進捗率が80%以上}
    - {key: behind, symbol: C, label: 努力を要する, criterion: 進捗率が80%未満}
""",
    "expected_value": """\
evaluation:
  scheme: expected_value
  options: {b_plus: 0.8, b: 0.5}
  grades:
    - {key: a, symbol: A, label: 順調, criterion: 実績値が期待値以上}
    - {key: b_plus, symbol: B+, label: おおむね順調, criterion: 期待値の80%以上100%未満}
    - {key: b, symbol: B, label: やや遅れ, criterion: 期待値の50%以上80%未満}
    - {key: c, symbol: C, label: 遅れ, criterion: 期待値の50%未満}
""",
    "achievement_bands": """\
evaluation:
  scheme: achievement_bands
  options: {a: 1.1, b: 0.8, c: 0.5}
""",
    "baseline_tolerance": """\
evaluation:
  scheme: baseline_tolerance
  options: {tolerance: 0.10}  # same level: within ±10% of the baseline
""",
    "baseline_tolerance_points": """\
evaluation:
  scheme: baseline_tolerance
  options: {tolerance: 3, points: true}  # survey percentages: within ±3 points
  grades:
    - {key: b, label: 横ばい, criterion: 基準値から±3ポイント以内}
""",
    "trend_and_progress": """\
evaluation:
  scheme: trend_and_progress
  options: {tolerance: 0, on_track: 順調, needs_improvement: 要改善}
""",
    "target_comparison": """\
evaluation:
  scheme: target_comparison
  grades:
    - {key: below, criterion: 目標値を下回ったが、基準値からは前進した}
""",
    "default_renamed": """\
evaluation:
  scheme: default
  options: {nearly_achieved: 0.99}
  grades:
    - {key: achieved, symbol: ◎, label: 達成, criterion: 目標を達成、または達成率99%以上}
    - {key: not_judged, symbol: "-", label: 実績なし, criterion: 実績値が未公表}
""",
}


def test_docs_print_every_worked_example() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name, text in EXAMPLES.items():
        assert f"```yaml\n{text}```" in docs, f"docs/rating.md lacks the {name} example"
        block = parse_yaml(text, f"{name}.yaml").data["evaluation"]
        resolve(block)


def test_scheme_progress_bands(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """1. A 順調 (target reached) / B おおむね順調 (進捗率 ≥ 80%) / C 努力を要する (< 80%)."""
    kpis = (
        kpi_yaml("reached", "100", "200")
        + kpi_yaml("eighty", "100", "200")  # 進捗率 exactly 80%
        + kpi_yaml("below", "100", "200")
        + kpi_yaml("waiting", "54", "0", "decrease")  # 44 / 54 = 81.5%
        + kpi_yaml("floor", "365", "365", "at_least")  # no 進捗率: the 達成率 300 / 365 = 82.2%
    )
    actuals = {
        "reached": {"R6": "200"},
        "eighty": {"R6": "180"},
        "below": {"R6": "179.9"},
        "waiting": {"R6": "10"},
        "floor": {"R6": "300"},
    }
    out = run_scheme(runner, data_dir, example("progress_bands"), kpis, actuals)
    assert grades_of(out) == {"reached": "A", "eighty": "B", "below": "C", "waiting": "B", "floor": "B"}
    assert [(g["symbol"], g["label"], g["criterion"]) for g in out["scheme"]["grades"]] == [
        ("A", "順調", "目標値を達成した"),
        ("B", "おおむね順調", "進捗率が80%以上"),
        ("C", "努力を要する", "進捗率が80%未満"),
        ("—", "判断困難", "現時点では判断が困難(実績なし)"),
    ]
    assert out["summary"] == {"A": 1, "B": 3, "C": 1, "—": 0, "total": 5}
    assert "A 順調（目標値を達成した）" in out["table"]


def test_scheme_expected_value(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """2. Against the 期待値 of the year: linear from R2 (100) to R7 (200), so R4 expects 140."""
    kpis = (
        kpi_yaml("at", "100", "200")
        + kpi_yaml("eighty", "100", "200")
        + kpi_yaml("under", "100", "200")
        + kpi_yaml("half", "100", "200")
        + kpi_yaml("low", "100", "200")
        + kpi_yaml("interim", "100", "200", extra=", interim_targets: [{value: 150, period: R4年度}]")
    )
    actuals = {
        "at": {"R4": "140"},
        "eighty": {"R4": "112"},  # 80% of 140
        "under": {"R4": "111.9"},
        "half": {"R4": "70"},  # 50%
        "low": {"R4": "69.9"},
        "interim": {"R4": "145"},  # the plan's own 目安値 for R4 is 150: 96.7%
    }
    out = run_scheme(runner, data_dir, example("expected_value"), kpis, actuals, year="R4")
    assert grades_of(out) == {
        "at": "A",
        "eighty": "B+",
        "under": "B",
        "half": "B",
        "low": "C",
        "interim": "B+",
    }
    expected = {row["id"]: row["details"]["expected"] for row in out["kpis"]}
    assert expected == {"at": 140, "eighty": 140, "under": 140, "half": 140, "low": 140, "interim": 150}
    assert "期待値" in out["table"]
    assert "B+ おおむね順調（期待値の80%以上100%未満）" in out["table"]


def test_scheme_achievement_bands(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """3. 達成率 bands: A ≥ 110%, B ≥ 80%, C ≥ 50%, D < 50%."""
    kpis = (
        "".join(kpi_yaml(k, "50", "100") for k in ("a", "b_top", "b", "c", "c_low", "d"))
        + kpi_yaml("fewer", "100", "50", "decrease")
        + kpi_yaml("zero", "54", "0", "decrease")
    )
    actuals = {
        "a": {"R6": "110"},
        "b_top": {"R6": "109.9"},
        "b": {"R6": "80"},
        "c": {"R6": "79.9"},
        "c_low": {"R6": "50"},
        "d": {"R6": "49.9"},
        "fewer": {"R6": "62.5"},  # 50 / 62.5 = 80%
        "zero": {"R6": "0"},  # 0 / 0: reached, counted as 100%
    }
    out = run_scheme(runner, data_dir, example("achievement_bands"), kpis, actuals)
    assert grades_of(out) == {
        "a": "A",
        "b_top": "B",
        "b": "B",
        "c": "C",
        "c_low": "C",
        "d": "D",
        "fewer": "B",
        "zero": "B",
    }
    zero = out["kpis"][-1]
    assert zero["achievement_rate"] is None
    assert "counted as 100.0%" in zero["rule"]


def test_scheme_baseline_tolerance(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """4. S beyond the target / A better than the baseline / B same level (±10%) / C worse."""
    kpis = "".join(kpi_yaml(k, "100", "150") for k in ("s", "a", "b_edge", "b_low", "c")) + "".join(
        kpi_yaml(k, "100", "50", "decrease") for k in ("fewer", "more")
    )
    actuals = {
        "s": {"R6": "150"},
        "a": {"R6": "111"},
        "b_edge": {"R6": "110"},  # exactly +10%: still the same level
        "b_low": {"R6": "90"},
        "c": {"R6": "89"},
        "fewer": {"R6": "85"},
        "more": {"R6": "115"},
    }
    out = run_scheme(runner, data_dir, example("baseline_tolerance"), kpis, actuals)
    assert grades_of(out) == {
        "s": "S",
        "a": "A",
        "b_edge": "B",
        "b_low": "B",
        "c": "C",
        "fewer": "A",
        "more": "C",
    }


def test_scheme_baseline_tolerance_in_points(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """4'. Survey percentages: the same level is within ±3 points of the baseline."""
    kpis = "".join(kpi_yaml(k, "60.0", "70.0") for k in ("s", "a", "b", "c"))
    actuals = {"s": {"R6": "70.0"}, "a": {"R6": "63.1"}, "b": {"R6": "63.0"}, "c": {"R6": "56.9"}}
    out = run_scheme(runner, data_dir, example("baseline_tolerance_points"), kpis, actuals)
    assert grades_of(out) == {"s": "S", "a": "A", "b": "B", "c": "C"}
    assert out["scheme"]["grades"][2] == {
        "key": "b",
        "symbol": "B",
        "label": "横ばい",
        "criterion": "基準値から±3ポイント以内",
    }
    assert "B 横ばい（基準値から±3ポイント以内）" in out["table"]


def test_scheme_trend_and_progress(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """5. Two axes: trend on the previous year (○ 改善 / △ 維持 / × 悪化) and progress on the
    期待値 (順調 / 要改善): R2 100 → R7 200 expects 160 in R5."""
    kpis = "".join(kpi_yaml(k, "100", "200") for k in ("up_late", "flat", "up_ahead", "down", "new"))
    actuals = {
        "up_late": {"R4": "130", "R5": "150"},
        "flat": {"R4": "130", "R5": "130"},
        "up_ahead": {"R4": "150", "R5": "170"},
        "down": {"R4": "150", "R5": "140"},
        "new": {"R5": "170"},
    }
    out = run_scheme(runner, data_dir, example("trend_and_progress"), kpis, actuals, year="R5")
    both = {row["id"]: (row["grade"], row["details"]["progress_grade"]) for row in out["kpis"]}
    assert both == {
        "up_late": ("○", "要改善"),
        "flat": ("△", "要改善"),
        "up_ahead": ("○", "順調"),
        "down": ("×", "要改善"),
        "new": ("—", "順調"),  # no previous year: the trend cannot be judged, progress can
    }
    assert {row["details"]["expected"] for row in out["kpis"]} == {160}
    assert "進捗" in out["table"]
    assert "要改善" in out["table"]


def test_scheme_target_comparison(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """6. ◎ above the target, ○ equal to it, △ below (but moved from the baseline), × no progress."""
    kpis = "".join(kpi_yaml(k, "100", "200") for k in ("above", "equal", "below", "still", "back")) + "".join(
        kpi_yaml(k, "54", "0", "decrease") for k in ("zero", "fewer")
    )
    actuals = {
        "above": {"R6": "201"},
        "equal": {"R6": "200"},
        "below": {"R6": "150"},
        "still": {"R6": "100"},
        "back": {"R6": "90"},
        "zero": {"R6": "0"},
        "fewer": {"R6": "10"},
    }
    out = run_scheme(runner, data_dir, example("target_comparison"), kpis, actuals)
    assert grades_of(out) == {
        "above": "◎",
        "equal": "○",
        "below": "△",
        "still": "×",
        "back": "×",
        "zero": "○",
        "fewer": "△",
    }
    assert out["scheme"]["grades"][2]["criterion"] == "目標値を下回ったが、基準値からは前進した"


def test_default_scheme_renamed(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """Symbols, labels and wording of the default rule come from the settings, in every output."""
    kpis = kpi_yaml("nearly", "100", "200") + kpi_yaml("none", "100", "200")
    out = run_scheme(runner, data_dir, example("default_renamed"), kpis, {"nearly": {"R6": "198"}})
    assert grades_of(out) == {"nearly": "◎", "none": "-"}  # 99% ≥ nearly_achieved 0.99
    assert out["summary"] == {"◎": 1, "△": 0, "×": 0, "-": 1, "total": 2}
    assert "◎ 達成（目標を達成、または達成率99%以上）" in out["table"]
    assert "- 実績なし（実績値が未公表）" in out["table"]


# --------------------------------------------------------------------------- #
# validate and evaluate on a bad evaluation block

BAD_EVALUATION = """\
id: demo
title: テスト計画
kind: comprehensive_plan
municipality: テスト市
evaluation:
  scheme: progress_bands
  options: {threshhold: 0.8}
kpis:
  - {id: k, name: 指標, unit: 人, direction: increase,
     baseline: {value: 1, period: R2年度}, target: {value: 2, period: R7年度}}
"""


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        (
            "options: {threshhold: 0.8}",
            "scheme 'progress_bands' has no option 'threshhold' (options: threshold)",
        ),
        (
            "options: {threshold: 80}",
            "scheme 'progress_bands': option 'threshold' is 80; write ratios as fractions",
        ),
        ("grades: [{key: great, symbol: ◎}]", "scheme 'progress_bands' has no grade 'great'"),
    ],
)
def test_validate_reports_a_bad_evaluation_block(
    runner: CliRunner, data_dir: Callable[..., Path], replace: str, words: str
) -> None:
    text = BAD_EVALUATION.replace("options: {threshhold: 0.8}", replace)
    root = data_dir(plans={"demo.yaml": text})
    line = text.splitlines().index("evaluation:") + 1
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    # The problem points at the offending option or grade itself, two lines below `evaluation:`.
    assert re.search(rf"demo\.yaml:{line + 2}:\d+: evaluation\.\S+: {re.escape(words)}", result.stdout)
    assert "Traceback" not in result.output
    evaluated = runner.invoke(app, ["evaluate", "--data", str(root), "--year", "R6"])
    assert evaluated.exit_code == 1
    assert words in evaluated.stderr
    assert "Traceback" not in evaluated.output


def test_validate_reports_an_unknown_scheme(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    root = data_dir(plans={"demo.yaml": BAD_EVALUATION.replace("progress_bands", "ranked")})
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert re.search(
        r"demo\.yaml:5:1: evaluation: unknown evaluation scheme 'ranked' \(known: default, ", result.stdout
    )


def test_validate_checks_official_grades_against_renamed_symbols(
    runner: CliRunner, data_dir: Callable[..., Path]
) -> None:
    plan = PLAN_HEAD + example("default_renamed") + "kpis:\n" + kpi_yaml("k", "1", "2")
    good = "plan: demo\nactuals:\n  k:\n    R6: {value: 2, official_grade: ◎}\n"
    root = data_dir(plans={"demo.yaml": plan}, actuals={"demo.yaml": good})
    assert runner.invoke(app, ["validate", str(root)]).exit_code == 0
    (root / "actuals" / "demo.yaml").write_text(good.replace("◎", "○"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert "official grade '○' is not a grade of this plan's scheme" in result.stdout
