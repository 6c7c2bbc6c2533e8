"""Robustness across schemes (評価方式による違い): every KPI graded under each preset, and the
KPIs whose verdict — achieved / approaching / behind — depends on the scheme.

An external review panel's first question about a ×: would another municipality's scheme have
said the same? Each preset is a named scheme with its defaults, the ``bands`` presets of published
schemes included (:data:`COMPARED`). A grade becomes a verdict by its place in the scheme:
:data:`VERDICTS` for the named schemes, and for ``bands`` the first grade is achieved, the last
behind and any between approaching. ``trend_and_progress`` grades the change from the previous
year, another question, and is left out. Official grades play no part: the rules are compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import EvaluationSettings, Plan
from kpitool.rating.engine import evaluate_plan, resolve_scheme
from kpitool.rating.results import Evaluation
from kpitool.rating.schemes.base import NOT_JUDGED, Scheme
from kpitool.rating.schemes.presets import PRESETS
from kpitool.values.fiscal_year import FiscalYear

__all__ = ["COMPARED", "VERDICTS", "Comparison", "KpiVerdicts", "Verdict", "compare_schemes", "verdict_of"]


class Verdict(StrEnum):
    """What a grade says, whatever its symbol."""

    ACHIEVED = "achieved"
    APPROACHING = "approaching"
    BEHIND = "behind"
    NOT_JUDGED = "not_judged"

    @property
    def label(self) -> str:
        """The Japanese word shown."""
        return {"achieved": "達成", "approaching": "前進", "behind": "要努力", "not_judged": "判断困難"}[
            self.value
        ]


A, P, B = Verdict.ACHIEVED, Verdict.APPROACHING, Verdict.BEHIND
VERDICTS: Mapping[str, Mapping[str, Verdict]] = {
    "default": {"achieved": A, "approaching": P, "needs_effort": B},
    "progress_bands": {"on_track": A, "mostly_on_track": P, "behind": B},
    "expected_value": {"a": A, "b_plus": P, "b": P, "c": B},
    "achievement_bands": {"a": A, "b": P, "c": P, "d": B},
    "baseline_tolerance": {"s": A, "a": P, "b": B, "c": B},
    "target_comparison": {"above": A, "equal": A, "below": P, "no_progress": B},
}
"""Each named scheme's grade keys as verdicts (same level as the baseline is behind: no progress)."""


COMPARED: Mapping[str, EvaluationSettings] = {
    name: EvaluationSettings(scheme=name)
    for name in (*VERDICTS, *(name for name, preset in PRESETS.items() if preset.compared))
}
"""The presets every KPI is graded under, by the name the output gives them (``maintain_points``,
in the KPI's own unit, is not)."""


def verdict_of(name: str, scheme: Scheme, key: str) -> Verdict:
    """The verdict of a grade key under the preset ``name``."""
    if key == NOT_JUDGED.key:
        return Verdict.NOT_JUDGED
    if name in VERDICTS:
        return VERDICTS[name][key]
    keys = [grade.key for grade in scheme.grade_specs[:-1]]
    position = keys.index(key)
    return A if position == 0 else B if position == len(keys) - 1 else P


def _graded(name: str, scheme: Scheme, row: Evaluation) -> tuple[str, Verdict]:
    """The grade and its verdict; a middle grade of a KPI at 達成率 ≥ 100% (achievement_bands' B
    covers 80–110%) is achieved: the target is reached whatever the band is called."""
    verdict = verdict_of(name, scheme, row.computed.key)
    if verdict is P and row.achievement is not None and row.achievement >= 1:
        verdict = A
    return row.computed.symbol, verdict


@dataclass(frozen=True)
class KpiVerdicts:
    """One KPI under every preset: the grade each gives, and its verdict."""

    row: Evaluation
    """The KPI under the plan's own scheme (No., name, actual)."""
    grades: Mapping[str, tuple[str, Verdict]]
    """preset name → (grade symbol, verdict)."""

    @property
    def depends_on_scheme(self) -> bool:
        """True when the presets that judge the KPI do not agree on its verdict."""
        judged = {verdict for _, verdict in self.grades.values() if verdict is not Verdict.NOT_JUDGED}
        return len(judged) > 1


@dataclass(frozen=True)
class Comparison:
    """A plan's KPIs under every preset for one year."""

    plan: Plan
    year: FiscalYear
    presets: tuple[str, ...]
    kpis: tuple[KpiVerdicts, ...]

    @property
    def depending(self) -> tuple[KpiVerdicts, ...]:
        """The KPIs whose verdict depends on the scheme, in plan order."""
        return tuple(kpi for kpi in self.kpis if kpi.depends_on_scheme)


def compare_schemes(plan: Plan, actuals: ActualsFile | None, year: FiscalYear) -> Comparison:
    """Grade every KPI of ``plan`` under each of :data:`COMPARED`."""
    own = evaluate_plan(plan, actuals, year)
    graded: dict[str, tuple[Scheme, tuple[Evaluation, ...]]] = {}
    for name, settings in COMPARED.items():
        scheme = resolve_scheme(settings)
        graded[name] = (scheme, evaluate_plan(plan, actuals, year, scheme).rows)
    kpis = []
    for index, row in enumerate(own.rows):
        grades = {name: _graded(name, scheme, rows[index]) for name, (scheme, rows) in graded.items()}
        kpis.append(KpiVerdicts(row, grades))
    return Comparison(plan, year, tuple(COMPARED), tuple(kpis))
