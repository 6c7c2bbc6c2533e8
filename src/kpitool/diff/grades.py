"""The grades a change of the data flips (評価の変更): the consequence a reviewer needs.

A moved target (目標値), a rebased baseline (基準値), a new direction, scheme or
threshold, or a rewritten actual can turn a computed grade ○ into △. After the
changes of a plan are found, :func:`grade_changes` grades again, in both
versions, only the KPIs those changes touch (every KPI when 評価方法 changed)
and lists each evaluation year whose computed grade differs as a
:attr:`~kpitool.diff.changes.ChangeKind.GRADE_CHANGE` with field ``grade``,
the old and new grade and the changes that caused it.

Which years: each evaluation year in which the old version records an actual
value for the KPI, i.e. every grade that existed. A grade that becomes — in the
new version (its actual removed, or no longer gradable: a target without a
number, a unit that does not convert) is a grade change, and so is — becoming a
grade. An actual recorded for the first time (a new year, or a value where —
was written) had no grade to change: it is listed as ``actual-added`` only, so
entering a year's actuals flags nothing. A KPI added or removed is its own
change, not a grade change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kpitool.diff.changes import Change, ChangeKind
from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import KPI, Plan
from kpitool.rating.engine import evaluate_plan, kpi_scheme, resolve_scheme
from kpitool.rating.schemes.base import RatingError, Scheme
from kpitool.values.fiscal_year import FiscalYear, parse_fiscal_year
from kpitool.values.periods import PeriodError

__all__ = ["CAUSE_KINDS", "grade_changes", "kpi_map"]

CAUSE_KINDS: frozenset[ChangeKind] = frozenset(
    {
        ChangeKind.BASELINE_CHANGE,
        ChangeKind.TARGET_CHANGE,
        ChangeKind.UNIT_CHANGE,
        ChangeKind.DIRECTION_CHANGE,
        ChangeKind.KPI_CHANGE,
        ChangeKind.ACTUAL_ADDED,
        ChangeKind.ACTUAL_CHANGE,
        ChangeKind.ACTUAL_REMOVED,
        ChangeKind.PAST_ACTUAL_CHANGE,
    }
)
"""Changes of one KPI that can move its grade (an official grade never moves the computed one)."""


def _causes(changes: Sequence[Change]) -> tuple[tuple[Change, ...], dict[str, list[Change]]]:
    """The plan-wide causes (評価方法) and, per KPI id, the changes that may move its grade."""
    plan_wide = tuple(change for change in changes if change.kind is ChangeKind.EVALUATION_CHANGE)
    per_kpi: dict[str, list[Change]] = {}
    for change in changes:
        if change.kind in CAUSE_KINDS and change.field != "official_grade":
            per_kpi.setdefault(change.subject, []).append(change)
    return plan_wide, per_kpi


def _graded_years(actuals: ActualsFile | None, ids: set[str]) -> dict[tuple[str, int], str]:
    """(KPI id, fiscal year) → the year's label, where the file records a value for a chosen KPI."""
    found: dict[tuple[str, int], str] = {}
    if actuals is None:
        return found
    for kid, entries in actuals.actuals.items():
        if kid not in ids:
            continue
        for label, actual in entries.items():
            try:
                year = parse_fiscal_year(label)
            except PeriodError:
                continue  # validate reports it; it grades nothing
            if actual.value is not None:
                found.setdefault((kid, year), label)
    return found


def _scheme(plan: Plan) -> Scheme | None:
    """The plan's scheme, if it and every KPI's own ``evaluation:`` block are usable."""
    try:
        scheme = resolve_scheme(plan.evaluation)
        for kpi, _section in plan.iter_kpis():
            if kpi.evaluation is not None:
                kpi_scheme(plan.evaluation, kpi.evaluation, scheme)
        return scheme
    except RatingError:
        return None  # an unusable 評価方法 grades nothing; validate names the fault


def _grades(
    plan: Plan, actuals: ActualsFile | None, ids: set[str], years: Iterable[int]
) -> dict[tuple[str, int], str]:
    """(KPI id, year) → computed grade symbol, for the chosen KPIs and years, by the plan's scheme."""
    found: dict[tuple[str, int], str] = {}
    for year in years:
        graded = evaluate_plan(plan, actuals, FiscalYear(year), select=lambda kpi: kpi.id in ids)
        for row in graded.rows:
            found.setdefault((row.kpi.id, year), row.computed.symbol)
    return found


def kpi_map(plan: Plan) -> dict[str, KPI]:
    """KPI id → KPI, in document order (the first one where an id repeats)."""
    found: dict[str, KPI] = {}
    for kpi, _section in plan.iter_kpis():
        found.setdefault(kpi.id, kpi)
    return found


def grade_changes(
    old: Plan,
    new: Plan,
    old_actuals: ActualsFile | None,
    new_actuals: ActualsFile | None,
    changes: Iterable[Change],
) -> list[Change]:
    """The computed grades that ``changes`` (one plan's) flip, by KPI (new order), then year."""
    plan_wide, per_kpi = _causes(list(changes))
    old_kpis, new_kpis = kpi_map(old), kpi_map(new)
    ids = {kid for kid in new_kpis if kid in old_kpis and (plan_wide or kid in per_kpi)}
    graded = _graded_years(old_actuals, ids)
    old_scheme, new_scheme = _scheme(old), _scheme(new)
    if not graded or old_scheme is None or new_scheme is None:
        return []
    # The year as written in the new data where it is still there (Change.year).
    labels = {
        **graded,
        **{key: label for key, label in _graded_years(new_actuals, ids).items() if key in graded},
    }
    years = sorted({year for _kid, year in graded})
    before = _grades(old, old_actuals, ids, years)
    after = _grades(new, new_actuals, ids, years)
    found: list[Change] = []
    for kid, kpi in new_kpis.items():
        for year in sorted(year for k, year in graded if k == kid):
            old_grade, new_grade = before[kid, year], after[kid, year]
            if old_grade != new_grade:
                found.append(
                    Change(
                        ChangeKind.GRADE_CHANGE,
                        new.id,
                        subject=kid,
                        name=kpi.name,
                        number=kpi.number,
                        field="grade",
                        old=old_grade,
                        new=new_grade,
                        year=labels[kid, year],
                        cause=(*plan_wide, *per_kpi.get(kid, ())),
                    )
                )
    return found
