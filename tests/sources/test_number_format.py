"""What an Excel number format shows: the percentage scale and the formats that hide a value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpitool.sources.number_format import hides, percent_scale, shown_text


@pytest.mark.parametrize(
    ("code", "value", "scale"),
    [
        ("0.0%", 0.131, 1),
        ("0%", 1, 1),
        ("[Red]0.00%", 0.5, 1),
        ("0.0%;-0.0", -0.2, 0),  # the negative section has no %
        ("0.0%;-0.0%", -0.2, 1),
        ('0.0"%"', 13.1, 0),  # a quoted % is a literal: 13.1 shows as 13.1%
        ("0.0\\%", 13.1, 0),  # so is an escaped one
        ("0%%", 0.0001, 2),
        ("General", 0.131, 0),
        ("#,##0", 14063, 0),
        (None, 0.131, 0),
        ("0.0%", "13.1", 0),  # text is not scaled
    ],
)
def test_percent_scale(code: str | None, value: object, scale: int) -> None:
    assert percent_scale(code, value) == scale


@pytest.mark.parametrize(
    ("code", "value", "hidden"),
    [
        (";;;", 2500, True),
        (";;;", "速報値", True),  # four empty sections hide text too
        (";;", 2500, True),
        (";;", "速報値", False),  # fewer than four sections: text shows as it is
        ("0;-0;;@", 0, True),  # the zero section is empty
        ("0;-0;;@", 5, False),
        ("0;-0;;@", -5, False),
        ("0;;0", -5, True),  # the negative section is empty
        ("[Red];[Blue]", 5, True),  # a colour alone shows nothing
        ('"済"', 5, True),  # a literal instead of the number
        ('"約"0"人"', 5, False),
        ("@", 5, False),  # a number in a text format shows as it is
        ("@", "text", False),
        ("General", 5, False),
        ("#,##0.0_);(#,##0.0)", -5, False),
        ("0.0%", 0.131, False),
        ("0;0;0;", "text", True),  # an empty text section
        (None, 5, False),
        (";;;", None, False),
        (";;;", True, False),
        (";;;", Decimal("1.5"), True),
    ],
)
def test_hides(code: str | None, value: object, hidden: bool) -> None:
    assert hides(code, value) is hidden


def test_shown_text_says_when_every_section_is_empty() -> None:
    assert shown_text(";;;") == "';;;' (every section empty)"
    assert shown_text("0;-0;;@") == "'0;-0;;@'"
