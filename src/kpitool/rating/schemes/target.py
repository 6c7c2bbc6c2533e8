"""Schemes graded by the target itself: reached, or how far the actual moved towards it.

- ``default`` — ○ / △ / × / — (the 判断基準 of the Kurume regional vision);
- ``target_comparison`` — ◎ beyond / ○ equal / △ below but moved / × no progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from kpitool.model.plan import Direction
from kpitool.rating.facts import Facts
from kpitool.rating.schemes.base import NOT_JUDGED, GradeSpec, Outcome, Scheme, percent

__all__ = ["DefaultScheme", "TargetComparisonScheme"]


class DefaultScheme(Scheme):
    """○ 達成・ほぼ達成 / △ 近づいている / × 努力を要する / — 判断困難 (seed 003's 判断基準)."""

    name = "default"
    title = "目標達成度 (○△×—)"
    grades = (
        GradeSpec("achieved", "○", "達成", "目標を達成している、ほぼ達成している"),
        GradeSpec("approaching", "△", "前進", "目標に近づいている"),
        GradeSpec("needs_effort", "×", "要努力", "目標達成まで努力を要する"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {"nearly_achieved": Decimal("0.995")}
    ratio_options = frozenset({"nearly_achieved"})

    def decide(self, facts: Facts) -> Outcome:
        achievement = facts.achievement()
        if facts.target is None:
            return Outcome("not_judged", "target is not a number: cannot judge")
        if facts.reached():
            return Outcome("achieved", "target reached")
        nearly = self.options["nearly_achieved"]
        if achievement is not None and achievement >= nearly:
            return Outcome("achieved", f"nearly achieved: 達成率 {percent(achievement)} ≥ {percent(nearly)}")
        if facts.direction in (Direction.AT_LEAST, Direction.AT_MOST):
            kind = "floor" if facts.direction is Direction.AT_LEAST else "ceiling"
            return Outcome(
                "needs_effort", f"{kind} not met: 達成率 {percent(achievement)} < {percent(nearly)}"
            )
        progress = facts.progress()
        if progress is None and facts.small_span():  # no 進捗率 to show: its sign is the gain
            if facts.moved_from_baseline():
                return Outcome("approaching", "better than the baseline: approaching the target")
            return Outcome("needs_effort", "not better than the baseline: no progress")
        if progress is not None and progress > 0:
            return Outcome("approaching", f"進捗率 {percent(progress)} > 0: approaching the target")
        if progress is None:
            return Outcome("needs_effort", "no progress measurable (the target is not beyond the baseline)")
        return Outcome("needs_effort", f"進捗率 {percent(progress)} ≤ 0: no progress from the baseline")


class TargetComparisonScheme(Scheme):
    """◎ beyond the target / ○ equal to it / △ below but moved from the baseline / × no progress."""

    name = "target_comparison"
    title = "目標値との比較 (◎○△×)"
    grades = (
        GradeSpec("above", "◎", "目標超過", "目標値を上回った"),
        GradeSpec("equal", "○", "目標達成", "目標値と同じ"),
        GradeSpec("below", "△", "目標未達", "目標値を下回ったが基準値より前進"),
        GradeSpec("no_progress", "×", "進捗なし", "基準値から前進していない"),
        NOT_JUDGED,
    )

    def decide(self, facts: Facts) -> Outcome:
        assert facts.value is not None
        if facts.target is None:
            return Outcome("not_judged", "target is not a number: cannot judge")
        if facts.value == facts.target:
            return Outcome("equal", "equal to the target")
        better = facts.value > facts.target if facts.higher_is_better else facts.value < facts.target
        if better:
            return Outcome("above", "beyond the target")
        progress = facts.progress()
        if progress is None and facts.small_span() and facts.moved_from_baseline():
            return Outcome("below", "below the target, better than the baseline")
        if progress is not None and progress > 0:
            return Outcome("below", f"below the target, 進捗率 {percent(progress)}")
        return Outcome("no_progress", "no progress from the baseline")
