"""Shared presentation facts: grade colours and number display, one place for all renderers."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from kpitool.model.plan import Direction
from kpitool.rating.results import Evaluation
from kpitool.rating.schemes.base import Scheme
from kpitool.values.numbers import format_number, format_percent

__all__ = [
    "FORMULA_STARTS",
    "TONE_COLOURS",
    "Tone",
    "actual_parts",
    "actual_text",
    "display_number",
    "display_rate",
    "grade_tone",
    "value_with_period",
]


class Tone(StrEnum):
    """How good a grade is, whatever its symbol: the colour follows the tone."""

    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    NONE = "none"


TONE_COLOURS: dict[Tone, tuple[str, str]] = {
    Tone.GOOD: ("green", "C6EFCE"),
    Tone.FAIR: ("yellow", "FFEB9C"),
    Tone.POOR: ("red", "FFC7CE"),
    Tone.NONE: ("bright_black", "EDEDED"),
}
"""Tone → (Rich colour, Excel fill RGB). Excel's own good/neutral/bad fills."""

DIRECTION_LABELS: dict[Direction, str] = {
    Direction.INCREASE: "増加",
    Direction.DECREASE: "減少",
    Direction.AT_LEAST: "以上",
    Direction.AT_MOST: "以下",
}
"""Japanese labels of the directions."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters that make a spreadsheet read text as a formula (a tab or line break before one
too): CSV cells starting so are neutralised, xlsx text cells get the quote prefix."""


def grade_tone(scheme: Scheme, symbol: str) -> Tone:
    """The tone of a grade symbol in a scheme: first grade good, last judged grade poor."""
    symbols = scheme.symbols()
    if symbol not in symbols or symbol == scheme.not_judged.symbol:
        return Tone.NONE
    judged = symbols[:-1]
    position = judged.index(symbol)
    if position == 0:
        return Tone.GOOD
    if position == len(judged) - 1:
        return Tone.POOR
    return Tone.FAIR


def display_number(value: Decimal | None) -> str:
    """A value as the seeds print it: thousands separators, decimals as written; None → —."""
    return "—" if value is None else format_number(value)


def display_rate(ratio: Decimal | None) -> str:
    """A ratio as a percentage with one decimal; None → —."""
    return format_percent(ratio)


def value_with_period(value: Decimal | None, period: str | None) -> str:
    """``14,276 (R2年度)`` — a value with its period, as the seeds print them."""
    text = display_number(value)
    return f"{text} ({period})" if period and value is not None else text


def actual_parts(row: Evaluation) -> tuple[str, str | None]:
    """The actual as printed in a table: value in the KPI's unit (— if none), and its data period."""
    observation = row.observation
    if observation is None or observation.value is None:
        return "—", None
    actual = observation.actual
    period = actual.period.label if actual.period else None
    if actual.unit and actual.unit != row.kpi.unit and actual.value is not None:
        # Show the figure as the source printed it (299,539人), not its conversion (29.9539万人).
        return f"{display_number(actual.value)}{actual.unit}", period
    return display_number(observation.value), period


def actual_text(row: Evaluation) -> str:
    """The actual with its period: ``15,048 (R4年度)``."""
    text, period = actual_parts(row)
    return f"{text} ({period})" if period else text
