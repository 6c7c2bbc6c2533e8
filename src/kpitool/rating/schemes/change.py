"""Schemes graded by the change from a reference value, within a tolerance.

- ``baseline_tolerance`` — against the 基準値 (baseline): S / A better / B same level / C worse,
  graded by the band engine (:mod:`~kpitool.rating.schemes.banded`) as a preset of ``bands``;
- ``trend_and_progress`` — against the previous year's actual: ○ / △ / ×, with a
  second axis (順調 / 要改善) against the year's 期待値: two axes, so its own rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from kpitool.rating.facts import ONE, ZERO, Facts
from kpitool.rating.schemes.banded import Band, NamedBandsScheme
from kpitool.rating.schemes.base import NOT_JUDGED, GradeSpec, Outcome, RatingError, Scheme, percent
from kpitool.rating.schemes.measures import Reading

__all__ = ["BaselineToleranceScheme", "TrendAndProgressScheme"]

INFINITY = Decimal("Infinity")


class BaselineToleranceScheme(NamedBandsScheme):
    """S beyond target / A better than baseline / B same level (± tolerance) / C worse.

    The band engine on the change from the baseline (``measure: change``): S reached, A above
    +tolerance, B from −tolerance, C the rest. Two KPIs it reads as it always has, where the
    ``bands`` setting gives —: one that reaches its target without a baseline (S), and a
    relative tolerance around a baseline of 0 (the same level at 0 only: any gain or loss is
    infinitely large beside 0).
    """

    name = "baseline_tolerance"
    title = "基準値との比較 (S/A/B/C)"
    grades = (
        GradeSpec("s", "S", "目標達成", "目標値を達成"),
        GradeSpec("a", "A", "改善", "基準値より改善"),
        GradeSpec("b", "B", "横ばい", "基準値と同水準"),
        GradeSpec("c", "C", "悪化", "基準値より悪化"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {"tolerance": Decimal("0.10"), "points": False}
    """tolerance: relative (0.10 = ±10%), or absolute points when ``points: true`` (3 = ±3 points)."""
    measure_name = "change"

    def _check_thresholds(self, given: set[str]) -> None:
        if not self.options["points"] and self.options["tolerance"] > ONE:
            raise RatingError(
                f"scheme {self.name!r}: a relative tolerance of {self.options['tolerance']} is over "
                "100%; write 0.10 for ±10%, or set points: true for ±3 points",
                ("options", "tolerance"),
            )

    def edges(self) -> tuple[Band, ...]:
        tolerance: Decimal = self.options["tolerance"]
        return (
            Band("s", reached=True),
            Band("a", at_least=tolerance, strict=True),
            Band("b", at_least=-tolerance),
            Band("c"),
        )

    def _read(self, facts: Facts) -> Reading | str:
        if facts.target is not None and facts.reached():
            return Reading(True, None, "基準値からの変化")  # S, with or without a baseline
        if facts.baseline == 0 and not self.points:
            gain = facts.gain_over(ZERO)
            return Reading(False, INFINITY.copy_sign(gain) if gain else ZERO, "基準値からの変化率")
        return super()._read(facts)

    def _details(self, reading: Reading) -> Mapping[str, Any]:
        return {}

    def _within(self) -> str:
        tolerance = self.options["tolerance"]
        return f"±{tolerance} points" if self.points else f"±{percent(tolerance)}"

    def _rule_band(self, reading: Reading, band: Band) -> str:
        if band.key == "a":
            return f"better than the baseline by more than {self._within()}"
        return f"within {self._within()} of the baseline: same level"

    def _rule_rest(self, reading: Reading, lowest: Band | None) -> str:
        return f"worse than the baseline by more than {self._within()}"


class TrendAndProgressScheme(Scheme):
    """Two axes: trend against the previous year (改善 ○ / 維持 △ / 悪化 ×) and progress
    against the expected value (順調 A / 要改善 B). The grade is the trend; the
    progress axis is in ``details['progress_grade']``."""

    name = "trend_and_progress"
    title = "前年比の傾向と進捗 (○△× / A・B)"
    grades = (
        GradeSpec("improved", "○", "改善", "前年度より改善"),
        GradeSpec("maintained", "△", "維持", "前年度と同水準"),
        GradeSpec("worsened", "×", "悪化", "前年度より悪化"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {
        "tolerance": Decimal("0"),
        "on_track": "A",
        "needs_improvement": "B",
    }
    ratio_options = frozenset({"tolerance"})

    def decide(self, facts: Facts) -> Outcome:
        assert facts.value is not None
        expected = facts.expected
        on_track = expected is not None and facts.meets(expected)
        progress_grade: str | None = None  # no expected value: the progress axis cannot be judged
        if expected is not None:
            progress_grade = self.options["on_track"] if on_track else self.options["needs_improvement"]
        details = {
            "progress_grade": progress_grade,
            "expected": expected,
            "previous": facts.previous,
        }
        if facts.previous is None:
            return Outcome("not_judged", "no actual for the previous year", details)
        change = facts.gain_over(facts.previous)
        if abs(change) <= abs(facts.previous) * self.options["tolerance"]:
            return Outcome("maintained", "same as the previous year", details)
        if change > 0:
            return Outcome("improved", "better than the previous year", details)
        return Outcome("worsened", "worse than the previous year", details)
