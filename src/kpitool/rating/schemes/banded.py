"""The one band engine (区分による評価): a measure read once, cut into ordered bands, a last grade.

:class:`BandedScheme` grades every band scheme: ``bands`` with its grades written in the
settings (:mod:`~kpitool.rating.schemes.generic`), its presets, and the named schemes that are
one measure cut into bands (``progress_bands``, ``expected_value``, ``achievement_bands``,
``baseline_tolerance``: :class:`NamedBandsScheme`). The first band with ``reached`` takes a KPI
whose reference is met, then the first band whose lower edge the measure reaches (≥, or > when
``strict``), and the last band the rest; a KPI the measure cannot judge is ``not_judged`` (—).
How a rule is worded is a method each scheme may override, so a named scheme keeps the wording
(and the details) it has always printed while the engine decides.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from kpitool.model.plan import EvaluationSettings
from kpitool.rating.facts import Facts
from kpitool.rating.schemes.base import NOT_JUDGED, GradeSpec, Outcome, Scheme, percent
from kpitool.rating.schemes.measures import MEASURES, Measure, Reading

__all__ = ["Band", "BandedScheme", "NamedBandsScheme"]


@dataclass(frozen=True)
class Band:
    """One grade of a band scheme: reached, at least (or, ``strict``, above) a threshold, or
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


class BandedScheme(Scheme):
    """A scheme graded by the band engine: ``measure`` and ``bands`` set when it is built."""

    measure: Measure
    bands: tuple[Band, ...]

    @property
    def points(self) -> bool:
        """The measure is in points (``points: true``), not a ratio."""
        return bool(self.options.get("points", False))

    def decide(self, facts: Facts) -> Outcome:
        reading = self._read(facts)
        if isinstance(reading, str):
            return Outcome(NOT_JUDGED.key, reading)
        details = self._details(reading)
        first = self.bands[0]
        if first.reached and reading.reached:
            return Outcome(first.key, self._rule_reached(reading), details)
        lowest: Band | None = None
        for band in self.bands:
            if band.at_least is None:
                continue
            lowest = band
            if reading.value is not None and band.takes(reading.value):
                return Outcome(band.key, self._rule_band(reading, band), details)
        return Outcome(self.bands[-1].key, self._rule_rest(reading, lowest), details)

    def _read(self, facts: Facts) -> Reading | str:
        """The KPI as the measure reads it, or why it cannot be judged."""
        return self.measure.read(facts, self.points)

    def _details(self, reading: Reading) -> Mapping[str, Any]:
        """What the JSON ``details`` of a graded KPI hold: the figure and the 期待値."""
        return reading.details

    def _rule_reached(self, reading: Reading) -> str:
        """The rule of a KPI in the ``reached`` band."""
        if self.measure.name.endswith("_to_expected"):
            return f"actual meets the expected value {reading.details['expected'].normalize():f}"
        return "target reached"

    def _rule_band(self, reading: Reading, band: Band) -> str:
        """The rule of a KPI in a band by its threshold: 達成率 85.0% ≥ 80.0%."""
        return f"{self._figure(reading)} {'>' if band.strict else '≥'} {self._shown(band.at_least)}"

    def _rule_rest(self, reading: Reading, lowest: Band | None) -> str:
        """The rule of a KPI in the last band (below the ``lowest`` threshold, if any)."""
        if reading.value is None:
            return f"{reading.label} undefined"
        if lowest is None:
            return "reference not met"
        return f"{self._figure(reading)} {'≤' if lowest.strict else '<'} {self._shown(lowest.at_least)}"

    def _figure(self, reading: Reading) -> str:
        return reading.note or f"{reading.label} {self._shown(reading.value)}"

    def _shown(self, value: Decimal | None, *, exact: bool = False) -> str:
        """A threshold or measure as a rule says it (80.0%), or ``exact`` as a 判断基準 does (80%)."""
        if value is not None and self.points:
            return f"{value.normalize():f}ポイント"
        if exact and value is not None:
            return f"{(value * 100).normalize():f}%"
        return percent(value)


class NamedBandsScheme(BandedScheme):
    """A named scheme that is one measure cut into bands, its edges given by its options.

    Its grades, wording and option checks are the scheme's own (:class:`Scheme`): a plan
    renames grades and sets options as for any named scheme, and the band edges follow the
    options (:meth:`edges`). docs/rating.md prints the ``bands`` setting of its defaults.
    """

    measure_name: ClassVar[str]

    def _grade_table(self, settings: EvaluationSettings | None) -> tuple[GradeSpec, ...]:
        self.measure = MEASURES[self.measure_name]
        self.bands = self.edges()
        return self.grades

    @abstractmethod
    def edges(self) -> tuple[Band, ...]:
        """The bands, best first, from the options (the last band takes the rest)."""

    def bands_setting(self) -> dict[str, Any]:
        """The ``bands`` setting of this scheme as set: its measure, and each grade with its band
        and its 判断基準 (docs/rating.md prints it for the defaults; its rules are worded by
        ``bands``)."""
        grades: list[dict[str, Any]] = []
        for band, spec in zip(self.bands, self.grade_specs, strict=False):
            grade: dict[str, Any] = {"key": band.key, "symbol": spec.symbol, "label": spec.label}
            if band.reached:
                grade["reached"] = True
            elif band.at_least is not None:
                grade["above" if band.strict else "at_least"] = band.at_least
            grades.append({**grade, "criterion": spec.criterion})
        options: dict[str, Any] = {"measure": self.measure.name, **({"points": True} if self.points else {})}
        return {"scheme": "bands", "options": options, "grades": grades}
