"""Statuses by r at every edge, their Japanese labels, and exact rounding for display."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from kpitool.model.outlook_settings import OutlookSettings
from kpitool.outlook.status import OutlookStatus, Thresholds, round_fraction

S = OutlookStatus
F = Fraction


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        (F(95, 100), S.ON_TRACK),
        (F(95, 100) - F(1, 10**9), S.ACCELERATE),
        (F(1, 2), S.ACCELERATE),
        (F(1, 2) - F(1, 10**9), S.LIMITED),
        (F(0), S.LIMITED),
        (F(-1, 10**9), S.REVERSE),
        (F(7), S.ON_TRACK),
    ],
)
def test_each_threshold_is_the_lowest_ratio_of_its_status(ratio: Fraction, status: OutlookStatus) -> None:
    assert Thresholds().status(ratio) is status


def test_the_plan_s_thresholds_replace_the_defaults() -> None:
    settings = OutlookSettings.model_validate({"on_track": "0.9", "accelerate": "0.6", "limited": "-0.1"})
    thresholds = Thresholds.of(settings)
    assert thresholds.status(F(9, 10)) is S.ON_TRACK
    assert thresholds.status(F(1, 2)) is S.LIMITED
    assert thresholds.status(F(-1, 10)) is S.LIMITED
    assert thresholds.rule(F(1, 2)) == "r = 0.500 (-0.1 ≤ r < 0.6)"


def test_labels_are_japanese() -> None:
    assert [s.label for s in S] == [
        "達成済み",
        "達成見込み",
        "加速が必要",
        "進捗が小さい",
        "逆行",
        "データ不足",
    ]


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (F(1, 3), 3, "0.333"),
        (F(2, 3), 1, "0.7"),
        (F(-5, 2), 0, "-3"),
        (F(5, 2), 0, "3"),
        (F(-1, 3), 1, "-0.3"),
    ],
)
def test_fractions_round_half_away_from_zero_without_float(value: Fraction, places: int, shown: str) -> None:
    assert round_fraction(value, places) == Decimal(shown)
    assert str(round_fraction(value, places)) == shown
