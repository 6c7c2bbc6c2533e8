"""Tests for kpitool.rating.engine: rows without actuals, targets relative to the baseline, actuals
in another unit, the 総括 percentages and its published counts, and properties that must hold for
every scheme.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitool.model.actuals import ActualsFile, PublishedSummary
from kpitool.model.plan import Plan
from kpitool.rating.engine import (
    evaluate_kpi,
    evaluate_plan,
    half_up_percents,
    index_actuals,
    index_for_year,
    published_for,
    summarise,
)
from kpitool.rating.facts import facts_for
from kpitool.rating.results import PERCENT_ROUNDING_NOTE, Evaluation, Summary
from kpitool.rating.schemes.target import DefaultScheme
from kpitool.values.fiscal_year import FiscalYear
from tests.properties import examples
from tests.rating.conftest import (
    D,
    directions,
    evaluate,
    make_kpi,
    rate,
    scaled,
    values,
)


def test_no_actual_is_not_judged() -> None:
    kpi = make_kpi()
    row = rate(kpi, None)
    assert (row.grade, row.achievement, row.progress) == ("—", None, None)
    assert row.rule == "no actual for R6"
    empty = evaluate([kpi], {}).rows[0]
    assert empty.grade == "—"
    assert empty.observation is None


@pytest.mark.parametrize("spelling", ["令和6年度", "2024年度", "FY2024", "Ｒ６"])
def test_the_year_however_spelled_is_one_fiscal_year_with_one_label(spelling: str) -> None:
    """Rows, 総括 and plan hold the same FiscalYear; its label is derived, not the spelling given."""
    kpis = [make_kpi(kpi_id="a"), make_kpi(kpi_id="b")]
    result = evaluate(kpis, {"a": {"令和6年度": {"value": "150"}}}, year=spelling)
    assert result.year == result.summary.year == FiscalYear(2024)
    assert [row.year for row in result.rows] == [FiscalYear(2024)] * 2
    assert result.rows[0].actual_value == Decimal(150)  # the 令和6年度 key is the R6 entry
    assert result.rows[1].rule == "no actual for R6"


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


_LABELS = ["H30", "R1", "R2", "R3", "R4", "R5", "2023年度", "R6", "令和6年度", "R7"]
_entries = st.fixed_dictionaries(
    {"value": st.none() | values.map(D)},
    optional={"unit": st.sampled_from(["人", "万人", "件"]), "period": st.sampled_from(["R3年度", "R5年度"])},
)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.dictionaries(st.sampled_from(_LABELS), _entries, max_size=8),
    st.sampled_from(["R2", "R5", "R6", "R8"]),
    st.sampled_from([(), ((D(150), "R5年度"),)]),
)
def test_the_index_of_one_year_grades_as_the_whole_index(
    years: dict[str, dict[str, object]], label: str, interim: tuple[tuple[Decimal, str], ...]
) -> None:
    """Gaps, nulls, two labels of one year (R5, 2023年度), units that do not convert: the
    observations of the year and back to the previous value give the facts and the row of all."""
    kpi = make_kpi(interim=interim)
    recorded = ActualsFile.model_validate({"plan": "t", "actuals": {"k": years, "other": years}})
    year = FiscalYear.parse(label)
    whole = index_actuals([kpi], recorded).get("k", {})
    part = index_for_year([kpi], recorded, year.year).get("k", {})
    assert set(part) <= set(whole)
    assert facts_for(kpi, year.year, part) == facts_for(kpi, year.year, whole)
    scheme = DefaultScheme()
    assert evaluate_kpi(kpi, None, "1", year, part, scheme) == evaluate_kpi(
        kpi, None, "1", year, whole, scheme
    )


# --------------------------------------------------------------------------- #
# 総括 percentages: each rounded half-up on its own, so equal counts show equal percents


def _half_up(share: Fraction) -> Decimal:
    """The exact half-up rounding of a fraction to one decimal, computed independently."""
    tenths = share * 10
    whole = tenths.numerator // tenths.denominator
    if tenths - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-1)


def _assert_half_up(counts: dict[str, int], percents: Mapping[str, Decimal]) -> None:
    total = sum(counts.values())
    assert list(percents) == list(counts)
    for key, count in counts.items():
        assert percents[key].as_tuple().exponent == -1
        assert percents[key] == _half_up(Fraction(100 * count, total))


def test_percents_of_the_seed_r5_row() -> None:
    """Seed 003, 総括 R5: ○3 △2 ×7 —0 of 12 is printed 25.0 / 16.7 / 58.3 / 0.0."""
    counts = {"○": 3, "△": 2, "×": 7, "—": 0}
    percents = half_up_percents(counts)
    assert percents == {"○": D("25.0"), "△": D("16.7"), "×": D("58.3"), "—": D("0.0")}
    _assert_half_up(counts, percents)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # 49 KPIs (総合戦略): 20.408 / 26.531 / 53.061
        ((10, 13, 26, 0), ("20.4", "26.5", "53.1", "0.0")),
        # 7 KPIs: 14.286 / 28.571 / 57.143
        ((1, 2, 4, 0), ("14.3", "28.6", "57.1", "0.0")),
        # three equal shares stay equal: 99.9 in all
        ((1, 1, 1, 0), ("33.3", "33.3", "33.3", "0.0")),
        # 14.286 / 28.571 / 42.857 / 14.286: 100.1 in all
        ((1, 2, 3, 1), ("14.3", "28.6", "42.9", "14.3")),
        # an exact half rounds up: 1 of 8 is 12.5, 1 of 16 is 6.25 → 6.3
        ((1, 15, 0, 0), ("6.3", "93.8", "0.0", "0.0")),
        ((0, 0, 0, 6), ("0.0", "0.0", "0.0", "100.0")),
    ],
)
def test_percents_of_awkward_totals(counts: tuple[int, ...], expected: tuple[str, ...]) -> None:
    keyed = dict(zip("○△×—", counts, strict=True))
    percents = half_up_percents(keyed)
    assert percents == dict(zip("○△×—", map(D, expected), strict=True))
    _assert_half_up(keyed, percents)


def test_percents_of_nothing_are_zero() -> None:
    assert half_up_percents({"○": 0, "×": 0}) == {"○": D("0.0"), "×": D("0.0")}


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=6).filter(any))
def test_each_percent_is_the_half_up_rounding_of_its_share(numbers: list[int]) -> None:
    counts = {f"g{i}": n for i, n in enumerate(numbers)}
    _assert_half_up(counts, half_up_percents(counts))


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=6).filter(any),
    st.data(),
)
def test_equal_counts_always_show_equal_percents(numbers: list[int], data: st.DataObject) -> None:
    repeated = data.draw(st.sampled_from(numbers))
    counts = {f"g{i}": n for i, n in enumerate([*numbers, repeated])}
    percents = half_up_percents(counts)
    for a, count_a in counts.items():
        for b, count_b in counts.items():
            if count_a == count_b:
                assert percents[a] == percents[b]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=6).filter(any))
def test_the_note_appears_exactly_when_the_percents_miss_100(numbers: list[int]) -> None:
    counts = {f"g{i}": n for i, n in enumerate(numbers)}
    summary = Summary(FiscalYear(2024), (), counts, half_up_percents(counts))
    assert summary.percent_total == sum(half_up_percents(counts).values())
    # each percent is off by at most 0.05, so the sum is within 0.05 per grade of 100
    assert abs(summary.percent_total - 100) <= D("0.05") * len(counts)
    assert (summary.rounding_note == PERCENT_ROUNDING_NOTE) == (summary.percent_total != 100)


def test_summary_counts_every_row_once() -> None:
    kpis = [make_kpi(kpi_id=f"k{i}") for i in range(7)]
    values = ["200", "150", "150", "90", "90", "90", None]
    result = evaluate(kpis, {f"k{i}": {"R6": {"value": v}} for i, v in enumerate(values) if v})
    assert result.summary.counts == {"○": 1, "△": 2, "×": 3, "—": 1}
    assert result.summary.total == 7
    again = summarise(result.rows, result.scheme, result.year)
    # 14.286 / 28.571 / 42.857 / 14.286, each rounded on its own: 100.1 in all, and a note says so
    assert again.percents == {"○": D("14.3"), "△": D("28.6"), "×": D("42.9"), "—": D("14.3")}
    assert (again.percent_total, again.rounding_note) == (D("100.1"), PERCENT_ROUNDING_NOTE)


def test_summary_counts_official_grades_and_those_over_a_different_grade() -> None:
    kpis = [make_kpi(kpi_id=f"k{i}") for i in range(3)]
    actuals = {
        "k0": {"R6": {"value": D(200), "official_grade": "○"}},  # computed ○ too
        "k1": {"R6": {"value": D(150), "official_grade": "×"}},  # computed △
        "k2": {"R6": {"value": D(90)}},
    }
    summary = evaluate(kpis, actuals).summary
    assert (summary.official, summary.overridden) == (2, 1)
    assert summary.counts == {"○": 1, "△": 0, "×": 2, "—": 0}
    assert summary.published is None


def test_the_published_summary_of_the_year_is_compared(published_years: ActualsFile) -> None:
    result = evaluate_plan(_two_kpi_plan(), published_years, FiscalYear(2024))
    assert result.summary.counts == {"○": 1, "△": 1, "×": 0, "—": 0}
    published = result.summary.published
    assert published is not None
    assert dict(published.counts) == {"○": 1, "△": 0, "×": 1, "—": 0}  # — left out: 0
    assert published.differing == ("△", "×")
    assert not published.matches
    assert published.source == "第2章"
    earlier = evaluate_plan(_two_kpi_plan(), published_years, FiscalYear(2023)).summary.published
    assert earlier is not None
    assert earlier.matches
    assert evaluate_plan(_two_kpi_plan(), published_years, FiscalYear(2022)).summary.published is None


def test_a_selection_of_kpis_is_not_compared(published_years: ActualsFile) -> None:
    chosen = evaluate_plan(
        _two_kpi_plan(), published_years, FiscalYear(2024), select=lambda kpi: kpi.id == "a"
    )
    assert chosen.summary.published is None


@pytest.mark.parametrize("label", ["R6", "令和6年度", "2024年度"])
def test_published_for_any_spelling_of_the_year(label: str) -> None:
    recorded = ActualsFile.model_validate({"plan": "t", "published_summary": {label: {"counts": {"○": 1}}}})
    assert isinstance(published_for(recorded, FiscalYear(2024)), PublishedSummary)
    assert published_for(recorded, FiscalYear(2023)) is None
    assert published_for(None, FiscalYear(2024)) is None


@pytest.fixture
def published_years() -> ActualsFile:
    """Actuals of :func:`_two_kpi_plan` for R5 and R6, with published 総括 for both years."""
    return ActualsFile.model_validate(
        {
            "plan": "t",
            "published_summary": {
                "R5": {"counts": {"○": 1, "△": 1, "×": 0, "—": 0}},
                "R6": {"counts": {"○": 1, "×": 1}, "source": "第2章"},
            },
            "actuals": {
                "a": {"R5": {"value": D(200)}, "R6": {"value": D(200)}},
                "b": {"R5": {"value": D(150)}, "R6": {"value": D(150)}},
            },
        }
    )


def _two_kpi_plan() -> Plan:
    """A plan of two KPIs ``a`` and ``b`` (baseline 100, target 200)."""
    return Plan.model_validate(
        {
            "id": "t",
            "title": "テスト計画",
            "kind": "comprehensive_plan",
            "municipality": "テスト市",
            "kpis": [make_kpi(kpi_id="a"), make_kpi(kpi_id="b")],
        }
    )


# --------------------------------------------------------------------------- #
# Properties of every scheme


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


@settings(max_examples=examples(200), deadline=None)
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
        kpi = make_kpi(direction, scaled(baseline, places), scaled(target, places), unit=unit)
        recorded_places = 0 if actual_unit == "人" else places
        history = {
            "R5": {"value": scaled(previous, recorded_places), "period": "R5年度", "unit": actual_unit},
            "R6": {"value": scaled(actual, recorded_places), "period": "R6年度", "unit": actual_unit},
        }
        return evaluate([kpi], {"k": history}, evaluation=settings_block).rows[0]

    people = graded("人", 0, None)
    man = graded("万人", 4, "人" if record_in_people else None)
    assert man.computed.key == people.computed.key
    assert man.achievement == people.achievement
    assert man.progress == people.progress
    assert man.actual_value == scaled(actual, 4)


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


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(sorted(MIRROR_SCHEMES)), directions, st.none() | values, values, values)
def test_mirroring_values_and_direction_mirrors_grades(
    scheme: str, direction: str, baseline: int | None, target: int, actual: int
) -> None:
    """increase (b, t, a) grades as decrease (−b, −t, −a); at_least as at_most."""
    block = MIRROR_SCHEMES[scheme]

    def negate(number: int | None) -> Decimal | None:
        return None if number is None else D(-number)

    straight = rate(make_kpi(direction, scaled(baseline, 0), D(target)), D(actual), evaluation=block)
    mirrored = rate(
        make_kpi(MIRRORED[direction], negate(baseline), negate(target)), negate(actual), evaluation=block
    )
    assert mirrored.computed.key == straight.computed.key
    assert mirrored.progress == straight.progress
    assert mirrored.direction.value == MIRRORED[straight.direction.value]
