"""Tests for kpitool.rating.schemes.target: the default ○/△/×/— rule on every branch and its
properties, renamed grades, and target_comparison (◎○△×).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.properties import examples
from tests.rating.conftest import (
    D,
    F,
    directions,
    make_kpi,
    rate,
    same_ratio,
    scaled,
    values,
)
from tests.rating.schemes.conftest import (
    example,
    grades_of,
    kpi_yaml,
    run_scheme,
)

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


# --------------------------------------------------------------------------- #
# Properties of the default rule


@settings(max_examples=examples(200), deadline=None)
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


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(["increase", "decrease"]), st.none() | values, values, values)
def test_a_decline_is_never_approaching(
    direction: str, baseline: int | None, target: int, actual: int
) -> None:
    """No movement, or movement away from the target, is never △ (whatever side the target is on)."""
    start = baseline or 0
    moved_away = actual <= start if direction == "increase" else actual >= start
    row = rate(make_kpi(direction, scaled(baseline, 0), D(target)), D(actual))
    if moved_away:
        assert row.grade != "△"


# --------------------------------------------------------------------------- #
# Worked examples of docs/rating.md


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
