"""Strict parsing of numbers (数値) and units (単位) as written in plans.

Figures are exact :class:`~decimal.Decimal` values built from the text, never
floats, and keep their written precision (``12.50`` stays ``12.50``). Parsing
is strict: a misplaced comma or exponent notation is far more likely a typo
than an intent, so it raises :class:`NumberError` rather than guessing.
Japanese conventions are understood: ``▲2.6`` and ``△2.6`` are negative,
``—`` marks a missing value, and multiplier prefixes such as 万 (10⁴) and
億 (10⁸) can be split off a unit and converted exactly.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, localcontext
from typing import Final

from kpitool.errors import KpitoolError
from kpitool.values.digits import digit_lookalike, not_a_digit

__all__ = [
    "MISSING_MARKS",
    "NumberError",
    "Quantity",
    "UnitError",
    "convert",
    "format_number",
    "format_percent",
    "parse_number",
    "parse_quantity",
    "percent_places",
    "precise_context",
    "round_half_up",
    "split_unit",
]


class NumberError(KpitoolError, ValueError):
    """Text is not a number we accept; the message quotes it and says what was expected."""


class UnitError(KpitoolError, ValueError):
    """Two units cannot be converted into each other (different base units)."""


MISSING_MARKS: Final[frozenset[str]] = frozenset({"—", "－", "-", "―", "ー", "‐", ""})
"""Cell contents meaning "no value" (欠測・該当なし); whitespace-only text counts too."""

# ▲ and △ are the usual minus signs in Japanese public finance tables.
_NEGATIVE_SIGNS: Final = frozenset("▲△-−")
_POSITIVE_SIGNS: Final = frozenset("+")
_SIGNS: Final = _NEGATIVE_SIGNS | _POSITIVE_SIGNS

# Either plain digits, or comma groups of exactly three after a first group of
# one to three that does not start with 0.
_NUMBER_RE: Final = re.compile(r"(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_EXPONENT_RE: Final = re.compile(r"[0-9.,]*[eE][+-]?[0-9]+")
_NUMBER_TOKEN_RE: Final = re.compile(r"[0-9][0-9.,]*")
# A multiplier inside a mixed numeral (1万7187人) is followed by more digits;
# otherwise it belongs to the unit (39.3万人).
_MIXED_MULTIPLIER_RE: Final = re.compile(r"([兆億万千百十])(?=[0-9])")

# Decimal exponent of each unit prefix, longest spelling first so that 百万
# wins over 百.
_PREFIXES: Final[tuple[tuple[str, int], ...]] = (
    ("十万", 5),
    ("百万", 6),
    ("千万", 7),
    ("十", 1),
    ("百", 2),
    ("千", 3),
    ("万", 4),
    ("億", 8),
    ("兆", 12),
)
_SINGLE_MULTIPLIERS: Final = {prefix: power for prefix, power in _PREFIXES if len(prefix) == 1}

# What the number before a unit may be written with (besides digits): where a unit begins,
# look-alike digits are no longer looked for (㎡, m³).
_NUMBER_PART: Final = frozenset(" \t\u3000,.，．＋－") | _SIGNS | frozenset(_SINGLE_MULTIPLIERS)

_EXPECTED: Final = "expected a number such as 1,234, 12.50 or ▲2.6"


@dataclass(frozen=True)
class Quantity:
    """A number with its unit as written (数量), e.g. 39.3 and ``万人``."""

    value: Decimal | None
    """The number, or None for a missing mark such as ``—``."""
    unit: str
    """The unit as written, multiplier prefix included (``万人``); ``""`` for none."""


def _quote(text: str) -> str:
    return f"'{text}'"


def _is_missing(text: str) -> bool:
    stripped = text.strip()
    return stripped in MISSING_MARKS or unicodedata.normalize("NFKC", stripped).strip() in MISSING_MARKS


def _refuse_lookalikes(text: str, number_part: frozenset[str] | None = None) -> None:
    """Raise NumberError naming a character NFKC would turn into a digit (``10²`` → 102)."""
    found = digit_lookalike(text, number_part=number_part)
    if found is not None:
        raise NumberError(f"{_quote(text)}: {not_a_digit(found)}")


def _take_sign(text: str) -> tuple[bool, str]:
    """Split off one leading sign; True when it is a minus."""
    if text[:1] in _NEGATIVE_SIGNS:
        return True, text[1:]
    if text[:1] in _POSITIVE_SIGNS:
        return False, text[1:]
    return False, text


def _reason(body: str) -> str:
    """Why ``body`` (the text after any sign) is not a number."""
    if not body:
        return "no digits"
    if body[0] in _SIGNS:
        return "more than one sign"
    if body.lower().lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
        return "not a finite number"
    if _EXPONENT_RE.fullmatch(body):
        return "exponent notation is not accepted"
    if re.fullmatch(r"[0-9,]+(?:\.[0-9]+)?", body) and "," in body:
        return "misplaced comma (digits are grouped in threes: 1,234,567)"
    if re.fullmatch(r"[0-9.,]+", body) and body.count(".") > 1:
        return "more than one decimal point"
    return "not a number"


def _parse_unsigned(body: str, text: str) -> Decimal:
    if _NUMBER_RE.fullmatch(body) is None:
        raise NumberError(f"{_quote(text)}: {_reason(body)}; {_EXPECTED}")
    # Built from the string, so exact and with the written exponent.
    return Decimal(body.replace(",", ""))


def _signed(value: Decimal, negative: bool) -> Decimal:
    # copy_negate never rounds, unlike unary minus; -0 is not worth keeping.
    return value.copy_negate() if negative and not value.is_zero() else value


def parse_number(text: str) -> Decimal | None:
    """Parse a number as written in a table cell; None for a missing mark.

    Accepts ``1,234``, ``1,234.5``, full-width digits (NFKC), the minus signs
    ``▲ △ - −``, a leading ``+``, and keeps the written exponent (``12.50``).
    Raises :class:`NumberError` for anything else: misplaced commas, exponent
    notation, NaN and infinity, several signs or points, a bare sign, words, and
    characters NFKC would read as digits (``²``, ``②``, ``㊿``), named.
    """
    if _is_missing(text):
        return None
    _refuse_lookalikes(text)
    normal = unicodedata.normalize("NFKC", text).strip()
    negative, body = _take_sign(normal)
    return _signed(_parse_unsigned(body, text), negative)


def _split_prefix(unit: str) -> tuple[int, str]:
    for prefix, power in _PREFIXES:
        if unit.startswith(prefix):
            # A prefix with nothing after it is the unit itself (万 alone).
            return (power, unit[len(prefix) :]) if len(unit) > len(prefix) else (0, unit)
    return 0, unit


def split_unit(unit: str) -> tuple[Decimal, str]:
    """Split a unit into its multiplier and base unit: ``万人`` → (10000, ``人``).

    Prefixes are 十 百 千 万 十万 百万 千万 億 兆, longest first
    (``百万円`` → (10⁶, ``円``)). A unit without a prefix, or a prefix with
    nothing after it (``万``), has multiplier 1.
    """
    power, base = _split_prefix(unit)
    return Decimal(10**power), base


def _mixed_value(parts: list[tuple[str, Decimal, int]], last: Decimal, unit: str, text: str) -> Decimal:
    """Combine ``1兆4,518億円`` into 14518 in units of the unit's prefix (億)."""
    unit_power, _ = _split_prefix(unit)
    terms = [*parts, ("", last, unit_power)]
    for token, _, _ in parts:
        if "." in token:
            raise NumberError(f"{_quote(text)}: only the last part of a mixed numeral may have decimals")
    # Each part must fit below the multiplier before it: 1万7187, not 1万17187.
    for (_, _, higher), (_, value, power) in itertools.pairwise(terms):
        if power >= higher or value * Decimal(10**power) >= Decimal(10**higher):
            raise NumberError(
                f"{_quote(text)}: mixed numeral parts must shrink, as in 1万7187人 or 1兆4,518億円"
            )
    # Every power is now at least unit_power, so the scale factors are integers.
    return sum((value * Decimal(10 ** (power - unit_power)) for _, value, power in terms), Decimal(0))


def parse_quantity(text: str) -> Quantity:
    """Parse a number with an optional unit: ``39.3万人`` → (39.3, ``万人``).

    The unit is kept as written (whitespace removed), prefix included:
    ``14,063億円`` → (14063, ``億円``), ``320,975 百万円`` → (320975, ``百万円``).
    Mixed numerals are summed in units of the smallest multiplier written,
    which stays in the unit: ``1万7187人`` → (17187, ``人``),
    ``1兆4,518億円`` → (14518, ``億円``). A missing mark gives (None, ``""``).
    Raises :class:`NumberError` when the text does not start with a valid number,
    and for a character in the number that NFKC would read as a digit (``10²``,
    ``②人``); a unit may hold them (``㎡``, ``m³``).
    """
    if _is_missing(text):
        return Quantity(None, "")
    _refuse_lookalikes(text, _NUMBER_PART)
    normal = unicodedata.normalize("NFKC", text).strip()
    negative, rest = _take_sign(normal)
    parts: list[tuple[str, Decimal, int]] = []
    while True:
        match = _NUMBER_TOKEN_RE.match(rest)
        if match is None:
            raise NumberError(
                f"{_quote(text)}: {_reason(rest)}; expected a number with an optional unit, "
                "such as 39.3万人, 14,063億円 or ▲2.6%"
            )
        token, rest = match.group(), rest[match.end() :]
        value = _parse_unsigned(token, text)
        multiplier = _MIXED_MULTIPLIER_RE.match(rest)
        if multiplier is None:
            break
        parts.append((token, value, _SINGLE_MULTIPLIERS[multiplier.group(1)]))
        rest = rest[1:]
    unit = "".join(rest.split())
    if re.match(r"[eE][+-]?[0-9]", unit):
        raise NumberError(f"{_quote(text)}: exponent notation is not accepted; {_EXPECTED}")
    if unit[:1] in _SIGNS or unit[:1] in {".", ","} or unit[:1].isdigit():
        raise NumberError(f"{_quote(text)}: {unit!r} is not a unit; {_EXPECTED} and a unit")
    if parts:
        digits = sum(len(token) for token, _, _ in parts) + len(token)
        with localcontext() as context:
            context.prec = digits + 40
            context.traps[Inexact] = True
            value = _mixed_value(parts, value, unit, text)
    return Quantity(_signed(value, negative), unit)


def _show_unit(unit: str) -> str:
    return unit or "(no unit)"


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert exactly between units sharing a base: 45.0 ``万人`` → 450000.0 ``人``.

    Identical units return ``value`` itself. Raises :class:`UnitError` when the
    base units differ (``cannot convert 件 to 人``).
    """
    if from_unit == to_unit:
        return value
    from_power, from_base = _split_prefix(from_unit)
    to_power, to_base = _split_prefix(to_unit)
    if from_base != to_base:
        raise UnitError(f"cannot convert {_show_unit(from_unit)} to {_show_unit(to_unit)}")
    shift = from_power - to_power
    if shift == 0:
        return value
    with localcontext() as context:
        # Scaling by a power of ten needs at most |shift| more digits; with
        # that precision the result is exact, and Inexact would flag a bug.
        context.prec = max(28, len(value.as_tuple().digits) + abs(shift) + 2)
        context.traps[Inexact] = True
        # scaleb moves the decimal point only: 45.0万人 → 4.50E+5人 (450,000, no
        # invented decimal place), 299539人 → 29.9539万人.
        return value.scaleb(shift)


def format_number(value: Decimal) -> str:
    """Format with thousands separators, keeping the decimals as written.

    14063 → ``14,063``, ``Decimal("13.60")`` → ``13.60``, ``Decimal("-2.6")``
    → ``-2.6``, ``Decimal("1E+3")`` → ``1,000``; never scientific notation.
    Raises ValueError for NaN and infinity.
    """
    if not value.is_finite():
        raise ValueError(f"cannot format {value}: not a finite number")
    # Decimal's own "f" keeps the exponent as written (13.60 stays 13.60, 1E+3 is 1000);
    # "," groups thousands whatever the locale. -0.0 is shown as 0.0.
    return format(value.copy_abs() if value.is_zero() else value, ",f")


_PRECISION = 28
"""The default decimal precision; a value needing more digits gets its own context."""

_ROUNDING = Context(prec=_PRECISION, rounding=ROUND_HALF_UP)
"""Shared by :func:`precise_context` (an explicit context is far cheaper than ``localcontext()``)."""


def precise_context(digits: int) -> Context:
    """A decimal context (rounding half up) with at least ``digits`` digits of precision.

    The default precision is shared; a value that needs more (a ratio with a
    target near zero is huge) gets its own context, so quantize never fails.
    Pass ``rounding=`` to an operation for another rounding.
    """
    return _ROUNDING if digits <= _PRECISION else Context(prec=digits, rounding=ROUND_HALF_UP)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round to ``places`` decimals, halves away from zero (四捨五入): 2.25 → 2.3.

    The result always has exactly ``places`` decimals (2 → 2.00 for places=2).
    Raises ValueError for NaN and infinity.
    """
    if not value.is_finite():
        raise ValueError(f"cannot round {value}: not a finite number")
    # quantize fails when the result needs more digits than the precision.
    return value.quantize(Decimal(1).scaleb(-places), context=precise_context(value.adjusted() + places + 3))


def format_percent(ratio: Decimal | None, places: int = 1) -> str:
    """Format a ratio as a percentage: 0.99832 → ``99.8%`` (ROUND_HALF_UP); None → ``—``.

    A ratio below 1 never shows as 100%: it gets the decimals it needs to stay below
    (0.999998 → ``99.9998%``), so a target missed by a hair is not read as reached.
    """
    if ratio is None:
        return "—"
    # Moving the point is exact given as many digits as the ratio has.
    percent = ratio.scaleb(2, context=precise_context(len(ratio.as_tuple().digits) + 3))
    return f"{format_number(round_half_up(percent, percent_places(ratio, places)))}%"


def percent_places(ratio: Decimal, places: int = 1) -> int:
    """The decimals a percentage of ``ratio`` is shown with: ``places``, or more when a ratio
    below 1 would round to 100% (0.999998 → 4, shown 99.9998%)."""
    if not ratio < 1 or ratio < _rounds_below_one(places):  # most ratios: no digit to add
        return places
    percent = ratio.scaleb(2, context=precise_context(len(ratio.as_tuple().digits) + 3))
    while percent < 100 <= round_half_up(percent, places):
        places += 1
    return places


@functools.lru_cache(maxsize=16)
def _rounds_below_one(places: int) -> Decimal:
    """The least ratio whose percentage rounds (half up, ``places`` decimals) to 100: 0.9995 for 1."""
    return 1 - Decimal(5).scaleb(-(places + 3))
