"""The cell forms of a KPI table (表のセルの書式): values, qualified targets, annotations, periods.

Published evaluation sheets write more than a number in a cell: a qualifier that is the
direction (``85%以上``), a note about the value (``[旧指標]13``, ``1.56(全国16位)``), a note
about the period (``R5(速報値)``), a dash for "none" (``-``, ``—``, ``―``, ``－``, ``‐``) and
mixed 万 notation (``12万3456冊``). :func:`read_value` and :func:`read_period` split a cell
into what the model holds (a number, a period) and the notes kept beside it. A cell they
cannot read raises :class:`CellError` whose message lists the accepted forms.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from kpitool.errors import KpitoolError
from kpitool.values.numbers import MISSING_MARKS, NumberError, UnitError, convert, parse_quantity
from kpitool.values.periods import Period, PeriodError, parse_period

__all__ = [
    "ANNUAL_WORDS",
    "PERIOD_FORMS",
    "QUALIFIERS",
    "VALUE_FORMS",
    "CellError",
    "PeriodCell",
    "ValueCell",
    "cell_text",
    "is_missing",
    "read_period",
    "read_value",
]


QUALIFIERS: dict[str, tuple[str, bool]] = {
    "以上": ("at_least", False),
    "以下": ("at_most", False),
    "超": ("at_least", True),
    "未満": ("at_most", True),
}
"""A qualifier after a target → (direction, strictly beyond): ``85%以上`` is at least 85%."""

VALUE_FORMS = (
    "accepted: 1,234 / 12.5万人 / 12万3456冊 / ▲2.6 / - (none) / 13 (R5年度) / "
    "[旧指標]13 / 1.56(全国16位) / 85%以上, 0件以下 (目標値 only)"
)
"""The value forms, for messages."""

PERIOD_FORMS = (
    "accepted: R6年度 / 令和6年度 / R6年 / R7年3月末 / R8年4月1日 / - (none) / R5(速報値) / "
    "毎年度, 各年度(R2-R4), R7(最終年度に), R4(3年間で), R4～R7の累計 (目標時点 only)"
)
"""The period forms, for messages."""

ANNUAL_WORDS = frozenset({"毎年", "毎年度", "各年度", "各年"})
"""目標時点 words of an annual target: the same target in every year of a range."""

_YEARS_OVER = re.compile(r"^([0-9０-９]+)\s*(?:年間|か年|ヵ年|カ年|ヶ年)(?:で|の累計|累計|合計)?$")
"""``3年間で``: a total over the N years ending in the period before it."""
_FINAL_YEAR = re.compile(r"^最終年度(?:に|まで|で)?$")
_TOTAL_SUFFIX = re.compile(r"\s*の?(?:累計|合計)$")

_LEADING_NOTE = re.compile(r"^\s*[\[［【〔]([^\[\]［］【】〔〕]*)[\]］】〕]\s*")
_TRAILING_GROUP = re.compile(r"[（(]([^()（）]*)[)）]\s*$")
_PARENTHESES = frozenset("()（）[]［］【】〔〕")
_DIGIT = re.compile(r"[0-9０-９]")
_LIKE_A_PERIOD = re.compile(r"^(?:[RHSrhs]|令和|平成|昭和|FY)\s*[0-9０-９元]|^[0-9０-９]{4}\s*年")
"""A note that starts like a period (``R5年13月``) is a period mistyped, not a note."""


class CellError(KpitoolError, ValueError):
    """A cell the table reader does not understand; the message names the text and the forms."""


@dataclass(frozen=True)
class ValueCell:
    """A value cell read: the number in the KPI's unit (None: none), its period, notes, qualifier."""

    value: Decimal | None
    period: Period | None = None
    notes: tuple[str, ...] = ()
    qualifier: str | None = None
    """以上 / 以下 / 超 / 未満 when the cell ends with one (targets only)."""
    wording: str = ""
    """The value as written, without notes and period (``85%以上``)."""


@dataclass(frozen=True)
class PeriodCell:
    """A period cell read: the period (None: none) and the notes in parentheses after it."""

    period: Period | None
    notes: tuple[str, ...] = ()
    inner: Period | None = None
    """A period in parentheses after the text (``各年度(R2-R4)``): the range of an annual target."""
    text: str = ""
    """The text before the parentheses (``各年度``)."""

    over: str | None = None
    """``final_year`` (R7(最終年度に)) or ``total`` (R4(3年間で), R4～R7の累計): a multi-year target."""
    years: int | None = None
    """The N of ``N年間で``: the range is the N years ending in :attr:`period`."""

    @property
    def annual(self) -> bool:
        """True for an annual target's period: ``毎年``, ``毎年度``, ``各年度`` (with or without a range)."""
        return self.text in ANNUAL_WORDS


def cell_text(cell: Any) -> str:
    """A cell as text: None → ``""``, whole floats without ``.0``, text stripped."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if not math.isfinite(cell):  # a crafted <v>NaN</v> reads as a float NaN
            return repr(cell)
        return repr(cell) if cell != int(cell) else str(int(cell))
    return str(cell).strip()


def is_missing(text: str) -> bool:
    """True for an empty cell or a dash (``-``, ``—``, ``―``, ``－``, ``‐``)."""
    stripped = text.strip()
    return stripped in MISSING_MARKS or unicodedata.normalize("NFKC", stripped).strip() in MISSING_MARKS


def _quoted(text: str, message: str) -> str:
    prefix = f"'{text}': "
    return message if message.startswith(prefix) else prefix + message


def _split_notes(text: str) -> tuple[str, list[str], list[str]]:
    """``[旧指標]13 (R5)(速報値)`` → (``13``, leading notes, trailing groups in reading order)."""
    original = text
    leading: list[str] = []
    while match := _LEADING_NOTE.match(text):
        leading.append(match[1].strip())
        text = text[match.end() :]
    trailing: list[str] = []
    while match := _TRAILING_GROUP.search(text):
        trailing.insert(0, match[1].strip())
        text = text[: match.start()]
    if any(mark in text for mark in _PARENTHESES):
        raise CellError(
            f"'{original}': write the data period in closed parentheses, as in 14,276 (R2年度), "
            "and a note in closed brackets, as in [旧指標]13"
        )
    return text.strip(), leading, trailing


def _hides_a_number(note: str) -> bool:
    """A note that is itself a value (``(12)``, ``(3万人)``): which one would be meant is unclear."""
    try:
        return parse_quantity(note).value is not None
    except NumberError:
        return False


def _period_or_note(group: str, original: str) -> Period | str:
    """A group in parentheses: a period (``R5年度``) or a note (``全国16位``, ``速報値``)."""
    try:
        return parse_period(group)
    except PeriodError as exc:
        if _LIKE_A_PERIOD.match(group):
            raise PeriodError(f"'{original}': {exc}") from None
    if _hides_a_number(group):
        raise CellError(
            f"'{original}': the note ({group}) is a number: which is the value? "
            "write one value, and words in the note"
        )
    return group


def _period_and_notes(groups: list[str], original: str) -> tuple[Period | None, list[str]]:
    """The groups in parentheses: at most one period, the rest notes."""
    period: Period | None = None
    notes: list[str] = []
    for group in groups:
        found = _period_or_note(group, original)
        if isinstance(found, Period):
            if period is not None:
                raise CellError(f"'{original}': two periods ({period.label}, {found.label}): keep one")
            period = found
        else:
            notes.append(found)
    return period, notes


def _take_qualifier(body: str, original: str) -> tuple[str, str | None]:
    """``85%以上`` → (``85%``, ``以上``); two qualifiers are refused."""
    found = next((word for word in sorted(QUALIFIERS, key=len, reverse=True) if body.endswith(word)), None)
    rest = body[: -len(found)].rstrip() if found else body
    if any(word in rest for word in QUALIFIERS if word != "超" or found):
        raise CellError(f"'{original}': two qualifiers (以上 / 以下 / 超 / 未満): keep one")
    return rest, found


def _number_cell(cell: Any) -> ValueCell:
    if isinstance(cell, date | time | timedelta):  # a workbook cell formatted as a date or time
        raise NumberError("the cell holds a date or time, not a number: format it as 標準 and retype it")
    number = Decimal(cell_text(cell))
    if not number.is_finite():
        raise NumberError(f"{cell!r} is not a finite number")
    return ValueCell(number, wording=cell_text(cell))


def read_value(cell: Any, unit: str, *, qualified: bool = False) -> ValueCell:
    """A value cell in ``unit``: number, optional unit, notes, (period) and — if ``qualified`` — 以上.

    Raises :class:`CellError`, :class:`NumberError`, :class:`UnitError` or :class:`PeriodError`
    with the cell's text quoted once.
    """
    if isinstance(cell, int | float | Decimal | date | time | timedelta) and not isinstance(cell, bool):
        return _number_cell(cell)
    original = cell_text(cell)
    body, leading, groups = _split_notes(original)
    period, notes = _period_and_notes(groups, original)
    notes = leading + notes
    body, qualifier = _take_qualifier(body, original)
    if qualifier and not qualified:
        raise CellError(f"'{original}': a qualifier ({qualifier}) belongs in a 目標値 cell only")
    if is_missing(body):
        hidden = [note for note in notes if _DIGIT.search(note)]
        if hidden and body == "":
            raise CellError(
                f"'{original}': the note [{hidden[0]}] hides the value; "
                "write the number outside it, as in [旧指標]13"
            )
        if qualifier:
            raise CellError(f"'{original}': {qualifier} with no number before it")
        return ValueCell(None, period, tuple(notes))
    try:
        quantity = parse_quantity(body)
        value = quantity.value
        if value is not None and quantity.unit and quantity.unit != unit:
            value = convert(value, quantity.unit, unit)
    except (NumberError, UnitError) as exc:
        raise type(exc)(_quoted(original, str(exc))) from None
    if value is not None and value.as_tuple().exponent > 0:  # type: ignore[operator]
        value = value.quantize(Decimal(1))  # 12.5万冊 in 冊: 125000, not 1.25E+5
    return ValueCell(value, period, tuple(notes), qualifier, body + (qualifier or ""))


def read_period(cell: Any) -> PeriodCell:
    """A period cell: ``R6年度``, ``-`` (none), ``R5(速報値)`` (a note), ``各年度(R2-R4)`` (a range).

    The text before a parenthesised period is not parsed here (:attr:`PeriodCell.text`): the
    caller decides what ``各年度`` means. Raises :class:`CellError` or :class:`PeriodError`.
    """
    original = cell_text(cell)
    body, leading, groups = _split_notes(original)
    over, years = None, None
    if groups and (found := _YEARS_OVER.match(groups[-1])):
        over, years = "total", int(unicodedata.normalize("NFKC", found[1]))
        groups = groups[:-1]
    elif groups and _FINAL_YEAR.match(groups[-1]):
        over, groups = "final_year", groups[:-1]
    elif (total := _TOTAL_SUFFIX.search(body)) is not None:
        over, body = "total", body[: total.start()].strip()
    for group in groups:
        if _DIGIT.search(group) and not _LIKE_A_PERIOD.match(group):
            raise CellError(
                f"'{original}': the note ({group}) holds a number kpitool does not read; {PERIOD_FORMS}"
            )
    inner, notes = _period_and_notes(groups, original)
    notes = leading + notes
    if inner is not None:
        return PeriodCell(None, tuple(notes), inner, body)
    if is_missing(body) or body in ANNUAL_WORDS:
        if over is not None:
            raise CellError(f"'{original}': a multi-year target needs its year, as in R7(最終年度に)")
        return PeriodCell(None, tuple(notes), text=body)
    try:
        return PeriodCell(parse_period(body), tuple(notes), text=body, over=over, years=years)
    except PeriodError as exc:
        raise PeriodError(f"{_quoted(original, str(exc))}") from None
