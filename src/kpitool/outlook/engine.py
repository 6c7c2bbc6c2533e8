"""The outlook of every KPI of a plan at an evaluation year: projected value, ratio, status, lag.

For each KPI, :func:`outlook_kpi` takes the points known at the year (:mod:`.series`), projects
them to the target period with the method asked (:mod:`.methods`) and decides the status:

- a target beyond the baseline (increase, decrease, or a floor/ceiling to reach): ``achieved``
  when the latest actual already meets it, else by r (:class:`~.status.Thresholds`);
- a level to keep (at_least / at_most with the target at or behind the baseline, 維持; a
  misdrawn increase or decrease the rating reads as a floor or ceiling; a target of every year
  of a range, 毎年度, whatever its baseline): there is no planned
  change to take a share of, so no r: ``achieved`` when the latest actual and the projection
  both meet the level, ``on_track`` when the projection does, else ``reverse`` when the
  projection is worse than the latest actual (moving away) and ``accelerate`` when better;
- ``insufficient_data``, with the reason, when there is no numeric target, no baseline (for a
  target to reach), fewer than two points, or the method is undefined (cagr of a zero).

A running total (cumulative) is projected like any series: its target is the total to reach.
A target of a range's last year (``over: final_year``) or of every year is projected to the
middle of the range's last year (:func:`target_time`); a total over several years (``over:
total``, the sum of the years' actuals) is not projected: insufficient_data, saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from kpitool.model.actuals import ActualsFile
from kpitool.model.outlook_settings import OutlookMethod, OutlookSettings
from kpitool.model.plan import KPI, Direction, Plan, Section
from kpitool.model.target import TargetOver
from kpitool.outlook.methods import Undefined, project
from kpitool.outlook.series import Point, baseline_value, known_points, shown_places
from kpitool.outlook.status import OutlookStatus, Thresholds, round_fraction
from kpitool.outlook.timeline import date_time, lag_years, period_time
from kpitool.rating.engine import index_actuals
from kpitool.rating.facts import Observation, effective_direction
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.numbers import format_number
from kpitool.values.periods import Period, PeriodKind

_RANGES = (PeriodKind.SPAN, PeriodKind.WINDOW)

__all__ = ["KpiOutlook", "PlanOutlook", "outlook_kpi", "outlook_plan", "settings_of", "target_time"]


@dataclass(frozen=True)
class KpiOutlook:
    """One KPI's outlook (見通し) at an evaluation year."""

    kpi: KPI
    section: Section | None
    number: str
    year: FiscalYear
    method: OutlookMethod
    """The method that projected (a plan's cagr_fallback where cagr is undefined)."""
    points: tuple[Point, ...]
    baseline: Decimal | None
    target: Decimal | None
    direction: Direction
    """The direction applied (a misdrawn increase target is a floor, as in the rating)."""
    projected: Fraction | None
    projected_period: Period
    ratio: Fraction | None
    status: OutlookStatus
    reason: str
    lag_years: int | None
    """Fiscal years between the evaluation year and the latest data period."""
    final_data_in_period: bool | None
    """Whether the target period's data arrives by the plan's final evaluation, at this lag."""

    @property
    def places(self) -> int:
        """Decimals to show a projection with: one more than the KPI's own figures have."""
        return shown_places(self.points, self.baseline, self.target)

    @property
    def projected_shown(self) -> Decimal | None:
        """The projection rounded half-up to :attr:`places` decimals."""
        return None if self.projected is None else round_fraction(self.projected, self.places)

    @property
    def latest(self) -> Point | None:
        """The latest actual (not the baseline) by data period."""
        return next((p for p in reversed(self.points) if p.year is not None), None)


@dataclass(frozen=True)
class PlanOutlook:
    """A plan's outlook at an evaluation year: one row per KPI and the count of each status."""

    plan: Plan
    year: FiscalYear
    method: OutlookMethod
    rows: tuple[KpiOutlook, ...]
    settings: OutlookSettings = field(default_factory=OutlookSettings)

    @property
    def summary(self) -> dict[OutlookStatus, int]:
        """Every status (in order) with its count."""
        counts = dict.fromkeys(OutlookStatus, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts


def target_time(kpi: KPI) -> Fraction:
    """Where the projection is taken: the target period; for a target of a range's last year
    (``over: final_year``) or of every year (毎年度), the middle of the range's last year."""
    target = kpi.target
    period = target.period
    if (target.over is TargetOver.FINAL_YEAR or target.every_year) and period.kind in _RANGES:
        return date_time(period.end + timedelta(days=1)) - Fraction(1, 2)
    return period_time(period)


def settings_of(plan: Plan) -> OutlookSettings:
    """The plan's ``evaluation.outlook`` settings (the defaults without an ``evaluation`` block)."""
    return plan.evaluation.outlook if plan.evaluation else OutlookSettings()


def _meets(value: Fraction, target: Decimal, kpi: KPI, higher: bool) -> bool:
    goal = Fraction(target)
    if kpi.target.strict:
        return value > goal if higher else value < goal
    return value >= goal if higher else value <= goal


@dataclass(frozen=True)
class _Case:
    """What the status of one KPI is decided from."""

    kpi: KPI
    points: tuple[Point, ...]
    baseline: Decimal | None
    target: Decimal
    higher: bool
    at: Fraction
    settings: OutlookSettings

    def projection(self, method: OutlookMethod) -> tuple[OutlookMethod, Fraction | None, str]:
        """(method used, projected value or None, why none or which fallback)."""
        try:
            return method, project(method, self.points, self.at, self.settings.recent_years), ""
        except Undefined as exc:
            fallback = self.settings.cagr_fallback
            if method is not OutlookMethod.CAGR or fallback is None:
                return method, None, str(exc)
            used, value, reason = self.projection(fallback)
            return used, value, reason or f"{exc}: {fallback.value} used (cagr_fallback)"

    @property
    def latest(self) -> Point | None:
        return next((p for p in reversed(self.points) if p.year is not None), None)

    def reach(self) -> bool:
        """The target lies beyond the baseline, in the better direction: a change to achieve.

        A target of every year of a range (毎年度) is a level to keep, never a change.
        """
        if self.baseline is None or self.kpi.target.every_year:
            return False
        gain = self.target - self.baseline
        return gain > 0 if self.higher else gain < 0

    def latest_meets(self) -> bool:
        latest = self.latest
        return latest is not None and _meets(latest.exact, self.target, self.kpi, self.higher)


def _level(case: _Case, projected: Fraction | None, why: str) -> tuple[OutlookStatus, str]:
    """A floor or ceiling to keep: meet it at the target period, or say which way the series moves."""
    kind = "floor" if case.higher else "ceiling"
    level = format_number(case.target)
    if projected is None:
        if case.latest_meets():
            return OutlookStatus.ACHIEVED, f"the latest actual meets the {kind} {level}; no projection: {why}"
        return OutlookStatus.INSUFFICIENT_DATA, why
    shown = format_number(round_fraction(projected, shown_places(case.points, case.baseline, case.target)))
    if _meets(projected, case.target, case.kpi, case.higher):
        if case.latest_meets():
            return (
                OutlookStatus.ACHIEVED,
                f"the latest actual and the projection {shown} meet the {kind} {level}",
            )
        return OutlookStatus.ON_TRACK, f"the projection {shown} meets the {kind} {level}"
    latest = case.latest
    better = latest is not None and (projected > latest.exact if case.higher else projected < latest.exact)
    if better:
        return (
            OutlookStatus.ACCELERATE,
            f"the projection {shown} misses the {kind} {level}, recovering towards it",
        )
    return OutlookStatus.REVERSE, f"the projection {shown} misses the {kind} {level}, moving away from it"


def _decide(
    case: _Case, projected: Fraction | None, why: str, thresholds: Thresholds
) -> tuple[Fraction | None, OutlookStatus, str]:
    """(ratio, status, reason) of one KPI; see the module docstring."""
    if not case.reach():
        level = case.kpi.target.every_year or case.kpi.direction in (Direction.AT_LEAST, Direction.AT_MOST)
        if case.baseline is None and not level:
            if case.latest_meets():
                return None, OutlookStatus.ACHIEVED, "the latest actual meets the target"
            return None, OutlookStatus.INSUFFICIENT_DATA, "no baseline"
        status, reason = _level(case, projected, why)
        return None, status, reason
    if case.latest_meets():
        ratio = None if projected is None else _ratio(case, projected)
        return ratio, OutlookStatus.ACHIEVED, "the latest actual meets the target"
    if projected is None:
        return None, OutlookStatus.INSUFFICIENT_DATA, why
    ratio = _ratio(case, projected)
    return ratio, thresholds.status(ratio), thresholds.rule(ratio)


def _ratio(case: _Case, projected: Fraction) -> Fraction:
    assert case.baseline is not None
    base = Fraction(case.baseline)
    return (projected - base) / (Fraction(case.target) - base)


def outlook_kpi(
    kpi: KPI,
    observations: Mapping[int, Observation],
    year: FiscalYear,
    *,
    plan: Plan,
    number: str,
    section: Section | None = None,
    method: OutlookMethod | None = None,
    settings: OutlookSettings | None = None,
) -> KpiOutlook:
    """One KPI's outlook at evaluation year ``year`` by ``method`` and ``settings`` (default: the plan's)."""
    settings = settings or settings_of(plan)
    asked = method or settings.method
    points = known_points(kpi, observations, year, plan.period)
    baseline, target = baseline_value(kpi), kpi.target_value()
    direction, _note = effective_direction(kpi, baseline, target)
    latest = next((p for p in reversed(points) if p.year is not None), None)
    lag = None if latest is None else lag_years(year, latest.period)
    final = None
    if lag is not None and plan.period is not None:
        final = kpi.target.period.fiscal_year + lag <= plan.period.end_year + 1
    at = target_time(kpi)
    used, projected, ratio = asked, None, None
    if target is None:
        status, reason = OutlookStatus.INSUFFICIENT_DATA, "no numeric target"
    elif kpi.target.over is TargetOver.TOTAL:
        status, reason = (
            OutlookStatus.INSUFFICIENT_DATA,
            "a total over several years (over: total) is not projected",
        )
    else:
        case = _Case(kpi, points, baseline, target, direction.higher_is_better, at, settings)
        used, projected, why = case.projection(asked)
        ratio, status, reason = _decide(case, projected, why, Thresholds.of(settings))
        if why and projected is not None:
            reason = f"{why}; {reason}"
    return KpiOutlook(
        kpi, section, number, year, used, points, baseline, target, direction,
        projected, kpi.target.period, ratio, status, reason, lag, final,
    )  # fmt: skip


def outlook_plan(
    plan: Plan,
    actuals: ActualsFile | None,
    year: FiscalYear,
    method: OutlookMethod | None = None,
    select: Callable[[KPI], bool] | None = None,
    settings: OutlookSettings | None = None,
) -> PlanOutlook:
    """Every KPI's outlook (in plan order) at evaluation year ``year``; ``settings`` replace the plan's."""
    settings = settings or settings_of(plan)
    placed = [(kpi, section) for kpi, section in plan.iter_kpis() if select is None or select(kpi)]
    index = index_actuals((kpi for kpi, _ in placed), actuals)
    numbers = plan.kpi_numbers()
    rows = tuple(
        outlook_kpi(
            kpi,
            index.get(kpi.id, {}),
            year,
            plan=plan,
            number=numbers[kpi.id],
            section=section,
            method=method,
            settings=settings,
        )
        for kpi, section in placed
    )
    return PlanOutlook(plan, year, method or settings.method, rows, settings)
