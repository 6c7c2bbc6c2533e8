"""Tests for kpitool.rating.schemes.generic: the ``bands`` scheme, every measure in every
direction exactly at its band edges, the published prefecture example, and the errors of a
bad band list reported at their line.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.rating.schemes.base import RatingError
from tests.properties import examples
from tests.rating.conftest import D, directions, make_kpi, rate, values
from tests.rating.schemes.conftest import PLAN_HEAD, example, grades_of, kpi_yaml, resolve, run_scheme


def bands(measure: str, *thresholds: str, reached: bool = True, **options: Any) -> dict[str, Any]:
    """A ``bands`` block: A reached (unless not ``reached``), one grade per threshold, then the rest."""
    grades: list[dict[str, Any]] = [{"key": "top", "symbol": "A", "reached": True}] if reached else []
    grades += [
        {"key": f"band{index}", "symbol": symbol, "at_least": D(threshold)}
        for index, (symbol, threshold) in enumerate(zip("BCD", thresholds, strict=False))
    ]
    grades.append({"key": "rest", "symbol": "X"})
    return {"scheme": "bands", "options": {"measure": measure, **options}, "grades": grades}


def symbol(kpi_args: tuple[Any, ...], actual: str | None, block: dict[str, Any], **kpi: Any) -> str:
    return rate(make_kpi(*kpi_args, **kpi), None if actual is None else D(actual), evaluation=block).grade


FLOOR = ("at_least", D(365), D(365))
CEILING = ("at_most", D(12), D(10))
UP = ("increase", D(100), D(200))  # R2年度 → R7年度: R6 expects 180
DOWN = ("decrease", D(300), D(100))  # R6 expects 140
WAITING = ("decrease", D(54), D(0))


@pytest.mark.parametrize(
    ("kpi_args", "actual", "grade"),
    [
        (UP, "200", "A"),
        (UP, "160", "B"),  # 80% exactly
        (UP, "159.99", "X"),
        (DOWN, "125", "B"),  # 100 / 125 = 80%
        (DOWN, "125.01", "X"),
        (FLOOR, "292", "B"),  # 292 / 365 = 80%
        (CEILING, "12.5", "B"),  # 10 / 12.5 = 80%
        (WAITING, "0", "A"),  # 0 ÷ 0 undefined, but reached
        (WAITING, "10", "X"),  # 0 / 10 = 0%
    ],
)
def test_achievement_bands_at_their_edges(kpi_args: tuple[Any, ...], actual: str, grade: str) -> None:
    assert symbol(kpi_args, actual, bands("achievement", "0.8")) == grade


def test_achievement_without_a_reached_grade_counts_an_undefined_reached_rate_as_100_percent() -> None:
    block = bands("achievement", "1.1", "1", reached=False)
    assert symbol(WAITING, "0", block) == "C"  # 100% ≥ 100%
    row = rate(make_kpi(*WAITING), D(0), evaluation=block)
    assert "counted as 100.0%" in row.rule
    assert symbol(("increase", D(100), D(200)), "200", block, strict=True) == "C"  # 200超: 100%, not reached
    assert symbol(UP, "220", block) == "B"
    assert symbol(("increase", D("-2.6"), D(0)), "-1", block) == "—"  # ▲1.0 ÷ 0: undefined, not reached


@pytest.mark.parametrize(
    ("kpi_args", "actual", "grade"),
    [
        (UP, "200", "A"),
        (UP, "180", "B"),  # 進捗率 80% exactly
        (UP, "179.99", "X"),
        (DOWN, "140", "B"),  # (300 − 140) / 200 = 80%
        (DOWN, "140.01", "X"),
        (WAITING, "10.8", "B"),  # 43.2 / 54 = 80%
        (FLOOR, "292", "B"),  # no 進捗率: 達成率 80%
        (FLOOR, "291.9", "X"),
        (CEILING, "12.5", "B"),
    ],
)
def test_progress_bands_at_their_edges(kpi_args: tuple[Any, ...], actual: str, grade: str) -> None:
    assert symbol(kpi_args, actual, bands("progress", "0.8")) == grade


def test_progress_counts_a_missing_baseline_as_zero() -> None:
    block = bands("progress", "0.8")
    assert symbol(("increase", None, D(10)), "8", block) == "B"
    assert symbol(("increase", None, D(10)), "7.9", block) == "X"


@pytest.mark.parametrize(
    ("kpi_args", "actual", "grade", "extra"),
    [
        (UP, "180", "A", {}),  # meets the 期待値 180
        (UP, "144", "B", {}),  # 144 / 180 = 80%
        (UP, "143.9", "X", {}),
        (DOWN, "140", "A", {}),
        (DOWN, "175", "B", {}),  # 140 / 175 = 80%
        (DOWN, "175.1", "X", {}),
        (UP, "150", "A", {"interim": ((D(150), "R6年度"),)}),  # an interim target is the 期待値
        (UP, "120", "B", {"interim": ((D(150), "R6年度"),)}),
        (UP, "150", "—", {"has_baseline": False}),  # no 期待値 before the target year
    ],
)
def test_achievement_to_expected_at_its_edges(
    kpi_args: tuple[Any, ...], actual: str, grade: str, extra: dict[str, Any]
) -> None:
    assert symbol(kpi_args, actual, bands("achievement_to_expected", "0.8"), **extra) == grade


def test_the_expected_value_is_that_of_the_data_period() -> None:
    """An actual of R6 describing R5年度 (lagged statistics) is measured against R5's 160."""
    block = bands("achievement_to_expected", "0.8")
    row = rate(make_kpi(*UP), D(160), evaluation=block, period="R5年度")
    assert row.grade == "A"
    assert row.details["expected"] == D(160)


@pytest.mark.parametrize(
    ("kpi_args", "actual", "grade", "extra"),
    [
        (UP, "180", "A", {}),
        (UP, "164", "B", {}),  # (164 − 100) / (180 − 100) = 80%
        (UP, "163.99", "X", {}),
        (DOWN, "172", "B", {}),  # (300 − 172) / (300 − 140) = 80%
        (DOWN, "172.01", "X", {}),
        (FLOOR, "292", "B", {}),  # no span to the 期待値: 292 / 365 = 80%
        (UP, "132", "B", {"interim": ((D(140), "R6年度"),)}),  # 32 / 40 = 80%
    ],
)
def test_progress_to_expected_at_its_edges(
    kpi_args: tuple[Any, ...], actual: str, grade: str, extra: dict[str, Any]
) -> None:
    assert symbol(kpi_args, actual, bands("progress_to_expected", "0.8"), **extra) == grade


def test_the_published_prefecture_example_grades_c_where_expected_value_gives_b_plus() -> None:
    """Baseline 100, 目安値 140, actual 130: progress towards the 目安値 is 75% (< 80%): C; the same
    KPI is B+ under expected_value (130 / 140 = 92.9% ≥ 80%). Issue 15's example."""
    kpi = make_kpi(*UP, interim=((D(140), "R6年度"),))
    block = {
        "scheme": "bands",
        "options": {"measure": "progress_to_expected"},
        "grades": [
            {"key": "on_track", "symbol": "A", "label": "順調", "reached": True},
            {"key": "mostly", "symbol": "B", "label": "おおむね順調", "at_least": D("0.8")},
            {"key": "behind", "symbol": "C", "label": "努力を要する"},
        ],
    }
    row = rate(kpi, D(130), evaluation=block)
    assert (row.grade, row.computed.label) == ("C", "努力を要する")
    assert row.details["progress_to_expected"] == D("0.75")
    assert row.rule == "期待値に対する進捗率 75.0% < 80.0%"
    assert rate(kpi, D(130), evaluation={"scheme": "expected_value"}).grade == "B+"


@pytest.mark.parametrize(
    ("kpi_args", "actual", "grade", "options"),
    [
        (("increase", D(100), D(150)), "150", "A", {}),  # the target reached
        (("increase", D(100), D(150)), "110", "B", {}),  # +10% exactly
        (("increase", D(100), D(150)), "90", "C", {}),  # −10% exactly
        (("increase", D(100), D(150)), "89.9", "X", {}),
        (("decrease", D(100), D(50)), "90", "B", {}),  # 10% lower is 10% better
        (("decrease", D(100), D(50)), "110", "C", {}),
        (("increase", D(60), D(70)), "63", "B", {"points": True}),  # +3 points
        (("increase", D(60), D(70)), "57", "C", {"points": True}),
        (("increase", D(60), D(70)), "56.9", "X", {"points": True}),
        (("increase", None, D(10)), "5", "—", {}),  # no baseline to compare with
        (("increase", D(0), D(10)), "5", "—", {}),  # a relative change from 0 is undefined
        (("increase", D(0), D(10)), "5", "B", {"points": True}),
    ],
)
def test_change_at_its_edges(
    kpi_args: tuple[Any, ...], actual: str, grade: str, options: dict[str, Any]
) -> None:
    thresholds = ("3", "-3") if options.get("points") else ("0.1", "-0.1")
    assert symbol(kpi_args, actual, bands("change", *thresholds, **options)) == grade


ABOVE_3 = {
    "scheme": "bands",
    "options": {"measure": "change", "points": True},
    "grades": [
        {"key": "a", "symbol": "a", "above": D(3)},
        {"key": "b", "symbol": "b", "at_least": D(-3)},
        {"key": "c", "symbol": "c"},
    ],
}
"""±3 points is 現状維持: a > +3, b from −3 to +3 (both included), c < −3."""


@pytest.mark.parametrize(
    ("kpi_args", "actual", "grade"),
    [
        (("increase", D(60), D(70)), "63.1", "a"),
        (("increase", D(60), D(70)), "63", "b"),  # exactly +3: not above
        (("increase", D(60), D(70)), "57", "b"),  # exactly −3: at least
        (("increase", D(60), D(70)), "56.9", "c"),
        (("decrease", D(30), D(20)), "26.9", "a"),
        (("decrease", D(30), D(20)), "27", "b"),
        (("decrease", D(30), D(20)), "33", "b"),
        (("decrease", D(30), D(20)), "33.1", "c"),
        (("increase", None, D(70)), "63", "—"),  # no baseline to compare with
    ],
)
def test_above_is_strict_and_at_least_is_not(kpi_args: tuple[Any, ...], actual: str, grade: str) -> None:
    assert symbol(kpi_args, actual, ABOVE_3) == grade


def test_above_and_at_least_on_one_edge_give_that_edge_to_the_lower_band() -> None:
    """above 0.8 then at_least 0.8: exactly 80% is the lower band; the rules say > and ≥."""
    block = {
        "scheme": "bands",
        "options": {"measure": "progress"},
        "grades": [
            {"key": "a", "symbol": "A", "above": D("0.8")},
            {"key": "b", "symbol": "B", "at_least": D("0.8")},
            {"key": "c", "symbol": "C"},
        ],
    }
    kpi = make_kpi(*UP)
    graded = {actual: rate(kpi, D(actual), evaluation=block) for actual in ("180.1", "180", "179.9")}
    assert [row.grade for row in graded.values()] == ["A", "B", "C"]
    assert graded["180.1"].rule == "進捗率 80.1% > 80.0%"
    assert graded["180"].rule == "進捗率 80.0% ≥ 80.0%"
    assert graded["179.9"].rule == "進捗率 79.9% < 80.0%"
    assert [g.criterion for g in resolve(block).grade_specs[:3]] == [
        "進捗率が80%超",
        "進捗率が80%以上80%以下",
        "進捗率が80%未満",
    ]


def test_the_last_band_above_is_left_with_less_or_equal() -> None:
    block = {
        "scheme": "bands",
        "options": {"measure": "progress"},
        "grades": [{"key": "a", "symbol": "A", "above": D("0.5")}, {"key": "c", "symbol": "C"}],
    }
    row = rate(make_kpi(*UP), D(150), evaluation=block)
    assert (row.grade, row.rule) == ("C", "進捗率 50.0% ≤ 50.0%")
    assert resolve(block).grade_specs[1].criterion == "進捗率が50%以下"


def test_no_actual_is_not_judged_and_defaults_are_a_b_c() -> None:
    scheme = resolve({"scheme": "bands"})
    assert scheme.symbols() == ("A", "B", "C", "—")
    assert [g.criterion for g in scheme.grade_specs[:3]] == [
        "目標を達成している",
        "達成率が80%以上",
        "達成率が80%未満",
    ]
    assert symbol(UP, None, bands("progress", "0.8")) == "—"


@pytest.mark.parametrize(
    ("block", "words", "path"),
    [
        (
            {"options": {"measure": "speed"}},
            "unknown measure 'speed' (measures: achievement,",
            ("options", "measure"),
        ),
        (
            {"options": {"points": True}},
            "points: true goes with measure 'change' only",
            ("options", "points"),
        ),
        (
            {
                "grades": [
                    {"key": "a", "symbol": "A", "at_least": D("0.5")},
                    {"key": "b", "symbol": "B", "at_least": D("0.8")},
                    {"key": "c", "symbol": "C"},
                ]
            },
            "unordered bands: 'b' at_least 0.8 is not below 'a' at_least 0.5",
            ("grades", 1, "at_least"),
        ),
        (
            {
                "grades": [
                    {"key": "a", "symbol": "A", "reached": True},
                    {"key": "b", "symbol": "B", "at_least": D("0.8")},
                ]
            },
            "missing last grade: 'b' has at_least",
            ("grades", 1, "at_least"),
        ),
        (
            {
                "grades": [
                    {"key": "a", "symbol": "A", "at_least": D("0.8")},
                    {"key": "b", "symbol": "B", "reached": True},
                    {"key": "c", "symbol": "C"},
                ]
            },
            "reached: true belongs to the first grade, not 'b'",
            ("grades", 1, "reached"),
        ),
        (
            {"grades": [{"key": "a", "symbol": "A", "at_least": D(80)}, {"key": "b", "symbol": "B"}]},
            "at_least 80 is over 10",
            ("grades", 0, "at_least"),
        ),
        (
            {"grades": [{"key": "a", "symbol": "A", "at_least": D("-0.1")}, {"key": "b", "symbol": "B"}]},
            "is negative",
            ("grades", 0, "at_least"),
        ),
        (
            {"grades": [{"key": "a", "at_least": D("0.8")}, {"key": "b", "symbol": "B"}]},
            "grade 'a' needs a symbol",
            ("grades", 0),
        ),
        ({"grades": [{"key": "a", "symbol": "A"}]}, "needs at least two grades", ("grades",)),
        (
            {
                "grades": [
                    {"key": "a", "symbol": "A", "at_least": D("0.8"), "above": D("0.8")},
                    {"key": "b", "symbol": "B"},
                ]
            },
            "grade 'a' gives both at_least (≥) and above (>); give one",
            ("grades", 0, "above"),
        ),
        (
            {
                "grades": [
                    {"key": "a", "symbol": "A", "reached": True, "above": D("0.8")},
                    {"key": "b", "symbol": "B"},
                ]
            },
            "grade 'a' gives both reached and above",
            ("grades", 0, "above"),
        ),
        (
            {
                "grades": [
                    {"key": "a", "symbol": "A", "at_least": D("0.8")},
                    {"key": "b", "symbol": "B", "above": D("0.8")},
                    {"key": "c", "symbol": "C"},
                ]
            },
            "unordered bands: 'b' above 0.8 is not below 'a' at_least 0.8",
            ("grades", 1, "above"),
        ),
        (
            {
                "grades": [
                    {"key": "a", "symbol": "A", "reached": True},
                    {"key": "b", "symbol": "B", "above": D("0.8")},
                ]
            },
            "missing last grade: 'b' has above",
            ("grades", 1, "above"),
        ),
        (
            {"grades": [{"key": "a", "symbol": "A", "above": D("-0.1")}, {"key": "b", "symbol": "B"}]},
            "above -0.1 is negative",
            ("grades", 0, "above"),
        ),
        (
            {"grades": [{"key": "a", "symbol": "A", "above": D(80)}, {"key": "b", "symbol": "B"}]},
            "above 80 is over 10",
            ("grades", 0, "above"),
        ),
        (
            {"grades": [{"key": "a", "symbol": "A", "reached": True}, {"key": "a", "symbol": "B"}]},
            "grade 'a' is given twice",
            ("grades", 1),
        ),
        (
            {"grades": [{"key": "a", "symbol": "A", "reached": True}, {"key": "b", "symbol": "A"}]},
            "two grades share a symbol",
            ("grades",),
        ),
    ],
)
def test_bad_band_lists_say_what_and_where(block: dict[str, Any], words: str, path: tuple[Any, ...]) -> None:
    with pytest.raises(RatingError) as caught:
        resolve({"scheme": "bands", **block})
    assert words in str(caught.value)
    assert caught.value.path == path


def test_bands_are_refused_under_another_scheme() -> None:
    with pytest.raises(RatingError) as caught:
        resolve({"scheme": "progress_bands", "grades": [{"key": "on_track", "at_least": D("0.9")}]})
    assert "at_least defines a band only under scheme 'bands'" in str(caught.value)
    assert caught.value.path == ("grades", 0, "at_least")
    with pytest.raises(RatingError) as caught:
        resolve({"scheme": "default", "grades": [{"key": "achieved", "above": D("0.9")}]})
    assert "above defines a band only under scheme 'bands'" in str(caught.value)
    assert caught.value.path == ("grades", 0, "above")


BAD_BANDS = (
    PLAN_HEAD
    + example("bands").replace(
        "    - {key: behind,", "    - {key: part, symbol: D, label: 一部, at_least: 0.5}\n    - {key: behind,"
    )
    + "kpis:\n"
    + kpi_yaml("k", "100", "200")
)
"""The prefecture's setting with a fourth band (D from 50%), each test breaking it in one place."""


@pytest.mark.parametrize(
    ("change", "at", "words"),
    [
        (("at_least: 0.5", "at_least: 0.9"), ("at_least: 0.9", "grades[2].at_least"), "unordered bands"),
        (
            ("measure: progress_to_expected", "measure: speed"),
            ("measure: speed", "options.measure"),
            "unknown measure",
        ),
        (
            ("    - {key: behind, symbol: C, label: 努力を要する}\n", ""),
            ("at_least: 0.5", "grades[2].at_least"),
            "missing last grade",
        ),
        (
            ("label: 一部, at_least: 0.5}", "label: 一部, at_least: 0.5, above: 0.5}"),
            ("above: 0.5", "grades[2].above"),
            "gives both at_least (≥) and above (>)",
        ),
    ],
)
def test_validate_and_evaluate_name_the_bad_line(
    change: tuple[str, str], at: tuple[str, str], words: str, runner: CliRunner, data_dir: Callable[..., Path]
) -> None:
    """file:line:col of the bad value and its field path, from validate and from evaluate (exit 1)."""
    text = BAD_BANDS.replace(*change)
    before = text[: text.index(at[0])]
    line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
    root = data_dir(plans={"demo.yaml": text})
    checked = runner.invoke(app, ["validate", str(root)])
    assert checked.exit_code == 1
    (reported,) = [row for row in checked.stdout.splitlines() if "evaluation" in row]
    assert reported.startswith(f"{root / 'plans' / 'demo.yaml'}:{line}:{column}: evaluation.{at[1]}: "), (
        reported
    )
    assert words in reported
    graded = runner.invoke(app, ["evaluate", "--data", str(root), "--year", "R6"])
    assert graded.exit_code == 1
    assert words in graded.stderr
    assert "Traceback" not in graded.output


def test_the_documented_prefecture_setting_through_the_cli(
    runner: CliRunner, data_dir: Callable[..., Path]
) -> None:
    """The docs' worked example: R4 expects 140 (100 in R2年度 → 200 in R7年度)."""
    kpis = kpi_yaml("slow", "100", "200") + kpi_yaml("edge", "100", "200") + kpi_yaml("met", "100", "200")
    actuals = {"slow": {"R4": "130"}, "edge": {"R4": "132"}, "met": {"R4": "140"}}
    out = run_scheme(runner, data_dir, example("bands"), kpis, actuals, year="R4")
    assert grades_of(out) == {"slow": "C", "edge": "B", "met": "A"}
    assert [(g["symbol"], g["criterion"]) for g in out["scheme"]["grades"]] == [
        ("A", "実績値が期待値以上"),
        ("B", "期待値に対する進捗率が80%以上"),
        ("C", "期待値に対する進捗率が80%未満"),
        ("—", "現時点では判断が困難(実績なし)"),
    ]
    (slow,) = [row for row in out["kpis"] if row["id"] == "slow"]
    assert slow["details"] == {"expected": 140, "progress_to_expected": 0.75}
    assert "期待値" in out["table"]


def test_thresholds_are_exact_decimals() -> None:
    block = bands("achievement", "0.995")
    assert symbol(UP, "199", block) == "B"
    assert symbol(UP, "198.99", block) == "X"
    assert Decimal("199") / Decimal("200") == Decimal("0.995")


MIRRORED = {"increase": "decrease", "decrease": "increase", "at_least": "at_most", "at_most": "at_least"}


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None)
@given(
    st.sampled_from([("progress", ("0.8", "0.3")), ("change", ("3", "-3"))]),
    directions,
    values,
    values,
    values,
)
def test_mirroring_values_and_direction_mirrors_bands(
    measure: tuple[str, tuple[str, ...]], direction: str, baseline: int, target: int, actual: int
) -> None:
    """increase (b, t, a) grades as decrease (−b, −t, −a) on the measures that mirror (not ratios)."""
    name, thresholds = measure
    block = bands(name, *thresholds, points=True) if name == "change" else bands(name, *thresholds)
    straight = rate(make_kpi(direction, D(baseline), D(target)), D(actual), evaluation=block)
    mirrored = rate(make_kpi(MIRRORED[direction], D(-baseline), D(-target)), D(-actual), evaluation=block)
    if name == "change" or straight.progress is not None:  # the 達成率 fallback is a ratio: no mirror
        assert mirrored.computed.key == straight.computed.key
    assert mirrored.direction.value == MIRRORED[straight.direction.value]


def test_a_cumulative_kpi_is_graded_on_its_running_total() -> None:
    """累計: the recorded total is the actual, as under every named scheme."""
    block = bands("progress", "0.8")
    kpi = make_kpi(*UP)
    running = kpi.model_copy(update={"cumulative": True})
    assert rate(running, D(180), evaluation=block).grade == rate(kpi, D(180), evaluation=block).grade == "B"


# The named schemes that are one measure cut into bands, and the bands settings that write them.
AS_BANDS = {
    "progress_bands": bands("progress", "0.8"),
    "achievement_bands": bands("achievement", "1.1", "0.8", "0.5", reached=False),
    "expected_value": bands("achievement_to_expected", "0.8", "0.5"),
}


@pytest.mark.slow
@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(sorted(AS_BANDS)), directions, st.none() | values, values, values, st.booleans())
def test_the_band_schemes_are_bands_settings(
    name: str, direction: str, baseline: int | None, target: int, actual: int, strict: bool
) -> None:
    """progress_bands, achievement_bands and expected_value grade every KPI as their bands setting:
    the same grade, by its place in the scheme."""
    kpi = make_kpi(direction, None if baseline is None else D(baseline), D(target), strict=strict)
    named = rate(kpi, D(actual), evaluation={"scheme": name})
    generic = rate(kpi, D(actual), evaluation=AS_BANDS[name])
    place = [g.key for g in resolve({"scheme": name}).grade_specs].index(named.computed.key)
    assert [g.key for g in resolve(AS_BANDS[name]).grade_specs].index(generic.computed.key) == place
