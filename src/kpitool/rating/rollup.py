"""施策別評価 — grades rolled up to the sections of a plan (施策, 基本目標), as councils grade them.

Every plan gets, for every section at every level of its tree, the counts of the grades shown
for the KPIs in it and below it; a plan whose ``evaluation.rollup`` method is not ``counts``
(the default, also without ``rollup``) gets a section grade too: ``mean_score`` (each grade a
score, the mean cut into bands), ``worst`` (the worst grade of its KPIs) or ``share_at_least``
(the share of its KPIs with one of the ``count`` grades, cut into bands). KPIs not judged (—)
are counted but take no part in a section grade; a section with no judged KPI has none.
docs/rating.md has the worked examples.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from kpitool.model.plan import Section
from kpitool.model.rollup_settings import RollupMethod, RollupSettings
from kpitool.rating.schemes.base import RatingError, Scheme
from kpitool.support.frozen import fast_init

if TYPE_CHECKING:  # an annotation only: validate checks a rollup without importing results
    from kpitool.rating.results import PlanEvaluation

__all__ = ["SectionResult", "check_rollup", "section_results"]


@fast_init
@dataclass(frozen=True)
class SectionResult:
    """One section of the plan, graded from the KPIs in it and below it."""

    section: Section
    depth: int
    """0 for a top-level section (基本目標), 1 below it (施策) …"""
    counts: Mapping[str, int]
    """grade symbol → number of KPIs shown with it, every grade of the scheme (0 included)."""
    grade: str | None
    """The section's grade; None for ``counts`` or when no KPI is judged."""
    value: Decimal | None = None
    """The mean score or share the grade was cut from."""

    @property
    def total(self) -> int:
        """Number of KPIs in the section and below it."""
        return sum(self.counts.values())


def check_rollup(rollup: RollupSettings | None, scheme: Scheme) -> None:
    """:class:`RatingError` (path inside ``evaluation``) for settings that cannot grade a section."""
    if rollup is None:
        return
    symbols = scheme.symbols()[:-1]  # not_judged takes no part
    method = rollup.method
    if method is RollupMethod.MEAN_SCORE:
        missing = [s for s in symbols if s not in rollup.scores]
        if missing:
            raise RatingError(
                f"rollup mean_score needs a score for each grade; none for {missing[0]!r}",
                ("rollup", "scores"),
            )
    for symbol in rollup.scores:
        if symbol not in symbols:
            raise RatingError(
                f"rollup: {symbol!r} is not a grade of the scheme ({', '.join(symbols)})",
                ("rollup", "scores", symbol),
            )
    for index, symbol in enumerate(rollup.count):
        if symbol not in symbols:
            raise RatingError(
                f"rollup: {symbol!r} is not a grade of the scheme ({', '.join(symbols)})",
                ("rollup", "count", index),
            )
    if method is RollupMethod.SHARE_AT_LEAST and not rollup.count:
        raise RatingError(
            "rollup share_at_least needs count: the KPI grades it counts, e.g. [○]", ("rollup", "method")
        )
    banded = method in (RollupMethod.MEAN_SCORE, RollupMethod.SHARE_AT_LEAST)
    if banded != bool(rollup.grades):
        words = "needs grades: bands best first, the last without at_least" if banded else "takes no grades"
        raise RatingError(
            f"rollup {method.value} {words}", ("rollup", "grades" if rollup.grades else "method")
        )
    _check_bands(rollup)


def _check_bands(rollup: RollupSettings) -> None:
    bands = rollup.grades
    if not bands:
        return
    if len(bands) < 2:
        raise RatingError("rollup needs at least two grades (the last takes the rest)", ("rollup", "grades"))
    for index, band in enumerate(bands[:-1]):
        if band.at_least is None:
            raise RatingError(
                f"rollup: grade {band.symbol!r} needs at_least (only the last takes the rest)",
                ("rollup", "grades", index),
            )
    if bands[-1].at_least is not None:
        raise RatingError(
            "rollup: missing last grade: end with a grade without at_least",
            ("rollup", "grades", len(bands) - 1, "at_least"),
        )
    for index, (higher, lower) in enumerate(itertools.pairwise(bands[:-1]), start=1):
        assert higher.at_least is not None
        assert lower.at_least is not None
        if lower.at_least >= higher.at_least:
            raise RatingError(
                f"rollup: unordered bands: {lower.symbol!r} at_least {lower.at_least} is not below "
                f"{higher.at_least}",
                ("rollup", "grades", index, "at_least"),
            )


def section_results(result: PlanEvaluation) -> tuple[SectionResult, ...]:
    """Every section of the plan, depth first, with its grade counts; graded by ``evaluation.rollup``.

    Without ``rollup`` the method is ``counts`` (件数のみ, the default): counts, no section grade.
    """
    settings = result.plan.evaluation
    rollup = settings.rollup if settings else None
    grades: dict[str, list[str]] = {}
    for row in result.rows:
        if row.section is not None:
            grades.setdefault(row.section.id, []).append(row.grade)
    found: list[SectionResult] = []
    roll = _Roll(grades, result.scheme, rollup, found)
    for section in result.plan.sections:
        roll(section, 0)
    return tuple(found)


@dataclass(frozen=True)
class _Roll:
    """Rolls the grades of a plan's rows up its tree once, each section's from those below it."""

    grades: Mapping[str, Sequence[str]]
    scheme: Scheme
    rollup: RollupSettings | None
    found: list[SectionResult]

    def __call__(self, section: Section, depth: int) -> list[str]:
        """Add the results of ``section`` and below it (depth first); the grades shown in them."""
        at = len(self.found)
        self.found.append(SectionResult(section, depth, {}, None))  # its place, before those below
        shown = list(self.grades.get(section.id, ()))
        for child in section.sections:
            shown += self(child, depth + 1)
        counts = dict.fromkeys(self.scheme.symbols(), 0)
        for grade in shown:
            counts[grade] = counts.get(grade, 0) + 1
        self.found[at] = SectionResult(section, depth, counts, *_grade(self.rollup, self.scheme, shown))
        return shown


def _grade(
    rollup: RollupSettings | None, scheme: Scheme, shown: Sequence[str]
) -> tuple[str | None, Decimal | None]:
    if rollup is None or rollup.method is RollupMethod.COUNTS:  # most plans: counts only
        return None, None
    order = scheme.symbols()[:-1]
    judged = [grade for grade in shown if grade in order]
    if not judged:
        return None, None
    if rollup.method is RollupMethod.WORST:
        return max(judged, key=order.index), None
    if rollup.method is RollupMethod.MEAN_SCORE:
        value = sum((rollup.scores[grade] for grade in judged), Decimal(0)) / len(judged)
    else:
        value = Decimal(sum(1 for grade in judged if grade in rollup.count)) / len(judged)
    for band in rollup.grades:
        if band.at_least is None or value >= band.at_least:
            return band.symbol, value
    return None, value  # pragma: no cover - check_rollup ends the bands with one without at_least
