"""FiscalYear: a year that knows its labels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import PeriodError


@pytest.mark.parametrize("text", ["R6", "令和6年度", "R6年度", "2024年度", "2024", "FY2024", "Ｒ６"])
def test_every_spelling_of_r6_is_the_same_year(text: str) -> None:
    assert FiscalYear.parse(text) == FiscalYear(2024)


def test_labels() -> None:
    assert (FiscalYear(2024).label, FiscalYear(2024).label_ja) == ("R6", "令和6年度")
    assert (FiscalYear(2019).label, FiscalYear(2019).label_ja) == ("R1", "令和元年度")
    assert str(FiscalYear(1988)) == "S63"


def test_a_calendar_year_is_not_a_fiscal_year() -> None:
    with pytest.raises(PeriodError, match="expected a fiscal year"):
        FiscalYear.parse("R6年")


@given(st.integers(min_value=1926, max_value=2200))
def test_a_label_parses_back_to_its_year(year: int) -> None:
    assert FiscalYear.parse(FiscalYear(year).label) == FiscalYear(year)
    assert FiscalYear.parse(FiscalYear(year).label_ja) == FiscalYear(year)


def test_years_sort_in_time() -> None:
    assert sorted([FiscalYear(2024), FiscalYear(2019), FiscalYear(2022)])[0] == FiscalYear(2019)


@pytest.mark.parametrize("year", [1925, 2201, -1])
def test_a_year_without_a_label_is_no_fiscal_year(year: int) -> None:
    with pytest.raises(ValueError, match="has no era label"):
        FiscalYear(year)
