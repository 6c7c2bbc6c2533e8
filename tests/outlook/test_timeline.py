"""Where periods sit on the time axis (years, exact), and the data lag in fiscal years."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpitool.outlook.timeline import date_time, lag_years, period_time
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import parse_period

F = Fraction


@pytest.mark.parametrize(
    ("label", "time"),
    [
        ("R4年度", F(2022) + F(3, 4)),  # 1 October 2022, the middle of the fiscal year
        ("R4年", F(2022) + F(1, 2)),  # 1 July 2022
        ("R6年度末", F(2025) + F(1, 4)),  # the close of 31 March 2025
        ("令和7年4月1日", F(2025) + F(1, 4)),  # the same instant
        ("R7年1月", F(2025)),  # a month at its first day (1月1日現在)
        ("H30.10月～R1.9月", F(2019) + F(1, 4)),  # a window at its middle
        ("H29～R2年", F(2019)),  # four calendar years 2017–2020
        ("H29～R2", F(2019) + F(1, 4)),  # four fiscal years 2017–2020
        ("R4～R7年", F(2024)),
        ("2026-04-01～2027-03-31", F(2026) + F(3, 4)),  # a span of days: as the fiscal year it covers
    ],
)
def test_each_kind_of_period_sits_where_the_convention_says(label: str, time: Fraction) -> None:
    assert period_time(parse_period(label)) == time


def test_a_day_is_an_equal_share_of_its_month() -> None:
    assert date_time(date(2024, 2, 15)) == 2024 + F(1, 12) + F(14, 12 * 29)  # 2024 is a leap year


@given(st.integers(min_value=1927, max_value=2199))
def test_consecutive_fiscal_and_calendar_years_are_one_year_apart(year: int) -> None:
    fiscal = [period_time(parse_period(f"{y}年度")) for y in (year, year + 1)]
    calendar = [period_time(parse_period(f"{y}年")) for y in (year, year + 1)]
    assert fiscal[1] - fiscal[0] == 1
    assert calendar[1] - calendar[0] == 1
    # a fiscal year sits a quarter after the calendar year of the same number, its end half a year after it
    assert fiscal[0] - calendar[0] == F(1, 4)
    assert period_time(parse_period(f"{year}年度末")) - fiscal[0] == F(1, 2)


@given(st.dates(min_value=date(1927, 1, 1), max_value=date(2199, 12, 30)))
def test_time_grows_with_the_date_and_stays_in_its_year(day: date) -> None:
    assert day.year <= date_time(day) < day.year + 1
    assert date_time(day) < date_time(day + timedelta(days=1))


@pytest.mark.parametrize(
    ("year", "period", "lag"),
    [
        ("R6", "R4年度", 2),
        ("R6", "R5年", 1),
        ("R6", "R6年度末", 0),
        ("R6", "R5.10月～R6.9月", 0),
        ("R6", "R6年1月", 1),
    ],
)
def test_the_lag_counts_fiscal_years_to_the_period_s_last_day(year: str, period: str, lag: int) -> None:
    assert lag_years(FiscalYear.parse(year), parse_period(period)) == lag
