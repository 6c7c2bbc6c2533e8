"""The field types shared by the data model: strict validators behind annotated types.

A YAML value that is not what a field wants is rejected, never coerced. Values written in the
YAML as numbers arrive as :class:`~decimal.Decimal` built from the text as written (``13.60``
stays ``13.60``), so rates computed from them are exact. :class:`StrictModel` is the base of
every model of :mod:`kpitool.model.plan` and :mod:`kpitool.model.actuals`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema

from kpitool.model.built_once import BuiltOnce
from kpitool.model.plugins import skip_empty_plugin_lookup
from kpitool.values.fiscal_year import parse_fiscal_year
from kpitool.values.numbers import NumberError, parse_number
from kpitool.values.periods import Period, PeriodError, parse_period

skip_empty_plugin_lookup()  # before the first validator is built (model/plugins.py)

__all__ = [
    "AmbiguousScalar",
    "Count",
    "FiscalYearLabel",
    "Flag",
    "GoalNumber",
    "GradeSymbol",
    "Identifier",
    "Label",
    "Number",
    "OptionalNumber",
    "OptionalPeriod",
    "OptionalText",
    "PeriodField",
    "StrictModel",
    "Text",
]


class AmbiguousScalar:
    """A plain YAML scalar that YAML 1.1 would silently retype (``0123``, ``no``, ``2025-04-01``).

    The loader hands these over instead of guessing; every field refuses them
    with a hint to quote the text.
    """

    __slots__ = ("reason", "text")

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason

    def __repr__(self) -> str:
        return f"AmbiguousScalar({self.text!r})"

    def explain(self) -> str:
        """Why the scalar was refused and what to write instead."""
        return f"{self.text!r} is ambiguous: {self.reason}; quote it if you mean the text"


# A YAML value that is not what a field wants is rejected, never coerced: the
# loader hands over Decimals for numbers and str for text, and these validators
# refuse everything else with a message that says what to write instead.


def _require_nonempty_text(value: Any) -> str:
    text = _require_text(value)
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _refuse_ambiguous(value: Any) -> None:
    if isinstance(value, AmbiguousScalar):
        raise ValueError(value.explain())


def _require_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    _refuse_ambiguous(value)
    if isinstance(value, bool):
        raise ValueError(f"expected text, got the boolean {str(value).lower()}; quote it")
    if isinstance(value, Decimal):
        raise ValueError(f"expected text, got the number {value}; quote it")
    raise ValueError(f"expected text, got {type(value).__name__}")


def _refuse_long(text: str, what: str) -> None:
    # Labels are short; echoing a 5,000-character "label" back would bury the message.
    if len(text) > 100:
        raise ValueError(f"expected {what}, got text of {len(text):,} characters")


# What passed a validator before, so that a national load (a few thousand distinct periods,
# years and numbers, repeated a million times) checks each once. A validator is a pure
# function of its input: the memo returns what the check returned. Bounded: at
# _MEMO_LIMIT entries a memo starts afresh.
_MEMO_LIMIT = 100_000
_known_periods: dict[str, Period] = {}
_known_years: set[str] = set()
_known_numbers: dict[int, Decimal] = {}
"""id → a Decimal that passed, kept alive so that its id stays its own (the loader shares equal numbers)."""


def _remember(memo: dict[Any, Any] | set[Any], size: int = _MEMO_LIMIT) -> None:
    if len(memo) >= size:
        memo.clear()


def _validate_period(value: Any) -> Period:
    if type(value) is str:
        known = _known_periods.get(value)
        if known is not None:
            return known
    _refuse_ambiguous(value)
    if isinstance(value, Period):
        return value
    _refuse_long(_require_text(value), "a period such as R6年度")
    try:
        period = parse_period(_require_text(value))
    except PeriodError as exc:
        raise ValueError(str(exc)) from None
    if type(value) is str:
        _remember(_known_periods)
        _known_periods[value] = period
    return period


def _validate_year_key(value: Any) -> str:
    if type(value) is str and value in _known_years:
        return value
    text = _require_text(value)
    _refuse_long(text, "a year such as R6")
    try:
        parse_fiscal_year(text)
    except PeriodError as exc:
        raise ValueError(str(exc)) from None
    _remember(_known_years)
    _known_years.add(text)
    return text


# Sanity bound on magnitudes: the largest figure in a municipal plan is a
# budget in yen (~1e13); anything near 1e18 is a typo or an attack.
_MAX_MAGNITUDE = Decimal("1e18")
# No plan prints more than a dozen digits; thousands of them are an attack on the arithmetic.
_MAX_DIGITS = 30
_MAX_PLACES = 12


def _shown(value: Any) -> str:
    """A value for a message, cut short: a 5,000-digit number must not flood the terminal."""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)  # 0.0000001, not 1E-7
    return text if len(text) <= 40 else f"{text[:20]}…({len(text):,} characters)"


def _validate_number(value: Any) -> Decimal:
    known = _known_numbers.get(id(value))
    if known is not None and known is value:
        return known
    number = _check_number(value)
    if number is value:
        _remember(_known_numbers)
        _known_numbers[id(value)] = number
    return number


def _check_number(value: Any) -> Decimal:
    _refuse_ambiguous(value)
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        _refuse_long(value, "a number")
        try:
            parsed = parse_number(value)
        except NumberError as exc:
            raise ValueError(str(exc)) from None
        if parsed is None:
            raise ValueError(f"expected a number, got {value!r} (write null for no value)")
        number = parsed
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {_shown(value)}")
    if abs(number) >= _MAX_MAGNITUDE:
        raise ValueError(f"number {_shown(value)} is out of range (must be below 1e18)")
    if len(number.as_tuple().digits) > _MAX_DIGITS:
        raise ValueError(f"number {_shown(value)} has more than {_MAX_DIGITS} digits")
    if number and number.adjusted() < -_MAX_PLACES:  # 1E-320 would make every ratio overflow
        raise ValueError(f"number {_shown(value)} is too close to zero (below 1e-{_MAX_PLACES})")
    return number


PeriodField = Annotated[
    Period,
    BuiltOnce(
        PlainValidator(_validate_period),
        PlainSerializer(lambda p: p.label, return_type=str),
        WithJsonSchema(
            {
                "type": "string",
                "description": "期間 — a period as written: R6年度, 令和6年度, 2024年度, R7年1月, "
                "令和8年4月1日, R6年度末, H30.10月～R1.9月, H29～R2",
                "examples": ["R6年度", "平成30年度", "R7年1月", "H30.10月～R1.9月"],
            }
        ),
    ),
]
"""A period (時点) kept as written, validated and normalised by :mod:`kpitool.values.periods`."""

Number = Annotated[
    Decimal,
    BuiltOnce(
        PlainValidator(_validate_number),
        PlainSerializer(lambda d: d, return_type=Decimal),
        WithJsonSchema(
            {
                "anyOf": [{"type": "number"}, {"type": "string"}],
                "description": '数値 — a number as written: 14063, 13.60, "1,234", "▲2.6"',
            }
        ),
    ),
]
"""An exact decimal number; YAML numbers and strict numeric text ("1,234", "▲2.6")."""

Text = Annotated[str, BuiltOnce(PlainValidator(_require_text), WithJsonSchema({"type": "string"}))]
"""Text that must be text in the YAML (a YAML number or boolean is refused)."""

Label = Annotated[
    str,
    BuiltOnce(PlainValidator(_require_nonempty_text), WithJsonSchema({"type": "string", "minLength": 1})),
]
"""Non-empty text: names, titles and units."""

Identifier = Annotated[
    str,
    BuiltOnce(
        PlainValidator(_require_text),
        Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=80),
        WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"}),
    ),
]
"""A stable ASCII id (letters, digits, ``.``, ``_``, ``-``): plan, section, project and KPI ids."""

FiscalYearLabel = Annotated[
    str,
    BuiltOnce(
        PlainValidator(_validate_year_key),
        WithJsonSchema({"type": "string", "examples": ["R6", "令和6年度", "2024年度"]}),
    ),
]
"""An evaluation year (評価年度) as written: R6, 令和6年度, 2024年度."""


# The optional fields are most of a national load's fields: null, or a value the memos above know.


def _optional_text(value: Any) -> str | None:
    return value if value is None or type(value) is str else _require_text(value)


def _optional_number(value: Any) -> Decimal | None:
    if value is None:
        return None
    known = _known_numbers.get(id(value))
    return known if known is not None and known is value else _validate_number(value)


def _optional_period(value: Any) -> Period | None:
    if value is None:
        return None
    known = _known_periods.get(value) if type(value) is str else None
    return known if known is not None else _validate_period(value)


def _validate_flag(value: Any) -> bool:
    _refuse_ambiguous(value)
    if isinstance(value, bool):
        return value
    raise ValueError("expected true or false")


def _validate_goal_number(value: Any) -> int:
    number = _validate_number(value)
    if number != number.to_integral_value():
        raise ValueError(f"expected a whole number, got {value}")
    return int(number)


OptionalText = Annotated[
    str | None,
    BuiltOnce(PlainValidator(_optional_text), WithJsonSchema({"type": ["string", "null"]})),
]
"""Text or null."""

OptionalNumber = Annotated[
    Decimal | None,
    BuiltOnce(
        PlainValidator(_optional_number),
        PlainSerializer(lambda d: d, return_type=Decimal | None),
        WithJsonSchema(
            {
                "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}],
                "description": "数値 — a number as written, or null for — (no value)",
            }
        ),
    ),
]
"""A number or null."""

OptionalPeriod = Annotated[
    Period | None,
    BuiltOnce(
        PlainValidator(_optional_period),
        PlainSerializer(lambda p: p.label if p is not None else None, return_type=str | None),
        WithJsonSchema({"type": ["string", "null"], "description": "期間 — a period as written"}),
    ),
]
"""A period or null."""

Flag = Annotated[bool, BuiltOnce(PlainValidator(_validate_flag), WithJsonSchema({"type": "boolean"}))]
"""true or false, nothing else (YAML's yes/no/on/off are refused)."""

GoalNumber = Annotated[
    int,
    BuiltOnce(
        PlainValidator(_validate_goal_number),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 17}),
    ),
]
"""An SDG goal number."""


def _validate_count(value: Any) -> int:
    _refuse_ambiguous(value)
    wanted = "expected a count (a whole number, 0 or more)"
    if isinstance(value, bool):
        raise ValueError(f"{wanted}, got the boolean {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"{wanted}, got the text {_shown(value)!r}; write the number without quotes")
    number = _validate_number(value)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(f"{wanted}, got {_shown(number)}")
    return int(number)


def _validate_grade_symbol(value: Any) -> str:
    text = _require_nonempty_text(value)
    _refuse_long(text, "a grade symbol such as ○")
    return text


Count = Annotated[
    int,
    BuiltOnce(
        PlainValidator(_validate_count),
        WithJsonSchema({"type": "integer", "minimum": 0, "description": "件数 — a whole number, 0 or more"}),
    ),
]
"""A count (件数): a whole YAML number, 0 or more (text, booleans and fractions are refused)."""

GradeSymbol = Annotated[
    str,
    BuiltOnce(
        PlainValidator(_validate_grade_symbol),
        WithJsonSchema({"type": "string", "minLength": 1, "examples": ["○", "△", "×", "—"]}),
    ),
]
"""A grade symbol (○ △ × —) as written; ``validate`` checks it is one of the plan's scheme."""


class StrictModel(BaseModel):
    """Base of every model: unknown keys are errors, inputs are never echoed in errors."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
        str_strip_whitespace=False,
    )
