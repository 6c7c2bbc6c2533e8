"""Published band schemes by name: ``bands`` settings a plan names instead of writing out.

A preset is a :class:`~kpitool.rating.schemes.generic.BandsScheme` with its measure and bands
fixed; a plan may rename its grades (``symbol``, ``label``, ``criterion`` by ``key``), as for
any named scheme. To move a threshold, write the preset's ``bands`` setting (docs/rating.md
prints each) with the new value.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from kpitool.model.plan import EvaluationSettings, GradeDefinition
from kpitool.rating.schemes.base import NOT_JUDGED, RatingError
from kpitool.rating.schemes.generic import BandsScheme

__all__ = [
    "PRESETS",
    "MaintainPointsScheme",
    "PrefectureExpectedScheme",
    "PresetScheme",
    "ProgressAbcdScheme",
]


class PresetScheme(BandsScheme):
    """A ``bands`` setting under a name: its measure and bands are the class's."""

    measure_name: ClassVar[str]
    bands_given: ClassVar[tuple[GradeDefinition, ...]]
    options_given: ClassVar[Mapping[str, Any]] = {}
    """Options of the ``bands`` setting beside the measure (``points: true``)."""
    compared: ClassVar[bool] = True
    """Graded in ``--compare-schemes`` (False where its figures mean something for some KPIs only)."""

    def __init__(self, settings: EvaluationSettings | None = None) -> None:
        if settings is not None and settings.options:
            key = next(iter(settings.options))
            raise RatingError(
                f"scheme {self.name!r} takes no options; to change its bands, write its bands "
                "setting (docs/rating.md) with your thresholds",
                ("options", key),
            )
        by_key = {band.key: band for band in self.bands_given}
        overrides: dict[str, dict[str, Any]] = {}
        for index, override in enumerate(settings.grades if settings else ()):
            where = ("grades", index)
            if override.key not in by_key and override.key != NOT_JUDGED.key:
                keys = ", ".join([*by_key, NOT_JUDGED.key])
                raise RatingError(
                    f"scheme {self.name!r} has no grade {override.key!r} (grades: {keys})", (*where, "key")
                )
            field = override.band_field
            if field is not None:
                raise RatingError(
                    f"scheme {self.name!r}: its bands are fixed; {field} is not set here", (*where, field)
                )
            overrides[override.key] = override.model_dump(exclude_defaults=True, exclude={"key"})
        grades = [band.model_copy(update=overrides.get(band.key, {})) for band in self.bands_given]
        if NOT_JUDGED.key in overrides:
            grades.append(GradeDefinition(key=NOT_JUDGED.key, **overrides[NOT_JUDGED.key]))
        super().__init__(
            EvaluationSettings(
                scheme="bands", options={"measure": self.measure_name, **self.options_given}, grades=grades
            )
        )


def _band(key: str, symbol: str, label: str, **condition: Any) -> GradeDefinition:
    return GradeDefinition(key=key, symbol=symbol, label=label, **condition)


class PrefectureExpectedScheme(PresetScheme):
    """A 順調 (the 目安値 reached) / B おおむね順調 (progress toward it ≥ 80%) / C 努力を要する."""

    name = "prefecture_expected"
    title = "目安値に対する進捗 (A/B/C)"
    measure_name = "progress_to_expected"
    bands_given = (
        _band("on_track", "A", "順調", reached=True),
        _band("mostly", "B", "おおむね順調", at_least=Decimal("0.8")),
        _band("behind", "C", "努力を要する"),
    )


class ProgressAbcdScheme(PresetScheme):
    """A 達成 (target reached) / B 概ね順調 (進捗率 ≥ 80%) / C やや遅れ (≥ 50%) / D 遅れ."""

    name = "progress_abcd"
    title = "進捗率による区分 (A/B/C/D)"
    measure_name = "progress"
    bands_given = (
        _band("a", "A", "達成", reached=True),
        _band("b", "B", "概ね順調", at_least=Decimal("0.8")),
        _band("c", "C", "やや遅れ", at_least=Decimal("0.5")),
        _band("d", "D", "遅れ"),
    )


class MaintainPointsScheme(PresetScheme):
    """a 改善 (more than +3 points from the 基準値) / b 現状維持 (within ±3 points) / c 悪化 (below −3).

    The change is in the KPI's direction and in its own unit (points for a KPI in %); a KPI in
    人 or 件 would read +3 as three people, so ``--compare-schemes`` leaves this preset out.
    """

    name = "maintain_points"
    title = "基準値からの変化 ±3ポイント (a/b/c)"
    measure_name = "change"
    options_given: ClassVar[Mapping[str, Any]] = {"points": True}
    compared: ClassVar[bool] = False
    bands_given = (
        _band("a", "a", "改善", above=Decimal(3)),
        _band("b", "b", "現状維持", at_least=Decimal(-3)),
        _band("c", "c", "悪化"),
    )


PRESETS: Mapping[str, type[PresetScheme]] = {
    scheme.name: scheme for scheme in (PrefectureExpectedScheme, ProgressAbcdScheme, MaintainPointsScheme)
}
"""Every preset by name, in the order docs/rating.md lists them."""
