"""Which characters are digits: ASCII ``0-9`` and full-width ``０-９``, nothing else.

Numbers and periods are read after Unicode NFKC normalisation, which folds
full-width ``１２３`` into ``123`` as intended, but also folds superscripts,
circled and parenthesised numbers, fractions and squared symbols into digits:
``10²`` would read as 102, ``②`` as 2, ``㊿`` as 50 and ``2⁰2⁴`` as 2024. So
before normalising, every such look-alike (数字に似た文字) is refused by name.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["describe_character", "digit_lookalike", "not_a_digit"]

_DIGITS = frozenset("0123456789０１２３４５６７８９")


@functools.lru_cache(maxsize=4096)
def _is_lookalike(char: str) -> bool:
    if char in _DIGITS or char.isascii():
        return False
    if unicodedata.category(char) in ("Nd", "No"):  # other scripts' digits, ², ②, ½, ㊿ …
        return True
    return any(c in _DIGITS for c in unicodedata.normalize("NFKC", char))  # ㋀ → 1月, ㏠ → 1日


@functools.lru_cache(maxsize=4096)
def _starts_like_a_digit(char: str) -> bool:
    # ㎡ (m2) may end a number as its unit; ㋀ (1月) would glue its digit onto the number.
    return unicodedata.category(char) in ("Nd", "No") or unicodedata.normalize("NFKC", char)[:1] in _DIGITS


def digit_lookalike(text: str, *, number_part: frozenset[str] | None = None) -> str | None:
    """The first character of ``text`` that NFKC would read as a digit but is not one; None if none.

    With ``number_part`` (the characters a number may be written with), only the
    leading run of those characters and of digit look-alikes is examined, so that a
    unit after the number may hold ``㎡`` or ``m³``.
    """
    for char in text:
        if _is_lookalike(char):
            if number_part is None or _starts_like_a_digit(char):
                return char
            return None  # a unit begins with it (㎡)
        if number_part is not None and char not in number_part and char not in _DIGITS:
            return None  # the unit begins
    return None


def describe_character(char: str) -> str:
    """``'²' (U+00B2 SUPERSCRIPT TWO)``: a character, its code point and its Unicode name."""
    name = unicodedata.name(char, "")
    return f"'{char}' (U+{ord(char):04X}{' ' + name if name else ''})"


def not_a_digit(char: str) -> str:
    """The reason given for a look-alike: ``'²' (U+00B2 SUPERSCRIPT TWO) is not a digit; …``."""
    return f"{describe_character(char)} is not a digit; write the digits 0-9 (full-width ０-９ too)"
