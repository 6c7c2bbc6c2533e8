"""The generic ``bands`` scheme: one measure cut into bands, the grades written in the settings
(docs/rating.md gives a published example and documents each measure.)

This module reads and checks the settings — the measure (:mod:`~kpitool.rating.schemes.measures`),
the grades with ``reached: true``, ``at_least`` (≥) or ``above`` (>, 超) and a last grade (no
condition) that takes the rest — and words each 判断基準 from its band; the band engine
(:mod:`~kpitool.rating.schemes.banded`) grades. ``not_judged`` (—) is always there, for a KPI
without an actual or one the measure cannot judge.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import ClassVar

from kpitool.model.plan import EvaluationSettings, GradeDefinition
from kpitool.rating.schemes.banded import Band, BandedScheme
from kpitool.rating.schemes.base import MAX_RATIO, NOT_JUDGED, GradeSpec, RatingError
from kpitool.rating.schemes.measures import MEASURES, Measure

__all__ = ["DEFAULT_BANDS", "BandsScheme"]


DEFAULT_BANDS = (
    GradeDefinition(key="reached", symbol="A", label="達成", reached=True),
    GradeDefinition(key="mostly", symbol="B", label="おおむね達成", at_least=Decimal("0.8")),
    GradeDefinition(key="behind", symbol="C", label="未達成"),
)
"""The grades of ``scheme: bands`` without a ``grades:`` list: A reached / B ≥ 80% / C."""


class BandsScheme(BandedScheme):
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
        if not self.points and abs(threshold) > MAX_RATIO:
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
        return "基準値からの変化" if self.points else self.measure.label


def _edge(band: GradeDefinition) -> str:
    """The field that gives a band's lower edge: ``at_least`` (≥) or ``above`` (>)."""
    return "above" if band.above is not None and band.at_least is None else "at_least"


def _from(band: GradeDefinition) -> str:
    """以上 (≥) or 超 (>): how a 判断基準 words the band's lower edge."""
    return "超" if band.above is not None else "以上"


def _below(band: GradeDefinition) -> str:
    """未満 (<) or 以下 (≤): how a 判断基準 words the edge of the band above."""
    return "以下" if band.above is not None else "未満"
