"""Actual.value_in: an actual's value in the KPI's unit, converted exactly or refused; the counts of
a published 総括 (PublishedSummary)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from pydantic import ValidationError

from kpitool.model.actuals import Actual, PublishedSummary
from kpitool.values.numbers import UnitError


def actual(value: str | None, unit: str | None = None) -> Actual:
    return Actual.model_validate({"value": None if value is None else Decimal(value), "unit": unit})


@pytest.mark.parametrize(
    ("value", "unit", "kpi_unit", "expected"),
    [
        ("13.60", None, "%", "13.60"),  # no unit of its own: in the KPI's, kept as written
        ("13.60", "%", "%", "13.60"),
        ("557584", "人", "万人", "55.7584"),
        ("45.0", "万人", "人", "4.50E+5"),  # scaled exactly, no decimal place invented
    ],
)
def test_value_in_the_kpis_unit(value: str, unit: str | None, kpi_unit: str, expected: str) -> None:
    assert str(actual(value, unit).value_in(kpi_unit)) == expected


def test_no_value_is_none_whatever_the_unit() -> None:
    assert actual(None, "件").value_in("人") is None


def test_a_unit_that_does_not_convert_is_refused() -> None:
    with pytest.raises(UnitError, match="cannot convert 件 to 人"):
        actual("3", "件").value_in("人")


def published(counts: object) -> PublishedSummary:
    return PublishedSummary.model_validate({"counts": counts})


def test_published_counts_are_whole_numbers_zero_or_more() -> None:
    summary = published({"○": Decimal(3), "△": Decimal(0)})
    assert summary.counts == {"○": 3, "△": 0}
    assert summary.total == 3
    assert summary.source is None


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"○": Decimal(-1)}, "expected a count (a whole number, 0 or more), got -1"),
        ({"○": Decimal("2.5")}, "got 2.5"),
        ({"○": "3"}, "got the text '3'; write the number without quotes"),
        ({"○": True}, "got the boolean true"),
        ({"": Decimal(1)}, "must not be empty"),
        ({}, "no counts: give each grade's published count"),
    ],
)
def test_bad_published_counts_are_refused(counts: object, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        published(counts)
