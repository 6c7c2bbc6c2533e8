"""Schemes that cut one ratio into bands at thresholds set in the plan's options.

- ``progress_bands`` — 進捗率 (progress): A reached / B ≥ 80% / C;
- ``expected_value`` — the ratio to the year's 期待値 (expected value): A / B+ / B / C;
- ``achievement_bands`` — 達成率 (achievement): A ≥ 110% / B ≥ 80% / C ≥ 50% / D.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from kpitool.rating.facts import ONE, Facts, ratio_towards
from kpitool.rating.schemes.base import NOT_JUDGED, GradeSpec, Outcome, Scheme, percent

__all__ = ["AchievementBandsScheme", "ExpectedValueScheme", "ProgressBandsScheme"]


class ProgressBandsScheme(Scheme):
    """A 順調 (target reached) / B おおむね順調 (進捗率 ≥ 80%) / C 努力を要する."""

    name = "progress_bands"
    title = "進捗率による区分 (A/B/C)"
    grades = (
        GradeSpec("on_track", "A", "順調", "目標を達成している"),
        GradeSpec("mostly_on_track", "B", "おおむね順調", "進捗率が80%以上"),
        GradeSpec("behind", "C", "努力を要する", "進捗率が80%未満"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {"threshold": Decimal("0.8")}
    ratio_options = frozenset({"threshold"})

    def decide(self, facts: Facts) -> Outcome:
        if facts.target is None:
            return Outcome("not_judged", "target is not a number: cannot judge")
        if facts.reached():
            return Outcome("on_track", "target reached")
        progress, rate = facts.progress(), "進捗率"
        if progress is None:  # floors, ceilings and too small spans have no 進捗率: use 達成率
            progress, rate = facts.achievement(), "達成率"
        threshold = self.options["threshold"]
        if progress is not None and progress >= threshold:
            return Outcome("mostly_on_track", f"{rate} {percent(progress)} ≥ {percent(threshold)}")
        return Outcome("behind", f"{rate} {percent(progress)} < {percent(threshold)}")


class ExpectedValueScheme(Scheme):
    """Graded against the 期待値 for the year: A ≥ 100%, B+ ≥ 80%, B ≥ 50%, C < 50%."""

    name = "expected_value"
    title = "期待値(目安値)に対する達成度 (A/B+/B/C)"
    grades = (
        GradeSpec("a", "A", "期待値以上", "実績値が期待値以上"),
        GradeSpec("b_plus", "B+", "期待値の80%以上", "期待値の80%以上100%未満"),
        GradeSpec("b", "B", "期待値の50%以上", "期待値の50%以上80%未満"),
        GradeSpec("c", "C", "期待値の50%未満", "期待値の50%未満"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {"b_plus": Decimal("0.8"), "b": Decimal("0.5")}
    ratio_options = frozenset({"b_plus", "b"})
    descending = ("b_plus", "b")

    def decide(self, facts: Facts) -> Outcome:
        expected = facts.expected
        if expected is None:
            return Outcome("not_judged", "no expected value: baseline or target period missing")
        ratio = ratio_towards(facts.value, expected, facts.higher_is_better)
        details = {"expected": expected, "ratio_to_expected": ratio}
        if facts.meets(expected):
            return Outcome("a", f"actual meets the expected value {expected.normalize():f}", details)
        for key in ("b_plus", "b"):
            if ratio is not None and ratio >= self.options[key]:
                return Outcome(
                    key, f"{percent(ratio)} of the expected value ≥ {percent(self.options[key])}", details
                )
        return Outcome("c", f"{percent(ratio)} of the expected value < {percent(self.options['b'])}", details)


class AchievementBandsScheme(Scheme):
    """達成率 bands: A ≥ 110%, B ≥ 80%, C ≥ 50%, D < 50%."""

    name = "achievement_bands"
    title = "達成率による区分 (A/B/C/D)"
    grades = (
        GradeSpec("a", "A", "達成率110%以上", "達成率が110%以上"),
        GradeSpec("b", "B", "達成率80%以上", "達成率が80%以上110%未満"),
        GradeSpec("c", "C", "達成率50%以上", "達成率が50%以上80%未満"),
        GradeSpec("d", "D", "達成率50%未満", "達成率が50%未満"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {
        "a": Decimal("1.1"),
        "b": Decimal("0.8"),
        "c": Decimal("0.5"),
    }
    ratio_options = frozenset({"a", "b", "c"})
    descending = ("a", "b", "c")

    def decide(self, facts: Facts) -> Outcome:
        achievement = facts.achievement()
        shown = f"達成率 {percent(achievement)}"
        if achievement is None:
            if facts.target is None or not facts.reached():
                return Outcome("not_judged", "達成率 undefined (target or actual is zero or negative)")
            # 待機児童 54人 → 0人 met: 0/0 has no ratio, but the target is reached.
            achievement, shown = ONE, "target reached, 達成率 undefined: counted as 100.0%"
        for key in ("a", "b", "c"):
            if achievement >= self.options[key]:
                return Outcome(key, f"{shown} ≥ {percent(self.options[key])}")
        return Outcome("d", f"{shown} < {percent(self.options['c'])}")
