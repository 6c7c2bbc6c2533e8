"""Tests for kpitool.values.periods: 和暦 and fiscal-year parsing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitool.values.fiscal_year import fiscal_year_label, fiscal_year_label_ja, parse_fiscal_year
from kpitool.values.periods import Period, PeriodError, PeriodKind, parse_period
from tests.properties import examples

K = PeriodKind
D = date

ACCEPTED: list[tuple[str, PeriodKind, date, date]] = [
    # fiscal years (年度)
    ("令和6年度", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("R6年度", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("R6", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("R06", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("r6", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("Ｒ６", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("Ｒ６年度", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("㋿6年度", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("2024年度", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("2024", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("FY2024", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("fy2024", K.FISCAL_YEAR, D(2024, 4, 1), D(2025, 3, 31)),
    ("平成 30 年度", K.FISCAL_YEAR, D(2018, 4, 1), D(2019, 3, 31)),
    ("令和 7 年度", K.FISCAL_YEAR, D(2025, 4, 1), D(2026, 3, 31)),
    ("平成30年度", K.FISCAL_YEAR, D(2018, 4, 1), D(2019, 3, 31)),
    ("H30", K.FISCAL_YEAR, D(2018, 4, 1), D(2019, 3, 31)),
    ("h30", K.FISCAL_YEAR, D(2018, 4, 1), D(2019, 3, 31)),
    ("令和元年度", K.FISCAL_YEAR, D(2019, 4, 1), D(2020, 3, 31)),
    ("R元年度", K.FISCAL_YEAR, D(2019, 4, 1), D(2020, 3, 31)),
    ("R元", K.FISCAL_YEAR, D(2019, 4, 1), D(2020, 3, 31)),
    ("R1", K.FISCAL_YEAR, D(2019, 4, 1), D(2020, 3, 31)),
    ("H31年度", K.FISCAL_YEAR, D(2019, 4, 1), D(2020, 3, 31)),
    ("H31", K.FISCAL_YEAR, D(2019, 4, 1), D(2020, 3, 31)),
    ("平成元年度", K.FISCAL_YEAR, D(1989, 4, 1), D(1990, 3, 31)),
    ("S63", K.FISCAL_YEAR, D(1988, 4, 1), D(1989, 3, 31)),
    ("昭和63年度", K.FISCAL_YEAR, D(1988, 4, 1), D(1989, 3, 31)),
    ("S1", K.FISCAL_YEAR, D(1926, 4, 1), D(1927, 3, 31)),
    ("1926", K.FISCAL_YEAR, D(1926, 4, 1), D(1927, 3, 31)),
    ("2200年度", K.FISCAL_YEAR, D(2200, 4, 1), D(2201, 3, 31)),
    # calendar years (年)
    ("令和6年", K.CALENDAR_YEAR, D(2024, 1, 1), D(2024, 12, 31)),
    ("R6年", K.CALENDAR_YEAR, D(2024, 1, 1), D(2024, 12, 31)),
    ("2024年", K.CALENDAR_YEAR, D(2024, 1, 1), D(2024, 12, 31)),
    ("R元年", K.CALENDAR_YEAR, D(2019, 1, 1), D(2019, 12, 31)),
    ("H30年", K.CALENDAR_YEAR, D(2018, 1, 1), D(2018, 12, 31)),
    ("H31年", K.CALENDAR_YEAR, D(2019, 1, 1), D(2019, 12, 31)),
    # months (月)
    ("R7年1月", K.MONTH, D(2025, 1, 1), D(2025, 1, 31)),
    ("令和7年1月", K.MONTH, D(2025, 1, 1), D(2025, 1, 31)),
    ("2025年1月", K.MONTH, D(2025, 1, 1), D(2025, 1, 31)),
    ("R7.1月", K.MONTH, D(2025, 1, 1), D(2025, 1, 31)),
    ("Ｒ７．１月", K.MONTH, D(2025, 1, 1), D(2025, 1, 31)),
    ("R6年2月", K.MONTH, D(2024, 2, 1), D(2024, 2, 29)),
    ("R元年5月", K.MONTH, D(2019, 5, 1), D(2019, 5, 31)),
    ("H31年4月", K.MONTH, D(2019, 4, 1), D(2019, 4, 30)),
    ("S64年1月", K.MONTH, D(1989, 1, 1), D(1989, 1, 31)),
    ("H1年1月", K.MONTH, D(1989, 1, 1), D(1989, 1, 31)),
    # dates (日)
    ("令和8年4月1日", K.DATE, D(2026, 4, 1), D(2026, 4, 1)),
    ("R8年4月1日", K.DATE, D(2026, 4, 1), D(2026, 4, 1)),
    ("R8.4.1", K.DATE, D(2026, 4, 1), D(2026, 4, 1)),
    ("2026年4月1日", K.DATE, D(2026, 4, 1), D(2026, 4, 1)),
    ("2026-04-01", K.DATE, D(2026, 4, 1), D(2026, 4, 1)),
    ("2026/4/1", K.DATE, D(2026, 4, 1), D(2026, 4, 1)),
    ("２０２６年４月１日", K.DATE, D(2026, 4, 1), D(2026, 4, 1)),
    ("R6.2.29", K.DATE, D(2024, 2, 29), D(2024, 2, 29)),
    ("H31.4.30", K.DATE, D(2019, 4, 30), D(2019, 4, 30)),
    ("R1.5.1", K.DATE, D(2019, 5, 1), D(2019, 5, 1)),
    # fiscal year ends (年度末)
    ("R6年度末", K.FISCAL_YEAR_END, D(2025, 3, 31), D(2025, 3, 31)),
    ("令和6年度末", K.FISCAL_YEAR_END, D(2025, 3, 31), D(2025, 3, 31)),
    ("2024年度末", K.FISCAL_YEAR_END, D(2025, 3, 31), D(2025, 3, 31)),
    ("R2年度末", K.FISCAL_YEAR_END, D(2021, 3, 31), D(2021, 3, 31)),
    ("H31年度末", K.FISCAL_YEAR_END, D(2020, 3, 31), D(2020, 3, 31)),
    # windows of months
    ("H30.10月～R1.9月", K.WINDOW, D(2018, 10, 1), D(2019, 9, 30)),
    ("R6.10月～R7.9月", K.WINDOW, D(2024, 10, 1), D(2025, 9, 30)),
    ("R3.10月～R4.9月", K.WINDOW, D(2021, 10, 1), D(2022, 9, 30)),
    ("R3.10月～4.9月", K.WINDOW, D(2021, 10, 1), D(2022, 9, 30)),
    ("2018年10月～2019年9月", K.WINDOW, D(2018, 10, 1), D(2019, 9, 30)),
    ("H30年10月〜R元年9月", K.WINDOW, D(2018, 10, 1), D(2019, 9, 30)),
    # spans
    ("H29～R2", K.SPAN, D(2017, 4, 1), D(2021, 3, 31)),
    ("H29～R2年", K.SPAN, D(2017, 1, 1), D(2020, 12, 31)),
    ("R4～R7年", K.SPAN, D(2022, 1, 1), D(2025, 12, 31)),
    ("平成23～27年度", K.SPAN, D(2011, 4, 1), D(2016, 3, 31)),
    ("H28～H30", K.SPAN, D(2016, 4, 1), D(2019, 3, 31)),
    ("2020～2025年度", K.SPAN, D(2020, 4, 1), D(2026, 3, 31)),
    ("令和6年度～令和8年度", K.SPAN, D(2024, 4, 1), D(2027, 3, 31)),
    ("R6年度～8年度", K.SPAN, D(2024, 4, 1), D(2027, 3, 31)),
    ("FY2020～FY2025", K.SPAN, D(2020, 4, 1), D(2026, 3, 31)),
    ("H30～2020年度", K.SPAN, D(2018, 4, 1), D(2021, 3, 31)),
    ("R6～R6", K.SPAN, D(2024, 4, 1), D(2025, 3, 31)),
    ("2026-04-01～2027-03-31", K.SPAN, D(2026, 4, 1), D(2027, 3, 31)),
    ("2026-04-01-2027-03-31", K.SPAN, D(2026, 4, 1), D(2027, 3, 31)),
    # every separator
    ("H29〜R2", K.SPAN, D(2017, 4, 1), D(2021, 3, 31)),
    ("H29~R2", K.SPAN, D(2017, 4, 1), D(2021, 3, 31)),
    ("H29－R2", K.SPAN, D(2017, 4, 1), D(2021, 3, 31)),
    ("H29-R2", K.SPAN, D(2017, 4, 1), D(2021, 3, 31)),
    ("H29–R2", K.SPAN, D(2017, 4, 1), D(2021, 3, 31)),
    ("H29—R2", K.SPAN, D(2017, 4, 1), D(2021, 3, 31)),
    ("H29 ～ R2", K.SPAN, D(2017, 4, 1), D(2021, 3, 31)),
]


@pytest.mark.parametrize(("text", "kind", "start", "end"), ACCEPTED)
def test_parse_period_accepts(text: str, kind: PeriodKind, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert period.label == text.strip()
    assert str(period) == text.strip()


REJECTED: list[tuple[str, str]] = [
    # (text, a fragment the message must contain besides the text itself)
    ("R0", "start at 1"),
    ("R0年度", "start at 1"),
    ("H0", "start at 1"),
    ("H32", "平成 ended in H31 (2019)"),
    ("平成32年度", "平成 ended in H31"),
    ("S65", "昭和 ended in S64"),
    ("S64年度", "昭和 ended on 1989-01-07"),
    ("R183", "outside 1926–2200"),
    ("R6年13月", "month must be 1–12"),
    ("R6年0月", "month must be 1–12"),
    ("R6.13月", "month must be 1–12"),
    ("R6年2月30日", "not a calendar date"),
    ("R5.2.29", "not a calendar date"),
    ("2026-04-31", "not a calendar date"),
    ("2026/4/0", "not a calendar date"),
    ("2025年2月99999999999日", "not a calendar date"),
    ("H31年5月1日", "平成 ended on 2019-04-30"),
    ("H31年5月", "平成 ended on 2019-04-30"),
    ("R1年3月", "令和 began on 2019-05-01"),
    ("R1.4.30", "令和 began on 2019-05-01"),
    ("H1.1.7", "平成 began on 1989-01-08"),
    ("S64.1.8", "昭和 ended on 1989-01-07"),
    ("1899", "outside 1926–2200"),
    ("1925", "outside 1926–2200"),
    ("1921年", "outside 1926–2200"),
    ("大正10年", "not a period"),
    ("2201年度", "outside 1926–2200"),
    ("30年度", "needs an era"),
    ("元年度", "needs an era"),
    ("FY24", "FY takes a bare four-digit year"),
    ("FY2024年度", "FY takes a bare four-digit year"),
    ("R8～R6", "before the start"),
    ("2025～2020年度", "before the start"),
    ("R7.9月～R6.10月", "before the start"),
    ("H29～H32", "平成 ended in H31"),
    ("R6年～R7年度", "same kind"),
    ("R6年度～R7.3月", "same kind"),
    ("R6.10月～9月", "expected a fiscal year"),
    ("R6～", "expected a fiscal year"),
    ("～R6", "expected a fiscal year"),
    ("R6～R7～R8", "expected a fiscal year"),
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "expected a fiscal year"),
    ("令和", "expected a fiscal year"),
    ("X6年度", "expected a fiscal year"),
    ("R6年度末末", "expected a fiscal year"),
    ("R-6", "expected a fiscal year"),
    ("R6" * 40, "too long"),
]


@pytest.mark.parametrize(("text", "fragment"), REJECTED)
def test_parse_period_rejects(text: str, fragment: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    message = str(info.value)
    assert f"'{text}'" in message
    assert fragment in message


def test_period_error_is_a_value_error() -> None:
    assert issubclass(PeriodError, ValueError)


@pytest.mark.parametrize(
    "text", ["R6", "令和6年度", "R6年度", "2024年度", "2024", "FY2024", "Ｒ６", "Ｒ６年度"]
)
def test_parse_fiscal_year(text: str) -> None:
    assert parse_fiscal_year(text) == 2024


@pytest.mark.parametrize(
    ("text", "expected"),
    [("平成 30 年度", 2018), ("令和元年度", 2019), ("H31", 2019), ("S63", 1988), ("R元", 2019)],
)
def test_parse_fiscal_year_seeds(text: str, expected: int) -> None:
    assert parse_fiscal_year(text) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("R7年1月", "month"),
        ("R8.4.1", "date"),
        ("2026-04-01", "date"),
        ("R6年", "calendar year"),
        ("R6年度末", "fiscal year end"),
        ("H29～R2", "span"),
        ("H30.10月～R1.9月", "window"),
    ],
)
def test_parse_fiscal_year_rejects_other_kinds(text: str, kind: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_fiscal_year(text)
    assert f"'{text}'" in str(info.value)
    assert f"not a {kind}" in str(info.value)


@pytest.mark.parametrize("text", ["R0", "H32", "abc", ""])
def test_parse_fiscal_year_passes_on_parse_errors(text: str) -> None:
    with pytest.raises(PeriodError, match=f"'{text}'"):
        parse_fiscal_year(text)


@pytest.mark.parametrize(
    ("fy", "short", "japanese"),
    [
        (2024, "R6", "令和6年度"),
        (2019, "R1", "令和元年度"),
        (2020, "R2", "令和2年度"),
        (2018, "H30", "平成30年度"),
        (1989, "H1", "平成元年度"),
        (1988, "S63", "昭和63年度"),
        (1926, "S1", "昭和元年度"),
        (2200, "R182", "令和182年度"),
    ],
)
def test_fiscal_year_labels(fy: int, short: str, japanese: str) -> None:
    assert fiscal_year_label(fy) == short
    assert fiscal_year_label_ja(fy) == japanese


@pytest.mark.parametrize("fy", [1925, 1900, 2201])
def test_fiscal_year_labels_out_of_range(fy: int) -> None:
    with pytest.raises(ValueError, match=str(fy)):
        fiscal_year_label(fy)
    with pytest.raises(ValueError, match=str(fy)):
        fiscal_year_label_ja(fy)


def test_equality_ignores_label() -> None:
    heisei, reiwa = parse_period("H31年度"), parse_period("令和元年度")
    assert heisei == reiwa
    assert hash(heisei) == hash(reiwa)
    assert heisei.label != reiwa.label
    assert parse_period("R6年") != parse_period("R6年度")
    assert len({parse_period(t) for t in ("R6", "R6年度", "2024", "FY2024", "Ｒ６")}) == 1


def test_fiscal_year_property() -> None:
    assert parse_period("R7年1月").fiscal_year == 2024
    assert parse_period("R7年4月").fiscal_year == 2025
    assert parse_period("R6年度").fiscal_year == 2024
    assert parse_period("R6年度末").fiscal_year == 2024
    assert parse_period("H29～R2").fiscal_year == 2020
    assert parse_period("R6年").fiscal_year == 2024


def test_sort_key_orders_by_end_then_start() -> None:
    texts = ["R6年度", "R6年度末", "R7年1月", "R5～R6", "R6年", "2025-03-31"]
    periods = sorted((parse_period(t) for t in texts), key=Period.sort_key)
    # Ties (the fiscal year end and the same date) keep their input order.
    assert [p.label for p in periods] == [
        "R6年",
        "R7年1月",
        "R5～R6",
        "R6年度",
        "R6年度末",
        "2025-03-31",
    ]
    assert parse_period("R6年度").sort_key() == (date(2025, 3, 31), date(2024, 4, 1))


def test_period_is_frozen_and_checks_order() -> None:
    period = parse_period("R6")
    with pytest.raises(AttributeError):
        period.label = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="before it starts"):
        Period("bad", PeriodKind.SPAN, date(2025, 1, 1), date(2024, 1, 1))


@settings(max_examples=examples(50), deadline=None)
@given(st.integers(min_value=1989, max_value=2100))
def test_fiscal_year_forms_round_trip(fy: int) -> None:
    assert parse_fiscal_year(fiscal_year_label(fy)) == fy
    assert parse_fiscal_year(fiscal_year_label_ja(fy)) == fy
    assert parse_fiscal_year(f"{fy}年度") == fy
    assert parse_fiscal_year(f"FY{fy}") == fy
    assert parse_fiscal_year(str(fy)) == fy
    if fy <= 2019:
        heisei = fy - 1988
        assert parse_fiscal_year(f"H{heisei}") == fy
        assert parse_fiscal_year(f"平成{heisei}年度") == fy
        assert parse_fiscal_year(f"平成 {heisei} 年度") == fy


def test_fiscal_year_forms_round_trip_every_year() -> None:
    # Exhaustive as well as cheap: the property test samples, this covers all.
    for fy in range(1926, 2201):
        assert parse_fiscal_year(fiscal_year_label(fy)) == fy
        assert parse_fiscal_year(fiscal_year_label_ja(fy)) == fy


def _outcome(text: str) -> Period | str:
    """The parsed period, or the PeriodError message; any other exception escapes."""
    try:
        return parse_period(text)
    except PeriodError as exc:
        return str(exc)


def _check_outcome(text: str) -> None:
    outcome = _outcome(text)
    if isinstance(outcome, str):
        assert f"'{text}'" in outcome
    else:
        assert outcome.start <= outcome.end
        assert outcome.kind in PeriodKind


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=30))
def test_parse_period_only_raises_period_error(text: str) -> None:
    _check_outcome(text)


_ERA_PIECES = ("R", "H", "S", "令和", "平成", "昭和", "FY", "元")
_SUFFIX_PIECES = ("年", "年度", "年度末", "月", "日")
_PUNCTUATION_PIECES = (".", "/", "-", "～", "〜", " ")
_DIGIT_PIECES = ("0", "1", "6", "9", "12", "13", "31", "2024", "99")
_PIECES = st.sampled_from((*_ERA_PIECES, *_SUFFIX_PIECES, *_PUNCTUATION_PIECES, *_DIGIT_PIECES))


@settings(max_examples=examples(250), deadline=None)
@given(st.lists(_PIECES, max_size=10).map("".join))
def test_parse_period_period_shaped_noise(text: str) -> None:
    # Random text rarely looks like a period; this explores the near misses.
    _check_outcome(text)
