"""Schemes graded by the change from a reference value, within a tolerance.

- ``baseline_tolerance`` — against the 基準値 (baseline): S / A better / B same level / C worse;
- ``trend_and_progress`` — against the previous year's actual: ○ / △ / ×, with a
  second axis (順調 / 要改善) against the year's 期待値.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from kpitool.rating.facts import ONE, Facts
from kpitool.rating.schemes.base import NOT_JUDGED, GradeSpec, Outcome, RatingError, Scheme, percent

__all__ = ["BaselineToleranceScheme", "TrendAndProgressScheme"]


class BaselineToleranceScheme(Scheme):
    """S beyond target / A better than baseline / B same level (± tolerance) / C worse."""

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

    def _check_thresholds(self, given: set[str]) -> None:
        if not self.options["points"] and self.options["tolerance"] > ONE:
            raise RatingError(
                f"scheme {self.name!r}: a relative tolerance of {self.options['tolerance']} is over "
                "100%; write 0.10 for ±10%, or set points: true for ±3 points",
                ("options", "tolerance"),
            )

    def decide(self, facts: Facts) -> Outcome:
        assert facts.value is not None
        if facts.target is not None and facts.reached():
            return Outcome("s", "target reached")
        if facts.baseline is None:
            return Outcome("not_judged", "no baseline to compare with")
        tolerance: Decimal = self.options["tolerance"]
        band = tolerance if self.options["points"] else abs(facts.baseline) * tolerance
        change = facts.gain_over(facts.baseline)
        what = f"±{tolerance} points" if self.options["points"] else f"±{percent(tolerance)}"
        if abs(change) <= band:
            return Outcome("b", f"within {what} of the baseline: same level")
        if change > 0:
            return Outcome("a", f"better than the baseline by more than {what}")
        return Outcome("c", f"worse than the baseline by more than {what}")


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
