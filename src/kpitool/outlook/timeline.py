"""The time axis of a series: where a period (時点・期間) sits, in years, as an exact fraction.

A date sits at its start, on a scale where each month is a twelfth of a year and each day an
equal share of its month: ``t(d) = year + (month − 1 + (day − 1) ÷ days in the month) ÷ 12``.
A period then sits at:

- a fiscal year 年度 or a calendar year 年: its middle, one point for the whole year
  (R4年度 = 1 Oct 2022 → 2022.75; R4年 = 1 Jul 2022 → 2022.5);
- a point in time at its date: a fiscal year end 年度末 at the close of 31 March
  (R6年度末 → 2025.25, the same instant as 令和7年4月1日), a month at its first day
  (R7年1月 → 2025.0, as in 1月1日現在), a date at its start (令和8年4月1日 → 2026.25);
- a window of months or a span of years or days: its middle
  (H30.10月～R1.9月 → 2019.25; H29～R2年 → 2019.0; H29～R2 (年度) → 2019.25).

Only differences of times enter a projection, so the origin does not matter; what does is that
R4年度 and R5年度 are one year apart, and R5年度末 half a year after R5年度.

The data lag is counted in fiscal years, like an evaluation year: the evaluation year minus the
fiscal year holding the period's last day (an R6 evaluation of R4年度 data: 2; of R5年: 1; of
R6年度末 or R5.10月～R6.9月: 0).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from fractions import Fraction

from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import Period, PeriodKind

__all__ = ["date_time", "lag_years", "period_time"]

_POINTS = (PeriodKind.DATE, PeriodKind.MONTH)


def date_time(day: date) -> Fraction:
    """The start of ``day`` in years: 2022-10-01 → 2022.75, 2025-01-01 → 2025."""
    days = calendar.monthrange(day.year, day.month)[1]
    return day.year + Fraction(day.month - 1, 12) + Fraction(day.day - 1, 12 * days)


def period_time(period: Period) -> Fraction:
    """Where a period sits on the time axis (see the module docstring)."""
    if period.kind in _POINTS:
        return date_time(period.start)
    after = date_time(period.end + timedelta(days=1))
    if period.kind is PeriodKind.FISCAL_YEAR_END:
        return after
    return (date_time(period.start) + after) / 2


def lag_years(year: FiscalYear, period: Period) -> int:
    """Fiscal years between an evaluation year and the data period it holds (R6 holding R4年度: 2)."""
    return year.year - period.fiscal_year
