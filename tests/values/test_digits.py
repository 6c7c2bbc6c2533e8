"""Only ASCII and full-width digits are digits: NFKC look-alikes (², ②, ㊿, ⁰) are refused by name."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitool.values.digits import describe_character, digit_lookalike
from kpitool.values.fiscal_year import parse_fiscal_year
from kpitool.values.numbers import NumberError, parse_number, parse_quantity
from kpitool.values.periods import PeriodError, parse_period
from tests.properties import examples

ASCII = "0123456789"
FULL_WIDTH = "０１２３４５６７８９"
DIGITS = set(ASCII + FULL_WIDTH)


def nfkc_digits(text: str) -> int:
    return sum(char in ASCII for char in unicodedata.normalize("NFKC", text))


def is_number(char: str) -> bool:
    """A digit or other number of Unicode (categories Nd, No), though not one of ours."""
    return char not in DIGITS and unicodedata.category(char) in ("Nd", "No")


def makes_digits(char: str) -> bool:
    """NFKC reads ``char`` as (or with) a digit, though it is not one of ours."""
    return char not in DIGITS and nfkc_digits(char) > 0


@cache
def candidates() -> list[str]:
    """Every character outside ASCII that is a number or that NFKC changes: the others can never
    read as a digit. Scanned on first use, by the tests that draw from it, not at collection
    (a fifth of a second in every process that collects this module, each xdist worker too)."""
    return [
        char
        for char in map(chr, range(0x80, 0x110000))
        if not 0xD800 <= ord(char) <= 0xDFFF
        and (unicodedata.category(char) in ("Nd", "No") or not unicodedata.is_normalized("NFKC", char))
    ]


# Every look-alike: superscripts, circled and parenthesised numbers, fractions, other
# scripts' digits, squared dates and hours (㋀ → 1月), squared units (㎡ → m2) …
LOOKALIKES = st.deferred(
    lambda: st.sampled_from([char for char in candidates() if is_number(char) or makes_digits(char)])
)
# … of which those that read as the start of a number; a squared unit (㎡) may begin a unit.
NUMBER_LOOKALIKES = st.deferred(
    lambda: st.sampled_from(
        [
            c
            for c in candidates()
            if is_number(c) or (makes_digits(c) and unicodedata.normalize("NFKC", c)[:1] in DIGITS)
        ]
    )
)
NUMBER_TEXT = st.text(alphabet=ASCII + FULL_WIDTH, min_size=1, max_size=12)


@pytest.mark.parametrize(
    ("text", "char", "name"),
    [
        ("10²", "²", "SUPERSCRIPT TWO"),
        ("②", "②", "CIRCLED DIGIT TWO"),
        ("㊿", "㊿", "CIRCLED NUMBER FIFTY"),
        ("2⁰2⁴", "⁰", "SUPERSCRIPT ZERO"),
        ("1½", "½", "VULGAR FRACTION ONE HALF"),
        ("𝟐", "𝟐", "MATHEMATICAL BOLD DIGIT TWO"),
        ("٢٠", "٢", "ARABIC-INDIC DIGIT TWO"),
    ],
)
def test_the_issue_s_numbers_are_refused_naming_the_character(text: str, char: str, name: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(text)
    code = f"U+{ord(char):04X}"
    assert str(info.value).startswith(f"'{text}': '{char}' ({code} {name}) is not a digit")


def test_years_and_periods_refuse_lookalikes() -> None:
    with pytest.raises(PeriodError, match=r"'⁰' \(U\+2070 SUPERSCRIPT ZERO\) is not a digit"):
        parse_fiscal_year("2⁰2⁴")
    with pytest.raises(PeriodError, match=r"'⑥' \(U\+2465 CIRCLED DIGIT SIX\) is not a digit"):
        parse_period("R⑥年度")
    with pytest.raises(PeriodError, match=r"'㋀' \(U\+32C0 IDEOGRAPHIC TELEGRAPH SYMBOL FOR JANUARY\)"):
        parse_period("R7年㋀")  # NFKC: R7年1月
    assert parse_fiscal_year("Ｒ６年度") == parse_fiscal_year("２０２４") == 2024


def test_full_width_digits_and_punctuation_are_still_accepted() -> None:
    assert parse_number("１，２３４．５") == Decimal("1234.5")
    assert parse_number("－１２") == Decimal("-12")
    assert parse_quantity("▲２．６％").value == Decimal("-2.6")
    assert parse_quantity("１万７１８７人").value == Decimal(17187)


def test_a_unit_may_hold_superscripts_and_squared_units() -> None:
    assert parse_quantity("1,234㎡").unit == "m2"  # NFKC of the unit, as before
    assert parse_quantity("5千m³").unit == "千m3"
    assert parse_quantity("12.5 km²").value == Decimal("12.5")


@given(NUMBER_TEXT)
def test_ascii_and_full_width_digits_read_as_themselves(digits: str) -> None:
    ascii_digits = digits.translate(str.maketrans(FULL_WIDTH, ASCII))
    assert parse_number(digits) == Decimal(ascii_digits)
    assert parse_quantity(digits + "人").value == Decimal(ascii_digits)


@settings(max_examples=examples(300))
@given(NUMBER_TEXT, NUMBER_LOOKALIKES, NUMBER_TEXT, st.sampled_from(["", "人", "%", "万人"]))
def test_a_lookalike_in_a_number_is_always_refused_by_name(
    before: str, char: str, after: str, unit: str
) -> None:
    text = before + char + after
    for parse in (parse_number, lambda t: parse_quantity(t + unit)):
        with pytest.raises(NumberError) as info:
            parse(text)
        assert f"{describe_character(char)} is not a digit" in str(info.value)


@settings(max_examples=examples(300))
@given(
    st.sampled_from(["R", "令和", "H", "FY20", ""]), NUMBER_TEXT, LOOKALIKES, st.sampled_from(["", "年度"])
)
def test_a_lookalike_in_a_period_is_always_refused_by_name(
    era: str, digits: str, char: str, tail: str
) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(era + digits + char + tail)
    assert f"{describe_character(char)} is not a digit" in str(info.value)


@settings(max_examples=examples(500))
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20))
def test_text_passing_the_check_gains_no_digits_under_nfkc(text: str) -> None:
    """The check's promise: what it lets through has exactly the digits a reader sees."""
    if digit_lookalike(text) is None:
        assert nfkc_digits(text) == sum(char in DIGITS for char in text)
    else:
        found = digit_lookalike(text) or ""
        assert is_number(found) or makes_digits(found)
