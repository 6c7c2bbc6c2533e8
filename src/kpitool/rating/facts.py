"""The facts a scheme grades by: one KPI and its actual, turned into numbers once.

An :class:`Observation` is an actual converted to the KPI's unit; :class:`Facts`
gathers what every scheme needs for one KPI and one year: the value, baseline,
target, the direction actually applied, the previous year's value and the
期待値 (expected value). Rates are exact :class:`~decimal.Decimal` ratios
(0.998 = 99.8%): 達成率 (achievement) and 進捗率 (progress); rounding happens
only where they are shown.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from kpitool.model.actuals import Actual
from kpitool.model.plan import KPI, Direction
from kpitool.model.target import TargetOver
from kpitool.support.frozen import fast_init
from kpitool.values.numbers import format_number, round_half_up

__all__ = [
    "ONE",
    "SMALL_SPAN_NOTE",
    "ZERO",
    "ActualIndex",
    "Facts",
    "Observation",
    "effective_direction",
    "expected_value",
    "facts_for",
    "ratio_towards",
]

# Ratios are computed with ample precision; what the council sees is rounded later.
_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)
ONE = Decimal(1)
ZERO = Decimal(0)
SMALL_SPAN = Decimal("0.01")
"""進捗率 is not shown when |target − baseline| is below this share of |baseline|."""
SMALL_SPAN_NOTE = "進捗率 not shown: target − baseline is below 1% of the baseline"


_T = TypeVar("_T")


class _once(Generic[_T]):  # a decorator, named like functools.cached_property
    """A value of a frozen instance computed on first use and kept in its ``__dict__``.

    :func:`functools.cached_property` without its lock (Python 3.11 takes one per first use:
    measurable when a national run grades 87,000 KPIs).
    """

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> _T:
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@fast_init
@dataclass(frozen=True)
class Observation:
    """One actual as the rule sees it: value converted to the KPI's unit, with its years."""

    year: int
    """評価年度 — the evaluation year (western fiscal year)."""
    actual: Actual
    value: Decimal | None


ActualIndex = Mapping[str, Mapping[int, Observation]]
"""KPI id → evaluation fiscal year → observation."""


@fast_init
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
    data_year: int = 0
    """The fiscal year the actual's data describes (its period), else the evaluation year."""
    over_note: str = ""
    """How a target over several years was graded this year (pace or extrapolated total)."""

    # Only some schemes read the 期待値 (the default does not): drawn from the KPI when asked.
    @_once
    def expected(self) -> Decimal | None:
        """期待値 of the year the data describes (:func:`expected_value`), from the KPI's baseline
        and target (not the goal of a target over several years)."""
        return expected_value(self.kpi, self.data_year)

    @_once  # asked several times per KPI graded
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

    def meets(self, goal: Decimal) -> bool:
        """The actual is at ``goal`` or on its better side (an expected value, not strict)."""
        assert self.value is not None
        return self.value >= goal if self.higher_is_better else self.value <= goal

    def gain_over(self, reference: Decimal) -> Decimal:
        """How far the actual is better than ``reference`` (negative when it is worse)."""
        assert self.value is not None
        change = self.value - reference
        return change if self.higher_is_better else -change

    def achievement(self) -> Decimal | None:
        """達成率: actual/target (higher is better) or target/actual; None if undefined."""
        return self._achievement

    # Each rate is asked for by the scheme and again for the row: computed once (the fields are frozen).
    @_once
    def _achievement(self) -> Decimal | None:
        return ratio_towards(self.value, self.target, self.higher_is_better)

    def _progress_span(self, goal: Decimal | None) -> tuple[Decimal, Decimal] | None:
        """(start, goal − start) when a progress towards ``goal`` can be defined at all, else None."""
        if self.value is None or goal is None:
            return None
        if self.direction not in (Direction.INCREASE, Direction.DECREASE):
            return None
        start = self.baseline if self.baseline is not None else ZERO
        span = _CONTEXT.subtract(goal, start)
        if (span <= 0) if self.higher_is_better else (span >= 0):
            return None
        return start, span

    def small_span(self) -> bool:
        """True when |target − baseline| is below 1% of |baseline| (and neither is zero).

        85,885人 → 86,000人 is a span of 115: a fall to 52,339人 would read as a 進捗率 of
        −29,170.4%, a figure about the division, not the KPI. Such a 進捗率 is not shown.
        """
        return self._small_span

    @_once
    def _small_span(self) -> bool:
        return self._small(self._target_span)

    @_once
    def _target_span(self) -> tuple[Decimal, Decimal] | None:
        return self._progress_span(self.target)

    @staticmethod
    def _small(found: tuple[Decimal, Decimal] | None) -> bool:
        if found is None:
            return False
        start, span = found
        return start != 0 and abs(span) < _CONTEXT.multiply(abs(start), SMALL_SPAN)

    def progress(self) -> Decimal | None:
        """進捗率 from the baseline (a missing baseline counts as 0) towards the target.

        Defined only when the target lies on the better side of the baseline, so a
        ratio of two negative differences can never turn a decline into progress, and
        not shown (None) when the span is too small to divide by (:meth:`small_span`).
        """
        return self._progress

    @_once
    def _progress(self) -> Decimal | None:
        return None if self._small_span else self._progress_along(self._target_span)

    def progress_towards(self, goal: Decimal | None) -> Decimal | None:
        """Progress from the baseline towards ``goal`` (the target, or a 期待値), as :meth:`progress`.

        None for floors and ceilings, a goal not beyond the baseline, or a span below 1% of
        the baseline.
        """
        found = self._progress_span(goal)
        return None if self._small(found) else self._progress_along(found)

    def _progress_along(self, found: tuple[Decimal, Decimal] | None) -> Decimal | None:
        if found is None or self.value is None:
            return None
        start, span = found
        return _CONTEXT.divide(_CONTEXT.subtract(self.value, start), span)

    def progress_note(self) -> str:
        """:data:`SMALL_SPAN_NOTE` when 進捗率 is left out for a too small span, else ""."""
        return SMALL_SPAN_NOTE if self.small_span() else ""

    def moved_from_baseline(self) -> bool:
        """The actual is on the better side of the baseline (a missing baseline counts as 0).

        With a target beyond the baseline this is exactly 進捗率 > 0, without dividing.
        """
        start = self.baseline if self.baseline is not None else ZERO
        return self.gain_over(start) > 0


def facts_for(kpi: KPI, year: int, observations: Mapping[int, Observation]) -> Facts:
    """The facts of one KPI for one evaluation year, from its observations by year.

    The expected value is taken for the year the actual's data describes (its
    ``period``) when recorded, else for the evaluation year.
    """
    observation = observations.get(year)
    baseline = kpi.baseline_value
    target = kpi.target_value()
    direction, floor_note = effective_direction(kpi, baseline, target)
    earlier = [y for y, o in observations.items() if y < year and o.value is not None]
    previous = observations[max(earlier)].value if earlier else None
    data_year = _data_year(observation) if observation else year
    value = observation.value if observation else None
    note = ""
    if kpi.target.over is not None and value is not None and target is not None:
        expected = _expected(kpi, data_year, baseline, target)
        value, target, note = _over_years(kpi, data_year, observations, value, target, expected)
        baseline = baseline if kpi.target.over is TargetOver.FINAL_YEAR else None
    return Facts(kpi, year, value, baseline, target, direction, floor_note, previous, data_year, note)


def _data_year(observation: Observation) -> int:
    """The fiscal year an observation's data describes: its period's, else its evaluation year."""
    period = observation.actual.period
    return period.fiscal_year if period is not None else observation.year


def _over_years(
    kpi: KPI,
    data_year: int,
    observations: Mapping[int, Observation],
    value: Decimal,
    target: Decimal,
    expected: Decimal | None,
) -> tuple[Decimal, Decimal, str]:
    """(value, goal, note) of a target over several years in ``data_year`` (docs/rating.md).

    最終年度に: before the last year the goal is the expected value on the straight line from
    the baseline to the target (the pace); in the last year, the target. 累計: the sum of the
    actuals of the range so far, extrapolated to the whole range, against the target.
    """
    period = kpi.target.period
    last = period.fiscal_year
    if kpi.target.over is TargetOver.FINAL_YEAR:
        if data_year < last and expected is not None:
            goal = f"{format_number(target)} in {period.label}"
            note = f"pace towards {goal}: expected {format_number(expected)} now"
            return value, expected, note
        if data_year < last:
            return value, target, "no dated baseline to draw the pace from: graded against the target"
        return value, target, f"the final year of the target ({period.label}): the result"
    first = period.first_fiscal_year
    upto = min(data_year, last)
    values = [
        o.value for o in observations.values() if o.value is not None and first <= _data_year(o) <= upto
    ]
    elapsed, span = upto - first + 1, last - first + 1
    if elapsed <= 0 or not values:
        return value, target, f"累計 over {period.label}: no actual inside the range yet"
    total = sum(values, ZERO)
    if elapsed >= span:
        return total, target, f"累計 over {period.label}: {format_number(total)} in {span} years"
    projected = _CONTEXT.divide(_CONTEXT.multiply(total, Decimal(span)), Decimal(elapsed))
    note = (
        f"累計 over {period.label}: {format_number(total)} in {elapsed} of {span} years, "
        f"extrapolated to {format_number(round_half_up(projected, 1))}"
    )
    return projected, target, note


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
    interpolation between the nearest known points (baseline, interim targets, target).

    An annual target (``every_year``, 毎年度) is the expected value of each year of its range.
    """
    return _expected(kpi, year, kpi.baseline_value, kpi.target_value())


def _expected(kpi: KPI, year: int, base: Decimal | None, target: Decimal | None) -> Decimal | None:
    """:func:`expected_value`, given the KPI's baseline and target values (once per KPI graded)."""
    if kpi.target.every_year:
        return target if kpi.target.applies_in(year) else None
    points: dict[int, Decimal] = {}
    if kpi.baseline is not None and kpi.baseline.period is not None:
        # A dated "—" baseline is a count from zero, as in the progress rate.
        points[kpi.baseline.period.fiscal_year] = base if base is not None else ZERO
    for interim in kpi.interim_targets:
        points[interim.period.fiscal_year] = interim.value
    if target is not None:
        points[kpi.target.period.fiscal_year] = target
    if year in points:
        return points[year]
    y0 = y1 = None  # the nearest known years before and after
    for known in points:
        if known < year:
            y0 = known if y0 is None or known > y0 else y0
        elif y1 is None or known < y1:
            y1 = known
    if y0 is None or y1 is None:
        return points[max(points)] if points and y1 is None else None
    v0, v1 = points[y0], points[y1]
    # Multiply before dividing, so the value is exact whenever it can be (110, not 109.99…).
    rise = _CONTEXT.multiply(_CONTEXT.subtract(v1, v0), Decimal(year - y0))
    return _CONTEXT.add(v0, _CONTEXT.divide(rise, Decimal(y1 - y0)))
