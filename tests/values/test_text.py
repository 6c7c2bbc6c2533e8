"""Hidden characters (controls, direction changes, zero-width ones) are named; visible text passes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpitool.values.text import HIDDEN_CHARACTER, describe_hidden, hidden_character

INVISIBLE = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
DIRECTION = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]))


@pytest.mark.parametrize("char", INVISIBLE + DIRECTION + CONTROLS)
def test_each_hidden_character_is_found_inside_text(char: str) -> None:
    assert hidden_character(f"久留米{char}市") == char


@pytest.mark.parametrize(
    ("char", "described"),
    [
        ("\u200b", "the invisible character U+200B (ZERO WIDTH SPACE)"),
        ("\u2060", "the invisible character U+2060 (WORD JOINER)"),
        ("\x1b", "the invisible character U+001B"),  # controls have no name in unicodedata
    ],
)
def test_the_character_is_described_by_code_point_and_name(char: str, described: str) -> None:
    assert describe_hidden(char) == described


@pytest.mark.parametrize(
    "text",
    ["第2期総合戦略", "R6年度", "　全角スペース", "タブ\tと改行\n", "行\u2028区切り", "😀 emoji", "①②", "m²"],
)
def test_visible_text_and_layout_pass(text: str) -> None:
    assert hidden_character(text) is None


@given(st.text(alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs"))))
def test_letters_marks_numbers_punctuation_symbols_and_spaces_are_never_hidden(text: str) -> None:
    found = hidden_character(text)
    # Only format characters (Cf, U+00AD among them) and controls (Cc) are hidden.
    assert found is None, (found, unicodedata.category(found))


def test_every_hidden_character_is_a_control_a_format_or_a_separator_character() -> None:
    # HIDDEN_CHARACTER is one character class: scanning all of Unicode at once finds what
    # matching each character alone finds, a third of the time.
    hidden = HIDDEN_CHARACTER.findall("".join(map(chr, range(0x110000))))
    assert all(len(char) == 1 for char in hidden)
    assert {unicodedata.category(char) for char in hidden} <= {"Cc", "Cf"}
    assert set(INVISIBLE + DIRECTION + CONTROLS) == set(hidden)
