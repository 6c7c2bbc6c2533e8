"""The generic ``bands`` scheme: one measure cut into bands, the grades written in the settings
(docs/rating.md gives a published example and documents each measure.)

The measure (:mod:`~kpitool.rating.schemes.measures`) is read once; the first grade with
``reached: true`` takes a KPI whose reference is met, then the first grade whose
``at_least`` the measure reaches (≥) or whose ``above`` it exceeds (>, 超), and the last grade
(no condition) the rest. ``not_judged``
(—) is always there, for a KPI without an actual or one the measure cannot judge.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from kpitool.model.plan import EvaluationSettings, GradeDefinition
from kpitool.rating.facts import Facts
from kpitool.rating.schemes.base import (
    MAX_RATIO,
    NOT_JUDGED,
    GradeSpec,
    Outcome,
    RatingError,
    Scheme,
    percent,
)
from kpitool.rating.schemes.measures import MEASURES, Measure, Reading

__all__ = ["DEFAULT_BANDS", "Band", "BandsScheme"]


@dataclass(frozen=True)
class Band:
    """One grade of a ``bands`` scheme: reached, at least (or, ``strict``, above) a threshold, or
    (the last) the rest."""

    key: str
    reached: bool = False
    at_least: Decimal | None = None
    """The threshold: the measure is ≥ it, or > it when ``strict`` (``above:``)."""
    strict: bool = False

    def takes(self, value: Decimal) -> bool:
        """The measure is in this band (from its lower edge up)."""
        assert self.at_least is not None
        return value > self.at_least if self.strict else value >= self.at_least


DEFAULT_BANDS = (
    GradeDefinition(key="reached", symbol="A", label="達成", reached=True),
    GradeDefinition(key="mostly", symbol="B", label="おおむね達成", at_least=Decimal("0.8")),
    GradeDefinition(key="behind", symbol="C", label="未達成"),
)
"""The grades of ``scheme: bands`` without a ``grades:`` list: A reached / B ≥ 80% / C."""


class BandsScheme(Scheme):
    """Any published band scheme: a measure, ordered thresholds, and the grade names."""

    name = "bands"
    title = "区分による評価"
    grades = (NOT_JUDGED,)
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {"measure": "achievement", "points": False}
    grades_from_settings = True

    def _check_thresholds(self, given: set[str]) -> None:
        measure = self.options["measure"]
        if measure not in MEASURES:
            known = ", ".join(MEASURES)
            raise RatingError(
                f"scheme 'bands': unknown measure {measure!r} (measures: {known})", ("options", "measure")
            )
        self.measure: Measure = MEASURES[measure]
        if self.options["points"] and measure != "change":
            raise RatingError(
                f"scheme 'bands': points: true goes with measure 'change' only, not {measure!r}",
                ("options", "points"),
            )

    def _grade_table(self, settings: EvaluationSettings | None) -> tuple[GradeSpec, ...]:
        definitions = tuple(settings.grades) if settings and settings.grades else DEFAULT_BANDS
        bands: list[tuple[int, GradeDefinition]] = []
        for index, definition in enumerate(definitions):
            if definition.key == NOT_JUDGED.key:
                if definition.reached or definition.threshold is not None:
                    raise RatingError("scheme 'bands': not_judged (—) takes no band", ("grades", index))
                continue
            if any(definition.key == earlier.key for _, earlier in bands):
                raise RatingError(
                    f"scheme 'bands': grade {definition.key!r} is given twice", ("grades", index)
                )
            bands.append((index, definition))
        self._check_bands(bands)
        self.bands = tuple(Band(d.key, d.reached, d.threshold, d.above is not None) for _, d in bands)
        specs = [
            self._spec(d, bands[position - 1][1] if position else None)
            for position, (_, d) in enumerate(bands)
        ]
        return (*specs, NOT_JUDGED)

    def _check_bands(self, bands: Sequence[tuple[int, GradeDefinition]]) -> None:
        """Long because each rule of a band list is one check with its own message and place."""
        if len(bands) < 2:
            raise RatingError(
                "scheme 'bands' needs at least two grades (the last takes the rest)", ("grades",)
            )
        for position, (index, band) in enumerate(bands):
            where = ("grades", index)
            if band.symbol is None:
                raise RatingError(f"scheme 'bands': grade {band.key!r} needs a symbol", where)
            if band.at_least is not None and band.above is not None:
                raise RatingError(
                    f"scheme 'bands': grade {band.key!r} gives both at_least (≥) and above (>); give one",
                    (*where, "above"),
                )
            if band.reached and band.threshold is not None:
                field = "at_least" if band.at_least is not None else "above"
                raise RatingError(
                    f"scheme 'bands': grade {band.key!r} gives both reached and {field}; give one",
                    (*where, field),
                )
            if band.reached and position:
                raise RatingError(
                    f"scheme 'bands': reached: true belongs to the first grade, not {band.key!r}",
                    (*where, "reached"),
                )
            if band.threshold is not None:
                self._check_threshold(band, (*where, _edge(band)))
        for (_, higher), (index, lower) in itertools.pairwise(bands):
            # above 3 (> 3) is a higher edge than at_least 3 (≥ 3): the lower band is then exactly 3.
            if (
                higher.threshold is not None
                and lower.threshold is not None
                and (lower.threshold, lower.above is not None) >= (higher.threshold, higher.above is not None)
            ):
                raise RatingError(
                    f"scheme 'bands': unordered bands: {lower.key!r} {_edge(lower)} {lower.threshold} is "
                    f"not below {higher.key!r} {_edge(higher)} {higher.threshold} (list the bands from the "
                    "best down)",
                    ("grades", index, _edge(lower)),
                )
        index, last = bands[-1]
        if last.reached or last.threshold is not None:
            field = "reached" if last.reached else _edge(last)
            raise RatingError(
                f"scheme 'bands': missing last grade: {last.key!r} has {field}, so some KPIs would get "
                "no grade; end with a grade without reached / at_least / above that takes the rest",
                ("grades", index, field),
            )

    def _check_threshold(self, band: GradeDefinition, where: tuple[str | int, ...]) -> None:
        threshold, edge = band.threshold, where[-1]
        assert threshold is not None
        if threshold < 0 and not self.measure.signed:
            raise RatingError(
                f"scheme 'bands': {edge} {threshold} is negative; measure {self.measure.name!r} "
                "is a ratio ≥ 0",
                where,
            )
        if not self.options["points"] and abs(threshold) > MAX_RATIO:
            raise RatingError(
                f"scheme 'bands': {edge} {threshold} is over {MAX_RATIO}; write ratios as fractions "
                "(0.8 = 80%)",
                where,
            )

    def _spec(self, band: GradeDefinition, before: GradeDefinition | None) -> GradeSpec:
        """The grade as shown, with a 判断基準 worded from its band where none is given."""
        assert band.symbol is not None
        if band.criterion:
            criterion = band.criterion
        elif band.reached:
            criterion = self.measure.reference
        elif band.threshold is not None:
            criterion = f"{self._label()}が{self._shown(band.threshold, exact=True)}{_from(band)}"
            if before is not None and before.threshold is not None:
                criterion += f"{self._shown(before.threshold, exact=True)}{_below(before)}"
        elif before is not None and before.threshold is not None:
            criterion = f"{self._label()}が{self._shown(before.threshold, exact=True)}{_below(before)}"
        else:
            criterion = "上記以外"
        return GradeSpec(band.key, band.symbol, band.label or band.symbol, criterion)

    def _label(self) -> str:
        return "基準値からの変化" if self.options["points"] else self.measure.label

    def _shown(self, value: Decimal | None, *, exact: bool = False) -> str:
        """A threshold or measure as a rule says it (80.0%), or ``exact`` as a 判断基準 does (80%)."""
        if value is not None and self.options["points"]:
            return f"{value.normalize():f}ポイント"
        if exact and value is not None:
            return f"{(value * 100).normalize():f}%"
        return percent(value)

    def decide(self, facts: Facts) -> Outcome:
        reading = self.measure.read(facts, self.options["points"])
        if isinstance(reading, str):
            return Outcome(NOT_JUDGED.key, reading)
        first = self.bands[0]
        if first.reached and reading.reached:
            return Outcome(first.key, _reached_rule(self.measure, reading), reading.details)
        shown = reading.note or f"{reading.label} {self._shown(reading.value)}"
        lowest: Band | None = None
        for band in self.bands:
            if band.at_least is None:
                continue
            lowest = band
            if reading.value is not None and band.takes(reading.value):
                sign = ">" if band.strict else "≥"
                return Outcome(band.key, f"{shown} {sign} {self._shown(band.at_least)}", reading.details)
        if reading.value is None:
            rule = f"{reading.label} undefined"
        elif lowest is None:
            rule = "reference not met"
        else:
            rule = f"{shown} {'≤' if lowest.strict else '<'} {self._shown(lowest.at_least)}"
        return Outcome(self.bands[-1].key, rule, reading.details)


def _reached_rule(measure: Measure, reading: Reading) -> str:
    if measure.name.endswith("_to_expected"):
        expected = reading.details["expected"]
        return f"actual meets the expected value {expected.normalize():f}"
    return "target reached"


def _edge(band: GradeDefinition) -> str:
    """The field that gives a band's lower edge: ``at_least`` (≥) or ``above`` (>)."""
    return "above" if band.above is not None and band.at_least is None else "at_least"


def _from(band: GradeDefinition) -> str:
    """以上 (≥) or 超 (>): how a 判断基準 words the band's lower edge."""
    return "超" if band.above is not None else "以上"


def _below(band: GradeDefinition) -> str:
    """未満 (<) or 以下 (≤): how a 判断基準 words the edge of the band above."""
    return "以下" if band.above is not None else "未満"
