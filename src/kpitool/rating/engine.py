"""The rating engine: KPI + actuals + scheme → an evaluation row with its reason.

Pure functions over the model. Every row carries the achievement rate
(達成率), the progress rate (進捗率), the grade the rule computed, the official
grade a published evaluation gave (if any), and the rule that decided, so a
reader can see why. Rates are exact :class:`~decimal.Decimal` ratios (0.998 =
99.8%); rounding happens only where they are shown.

Schemes are small classes in a registry (:data:`SCHEMES`), chosen by a plan's
``evaluation.scheme``; the default reproduces the 判断基準 of the Kurume
regional vision (○ / △ / × / —). docs/rating.md documents each scheme.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from kpitool.errors import KpitoolError
from kpitool.model.actuals import Actual, ActualsFile
from kpitool.model.plan import KPI, Direction, EvaluationSettings, Plan, Section
from kpitool.values.numbers import UnitError
from kpitool.values.periods import PeriodError, parse_fiscal_year

__all__ = [
    "SCHEMES",
    "ActualIndex",
    "Evaluation",
    "GradeSpec",
    "PlanEvaluation",
    "RatingError",
    "Scheme",
    "Summary",
    "evaluate_kpi",
    "evaluate_plan",
    "expected_value",
    "index_actuals",
    "resolve_scheme",
    "summarise",
]

# Ratios are computed with ample precision; what the council sees is rounded later.
_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)
ONE = Decimal(1)
ZERO = Decimal(0)
MAX_RATIO = Decimal(10)
"""Largest ratio option accepted (1000%): a threshold of 80 is a percentage written by mistake."""


class RatingError(KpitoolError, ValueError):
    """A scheme or its options are not usable (unknown scheme, bad option, unknown grade key).

    ``path`` is where the fault sits inside the plan's ``evaluation:`` block, e.g.
    ``("options", "threshold")`` or ``("grades", 1, "key")``, so a checker can
    point at the line.
    """

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class GradeSpec:
    """One grade of a scheme as shown: key, symbol, label, 判断基準 wording."""

    key: str
    symbol: str
    label: str
    criterion: str


@dataclass(frozen=True)
class Observation:
    """One actual as the rule sees it: value converted to the KPI's unit, with its years."""

    year: int
    """評価年度 — the evaluation year (western fiscal year)."""
    year_label: str
    actual: Actual
    value: Decimal | None


ActualIndex = Mapping[str, Mapping[int, Observation]]
"""KPI id → evaluation fiscal year → observation."""


@dataclass(frozen=True)
class Evaluation:
    """One KPI graded for one evaluation year."""

    kpi: KPI
    section: Section | None
    year: int
    year_label: str
    observation: Observation | None
    baseline: Decimal | None
    target: Decimal | None
    direction: Direction
    """The direction the rule applied (a misdrawn increase target becomes at_least)."""
    achievement: Decimal | None
    """達成率 as a ratio (actual/target, or target/actual when lower is better)."""
    progress: Decimal | None
    """進捗率 as a ratio: (actual − baseline) / (target − baseline)."""
    computed: GradeSpec
    official: str | None
    official_reason: str | None
    grade: str
    """The grade symbol shown: the official one where recorded, else the computed one."""
    rule: str
    """Why the computed grade: the rule or setting that decided."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """Scheme-specific values (expected value, trend grade …)."""

    @property
    def actual_value(self) -> Decimal | None:
        """The actual in the KPI's unit, or None."""
        return self.observation.value if self.observation else None

    @property
    def disagrees(self) -> bool:
        """True when a recorded official grade differs from the computed one."""
        return self.official is not None and self.official != self.computed.symbol


@dataclass(frozen=True)
class Summary:
    """総括 — count and percent of each grade for one year."""

    year: int
    year_label: str
    grades: tuple[GradeSpec, ...]
    counts: Mapping[str, int]
    """grade symbol → count."""
    percents: Mapping[str, Decimal]
    """grade symbol → percent with one decimal; they add up to exactly 100.0."""

    @property
    def total(self) -> int:
        """Number of KPIs counted."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class PlanEvaluation:
    """A plan graded for one evaluation year."""

    plan: Plan
    year: int
    year_label: str
    scheme: Scheme
    rows: tuple[Evaluation, ...]
    summary: Summary

    @property
    def disagreements(self) -> tuple[Evaluation, ...]:
        """Rows whose official grade differs from the computed one."""
        return tuple(row for row in self.rows if row.disagrees)


# --------------------------------------------------------------------------- #
# Numbers shared by every scheme


@dataclass(frozen=True)
class Facts:
    """What a scheme needs to grade one KPI in one year, computed once."""

    kpi: KPI
    year: int
    value: Decimal | None
    baseline: Decimal | None
    target: Decimal | None
    direction: Direction
    floor_note: str
    previous: Decimal | None
    expected: Decimal | None

    @property
    def higher_is_better(self) -> bool:
        """True for increase / at_least."""
        return self.direction.higher_is_better

    def reached(self) -> bool:
        """The actual reaches the target in the KPI's direction (strictly for 超 / 未満)."""
        assert self.value is not None
        assert self.target is not None
        if self.higher_is_better:
            return self.value > self.target if self.kpi.target.strict else self.value >= self.target
        return self.value < self.target if self.kpi.target.strict else self.value <= self.target

    def achievement(self) -> Decimal | None:
        """達成率: actual/target (higher is better) or target/actual; None if undefined."""
        return ratio_towards(self.value, self.target, self.higher_is_better)

    def progress(self) -> Decimal | None:
        """進捗率 from the baseline (a missing baseline counts as 0) towards the target.

        Defined only when the target lies on the better side of the baseline, so a
        ratio of two negative differences can never turn a decline into progress.
        """
        if self.value is None or self.target is None:
            return None
        if self.direction not in (Direction.INCREASE, Direction.DECREASE):
            return None
        start = self.baseline if self.baseline is not None else ZERO
        span = _CONTEXT.subtract(self.target, start)
        if (span <= 0) if self.higher_is_better else (span >= 0):
            return None
        return _CONTEXT.divide(_CONTEXT.subtract(self.value, start), span)


def ratio_towards(value: Decimal | None, goal: Decimal | None, higher_is_better: bool) -> Decimal | None:
    """value/goal when higher is better, goal/value when lower is better.

    Undefined (None) when a value is missing, the divisor is not positive or the
    dividend is negative: a ratio of negative figures means nothing to a reader.
    """
    if value is None or goal is None:
        return None
    dividend, divisor = (value, goal) if higher_is_better else (goal, value)
    if divisor <= 0 or dividend < 0:
        return None
    return _CONTEXT.divide(dividend, divisor)


def effective_direction(kpi: KPI, baseline: Decimal | None, target: Decimal | None) -> tuple[Direction, str]:
    """The direction to grade by, and a note when the printed target is a floor or ceiling.

    A target on the wrong side of its baseline (年少人口割合 13.60% → 13.50%,
    higher is better) cannot be "approached": it is a floor to stay above.
    """
    direction = kpi.direction
    if baseline is None or target is None:
        return direction, ""
    if direction is Direction.INCREASE and target < baseline:
        return Direction.AT_LEAST, "target below baseline: graded as a floor (at_least)"
    if direction is Direction.DECREASE and target > baseline:
        return Direction.AT_MOST, "target above baseline: graded as a ceiling (at_most)"
    return direction, ""


def expected_value(kpi: KPI, year: int) -> Decimal | None:
    """期待値 / 目安値 for a fiscal year: an interim target of that year, else the linear
    interpolation between the nearest known points (baseline, interim targets, target)."""
    points: dict[int, Decimal] = {}
    if kpi.baseline is not None and kpi.baseline.period is not None:
        # A dated "—" baseline is a count from zero, as in the progress rate.
        base = kpi.baseline_value
        points[kpi.baseline.period.fiscal_year] = base if base is not None else ZERO
    for interim in kpi.interim_targets:
        points[interim.period.fiscal_year] = interim.value
    target = kpi.target_value()
    if target is not None:
        points[kpi.target.period.fiscal_year] = target
    if year in points:
        return points[year]
    before = [y for y in points if y < year]
    after = [y for y in points if y > year]
    if not before or not after:
        return points[max(points)] if points and not after else None
    y0, y1 = max(before), min(after)
    v0, v1 = points[y0], points[y1]
    # Multiply before dividing, so the value is exact whenever it can be (110, not 109.99…).
    rise = _CONTEXT.multiply(_CONTEXT.subtract(v1, v0), Decimal(year - y0))
    return _CONTEXT.add(v0, _CONTEXT.divide(rise, Decimal(y1 - y0)))


# --------------------------------------------------------------------------- #
# Schemes


@dataclass(frozen=True)
class Outcome:
    """What a scheme decided: the grade key and why, plus scheme-specific details."""

    key: str
    rule: str
    details: Mapping[str, Any] = field(default_factory=dict)


class Scheme:
    """A rating scheme: grade keys with default symbols and wording, options, and a rule.

    Subclasses set ``name``, ``grades`` (the last one is "not judged", used when
    there is no actual) and ``defaults`` (option → default), and implement
    :meth:`decide`.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    grades: ClassVar[tuple[GradeSpec, ...]]
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {}

    ratio_options: ClassVar[frozenset[str]] = frozenset()
    """Options that are ratios (0.8 = 80%): refused above :data:`MAX_RATIO`, the sign
    of a percentage written as a number (80)."""
    descending: ClassVar[tuple[str, ...]] = ()
    """Band thresholds that must not increase in this order (a ≥ b ≥ c)."""

    def __init__(self, settings: EvaluationSettings | None = None) -> None:
        options = dict(settings.options) if settings else {}
        unknown = sorted(set(options) - set(self.defaults))
        if unknown:
            known = ", ".join(sorted(self.defaults)) or "none"
            raise RatingError(
                f"scheme {self.name!r} has no option {unknown[0]!r} (options: {known})",
                ("options", unknown[0]),
            )
        self.options: dict[str, Any] = {**self.defaults}
        for key, value in options.items():
            self.options[key] = _coerce_option(self.name, key, value, self.defaults[key])
        self._check_thresholds(set(options))
        by_key = {g.key: g for g in self.grades}
        for index, override in enumerate(settings.grades if settings else ()):
            if override.key not in by_key:
                keys = ", ".join(by_key)
                raise RatingError(
                    f"scheme {self.name!r} has no grade {override.key!r} (grades: {keys})",
                    ("grades", index, "key"),
                )
            base = by_key[override.key]
            by_key[override.key] = GradeSpec(
                base.key,
                override.symbol or base.symbol,
                override.label or base.label,
                override.criterion or base.criterion,
            )
        self.grade_specs: tuple[GradeSpec, ...] = tuple(by_key[g.key] for g in self.grades)
        symbols = [g.symbol for g in self.grade_specs]
        if len(set(symbols)) != len(symbols):
            raise RatingError(
                f"scheme {self.name!r}: two grades share a symbol ({', '.join(symbols)})", ("grades",)
            )

    def _check_thresholds(self, given: set[str]) -> None:
        for key in sorted(self.ratio_options & given):
            value: Decimal = self.options[key]
            if value > MAX_RATIO:
                raise RatingError(
                    f"scheme {self.name!r}: option {key!r} is {value}; write ratios as fractions "
                    f"(0.8 = 80%), at most {MAX_RATIO}",
                    ("options", key),
                )
        for higher, lower in itertools.pairwise(self.descending):
            if self.options[higher] < self.options[lower]:
                raise RatingError(
                    f"scheme {self.name!r}: option {higher!r} ({self.options[higher]}) must not be "
                    f"below {lower!r} ({self.options[lower]})",
                    ("options", higher if higher in given else lower),
                )

    @property
    def not_judged(self) -> GradeSpec:
        """The grade given when there is no actual (—)."""
        return self.grade_specs[-1]

    def spec(self, key: str) -> GradeSpec:
        """The displayed grade for a key."""
        for grade in self.grade_specs:
            if grade.key == key:
                return grade
        raise KeyError(key)  # pragma: no cover - a scheme's own bug

    def symbols(self) -> tuple[str, ...]:
        """Every grade symbol, in the scheme's order."""
        return tuple(g.symbol for g in self.grade_specs)

    def decide(self, facts: Facts) -> Outcome:
        """Grade one KPI that has an actual value."""
        raise NotImplementedError


def _coerce_option(scheme: str, key: str, value: Any, default: Any) -> Any:
    where = ("options", key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise RatingError(f"scheme {scheme!r}: option {key!r} must be true or false", where)
        return value
    if isinstance(default, Decimal):
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise RatingError(f"scheme {scheme!r}: option {key!r} must be a number", where)
        number = Decimal(value)
        if not number.is_finite() or number < 0:
            raise RatingError(f"scheme {scheme!r}: option {key!r} must be a number ≥ 0", where)
        return number
    if not isinstance(value, str):
        raise RatingError(f"scheme {scheme!r}: option {key!r} must be text", where)
    return value


def _pct(ratio: Decimal | None) -> str:
    if ratio is None:
        return "—"
    return f"{(ratio * 100).quantize(Decimal('0.1'), rounding=decimal.ROUND_HALF_UP)}%"


_NOT_JUDGED = GradeSpec("not_judged", "—", "判断困難", "現時点では判断が困難(実績なし)")


class DefaultScheme(Scheme):
    """○ 達成・ほぼ達成 / △ 近づいている / × 努力を要する / — 判断困難 (seed 003's 判断基準)."""

    name = "default"
    title = "目標達成度 (○△×—)"
    grades = (
        GradeSpec("achieved", "○", "達成", "目標を達成している、ほぼ達成している"),
        GradeSpec("approaching", "△", "前進", "目標に近づいている"),
        GradeSpec("needs_effort", "×", "要努力", "目標達成まで努力を要する"),
        _NOT_JUDGED,
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
            return Outcome("achieved", f"nearly achieved: 達成率 {_pct(achievement)} ≥ {_pct(nearly)}")
        if facts.direction in (Direction.AT_LEAST, Direction.AT_MOST):
            kind = "floor" if facts.direction is Direction.AT_LEAST else "ceiling"
            return Outcome("needs_effort", f"{kind} not met: 達成率 {_pct(achievement)} < {_pct(nearly)}")
        progress = facts.progress()
        if progress is not None and progress > 0:
            return Outcome("approaching", f"進捗率 {_pct(progress)} > 0: approaching the target")
        if progress is None:
            return Outcome("needs_effort", "no progress measurable (the target is not beyond the baseline)")
        return Outcome("needs_effort", f"進捗率 {_pct(progress)} ≤ 0: no progress from the baseline")


class ProgressBandsScheme(Scheme):
    """A 順調 (target reached) / B おおむね順調 (進捗率 ≥ 80%) / C 努力を要する."""

    name = "progress_bands"
    title = "進捗率による区分 (A/B/C)"
    grades = (
        GradeSpec("on_track", "A", "順調", "目標を達成している"),
        GradeSpec("mostly_on_track", "B", "おおむね順調", "進捗率が80%以上"),
        GradeSpec("behind", "C", "努力を要する", "進捗率が80%未満"),
        _NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {"threshold": Decimal("0.8")}
    ratio_options = frozenset({"threshold"})

    def decide(self, facts: Facts) -> Outcome:
        if facts.target is None:
            return Outcome("not_judged", "target is not a number: cannot judge")
        if facts.reached():
            return Outcome("on_track", "target reached")
        progress = facts.progress()
        if progress is None:  # floors and ceilings have no progress: use achievement
            progress = facts.achievement()
        threshold = self.options["threshold"]
        if progress is not None and progress >= threshold:
            return Outcome("mostly_on_track", f"進捗率 {_pct(progress)} ≥ {_pct(threshold)}")
        return Outcome("behind", f"進捗率 {_pct(progress)} < {_pct(threshold)}")


class ExpectedValueScheme(Scheme):
    """Graded against the 期待値 for the year: A ≥ 100%, B+ ≥ 80%, B ≥ 50%, C < 50%."""

    name = "expected_value"
    title = "期待値(目安値)に対する達成度 (A/B+/B/C)"
    grades = (
        GradeSpec("a", "A", "期待値以上", "実績値が期待値以上"),
        GradeSpec("b_plus", "B+", "期待値の80%以上", "期待値の80%以上100%未満"),
        GradeSpec("b", "B", "期待値の50%以上", "期待値の50%以上80%未満"),
        GradeSpec("c", "C", "期待値の50%未満", "期待値の50%未満"),
        _NOT_JUDGED,
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
        assert facts.value is not None
        meets = facts.value >= expected if facts.higher_is_better else facts.value <= expected
        if meets:
            return Outcome("a", f"actual meets the expected value {expected.normalize():f}", details)
        for key in ("b_plus", "b"):
            if ratio is not None and ratio >= self.options[key]:
                return Outcome(
                    key, f"{_pct(ratio)} of the expected value ≥ {_pct(self.options[key])}", details
                )
        return Outcome("c", f"{_pct(ratio)} of the expected value < {_pct(self.options['b'])}", details)


class AchievementBandsScheme(Scheme):
    """達成率 bands: A ≥ 110%, B ≥ 80%, C ≥ 50%, D < 50%."""

    name = "achievement_bands"
    title = "達成率による区分 (A/B/C/D)"
    grades = (
        GradeSpec("a", "A", "達成率110%以上", "達成率が110%以上"),
        GradeSpec("b", "B", "達成率80%以上", "達成率が80%以上110%未満"),
        GradeSpec("c", "C", "達成率50%以上", "達成率が50%以上80%未満"),
        GradeSpec("d", "D", "達成率50%未満", "達成率が50%未満"),
        _NOT_JUDGED,
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
        shown = f"達成率 {_pct(achievement)}"
        if achievement is None:
            if facts.target is None or not facts.reached():
                return Outcome("not_judged", "達成率 undefined (target or actual is zero or negative)")
            # 待機児童 54人 → 0人 met: 0/0 has no ratio, but the target is reached.
            achievement, shown = ONE, "target reached, 達成率 undefined: counted as 100.0%"
        for key in ("a", "b", "c"):
            if achievement >= self.options[key]:
                return Outcome(key, f"{shown} ≥ {_pct(self.options[key])}")
        return Outcome("d", f"{shown} < {_pct(self.options['c'])}")


class BaselineToleranceScheme(Scheme):
    """S beyond target / A better than baseline / B same level (± tolerance) / C worse."""

    name = "baseline_tolerance"
    title = "基準値との比較 (S/A/B/C)"
    grades = (
        GradeSpec("s", "S", "目標達成", "目標値を達成"),
        GradeSpec("a", "A", "改善", "基準値より改善"),
        GradeSpec("b", "B", "横ばい", "基準値と同水準"),
        GradeSpec("c", "C", "悪化", "基準値より悪化"),
        _NOT_JUDGED,
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
        change = facts.value - facts.baseline
        if not facts.higher_is_better:
            change = -change
        what = f"±{tolerance} points" if self.options["points"] else f"±{_pct(tolerance)}"
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
        _NOT_JUDGED,
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
        on_track = expected is not None and (
            facts.value >= expected if facts.higher_is_better else facts.value <= expected
        )
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
        change = facts.value - facts.previous
        if not facts.higher_is_better:
            change = -change
        if abs(change) <= abs(facts.previous) * self.options["tolerance"]:
            return Outcome("maintained", "same as the previous year", details)
        if change > 0:
            return Outcome("improved", "better than the previous year", details)
        return Outcome("worsened", "worse than the previous year", details)


class TargetComparisonScheme(Scheme):
    """◎ beyond the target / ○ equal to it / △ below but moved from the baseline / × no progress."""

    name = "target_comparison"
    title = "目標値との比較 (◎○△×)"
    grades = (
        GradeSpec("above", "◎", "目標超過", "目標値を上回った"),
        GradeSpec("equal", "○", "目標達成", "目標値と同じ"),
        GradeSpec("below", "△", "目標未達", "目標値を下回ったが基準値より前進"),
        GradeSpec("no_progress", "×", "進捗なし", "基準値から前進していない"),
        _NOT_JUDGED,
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
        if progress is not None and progress > 0:
            return Outcome("below", f"below the target, 進捗率 {_pct(progress)}")
        return Outcome("no_progress", "no progress from the baseline")


SCHEMES: Mapping[str, type[Scheme]] = {
    scheme.name: scheme
    for scheme in (
        DefaultScheme,
        ProgressBandsScheme,
        ExpectedValueScheme,
        AchievementBandsScheme,
        BaselineToleranceScheme,
        TrendAndProgressScheme,
        TargetComparisonScheme,
    )
}
"""Every scheme by name; a plan's ``evaluation.scheme`` picks one."""


def resolve_scheme(settings: EvaluationSettings | None) -> Scheme:
    """The scheme a plan asks for (default when absent); :class:`RatingError` if unknown."""
    name = settings.scheme if settings else "default"
    try:
        scheme_type = SCHEMES[name]
    except KeyError:
        known = ", ".join(SCHEMES)
        raise RatingError(f"unknown evaluation scheme {name!r} (known: {known})") from None
    return scheme_type(settings)


# --------------------------------------------------------------------------- #
# Evaluation


def index_actuals(kpis: Iterable[KPI], actuals: ActualsFile | None) -> dict[str, dict[int, Observation]]:
    """Actuals by KPI id and evaluation fiscal year, values converted to each KPI's unit.

    Entries that cannot be used (unknown KPI, unconvertible unit, unreadable
    year) are skipped here; ``validate`` reports them.
    """
    units = {kpi.id: kpi.unit for kpi in kpis}
    index: dict[str, dict[int, Observation]] = {}
    if actuals is None:
        return index
    for kpi_id, years in actuals.actuals.items():
        if kpi_id not in units:
            continue
        for label, actual in years.items():
            try:
                year = parse_fiscal_year(label)
                value = actual.value_in(units[kpi_id])
            except (PeriodError, UnitError):
                continue
            index.setdefault(kpi_id, {})[year] = Observation(year, label, actual, value)
    return index


def evaluate_kpi(
    kpi: KPI,
    section: Section | None,
    year: int,
    year_label: str,
    observations: Mapping[int, Observation],
    scheme: Scheme,
) -> Evaluation:
    """Grade one KPI for one evaluation year."""
    observation = observations.get(year)
    baseline = kpi.baseline_value
    target = kpi.target_value()
    direction, floor_note = effective_direction(kpi, baseline, target)
    value = observation.value if observation else None
    earlier = [y for y in observations if y < year and observations[y].value is not None]
    previous = observations[max(earlier)].value if earlier else None
    data_year = year
    if observation and observation.actual.period is not None:
        data_year = observation.actual.period.fiscal_year
    facts = Facts(
        kpi,
        year,
        value,
        baseline,
        target,
        direction,
        floor_note,
        previous,
        expected_value(kpi, data_year),
    )
    if value is None:
        outcome = Outcome("not_judged", f"no actual for {year_label}")
        achievement = progress = None
    else:
        outcome = scheme.decide(facts)
        achievement = facts.achievement()
        progress = facts.progress()
    rule = f"{outcome.rule}; {floor_note}" if floor_note and value is not None else outcome.rule
    computed = scheme.spec(outcome.key)
    official = observation.actual.official_grade if observation else None
    return Evaluation(
        kpi=kpi,
        section=section,
        year=year,
        year_label=year_label,
        observation=observation,
        baseline=baseline,
        target=target,
        direction=direction,
        achievement=achievement,
        progress=progress,
        computed=computed,
        official=official,
        official_reason=observation.actual.official_reason if observation else None,
        grade=official if official is not None else computed.symbol,
        rule=rule,
        details=outcome.details,
    )


def summarise(rows: Sequence[Evaluation], scheme: Scheme, year: int, year_label: str) -> Summary:
    """Count the grades of one year; percents by largest remainder so they add up to 100.0."""
    counts = {symbol: 0 for symbol in scheme.symbols()}
    for row in rows:
        counts[row.grade] = counts.get(row.grade, 0) + 1
    return Summary(year, year_label, scheme.grade_specs, counts, largest_remainder_percents(counts))


def largest_remainder_percents(counts: Mapping[str, int], places: int = 1) -> dict[str, Decimal]:
    """Percents rounded to ``places`` decimals that add up to exactly 100 (Hamilton's method)."""
    total = sum(counts.values())
    if total == 0:
        return {key: Decimal(0).scaleb(-places) for key in counts}
    scale = 100 * 10**places
    shares = {key: divmod(count * scale, total) for key, count in counts.items()}
    units = {key: whole for key, (whole, _rest) in shares.items()}
    missing = scale - sum(units.values())
    # Largest remainders first; ties go to the grade listed first, as a reader would expect.
    order = sorted(counts, key=lambda key: -shares[key][1])
    for key in order[:missing]:
        units[key] += 1
    return {key: Decimal(units[key]).scaleb(-places) for key in counts}


def evaluate_plan(
    plan: Plan,
    actuals: ActualsFile | None,
    year: int,
    year_label: str,
    scheme: Scheme | None = None,
    select: Callable[[KPI], bool] | None = None,
) -> PlanEvaluation:
    """Grade every KPI of a plan (in plan order) for one evaluation year."""
    scheme = scheme or resolve_scheme(plan.evaluation)
    placed = [(kpi, section) for kpi, section in plan.iter_kpis() if select is None or select(kpi)]
    index = index_actuals((kpi for kpi, _ in placed), actuals)
    rows = tuple(
        evaluate_kpi(kpi, section, year, year_label, index.get(kpi.id, {}), scheme) for kpi, section in placed
    )
    return PlanEvaluation(plan, year, year_label, scheme, rows, summarise(rows, scheme, year, year_label))
