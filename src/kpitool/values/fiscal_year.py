"""Fiscal years (年度, April–March): parsing a label and writing one.

A fiscal year travels through kpitool as a :class:`FiscalYear`, which knows its labels, so no
signature carries a year and its label side by side.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from kpitool.values.eras import ERAS, SHOWA, Era
from kpitool.values.periods import MAX_YEAR, PeriodError, PeriodKind, parse_period


@dataclass(frozen=True, order=True)
class FiscalYear:
    """A fiscal year (年度) by its Western starting year: ``FiscalYear(2024)`` is R6 (令和6年度).

    Its labels are derived here and nowhere else; a year without one (outside 1926–2200) cannot be
    built (ValueError), so every FiscalYear can be shown.
    """

    year: int

    def __post_init__(self) -> None:
        era_of_fiscal_year(self.year)  # ValueError outside 1926–2200: every FiscalYear has a label

    @classmethod
    def parse(cls, text: str) -> FiscalYear:
        """``R6``, ``令和6年度``, ``2024年度``, ``2024`` or ``FY2024``; PeriodError otherwise."""
        return cls(parse_fiscal_year(text))

    @property
    def label(self) -> str:
        """The short era label, as the seeds print it: ``R6``."""
        return fiscal_year_label(self.year)

    @property
    def label_ja(self) -> str:
        """The Japanese label: ``令和6年度`` (``令和元年度`` for 2019)."""
        return fiscal_year_label_ja(self.year)

    def __str__(self) -> str:
        return self.label


@functools.lru_cache(maxsize=1024)
def parse_fiscal_year(text: str) -> int:
    """Parse a fiscal year (年度) label and return it as a Western year.

    ``R6``, ``令和6年度``, ``R6年度``, ``2024年度``, ``2024``, ``FY2024`` and
    ``Ｒ６`` all give 2024. Months, dates, calendar years, fiscal year ends and
    ranges raise :class:`PeriodError`.
    """
    period = parse_period(text)
    if period.kind is not PeriodKind.FISCAL_YEAR:
        raise PeriodError(
            f"'{text}': expected a fiscal year (年度) such as R6, 令和6年度, 2024年度 or FY2024, "
            f"not a {period.kind.value.replace('_', ' ')}"
        )
    return period.start.year


def era_of_fiscal_year(fy: int) -> Era:
    """The era a fiscal year is labelled in; ValueError outside 1926–2200."""
    # A fiscal year takes the newest era that had begun by its calendar year:
    # FY2019 is 令和元年度 and FY1989 is 平成元年度 by convention.
    if not SHOWA.first_day.year <= fy <= MAX_YEAR:
        raise ValueError(f"fiscal year {fy} has no era label (supported: {SHOWA.first_day.year}–{MAX_YEAR})")
    for era in reversed(ERAS):
        if era.first_day.year <= fy:
            return era
    raise AssertionError("unreachable: 昭和 covers every supported year")


def fiscal_year_label(fy: int) -> str:
    """Short era label of a fiscal year: 2024 → ``R6``, 2019 → ``R1``, 1988 → ``S63``.

    Raises ValueError outside 1926–2200.
    """
    era = era_of_fiscal_year(fy)
    return f"{era.letter}{fy - era.offset}"


def fiscal_year_label_ja(fy: int) -> str:
    """Japanese label of a fiscal year: 2024 → ``令和6年度``, 2019 → ``令和元年度``.

    Raises ValueError outside 1926–2200.
    """
    era = era_of_fiscal_year(fy)
    number = fy - era.offset
    return f"{era.name}{'元' if number == 1 else number}年度"
