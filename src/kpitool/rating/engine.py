"""The rating engine: KPI + actuals + scheme → an evaluation row with its reason.

Pure functions over the model: :func:`evaluate_plan` indexes a plan's actuals
(converted to each KPI's unit), gathers the :mod:`~kpitool.rating.facts` of each
KPI, lets the plan's scheme (:mod:`kpitool.rating.schemes`, chosen by
``evaluation.scheme`` through :func:`resolve_scheme`) decide, and counts the 総括,
set beside the published one when the actuals file records it.
The default scheme reproduces the 判断基準 of the Kurume regional vision
(○ / △ / × / —); docs/rating.md documents each scheme.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from kpitool.model.actuals import Actual, ActualsFile, PublishedSummary, YearNarrative
from kpitool.model.plan import KPI, EvaluationSettings, Plan, Section
from kpitool.rating.facts import ActualIndex, Facts, Observation, facts_for
from kpitool.rating.resolve import kpi_scheme, resolve_scheme
from kpitool.rating.results import Evaluation, PlanEvaluation, Published, Summary
from kpitool.rating.schemes.base import Outcome, Scheme
from kpitool.values.fiscal_year import FiscalYear, parse_fiscal_year
from kpitool.values.numbers import UnitError, round_half_up
from kpitool.values.periods import PeriodError

_Entry = TypeVar("_Entry")

__all__ = [
    "evaluate_kpi",
    "evaluate_plan",
    "half_up_percents",
    "index_actuals",
    "index_for_year",
    "kpi_scheme",
    "narrative_for",
    "own_setting",
    "published_for",
    "resolve_scheme",
    "summarise",
]


def own_setting(own: EvaluationSettings, scheme: Scheme) -> str:
    """A KPI's own setting as its rule names it: ``default, nearly_achieved=1``."""
    return ", ".join([scheme.name, *(f"{key}={value}" for key, value in own.options.items())])


def index_actuals(kpis: Iterable[KPI], actuals: ActualsFile | None) -> dict[str, dict[int, Observation]]:
    """Actuals by KPI id and evaluation fiscal year, values converted to each KPI's unit.

    Entries that cannot be used (unknown KPI, unconvertible unit, unreadable
    year) are skipped here; ``validate`` reports them.
    """
    units = {kpi.id: kpi.unit for kpi in kpis}
    index: dict[str, dict[int, Observation]] = {}
    if actuals is None:
        return index
    for kpi_id, years in actuals.actuals.items():
        if kpi_id in units:
            found = _every_year(years, units[kpi_id])
            if found:
                index[kpi_id] = found
    return index


def _every_year(years: Mapping[str, Actual], unit: str) -> dict[int, Observation]:
    """One KPI's observations by evaluation year (a later label of the same year wins)."""
    found: dict[int, Observation] = {}
    for label, actual in years.items():
        try:
            year = parse_fiscal_year(label)
            value = actual.value_in(unit)
        except (PeriodError, UnitError):
            continue
        found[year] = Observation(year, actual, value)
    return found


def index_for_year(kpis: Iterable[KPI], actuals: ActualsFile | None, year: int) -> ActualIndex:
    """What grading ``year`` reads of :func:`index_actuals`: the same observations, fewer of them.

    Per KPI the observation of ``year`` and those of the years before it back to the nearest one
    with a value (the previous value), or every year for a target over several years (最終年度に,
    累計, which look at the whole range). The facts drawn from it are those drawn from the whole
    index; a national run converts two actuals per KPI instead of ten (docs/performance.md).
    """
    by_id = {kpi.id: kpi for kpi in kpis}
    index: dict[str, dict[int, Observation]] = {}
    if actuals is None:
        return index
    for kpi_id, years in actuals.actuals.items():
        kpi = by_id.get(kpi_id)
        if kpi is None:
            continue
        over = kpi.target.over is not None
        found = _every_year(years, kpi.unit) if over else _back_to_previous(years, kpi.unit, year)
        if found:
            index[kpi_id] = found
    return index


def _back_to_previous(years: Mapping[str, Actual], unit: str, year: int) -> dict[int, Observation]:
    """The observations of ``year`` and back to the nearest earlier value, as :func:`index_actuals`
    makes them."""
    found: dict[int, Observation] = {}
    for when, labels in _newest_first(tuple(years), year):
        for label in labels:
            actual = years[label]
            try:
                value = actual.value_in(unit)
            except UnitError:
                continue
            found[when] = Observation(when, actual, value)
            if when < year and value is not None:
                return found
            break
    return found


@functools.lru_cache(maxsize=1024)  # a plan's KPIs mostly share one list of year labels
def _newest_first(labels: tuple[str, ...], year: int) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Each year up to ``year``, newest first, with its labels: of two labels of one year (R6,
    2024年度) the later first, as the later wins in :func:`index_actuals` when it converts."""
    by_year: dict[int, list[str]] = {}
    for label in labels:
        try:
            when = parse_fiscal_year(label)
        except PeriodError:
            continue
        if when <= year:
            by_year.setdefault(when, []).insert(0, label)
    return tuple((when, tuple(by_year[when])) for when in sorted(by_year, reverse=True))


def evaluate_kpi(
    kpi: KPI,
    section: Section | None,
    number: str,
    year: FiscalYear,
    observations: Mapping[int, Observation],
    scheme: Scheme,
    own: bool = False,
) -> Evaluation:
    """Grade one KPI for one evaluation year; ``number`` is its No. (:meth:`Plan.kpi_numbers`).

    ``own``: ``scheme`` is the KPI's own (:func:`kpi_scheme`), which the rule then says.
    """
    observation = observations.get(year.year)
    facts = facts_for(kpi, year.year, observations)
    judged = facts.value is not None and kpi.target.applies_in(facts.data_year)
    if facts.value is None:
        outcome = Outcome("not_judged", f"no actual for {year.label}")
        achievement = progress = None
    elif not judged:
        covered = kpi.target.period.label
        outcome = Outcome("not_judged", f"the annual target covers {covered} only (毎年度), not this year")
        achievement = progress = None
    else:
        outcome = scheme.decide(facts)
        achievement = facts.achievement()
        progress = facts.progress()
    rule = outcome.rule
    if judged:
        notes = [note for note in (facts.over_note, facts.floor_note, facts.progress_note()) if note]
        rule = "; ".join([rule, *notes]) if notes else rule
    details = _with_goal(outcome.details, kpi, facts) if kpi.target.over is not None else outcome.details
    if kpi.evaluation is not None and own:
        setting = own_setting(kpi.evaluation, scheme)
        rule = f"{rule}; by this KPI's own evaluation: setting ({setting})"
        details = {**details, "own_evaluation": setting}
    computed = scheme.spec(outcome.key)
    official = observation.actual.official_grade if observation else None
    return Evaluation(
        kpi=kpi,
        section=section,
        number=number,
        year=year,
        observation=observation,
        baseline=facts.baseline,
        # A target over several years is graded against a goal of the year (pace, extrapolated
        # total): shown is the plan's target, the goal is in the details and the rule.
        target=kpi.target_value() if kpi.target.over is not None else facts.target,
        direction=facts.direction,
        achievement=achievement,
        progress=progress,
        computed=computed,
        official=official,
        official_reason=observation.actual.official_reason if observation else None,
        grade=official if official is not None else computed.symbol,
        rule=rule,
        details=details,
    )


def _with_goal(details: Mapping[str, Any], kpi: KPI, facts: Facts) -> Mapping[str, Any]:
    """The scheme's details, with the goal of the year for a target over several years."""
    if kpi.target.over is None or facts.value is None:
        return details
    return {**details, "graded_value": facts.value, "graded_goal": facts.target}


def summarise(
    rows: Sequence[Evaluation],
    scheme: Scheme,
    year: FiscalYear,
    published: PublishedSummary | None = None,
) -> Summary:
    """Count the grades of one year; each percent rounded half-up on its own (:func:`half_up_percents`).

    The counts are of the grades shown: an official grade (公表評価) where one is recorded,
    else the computed one (see :func:`evaluate_kpi`); ``official`` says how many are official.
    ``published`` (the year's 公表総括) is compared grade by grade with the counts.
    """
    counts = {symbol: 0 for symbol in scheme.symbols()}
    for row in rows:
        counts[row.grade] = counts.get(row.grade, 0) + 1
    official = sum(1 for row in rows if row.official is not None)
    overridden = sum(1 for row in rows if row.disagrees)
    return Summary(
        year,
        scheme.grade_specs,
        counts,
        half_up_percents(counts),
        official=official,
        overridden=overridden,
        published=_compare_published(counts, published) if published is not None else None,
    )


def _compare_published(counts: Mapping[str, int], published: PublishedSummary) -> Published:
    """The published counts over the computed grades (0 where left out), and which differ."""
    shown = {symbol: published.counts.get(symbol, 0) for symbol in counts}
    shown.update({symbol: n for symbol, n in published.counts.items() if symbol not in shown})
    differing = tuple(symbol for symbol, n in shown.items() if counts.get(symbol, 0) != n)
    return Published(shown, differing, published.source)


def published_for(actuals: ActualsFile | None, year: FiscalYear) -> PublishedSummary | None:
    """The 公表総括 an actuals file records for an evaluation year (any spelling of it), if any."""
    return _for_year(actuals.published_summary, year) if actuals is not None else None


def narrative_for(actuals: ActualsFile | None, year: FiscalYear) -> YearNarrative | None:
    """The 評価文 an actuals file records for an evaluation year (any spelling of it), if any."""
    return _for_year(actuals.narrative, year) if actuals is not None else None


def _for_year(by_label: Mapping[str, _Entry], year: FiscalYear) -> _Entry | None:
    for label, entry in by_label.items():
        try:
            if parse_fiscal_year(label) == year.year:
                return entry
        except PeriodError:  # validated by the model; unreadable here means not this year
            continue
    return None


def half_up_percents(counts: Mapping[str, int], places: int = 1) -> dict[str, Decimal]:
    """Each count's percent of the total, rounded half-up (四捨五入) to ``places`` decimals on its own.

    Exact: 100 × count / total is a fraction, rounded without any float in between. Equal
    counts thus always show equal percents; the percents may add up to 99.9 or 100.1, which
    :attr:`~kpitool.rating.results.Summary.rounding_note` says.
    """
    total = sum(counts.values())
    if total == 0:
        return {key: Decimal(0).scaleb(-places) for key in counts}
    # Half-up at ``places`` decimals depends only on the next digit, so the exact quotient
    # truncated to one more decimal rounds exactly as the fraction itself would.
    scale = 100 * 10 ** (places + 1)
    return {
        key: round_half_up(Decimal(count * scale // total).scaleb(-(places + 1)), places)
        for key, count in counts.items()
    }


def evaluate_plan(
    plan: Plan,
    actuals: ActualsFile | None,
    year: FiscalYear,
    scheme: Scheme | None = None,
    select: Callable[[KPI], bool] | None = None,
) -> PlanEvaluation:
    """Grade every KPI of a plan (in plan order) for one evaluation year.

    Without ``scheme`` the plan's own: each KPI with its own ``evaluation:`` block is graded by
    it (:func:`kpi_scheme`); a ``scheme`` given (another scheme to compare) grades every KPI.
    """
    own = scheme is None
    scheme = scheme or resolve_scheme(plan.evaluation)
    placed = [(kpi, section) for kpi, section in plan.iter_kpis() if select is None or select(kpi)]
    index = index_for_year((kpi for kpi, _ in placed), actuals, year.year)
    numbers = plan.kpi_numbers()
    rows = tuple(
        evaluate_kpi(
            kpi,
            section,
            numbers[kpi.id],
            year,
            index.get(kpi.id, {}),
            kpi_scheme(plan.evaluation, kpi.evaluation, scheme) if own and kpi.evaluation else scheme,
            own=own,
        )
        for kpi, section in placed
    )
    # A 総括 of only some KPIs (``select``) is not the published one: nothing to compare.
    published = published_for(actuals, year) if select is None else None
    summary = summarise(rows, scheme, year, published)
    narrative = narrative_for(actuals, year) if select is None else None
    return PlanEvaluation(plan, year, scheme, rows, summary, narrative)
