"""Parse the periods (時点・期間) written in Japanese municipal plans.

Plans mix the Japanese era calendar (和暦: 令和/平成/昭和, or R/H/S) with
Western years, and count most targets in fiscal years (年度, April–March).
:func:`parse_period` turns any of the usual spellings into a :class:`Period`
with exact first and last days, so that periods can be compared and sorted
whatever way they were written:

- fiscal year: ``令和6年度``, ``R6年度``, ``R6``, ``2024年度``, ``2024``, ``FY2024``
- calendar year: ``令和6年``, ``R6年``, ``2024年``
- month: ``R7年1月``, ``R7.1月``, ``2025年1月``
- date: ``令和8年4月1日``, ``R8.4.1``, ``2026-04-01``, ``2026/4/1``
- fiscal year end (年度末): ``R6年度末``, ``2024年度末``
- window of months: ``H30.10月～R1.9月``
- span: ``H29～R2``, ``H29～R2年``, ``平成23～27年度``, ``2020～2025年度``

Text is normalised with Unicode NFKC (full-width ``Ｒ６`` becomes ``R6``) and
all whitespace is dropped first; a character NFKC would turn into a digit but
that is not one (``2⁰2⁴``, ``R⑥``) is refused by name first. Anything not understood raises
:class:`PeriodError`, never another exception.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

from kpitool.errors import KpitoolError
from kpitool.values.digits import digit_lookalike, not_a_digit
from kpitool.values.eras import ERA_BY_KEY, Era

__all__ = [
    "Period",
    "PeriodError",
    "PeriodKind",
    "parse_period",
]

MIN_YEAR: Final = 1926
"""Earliest Western year accepted: 昭和元年 (S1), the first year the era labels can name."""
MAX_YEAR: Final = 2200
"""Latest Western year accepted."""

# Real period labels are short; the cap keeps the split search below cheap
# on hostile input.
_MAX_LENGTH: Final = 64

_FORMS: Final = (
    "expected a fiscal year (R6, 令和6年度, 2024年度, FY2024), a calendar year (R6年, 2024年), "
    "a month (R7年1月, R7.1月, 2025年1月), a date (令和8年4月1日, R8.4.1, 2026-04-01), "
    "a fiscal year end (R6年度末), or a range such as H30.10月～R1.9月 or H29～R2"
)


class PeriodError(KpitoolError, ValueError):
    """Text is not a period we understand.

    The message quotes the text and says what was expected, e.g.
    ``'R6年13月': month must be 1–12``.
    """


class PeriodKind(StrEnum):
    """What a period label denotes."""

    FISCAL_YEAR = "fiscal_year"
    """A fiscal year (年度), April 1 to March 31."""
    CALENDAR_YEAR = "calendar_year"
    """A calendar year (年), January 1 to December 31."""
    MONTH = "month"
    """One calendar month (月)."""
    DATE = "date"
    """A single day (日)."""
    FISCAL_YEAR_END = "fiscal_year_end"
    """The last day of a fiscal year (年度末), March 31."""
    WINDOW = "window"
    """A run of whole months, e.g. ``H30.10月～R1.9月``."""
    SPAN = "span"
    """A run of years or days, e.g. ``H29～R2``."""


def _fiscal_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class Period:
    """A period (時点・期間) with exact first and last days.

    Equality and hashing use ``(kind, start, end)`` only, so ``H31年度`` and
    ``R1年度`` are the same period; ``label`` keeps the spelling for display.
    """

    label: str = field(compare=False)
    """The text as written (outer whitespace removed)."""
    kind: PeriodKind
    """What the label denotes."""
    start: date
    """First day covered."""
    end: date
    """Last day covered; equal to ``start`` for a date or a fiscal year end."""

    def __post_init__(self) -> None:
        """Refuse a period that ends before it starts."""
        if self.start > self.end:
            raise ValueError(f"period {self.label!r} ends ({self.end}) before it starts ({self.start})")

    @property
    def fiscal_year(self) -> int:
        """The fiscal year (年度) containing the last day, as a Western year."""
        return _fiscal_year_of(self.end)

    @property
    def first_fiscal_year(self) -> int:
        """The fiscal year (年度) containing the first day: R2 for ``R2～R4``."""
        return _fiscal_year_of(self.start)

    def sort_key(self) -> tuple[date, date]:
        """Key ordering periods by last day, then first day."""
        return (self.end, self.start)

    def __str__(self) -> str:
        """The label as written."""
        return self.label


# One period without a range separator. `kind` groups are tried in order, so
# 年度末 must come before 年度 and 年.
_ATOM_RE: Final = re.compile(
    r"""
    (?: (?P<fy>FY) | (?P<era>昭和|平成|令和|[SHR]) )?
    (?P<year>[0-9]+|元)
    (?:
        (?P<fy_end>年度末)
      | (?P<fiscal>年度)
      | (?P<nen>年) (?: (?P<jm>[0-9]+)月 (?: (?P<jd>[0-9]+)日 )? )?
      | \. (?P<dm>[0-9]+)月
      | (?P<sep>[./-]) (?P<sm>[0-9]+) (?P=sep) (?P<sd>[0-9]+)
    )?
    """,
    re.VERBOSE | re.IGNORECASE,
)

# After NFKC: ～ has become ~ and － has become -; the rest survive as is.
_SEPARATORS: Final = frozenset("~〜-–—―‐−")

_YEARLY: Final = (PeriodKind.FISCAL_YEAR, PeriodKind.CALENDAR_YEAR)


@dataclass(frozen=True)
class _Atom:
    """One side of a range, matched but not yet checked."""

    text: str
    fy_prefix: bool
    era: Era | None
    year: str
    # None: a bare year, which is a fiscal year unless the other end of a
    # span says 年.
    kind: PeriodKind | None
    month: str | None
    day: str | None


def _normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _as_int(digits: str) -> int:
    # int() refuses very long digit strings with ValueError; anything this long
    # is out of range anyway, so clamp to a value every range check rejects.
    return int(digits) if len(digits) <= 9 else 10**9


def _match_atom(text: str) -> _Atom | None:
    match = _ATOM_RE.fullmatch(text)
    if match is None:
        return None
    kind: PeriodKind | None
    month: str | None = None
    day: str | None = None
    if match["fy_end"]:
        kind = PeriodKind.FISCAL_YEAR_END
    elif match["fiscal"]:
        kind = PeriodKind.FISCAL_YEAR
    elif match["nen"]:
        month, day = match["jm"], match["jd"]
        if day is not None:
            kind = PeriodKind.DATE
        elif month is not None:
            kind = PeriodKind.MONTH
        else:
            kind = PeriodKind.CALENDAR_YEAR
    elif match["dm"]:
        kind, month = PeriodKind.MONTH, match["dm"]
    elif match["sep"]:
        kind, month, day = PeriodKind.DATE, match["sm"], match["sd"]
    else:
        kind = None
    era_key = match["era"]
    return _Atom(
        text=text,
        fy_prefix=match["fy"] is not None,
        era=None if era_key is None else ERA_BY_KEY[era_key.upper()],
        year=match["year"],
        kind=kind,
        month=month,
        day=day,
    )


def _western_year(atom: _Atom, era: Era | None, quoted: str) -> int:
    if atom.fy_prefix and (atom.kind is not None or len(atom.year) != 4):
        raise PeriodError(f"{quoted}: FY takes a bare four-digit year, e.g. FY2024")
    if atom.year == "元":
        if era is None:
            raise PeriodError(f"{quoted}: 元 (first year) needs an era, e.g. 令和元年度")
        number = 1
    else:
        number = _as_int(atom.year)
    if era is not None:
        if number < 1:
            raise PeriodError(f"{quoted}: era years start at 1 (元年), not {era.letter}{number}")
        last = era.last_year
        if era.last_day is not None and last is not None and number > last:
            raise PeriodError(f"{quoted}: {era.name} ended in {era.letter}{last} ({era.last_day.year})")
        year = era.offset + number
    elif atom.fy_prefix or len(atom.year) == 4:
        year = number
    else:
        raise PeriodError(f"{quoted}: year {atom.year} needs an era (R/H/S or 令和/平成/昭和) or four digits")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{quoted}: year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    return year


def _month(text: str | None, quoted: str) -> int:
    month = _as_int(text or "0")
    if not 1 <= month <= 12:
        raise PeriodError(f"{quoted}: month must be 1–12")
    return month


def _resolve(atom: _Atom, *, kind: PeriodKind, era: Era | None, quoted: str) -> Period:
    """Turn a matched atom into a period, checking every number."""
    year = _western_year(atom, era, quoted)
    if kind in (PeriodKind.FISCAL_YEAR, PeriodKind.FISCAL_YEAR_END):
        start, end = date(year, 4, 1), date(year + 1, 3, 31)
    elif kind is PeriodKind.CALENDAR_YEAR:
        start, end = date(year, 1, 1), date(year, 12, 31)
    elif kind is PeriodKind.MONTH:
        month = _month(atom.month, quoted)
        start = date(year, month, 1)
        end = date(year, month, calendar.monthrange(year, month)[1])
    else:
        month = _month(atom.month, quoted)
        day = _as_int(atom.day or "0")
        try:
            start = end = date(year, month, day)
        except (ValueError, OverflowError):
            raise PeriodError(f"{quoted}: {year}-{month:02d}-{day:02d} is not a calendar date") from None
    if era is not None:
        # Checked on the whole fiscal year for 年度末, so H31年度末 (2020-03-31)
        # is fine although 平成 had ended by then.
        if end < era.first_day:
            raise PeriodError(f"{quoted}: {era.name} began on {era.first_day.isoformat()}")
        if era.last_day is not None and start > era.last_day:
            raise PeriodError(f"{quoted}: {era.name} ended on {era.last_day.isoformat()}")
    if kind is PeriodKind.FISCAL_YEAR_END:
        start = end
    return Period(atom.text, kind, start, end)


def _parse_range(left: str, right: str, label: str, quoted: str) -> Period | None:
    """Parse ``left～right``; None when either side is not period-shaped."""
    first_atom, last_atom = _match_atom(left), _match_atom(right)
    if first_atom is None or last_atom is None:
        return None
    first_kind, last_kind = first_atom.kind, last_atom.kind
    # 年 or 年度 written once covers both ends: H29～R2年, 平成23～27年度.
    if first_kind is None and last_kind in _YEARLY:
        first_kind = last_kind
    elif last_kind is None and first_kind in _YEARLY:
        last_kind = first_kind
    last_era = last_atom.era
    # An era written once covers both ends (平成23～27年度), but a four-digit
    # year is Western.
    if last_era is None and not last_atom.fy_prefix and len(last_atom.year) < 4:
        last_era = first_atom.era
    first = _resolve(first_atom, kind=first_kind or PeriodKind.FISCAL_YEAR, era=first_atom.era, quoted=quoted)
    last = _resolve(last_atom, kind=last_kind or PeriodKind.FISCAL_YEAR, era=last_era, quoted=quoted)
    if first.kind is not last.kind:
        raise PeriodError(
            f"{quoted}: both ends of a range must be the same kind of period, not "
            f"{first.kind.value.replace('_', ' ')} and {last.kind.value.replace('_', ' ')}"
        )
    if last.start < first.start:
        raise PeriodError(f"{quoted}: the end ({right}) is before the start ({left})")
    kind = PeriodKind.WINDOW if first.kind is PeriodKind.MONTH else PeriodKind.SPAN
    return Period(label, kind, first.start, last.end)


@functools.lru_cache(maxsize=4096)  # Periods are immutable; a national corpus repeats a few hundred labels
def parse_period(text: str) -> Period:
    """Parse a period label (時点・期間) such as ``令和6年度`` or ``H30.10月～R1.9月``.

    Raises :class:`PeriodError` (and nothing else) when the text is not a
    period: unknown shape, month or day out of range, era year out of range
    (``R0``, ``H32``), a month or date outside its era, or a range that ends
    before it starts.
    """
    quoted = f"'{text}'"
    label = text.strip()
    lookalike = digit_lookalike(text)
    if lookalike is not None:  # NFKC would read 2⁰2⁴ as 2024
        raise PeriodError(f"{quoted}: {not_a_digit(lookalike)}")
    norm = _normalise(text)
    if not norm:
        raise PeriodError(f"{quoted}: empty; {_FORMS}")
    if len(norm) > _MAX_LENGTH:
        raise PeriodError(f"{quoted}: too long for a period; {_FORMS}")
    atom = _match_atom(norm)
    if atom is not None:
        single = _resolve(atom, kind=atom.kind or PeriodKind.FISCAL_YEAR, era=atom.era, quoted=quoted)
        return Period(label, single.kind, single.start, single.end)
    # A hyphen may also sit inside an ISO date (2026-04-01～2027-03-31), so
    # try every separator and keep the first split whose sides both parse.
    first_error: PeriodError | None = None
    for index, char in enumerate(norm):
        if char not in _SEPARATORS:
            continue
        try:
            period = _parse_range(norm[:index], norm[index + 1 :], label, quoted)
        except PeriodError as exc:
            first_error = first_error or exc
            continue
        if period is not None:
            return period
    if first_error is not None:
        raise first_error
    raise PeriodError(f"{quoted}: not a period; {_FORMS}")
