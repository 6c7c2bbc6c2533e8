"""The four ways to extend a series to the target period; each returns the projected value.

With points (tᵢ, vᵢ) in time order and the target period at time T (:mod:`.timeline`):

- ``linear``: the least-squares line, v̂(T) = v̄ + b·(T − t̄) with
  b = Σ(tᵢ − t̄)(vᵢ − v̄) ÷ Σ(tᵢ − t̄)², t̄ and v̄ the means;
- ``weighted``: the same with weights wᵢ = 1 + (tᵢ − t₁), one plus the years since the first
  point (a yearly series weighs 1, 2, 3 …), means and sums weighted alike;
- ``cagr``: the constant growth rate from the baseline (else the first point) b to the latest
  point l: v̂(T) = v_b · (v_l ÷ v_b)^((T − t_b) ÷ (t_l − t_b)); undefined unless both are positive;
- ``recent``: the mean annual change over the last ``years`` years of data: the first point f no
  more than ``years`` before the latest l, v̂(T) = v_l + (v_l − v_f) ÷ (t_l − t_f) · (T − t_l).

The rational methods are exact (:class:`~fractions.Fraction`); cagr is exact where the exponent
is whole, else correct to 34 significant digits. A method that cannot project raises
:class:`Undefined` with the reason.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction

from kpitool.errors import KpitoolError
from kpitool.model.outlook_settings import OutlookMethod
from kpitool.outlook.series import Point
from kpitool.values.numbers import format_number

__all__ = ["METHODS", "Undefined", "project"]

_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)


class Undefined(KpitoolError):
    """The method cannot project this series; the message says why.

    Caught by :mod:`kpitool.outlook.engine`, which makes it the reason of an insufficient_data
    status; it never reaches the command line.
    """


def _least_squares(points: Sequence[Point], at: Fraction, weights: Sequence[Fraction]) -> Fraction:
    total = sum(weights, Fraction(0))
    t_mean = sum((w * p.time for w, p in zip(weights, points, strict=True)), Fraction(0)) / total
    v_mean = sum((w * p.exact for w, p in zip(weights, points, strict=True)), Fraction(0)) / total
    sxx = sum((w * (p.time - t_mean) ** 2 for w, p in zip(weights, points, strict=True)), Fraction(0))
    if sxx == 0:
        raise Undefined("every point is at the same time")
    sxy = sum(
        (w * (p.time - t_mean) * (p.exact - v_mean) for w, p in zip(weights, points, strict=True)),
        Fraction(0),
    )
    return v_mean + sxy / sxx * (at - t_mean)


def linear(points: Sequence[Point], at: Fraction, years: int) -> Fraction:
    """The least-squares line through every point, at ``at``."""
    return _least_squares(points, at, [Fraction(1)] * len(points))


def weighted(points: Sequence[Point], at: Fraction, years: int) -> Fraction:
    """Least squares weighing each point 1 + its years after the first point."""
    first = points[0].time
    return _least_squares(points, at, [1 + p.time - first for p in points])


def _decimal(value: Fraction) -> Decimal:
    return _CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def cagr(points: Sequence[Point], at: Fraction, years: int) -> Fraction:
    """Constant growth from the baseline (else the first point) to the latest point."""
    base = next((p for p in points if p.year is None), points[0])
    last = points[-1]
    for point in (base, last):
        if point.value <= 0:
            raise Undefined(
                f"cagr needs positive values; {point.period.label} is {format_number(point.value)}"
            )
    if last.time == base.time:
        raise Undefined("cagr needs two points at different times")
    growth = last.exact / base.exact
    exponent = (at - base.time) / (last.time - base.time)
    if exponent.denominator == 1:
        return base.exact * growth**exponent.numerator
    power = _CONTEXT.power(_decimal(growth), _decimal(exponent))
    return Fraction(_CONTEXT.multiply(base.value, power))


def recent(points: Sequence[Point], at: Fraction, years: int) -> Fraction:
    """The mean annual change over the last ``years`` years of data, extended from the latest point."""
    last = points[-1]
    window = [p for p in points if p.time >= last.time - years and p.time < last.time]
    if not window:
        raise Undefined(f"fewer than two points in the last {years} years of data")
    first = window[0]
    return last.exact + (last.exact - first.exact) / (last.time - first.time) * (at - last.time)


Method = Callable[[Sequence[Point], Fraction, int], Fraction]

METHODS: dict[OutlookMethod, Method] = {
    OutlookMethod.LINEAR: linear,
    OutlookMethod.CAGR: cagr,
    OutlookMethod.WEIGHTED: weighted,
    OutlookMethod.RECENT: recent,
}
"""Each method by name."""


def project(method: OutlookMethod, points: Sequence[Point], at: Fraction, years: int = 5) -> Fraction:
    """The value ``method`` projects at time ``at`` from ``points`` (two or more, in time order)."""
    if len(points) < 2:
        raise Undefined(f"fewer than two points ({len(points)})")
    return METHODS[method](points, at, years)
