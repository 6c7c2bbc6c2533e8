"""Tests for kpitool.values.numbers: strict number and unit parsing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitool.values.numbers import (
    MISSING_MARKS,
    NumberError,
    Quantity,
    UnitError,
    convert,
    format_number,
    format_percent,
    parse_number,
    parse_quantity,
    percent_places,
    round_half_up,
    split_unit,
)
from tests.properties import examples


def same(a: Decimal | None, b: Decimal | None) -> bool:
    """Equal value and the same written exponent (12.50 is not 12.5 here)."""
    if a is None or b is None:
        return a is b
    return a == b and a.as_tuple() == b.as_tuple()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", Decimal("0")),
        ("1234", Decimal("1234")),
        ("1,234", Decimal("1234")),
        ("1,234.5", Decimal("1234.5")),
        ("12,345,678", Decimal("12345678")),
        ("１２３", Decimal("123")),
        ("１，２３４．５", Decimal("1234.5")),
        ("▲2.6", Decimal("-2.6")),
        ("△2.6", Decimal("-2.6")),
        ("-2.6", Decimal("-2.6")),
        ("−2.6", Decimal("-2.6")),
        ("－2.6", Decimal("-2.6")),
        ("▲1,234", Decimal("-1234")),
        ("+3", Decimal("3")),
        ("＋3", Decimal("3")),
        ("12.50", Decimal("12.50")),
        ("0.0", Decimal("0.0")),
        ("007", Decimal("7")),
        ("  42  ", Decimal("42")),
        ("▲0", Decimal("0")),
        ("1" * 60, Decimal("1" * 60)),
    ],
)
def test_parse_number_accepts(text: str, expected: Decimal) -> None:
    assert same(parse_number(text), expected)


@pytest.mark.parametrize("text", [*sorted(MISSING_MARKS), " ", "\u3000", " — ", "\t－\n"])
def test_parse_number_missing(text: str) -> None:
    assert parse_number(text) is None


def test_missing_marks() -> None:
    assert {"—", "－", "-", "―", "ー", "‐", ""} == MISSING_MARKS


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1,23,4", "misplaced comma"),
        ("12,34", "misplaced comma"),
        ("1234,567", "misplaced comma"),
        ("1,2345", "misplaced comma"),
        (",123", "misplaced comma"),
        ("123,", "misplaced comma"),
        ("0,123", "misplaced comma"),
        ("1,,234", "misplaced comma"),
        ("1e5", "exponent"),
        ("1E5", "exponent"),
        ("1e309", "exponent"),
        ("1.5e-3", "exponent"),
        ("NaN", "not a finite number"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("12.3.4", "more than one decimal point"),
        ("abc", "not a number"),
        ("--1", "more than one sign"),
        ("▲-1", "more than one sign"),
        ("+-1", "more than one sign"),
        ("▲", "no digits"),
        ("+", "no digits"),
        ("−", "no digits"),
        (".5", "not a number"),
        ("5.", "not a number"),
        ("1 234", "not a number"),
        ("12%", "not a number"),
        ("1,234.5.6", "more than one decimal point"),
        ("٣", "(U+0663 ARABIC-INDIC DIGIT THREE) is not a digit"),
    ],
)
def test_parse_number_rejects(text: str, fragment: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(text)
    message = str(info.value)
    assert f"'{text}'" in message
    assert fragment in message


def test_number_errors_are_value_errors() -> None:
    assert issubclass(NumberError, ValueError)
    assert issubclass(UnitError, ValueError)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("39.3万人", Decimal("39.3"), "万人"),
        ("14,063億円", Decimal("14063"), "億円"),
        ("365日/年", Decimal("365"), "日/年"),
        ("13.60%", Decimal("13.60"), "%"),
        ("13.60％", Decimal("13.60"), "%"),
        ("320,975 百万円", Decimal("320975"), "百万円"),
        ("1万7187人", Decimal("17187"), "人"),
        ("1万7,187人", Decimal("17187"), "人"),
        ("1兆4,518億円", Decimal("14518"), "億円"),
        ("2万5千人", Decimal("25"), "千人"),
        ("1万7187.5人", Decimal("17187.5"), "人"),
        ("▲1万2千人", Decimal("-12"), "千人"),
        ("▲2.6ポイント", Decimal("-2.6"), "ポイント"),
        ("5千t-CO2", Decimal("5"), "千t-CO2"),
        ("45.0万人", Decimal("45.0"), "万人"),
        ("１２３件", Decimal("123"), "件"),
        ("100", Decimal("100"), ""),
        ("3 万 人", Decimal("3"), "万人"),
        ("—", None, ""),
        ("－", None, ""),
        ("", None, ""),
        ("  ", None, ""),
    ],
)
def test_parse_quantity(text: str, value: Decimal | None, unit: str) -> None:
    quantity = parse_quantity(text)
    assert same(quantity.value, value)
    assert quantity.unit == unit
    assert quantity == Quantity(value, unit)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("abc", "not a number"),
        ("人", "not a number"),
        ("1,23,4人", "misplaced comma"),
        ("1e5人", "exponent"),
        ("12.3.4人", "more than one decimal point"),
        ("1万17187人", "must shrink"),
        ("1万5万人", "must shrink"),
        ("1千2万人", "must shrink"),
        ("1.5万7187人", "only the last part"),
        ("--1人", "more than one sign"),
        ("1 234人", "is not a unit"),
        ("5-3", "is not a unit"),
        ("NaN", "not a finite number"),
    ],
)
def test_parse_quantity_rejects(text: str, fragment: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_quantity(text)
    message = str(info.value)
    assert f"'{text}'" in message
    assert fragment in message


@pytest.mark.parametrize(
    ("unit", "multiplier", "base"),
    [
        ("万人", 10**4, "人"),
        ("百万円", 10**6, "円"),
        ("千人/年", 1000, "人/年"),
        ("億円", 10**8, "円"),
        ("兆円", 10**12, "円"),
        ("十万人", 10**5, "人"),
        ("千万円", 10**7, "円"),
        ("十人", 10, "人"),
        ("百件", 100, "件"),
        ("人", 1, "人"),
        ("%", 1, "%"),
        ("", 1, ""),
        ("万", 1, "万"),
        ("百万", 1, "百万"),
        ("千", 1, "千"),
    ],
)
def test_split_unit(unit: str, multiplier: int, base: str) -> None:
    got_multiplier, got_base = split_unit(unit)
    assert isinstance(got_multiplier, Decimal)
    assert (got_multiplier, got_base) == (Decimal(multiplier), base)


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        ("45.0", "万人", "人", "450000"),
        ("39.3", "万人", "千人", "393"),
        ("17187", "人", "万人", "1.7187"),
        ("14518", "億円", "兆円", "1.4518"),
        ("320975", "百万円", "億円", "3209.75"),
        ("1", "兆円", "円", "1000000000000"),
        ("0.1", "十人", "人", "1"),
        (
            "123456789012345678901234567890.123",
            "兆円",
            "円",
            "1.23456789012345678901234567890123E+41",
        ),
    ],
)
def test_convert(value: str, from_unit: str, to_unit: str, expected: str) -> None:
    result = convert(Decimal(value), from_unit, to_unit)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)


def test_convert_same_unit_returns_value_unchanged() -> None:
    value = Decimal("12.50")
    assert convert(value, "万人", "万人") is value
    assert convert(value, "", "") is value


@pytest.mark.parametrize(
    ("from_unit", "to_unit", "message"),
    [
        ("件", "人", "cannot convert 件 to 人"),
        ("万件", "人", "cannot convert 万件 to 人"),
        ("%", "", "cannot convert % to (no unit)"),
        ("人", "人/年", "cannot convert 人 to 人/年"),
    ],
)
def test_convert_rejects_other_base(from_unit: str, to_unit: str, message: str) -> None:
    with pytest.raises(UnitError) as info:
        convert(Decimal(1), from_unit, to_unit)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal(14063), "14,063"),
        (Decimal("13.60"), "13.60"),
        (Decimal("-2.6"), "-2.6"),
        (Decimal("1E+3"), "1,000"),
        (Decimal("1.5E+6"), "1,500,000"),
        (Decimal("0"), "0"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("0.005"), "0.005"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("123"), "123"),
        (Decimal("1234"), "1,234"),
        (Decimal("-1234567.891"), "-1,234,567.891"),
        (Decimal("100000"), "100,000"),
    ],
)
def test_format_number(value: Decimal, expected: str) -> None:
    assert format_number(value) == expected


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_format_number_rejects_non_finite(value: Decimal) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        format_number(value)


@pytest.mark.parametrize(
    ("ratio", "places", "expected"),
    [
        (Decimal("0.99832"), 1, "99.8%"),
        (Decimal("0.99850"), 1, "99.9%"),
        (Decimal("0.0005"), 1, "0.1%"),
        (Decimal("0.0004"), 1, "0.0%"),
        (Decimal("1"), 1, "100.0%"),
        (Decimal("12.3456"), 1, "1,234.6%"),
        (Decimal("0.123456"), 2, "12.35%"),
        (Decimal("0.5"), 0, "50%"),
        (Decimal("-0.0262"), 1, "-2.6%"),
        (Decimal("-0.0001"), 1, "0.0%"),
        (None, 1, "—"),
    ],
)
def test_format_percent(ratio: Decimal | None, places: int, expected: str) -> None:
    assert format_percent(ratio, places) == expected


def test_format_percent_default_places() -> None:
    assert format_percent(Decimal("0.99832")) == "99.8%"


@settings(max_examples=examples(500), deadline=None)
@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=14),
    st.integers(min_value=0, max_value=3),
)
def test_percent_places_shows_a_ratio_below_1_below_100(digits: int, shift: int, places: int) -> None:
    """Ratios just below 1 (where the shortcut ends) get the decimals that keep them below 100%,
    exactly the fewest: one decimal fewer would round them to 100."""
    for ratio in (1 - Decimal(digits).scaleb(-shift - 3), Decimal(digits).scaleb(-shift)):
        shown = percent_places(ratio, places)
        percent = ratio * 100
        assert shown >= places
        if percent < 100:
            assert round_half_up(percent, shown) < 100
        if shown > places:
            assert round_half_up(percent, shown - 1) >= 100


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("2.25", 1, "2.3"),
        ("2.35", 1, "2.4"),
        ("-2.25", 1, "-2.3"),
        ("2.249", 1, "2.2"),
        ("2", 2, "2.00"),
        ("1234.5", 0, "1235"),
        ("99.95", 1, "100.0"),
        ("1" * 40 + ".5", 0, "1" * 39 + "2"),
    ],
)
def test_round_half_up(value: str, places: int, expected: str) -> None:
    assert same(round_half_up(Decimal(value), places), Decimal(expected))


def _outcome(parse: Callable[[str], object], text: str) -> object:
    """What ``parse`` returns, or its NumberError message; any other exception escapes."""
    try:
        return parse(text)
    except NumberError as exc:
        message = str(exc)
    assert f"'{text}'" in message
    return message


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=30))
def test_parse_number_only_raises_number_error(text: str) -> None:
    outcome = _outcome(parse_number, text)
    assert outcome is None or isinstance(outcome, str | Decimal)
    if isinstance(outcome, Decimal):
        assert outcome.is_finite()


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet="0123456789,.+-▲△−eE 万億兆千百十人円%—", max_size=16))
def test_number_shaped_noise(text: str) -> None:
    # Mostly near-numbers: both parsers must either succeed or say why.
    _outcome(parse_number, text)
    _outcome(parse_quantity, text)


_BOUND = 10**15
_DECIMALS_4 = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-_BOUND, max_value=_BOUND
)
_DECIMALS_6 = st.decimals(
    allow_nan=False, allow_infinity=False, places=6, min_value=-_BOUND, max_value=_BOUND
)
_PEOPLE = st.sampled_from(
    ["人", "十人", "百人", "千人", "万人", "十万人", "百万人", "千万人", "億人", "兆人"]
)


@settings(max_examples=examples(300), deadline=None)
@given(_DECIMALS_4)
def test_format_parse_round_trip(value: Decimal) -> None:
    parsed = parse_number(format_number(value))
    assert parsed == value
    if not value.is_zero():
        assert same(parsed, value)


@settings(max_examples=examples(200), deadline=None)
@given(_DECIMALS_6, _PEOPLE, _PEOPLE)
def test_convert_round_trip(value: Decimal, a: str, b: str) -> None:
    there = convert(value, a, b)
    assert convert(there, b, a) == value
    ratio = split_unit(a)[0] / split_unit(b)[0]
    assert there == value * ratio or value.is_zero()


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (Decimal(499999) / Decimal(500000), "99.9998%"),  # 49万9999 against 50万
        (Decimal("0.9996"), "99.96%"),
        (Decimal("0.99949"), "99.9%"),
        (Decimal("1.00004"), "100.0%"),
        (Decimal(1), "100.0%"),
    ],
)
def test_a_ratio_below_one_never_shows_as_100_percent(ratio: Decimal, expected: str) -> None:
    assert format_percent(ratio) == expected
