"""What every rating scheme is: its grades, its options and the rule it implements.

A scheme is a subclass of :class:`Scheme` that names its grade keys (with default
symbols and 判断基準 wording), its options with their defaults, and implements
:meth:`Scheme.decide` on the :class:`~kpitool.rating.facts.Facts` of one KPI.
A plan's ``evaluation:`` block may rename grades and set options; anything
unusable raises :class:`RatingError` with the path of the fault in that block.
"""

from __future__ import annotations

import decimal
import functools
import itertools
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from kpitool.errors import KpitoolError
from kpitool.model.plan import EvaluationSettings
from kpitool.rating.facts import Facts
from kpitool.support.frozen import fast_init
from kpitool.values.numbers import percent_places

__all__ = ["MAX_RATIO", "NOT_JUDGED", "GradeSpec", "Outcome", "RatingError", "Scheme", "percent"]

MAX_RATIO = Decimal(10)
"""Largest ratio option accepted (1000%): a threshold of 80 is a percentage written by mistake."""


class RatingError(KpitoolError, ValueError):
    """A scheme or its options are not usable (unknown scheme, bad option, unknown grade key).

    ``path`` is where the fault sits inside the plan's ``evaluation:`` block, e.g.
    ``("options", "threshold")`` or ``("grades", 1, "key")``, so a checker can
    point at the line.
    """

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class GradeSpec:
    """One grade of a scheme as shown: key, symbol, label, 判断基準 wording."""

    key: str
    symbol: str
    label: str
    criterion: str


NOT_JUDGED = GradeSpec("not_judged", "—", "判断困難", "現時点では判断が困難(実績なし)")
"""The last grade of every scheme: no actual for the year."""


@fast_init
@dataclass(frozen=True)
class Outcome:
    """What a scheme decided: the grade key and why, plus scheme-specific details."""

    key: str
    rule: str
    details: Mapping[str, Any] = field(default_factory=dict)


class Scheme(ABC):
    """A rating scheme: grade keys with default symbols and wording, options, and a rule.

    Subclasses set ``name``, ``grades`` (the last one is "not judged", used when
    there is no actual) and ``defaults`` (option → default), and implement
    :meth:`decide`.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    grades: ClassVar[tuple[GradeSpec, ...]]
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {}

    ratio_options: ClassVar[frozenset[str]] = frozenset()
    """Options that are ratios (0.8 = 80%): refused above :data:`MAX_RATIO`, the sign
    of a percentage written as a number (80)."""
    descending: ClassVar[tuple[str, ...]] = ()
    """Band thresholds that must not increase in this order (a ≥ b ≥ c)."""
    grades_from_settings: ClassVar[bool] = False
    """True when the ``grades:`` list defines the grades (``reached`` / ``at_least``), as in
    ``bands``, rather than only renaming the scheme's own."""

    def __init__(self, settings: EvaluationSettings | None = None) -> None:
        options = dict(settings.options) if settings else {}
        unknown = sorted(set(options) - set(self.defaults))
        if unknown:
            known = ", ".join(sorted(self.defaults)) or "none"
            raise RatingError(
                f"scheme {self.name!r} has no option {unknown[0]!r} (options: {known})",
                ("options", unknown[0]),
            )
        self.options: dict[str, Any] = {**self.defaults}
        for key, value in options.items():
            self.options[key] = _coerce_option(self.name, key, value, self.defaults[key])
        self._check_thresholds(set(options))
        table = self._grade_table(settings)
        by_key = {g.key: g for g in table}
        for index, override in enumerate(settings.grades if settings else ()):
            field = override.band_field
            if not self.grades_from_settings and field is not None:
                raise RatingError(
                    f"scheme {self.name!r}: {field} defines a band only under scheme 'bands'; "
                    f"{self.name} grades by its options",
                    ("grades", index, field),
                )
            if override.key not in by_key:
                keys = ", ".join(by_key)
                raise RatingError(
                    f"scheme {self.name!r} has no grade {override.key!r} (grades: {keys})",
                    ("grades", index, "key"),
                )
            base = by_key[override.key]
            by_key[override.key] = GradeSpec(
                base.key,
                override.symbol or base.symbol,
                override.label or base.label,
                override.criterion or base.criterion,
            )
        self.grade_specs: tuple[GradeSpec, ...] = tuple(by_key[g.key] for g in table)
        self._by_key = by_key  # spec() is asked once per KPI graded
        symbols = self._symbols = tuple(g.symbol for g in self.grade_specs)
        if len(set(symbols)) != len(symbols):
            raise RatingError(
                f"scheme {self.name!r}: two grades share a symbol ({', '.join(symbols)})", ("grades",)
            )

    def _check_thresholds(self, given: set[str]) -> None:
        for key in sorted(self.ratio_options & given):
            value: Decimal = self.options[key]
            if value > MAX_RATIO:
                raise RatingError(
                    f"scheme {self.name!r}: option {key!r} is {value}; write ratios as fractions "
                    f"(0.8 = 80%), at most {MAX_RATIO}",
                    ("options", key),
                )
        for higher, lower in itertools.pairwise(self.descending):
            if self.options[higher] < self.options[lower]:
                raise RatingError(
                    f"scheme {self.name!r}: option {higher!r} ({self.options[higher]}) must not be "
                    f"below {lower!r} ({self.options[lower]})",
                    ("options", higher if higher in given else lower),
                )

    def _grade_table(self, settings: EvaluationSettings | None) -> tuple[GradeSpec, ...]:
        """The grades before the overrides of ``settings.grades``: the scheme's own."""
        return self.grades

    @property
    def not_judged(self) -> GradeSpec:
        """The grade given when there is no actual (—)."""
        return self.grade_specs[-1]

    def spec(self, key: str) -> GradeSpec:
        """The displayed grade for a key (KeyError for a key not of the scheme: its own bug)."""
        return self._by_key[key]

    def symbols(self) -> tuple[str, ...]:
        """Every grade symbol, in the scheme's order."""
        return self._symbols

    @abstractmethod
    def decide(self, facts: Facts) -> Outcome:
        """Grade one KPI that has an actual value."""


def _coerce_option(scheme: str, key: str, value: Any, default: Any) -> Any:
    where = ("options", key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise RatingError(f"scheme {scheme!r}: option {key!r} must be true or false", where)
        return value
    if isinstance(default, Decimal):
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise RatingError(f"scheme {scheme!r}: option {key!r} must be a number", where)
        number = Decimal(value)
        if not number.is_finite() or number < 0:
            raise RatingError(f"scheme {scheme!r}: option {key!r} must be a number ≥ 0", where)
        return number
    if not isinstance(value, str):
        raise RatingError(f"scheme {scheme!r}: option {key!r} must be text", where)
    return value


def percent(ratio: Decimal | None) -> str:
    """A ratio as the rules word it: 0.995 → "99.5%" (half up, one decimal); None → "—".

    A ratio below 1 keeps the decimals that keep it below 100% (0.999998 → "99.9998%").
    """
    if ratio is None:
        return "—"
    places = _unit_of_place(percent_places(ratio))
    return f"{(ratio * _HUNDRED).quantize(places, rounding=decimal.ROUND_HALF_UP)}%"


_HUNDRED = Decimal(100)


@functools.lru_cache(maxsize=16)  # a rule says a percent for most KPIs graded
def _unit_of_place(places: int) -> Decimal:
    """0.1 for 1 place, 0.01 for 2 …"""
    return Decimal(1).scaleb(-places)
