"""What the ``bands`` scheme measures (指標値): one figure of a KPI, and its reference met or not.

Each :class:`Measure` reads the :class:`~kpitool.rating.facts.Facts` of one KPI into a
:class:`Reading`: whether the reference (the target, or the 期待値 of the data period for the
``*_to_expected`` measures) is met in the KPI's direction, and the measure itself (a ratio,
or points for ``change`` with ``points: true``), None where it is undefined. A KPI the
measure cannot judge at all (no target, no 期待値, no baseline) reads as a reason instead.
docs/rating.md documents each measure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kpitool.rating.facts import ONE, Facts, ratio_towards
from kpitool.support.frozen import fast_init

__all__ = ["MEASURES", "Measure", "Reading"]


@fast_init
@dataclass(frozen=True)
class Reading:
    """One KPI as a measure reads it."""

    reached: bool
    """The reference is met: the target (strictly for 超 / 未満), or the 期待値."""
    value: Decimal | None
    """The measure; None where undefined (the last grade then applies)."""
    label: str
    """The measure's name as the rule says it: 達成率, 進捗率 … (a fallback names its own)."""
    note: str = ""
    """Said in the rule when the figure is not the plain measure (counted as 100%)."""
    details: Mapping[str, Any] = field(default_factory=dict)


Reader = Callable[[Facts, bool], "Reading | str"]


@dataclass(frozen=True)
class Measure:
    """A measure: its name, how rules and criteria word it, what it meets, and how it reads."""

    name: str
    label: str
    """The figure's Japanese name in a 判断基準: 達成率, 期待値に対する進捗率 …"""
    reference: str
    """What ``reached: true`` means, as a 判断基準: 目標を達成している …"""
    read: Reader
    """facts, points → the reading, or why the KPI cannot be judged."""
    signed: bool = False
    """Thresholds may be negative (a change may be a loss)."""


def _achievement(facts: Facts, points: bool) -> Reading | str:
    if facts.target is None:
        return "target is not a number: cannot judge"
    reached = facts.reached()
    value = facts.achievement()
    if value is not None:
        return Reading(reached, value, "達成率")
    if not reached:
        return "達成率 undefined (target or actual is zero or negative)"
    # 待機児童 54人 → 0人 met: 0/0 has no ratio, but the target is reached.
    return Reading(True, ONE, "達成率", note="target reached, 達成率 undefined: counted as 100.0%")


def _progress(facts: Facts, points: bool) -> Reading | str:
    if facts.target is None:
        return "target is not a number: cannot judge"
    progress = facts.progress()
    if progress is not None:
        return Reading(facts.reached(), progress, "進捗率")
    # Floors, ceilings and too small spans have no 進捗率: their 達成率 is compared instead.
    return Reading(facts.reached(), facts.achievement(), "達成率")


def _expected(facts: Facts) -> Decimal | str:
    if facts.expected is None:
        return "no expected value: baseline or target period missing"
    return facts.expected


def _achievement_to_expected(facts: Facts, points: bool) -> Reading | str:
    expected = _expected(facts)
    if isinstance(expected, str):
        return expected
    ratio = ratio_towards(facts.value, expected, facts.higher_is_better)
    details = {"expected": expected, "ratio_to_expected": ratio}
    return Reading(facts.meets(expected), ratio, "期待値比", details=details)


def _progress_to_expected(facts: Facts, points: bool) -> Reading | str:
    expected = _expected(facts)
    if isinstance(expected, str):
        return expected
    progress = facts.progress_towards(expected)
    if progress is None:  # a floor, a ceiling, or no span to the 期待値: the ratio to it instead
        return _achievement_to_expected(facts, points)
    details = {"expected": expected, "progress_to_expected": progress}
    return Reading(facts.meets(expected), progress, "期待値に対する進捗率", details=details)


def _change(facts: Facts, points: bool) -> Reading | str:
    if facts.baseline is None:
        return "no baseline to compare with"
    reached = facts.target is not None and facts.reached()
    gain = facts.gain_over(facts.baseline)
    if points:
        return Reading(reached, gain, "基準値からの変化", details={"change": gain})
    if facts.baseline == 0:
        return "relative change from a baseline of 0 is undefined (set points: true)"
    change = gain / abs(facts.baseline)
    return Reading(reached, change, "基準値からの変化率", details={"change": change})


MEASURES: Mapping[str, Measure] = {
    measure.name: measure
    for measure in (
        Measure("achievement", "達成率", "目標を達成している", _achievement),
        Measure("progress", "進捗率", "目標を達成している", _progress),
        Measure(
            "achievement_to_expected", "期待値に対する達成率", "実績値が期待値以上", _achievement_to_expected
        ),
        Measure("progress_to_expected", "期待値に対する進捗率", "実績値が期待値以上", _progress_to_expected),
        Measure("change", "基準値からの変化率", "目標を達成している", _change, signed=True),
    )
}
"""Every measure by the name ``options.measure`` gives, in the order docs/rating.md lists them."""
