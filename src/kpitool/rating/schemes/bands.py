"""Named schemes that cut one ratio into bands at thresholds set in the plan's options, graded by
the band engine (:mod:`~kpitool.rating.schemes.banded`) as presets of ``bands``:

- ``progress_bands`` — 進捗率 (progress): A reached / B ≥ 80% / C;
- ``expected_value`` — the ratio to the year's 期待値 (expected value): A / B+ / B / C;
- ``achievement_bands`` — 達成率 (achievement): A ≥ 110% / B ≥ 80% / C ≥ 50% / D.

Each keeps its own grades, 判断基準, rule wording and option checks (equal thresholds allowed:
the lower band is then empty); its options are the edges of its bands.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from kpitool.rating.facts import Facts
from kpitool.rating.schemes.banded import Band, NamedBandsScheme
from kpitool.rating.schemes.base import NOT_JUDGED, GradeSpec, percent
from kpitool.rating.schemes.measures import Reading

__all__ = ["AchievementBandsScheme", "ExpectedValueScheme", "ProgressBandsScheme"]


class ProgressBandsScheme(NamedBandsScheme):
    """A 順調 (target reached) / B おおむね順調 (進捗率 ≥ 80%) / C 努力を要する."""

    name = "progress_bands"
    title = "進捗率による区分 (A/B/C)"
    grades = (
        GradeSpec("on_track", "A", "順調", "目標を達成している"),
        GradeSpec("mostly_on_track", "B", "おおむね順調", "進捗率が80%以上"),
        GradeSpec("behind", "C", "努力を要する", "進捗率が80%未満"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {"threshold": Decimal("0.8")}
    ratio_options = frozenset({"threshold"})
    measure_name = "progress"  # floors, ceilings and too small spans: the 達成率 instead

    def edges(self) -> tuple[Band, ...]:
        threshold = self.options["threshold"]
        return (Band("on_track", reached=True), Band("mostly_on_track", at_least=threshold), Band("behind"))

    def _rule_rest(self, reading: Reading, lowest: Band | None) -> str:
        assert lowest is not None
        return f"{reading.label} {percent(reading.value)} < {percent(lowest.at_least)}"


class ExpectedValueScheme(NamedBandsScheme):
    """Graded against the 期待値 for the year: A ≥ 100%, B+ ≥ 80%, B ≥ 50%, C < 50%."""

    name = "expected_value"
    title = "期待値(目安値)に対する達成度 (A/B+/B/C)"
    grades = (
        GradeSpec("a", "A", "期待値以上", "実績値が期待値以上"),
        GradeSpec("b_plus", "B+", "期待値の80%以上", "期待値の80%以上100%未満"),
        GradeSpec("b", "B", "期待値の50%以上", "期待値の50%以上80%未満"),
        GradeSpec("c", "C", "期待値の50%未満", "期待値の50%未満"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {"b_plus": Decimal("0.8"), "b": Decimal("0.5")}
    ratio_options = frozenset({"b_plus", "b"})
    descending = ("b_plus", "b")
    measure_name = "achievement_to_expected"

    def edges(self) -> tuple[Band, ...]:
        return (
            Band("a", reached=True),
            Band("b_plus", at_least=self.options["b_plus"]),
            Band("b", at_least=self.options["b"]),
            Band("c"),
        )

    def _rule_band(self, reading: Reading, band: Band) -> str:
        return f"{percent(reading.value)} of the expected value ≥ {percent(band.at_least)}"

    def _rule_rest(self, reading: Reading, lowest: Band | None) -> str:
        assert lowest is not None
        return f"{percent(reading.value)} of the expected value < {percent(lowest.at_least)}"


class AchievementBandsScheme(NamedBandsScheme):
    """達成率 bands: A ≥ 110%, B ≥ 80%, C ≥ 50%, D < 50%."""

    name = "achievement_bands"
    title = "達成率による区分 (A/B/C/D)"
    grades = (
        GradeSpec("a", "A", "達成率110%以上", "達成率が110%以上"),
        GradeSpec("b", "B", "達成率80%以上", "達成率が80%以上110%未満"),
        GradeSpec("c", "C", "達成率50%以上", "達成率が50%以上80%未満"),
        GradeSpec("d", "D", "達成率50%未満", "達成率が50%未満"),
        NOT_JUDGED,
    )
    defaults: ClassVar[Mapping[str, Decimal | str | bool]] = {
        "a": Decimal("1.1"),
        "b": Decimal("0.8"),
        "c": Decimal("0.5"),
    }
    ratio_options = frozenset({"a", "b", "c"})
    descending = ("a", "b", "c")
    measure_name = "achievement"  # a target reached with 0 ÷ 0 counts as 100%

    def edges(self) -> tuple[Band, ...]:
        return (*(Band(key, at_least=self.options[key]) for key in ("a", "b", "c")), Band("d"))

    def _read(self, facts: Facts) -> Reading | str:
        if facts.target is None:  # this scheme has always said so of a target that is not a number
            return "達成率 undefined (target or actual is zero or negative)"
        return super()._read(facts)
