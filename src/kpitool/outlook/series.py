"""The points of a KPI known at an evaluation year: the baseline and each actual at its data period.

An actual is a point at its **data period**, not at its evaluation year: the R6 column of the
2nd vision holding R4年度 data is a point at R4年度. When several evaluation years report a value
for the same data period (a figure revised later), the latest evaluation year's value wins, the
baseline's included. An actual without a period counts for its evaluation year (年度). Only the
evaluation years up to the one asked for are known; an actual without a value (—) is no point.

A running total (``cumulative: true``) whose baseline is — counts from 0: at the baseline's
period if it has one, else at the start of the plan period (1 April of its first year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from kpitool.model.plan import KPI, PlanPeriod
from kpitool.outlook.timeline import period_time
from kpitool.rating.facts import Observation
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import Period, PeriodKind, parse_period

__all__ = ["Point", "baseline_value", "known_points", "shown_places"]


@dataclass(frozen=True)
class Point:
    """One value of a series at its data period (時点), placed on the time axis."""

    period: Period
    time: Fraction
    """Years on the axis of :mod:`kpitool.outlook.timeline`."""
    value: Decimal
    """In the KPI's unit."""
    year: FiscalYear | None
    """The evaluation year that reported it; None for the baseline (基準値)."""

    @property
    def exact(self) -> Fraction:
        """The value as an exact fraction."""
        return Fraction(self.value)


def shown_places(points: Sequence[Point], *figures: Decimal | None) -> int:
    """Decimals to show a projection with: one more than the most the series' own figures have."""
    values = [p.value for p in points] + [v for v in figures if v is not None]
    return 1 + max((max(0, -int(v.as_tuple().exponent)) for v in values), default=0)


def baseline_value(kpi: KPI) -> Decimal | None:
    """The baseline as a number: a running total's — counts as 0; None when there is none."""
    value = kpi.baseline_value
    if value is None and kpi.cumulative:
        return Decimal(0)
    return value


def _baseline_point(kpi: KPI, plan_period: PlanPeriod | None) -> Point | None:
    value = baseline_value(kpi)
    if value is None:
        return None
    period = kpi.baseline.period if kpi.baseline is not None else None
    if period is None and kpi.cumulative and kpi.baseline_value is None and plan_period is not None:
        first = plan_period.start_year
        period = Period(
            f"{FiscalYear(first).label}.4.1", PeriodKind.DATE, date(first, 4, 1), date(first, 4, 1)
        )
    if period is None:
        return None
    return Point(period, period_time(period), value, None)


def known_points(
    kpi: KPI, observations: Mapping[int, Observation], year: FiscalYear, plan_period: PlanPeriod | None = None
) -> tuple[Point, ...]:
    """The points known at evaluation year ``year``, oldest first (by time, then evaluation year)."""
    by_period: dict[Period, Point] = {}
    baseline = _baseline_point(kpi, plan_period)
    if baseline is not None:
        by_period[baseline.period] = baseline
    for evaluation_year in sorted(y for y in observations if y <= year.year):
        observation = observations[evaluation_year]
        if observation.value is None:
            continue
        reported = FiscalYear(evaluation_year)
        period = observation.actual.period or parse_period(reported.label)
        by_period[period] = Point(period, period_time(period), observation.value, reported)
    return tuple(sorted(by_period.values(), key=lambda p: (p.time, p.year.year if p.year else 0)))
