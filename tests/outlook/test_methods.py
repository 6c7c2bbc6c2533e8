"""The four methods on constructed series: exact where the arithmetic allows."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from kpitool.model.outlook_settings import OutlookMethod
from kpitool.outlook.methods import Undefined, project
from kpitool.outlook.series import Point
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import parse_period

M = OutlookMethod


def series(*values: str, start: int = 2020) -> list[Point]:
    """Yearly points at fiscal years start, start+1 … (the first one the baseline)."""
    out = []
    for index, value in enumerate(values):
        year = start + index
        period = parse_period(f"{year}年度")
        out.append(
            Point(
                period, Fraction(year) + Fraction(3, 4), Decimal(value), FiscalYear(year) if index else None
            )
        )
    return out


def at(year: int) -> Fraction:
    return Fraction(year) + Fraction(3, 4)


@pytest.mark.parametrize("method", [M.LINEAR, M.WEIGHTED, M.RECENT])
def test_a_straight_line_is_extended_exactly(method: OutlookMethod) -> None:
    assert project(method, series("100", "110", "120"), at(2025)) == 150


def test_linear_is_the_least_squares_line() -> None:
    # 0, 2, 1 at t = 0, 1, 2: t̄ = v̄ = 1, slope Σ(t−1)(v−1) ÷ Σ(t−1)² = 1 ÷ 2; at t = 3: 1 + 2 × 1/2
    assert project(M.LINEAR, series("0", "2", "1"), at(2023)) == 2


def test_weighted_leans_towards_the_recent_points() -> None:
    # weights 1, 2, 3: t̄ = 8/6 = 4/3, v̄ = 7/6; Sxx = (16 + 2 + 12)/9 = 30/9;
    # Sxy = 1·(−4/3)(−7/6) + 2·(−1/3)(5/6) + 3·(2/3)(−1/6) = (28 − 10 − 6)/18 = 2/3; slope 1/5;
    # at t = 3: 7/6 + 1/5 × 5/3 = 3/2, below the unweighted 2 as the last point fell
    points = series("0", "2", "1")
    assert project(M.WEIGHTED, points, at(2023)) == Fraction(3, 2)
    assert project(M.WEIGHTED, points, at(2023)) < project(M.LINEAR, points, at(2023))


def test_cagr_keeps_a_constant_growth_rate_exactly() -> None:
    # 100 → 121 in two years is 10% a year: five years after the baseline, 100 × 1.1⁵
    assert project(M.CAGR, series("100", "110", "121"), at(2025)) == Fraction("161.051")
    # a whole exponent stays a fraction: four years at 21% per two years
    assert project(M.CAGR, series("100", "110", "121"), at(2024)) == Fraction(14641, 100)


@pytest.mark.parametrize(("values", "shown"), [(("10", "5", "0"), "0"), (("-2", "1", "3"), "-2")])
def test_cagr_is_undefined_for_zero_or_negative_values(values: tuple[str, ...], shown: str) -> None:
    with pytest.raises(Undefined, match=f"cagr needs positive values; .* is {shown}"):
        project(M.CAGR, series(*values), at(2025))


def test_recent_uses_the_last_years_only() -> None:
    # a fall, then a rise of 10 a year over the last two years
    points = series("500", "100", "110", "120")
    assert project(M.RECENT, points, at(2025), years=2) == 140
    with pytest.raises(Undefined, match="fewer than two points in the last 1 years"):
        project(M.RECENT, series("100", "120", start=2020)[:1] + series("130", start=2023), at(2025), years=1)


def test_one_point_or_points_at_one_time_cannot_be_projected() -> None:
    with pytest.raises(Undefined, match=r"fewer than two points \(1\)"):
        project(M.LINEAR, series("100"), at(2025))
    same = [*series("100"), Point(parse_period("R2年10月"), at(2020), Decimal(120), FiscalYear(2021))]
    with pytest.raises(Undefined, match="same time"):
        project(M.LINEAR, same, at(2025))
