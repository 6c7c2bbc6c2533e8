"""Cross-reference checks over loaded data: what one file alone cannot tell.

Each check is a generator of :class:`~kpitool.problems.Problem`, located via
the document's source map. :func:`check_data` runs them all.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from kpitool.model.actuals import Actual, PublishedSummary
from kpitool.model.plan import KPI, Direction, Plan, Section
from kpitool.problems import Problem, Severity
from kpitool.rating.facts import effective_direction
from kpitool.rating.resolve import kpi_scheme, resolve_scheme
from kpitool.rating.schemes.base import RatingError
from kpitool.sources.documents import PlanDocument
from kpitool.sources.tree import LoadedData
from kpitool.sources.yaml_strict import Document
from kpitool.values.fiscal_year import parse_fiscal_year
from kpitool.values.numbers import UnitError, split_unit

if TYPE_CHECKING:
    from kpitool.support.cache import Cache

__all__ = ["check_actuals", "check_data", "check_plan"]

Loc = tuple[str | int, ...]
WARNING = Severity.WARNING

# Units that count things: a count below zero is a sign slip. A change (社会増減,
# 転入超過数) may be negative, so a name that says it is one is left alone.
_COUNT_UNITS = frozenset(
    "人 件 社 施設 校 校区 冊 か所 箇所 ヶ所 カ所 回 団体 戸 世帯 台 本 店舗 事業所 園 日 人日 流域".split()  # noqa: SIM905
)
_CHANGE_WORDS = ("増減", "差", "収支", "超過", "増加数", "減少数", "変化", "伸び")

# Characters people type for a grade symbol that look the same but are not it.
_LOOKALIKES = {"〇": "○", "◯": "○", "⚪": "○", "▵": "△", "✕": "×", "✖": "×", "x": "×", "X": "×"}
_LOOKALIKES.update(dict.fromkeys("-－ー―─", "—"))


def _is_count(kpi: KPI) -> bool:
    """True if the KPI counts things (人, 件 …) and its name does not say it is a change."""
    base = split_unit(kpi.unit)[1].replace("／", "/").split("/")[0]
    return base in _COUNT_UNITS and not any(word in kpi.name for word in _CHANGE_WORDS)


def _negative_count(document: Document, loc: Loc, kpi: KPI, value: Decimal | None) -> Iterator[Problem]:
    if value is not None and value < 0 and _is_count(kpi):
        yield document.problem(
            loc,
            f"{value} is negative, but {kpi.unit} counts something; check the sign "
            "(a change such as 社会増減 says so in its name)",
            severity=WARNING,
            code="negative",
        )


def _sections_with_loc(plan: Plan) -> Iterator[tuple[Loc, Section]]:
    def walk(sections: tuple[Section, ...], loc: Loc) -> Iterator[tuple[Loc, Section]]:
        for index, section in enumerate(sections):
            here = (*loc, "sections", index)
            yield here, section
            yield from walk(section.sections, here)

    yield from walk(plan.sections, ())


def _kpis_with_loc(plan: Plan) -> Iterator[tuple[Loc, KPI]]:
    for index, kpi in enumerate(plan.kpis):
        yield ("kpis", index), kpi
    for loc, section in _sections_with_loc(plan):
        for index, kpi in enumerate(section.kpis):
            yield (*loc, "kpis", index), kpi


def check_plan(document: Document, plan: Plan) -> Iterator[Problem]:
    """Ids unique, references resolve, periods ordered and sane, targets drawn the right way."""
    sections = {s.id for s, _ in plan.walk_sections()}
    ids: dict[str, Loc] = {}
    for loc, section in _sections_with_loc(plan):
        sid = section.id
        if sid in ids:
            yield document.problem((*loc, "id"), f"section id {sid!r} is used twice", code="duplicate-id")
        ids.setdefault(sid, loc)
    for index, project in enumerate(plan.projects):
        loc = ("projects", index)
        if project.id in ids:
            yield document.problem(
                (*loc, "id"),
                f"id {project.id!r} is already used by a section or project",
                code="duplicate-id",
            )
        ids.setdefault(project.id, loc)
        for field in ("listed_in", "serves"):
            for ref_index, ref in enumerate(getattr(project, field)):
                if ref not in sections:
                    yield document.problem(
                        (*loc, field, ref_index),
                        f"no section with id {ref!r} in this plan",
                        code="reference",
                    )
    kpi_ids: dict[str, Loc] = {}
    for loc, kpi in _kpis_with_loc(plan):
        if kpi.id in kpi_ids:
            yield document.problem(
                (*loc, "id"), f"KPI id {kpi.id!r} is used twice in this plan", code="duplicate-id"
            )
        kpi_ids.setdefault(kpi.id, loc)
        yield from _check_kpi(document, plan, kpi, loc)
    yield from _check_evaluations(document, plan)


def _check_evaluations(document: Document, plan: Plan) -> Iterator[Problem]:
    """The plan's 評価方法 usable, and each KPI's own one too, with the plan's grade symbols."""
    try:
        scheme = resolve_scheme(plan.evaluation)
    except RatingError as exc:
        yield document.problem(("evaluation", *exc.path), str(exc), code="evaluation")
        return
    for loc, kpi in _kpis_with_loc(plan):
        if kpi.evaluation is None:
            continue
        try:
            kpi_scheme(plan.evaluation, kpi.evaluation, scheme)
        except RatingError as exc:
            yield document.problem((*loc, "evaluation", *exc.path), str(exc), code="evaluation")


def _check_kpi(document: Document, plan: Plan, kpi: KPI, loc: Loc) -> Iterator[Problem]:
    baseline = kpi.baseline
    if (
        baseline is not None
        and baseline.period is not None
        and kpi.target.period.sort_key() <= baseline.period.sort_key()
    ):
        yield document.problem(
            (*loc, "target", "period"),
            f"目標時点 (target period) {kpi.target.period.label} is not after 基準時点 "
            f"(baseline period) {baseline.period.label}",
            code="period",
        )
    if plan.period is not None:
        start, end = plan.period.start_year, plan.period.end_year
        target_year = kpi.target.period.fiscal_year
        if not start - 1 <= target_year <= end + 1:
            yield document.problem(
                (*loc, "target", "period"),
                f"目標時点 {kpi.target.period.label} lies outside the plan period "
                f"{plan.period.start}–{plan.period.end}",
                severity=WARNING,
                code="period",
            )
    for interim_index, interim in enumerate(kpi.interim_targets):
        if interim.period.sort_key() > kpi.target.period.sort_key():
            yield document.problem(
                (*loc, "interim_targets", interim_index, "period"),
                "中間目標 (interim target) comes after the target period",
                code="period",
            )
    if kpi.target.basis is not None and kpi.baseline_value is None:
        yield document.problem(
            (*loc, "target"),
            "a target relative to the baseline needs a baseline value",
            code="target",
        )
    yield from _negative_count(document, (*loc, "baseline", "value"), kpi, kpi.baseline_value)
    yield from _negative_count(document, (*loc, "target", "value"), kpi, kpi.target.value)
    direction, note = effective_direction(kpi, kpi.baseline_value, kpi.target_value())
    if direction is not kpi.direction:
        yield document.problem((*loc, "direction"), note, severity=WARNING, code="direction")
    moving = kpi.direction in (Direction.INCREASE, Direction.DECREASE)
    if moving and kpi.baseline_value is not None and kpi.target_value() == kpi.baseline_value:
        yield document.problem(
            (*loc, "direction"),
            f"target equals baseline: a 'maintain' target is better written as "
            f"{'at_least' if kpi.direction is Direction.INCREASE else 'at_most'}",
            severity=WARNING,
            code="direction",
        )


def check_actuals(document: Document, loaded: LoadedData, plan_id: str) -> Iterator[Problem]:
    """Actuals refer to an existing plan and KPIs, years are sane, units convert, grades exist.

    The published 総括 (``published_summary``) is checked too: one per year, only the
    scheme's grade symbols, its total the plan's number of KPIs.
    """
    actuals_doc = loaded.actuals[plan_id]
    plan_doc = loaded.plans.get(plan_id)
    if plan_doc is None:
        known = ", ".join(sorted(loaded.plans)) or "none loaded"
        failed = {p.file for p in loaded.problems if p.severity is Severity.ERROR} - {document.name}
        hint = f"; {len(failed)} other file(s) could not be read, see their errors" if failed else ""
        message = f"no plan with id {plan_id!r} (plans: {known}){hint}"
        yield document.problem(("plan",), message, code="reference")
        return
    plan = plan_doc.plan
    kpis = {kpi.id: kpi for kpi, _ in plan.iter_kpis()}
    try:
        symbols = resolve_scheme(plan.evaluation).symbols()
    except RatingError:
        symbols = ()  # reported on the plan itself
    for kpi_id, years in actuals_doc.actuals.actuals.items():
        kpi = kpis.get(kpi_id)
        if kpi is None:
            message = f"no KPI with id {kpi_id!r} in plan {plan_id!r}"
            yield document.problem(("actuals", kpi_id), message, code="reference")
            continue
        yield from _check_series(document, plan, kpi, years, symbols)
    published = actuals_doc.actuals.published_summary
    yield from _check_published(document, plan, len(kpis), published, symbols)
    sections = {section.id for _, section in _sections_with_loc(plan)}
    for label, narrative in actuals_doc.actuals.narrative.items():
        for section_id in (s for s in narrative.sections if s not in sections):
            known = ", ".join(sorted(sections))
            message = f"no section with id {section_id!r} in plan {plan_id!r} (sections: {known})"
            yield document.problem(("narrative", label, "sections", section_id), message, code="reference")


def _check_published(
    document: Document,
    plan: Plan,
    kpi_count: int,
    published: Mapping[str, PublishedSummary],
    symbols: tuple[str, ...],
) -> Iterator[Problem]:
    """公表総括: a year once, in the plan's period; scheme symbols only; as many KPIs as the plan."""
    seen: dict[int, str] = {}
    for label, summary in published.items():
        loc = ("published_summary", label)
        year = parse_fiscal_year(label)  # validated by the model already
        if year in seen:
            yield document.problem(loc, f"{label} is the same year as {seen[year]}", code="duplicate-key")
            continue
        seen[year] = label
        yield from _outside_period(document, plan, loc, year)
        unknown = [symbol for symbol in summary.counts if symbols and symbol not in symbols]
        for symbol in unknown:
            yield document.problem(
                (*loc, "counts", symbol), _unknown_grade("published grade", symbol, symbols), code="grade"
            )
        if not unknown and summary.total != kpi_count:
            yield document.problem(
                (*loc, "counts"),
                f"the published counts add up to {summary.total}, but the plan has {kpi_count} KPIs",
                severity=WARNING,
                code="published",
            )


def _check_series(
    document: Document, plan: Plan, kpi: KPI, years: Mapping[str, Actual], symbols: tuple[str, ...]
) -> Iterator[Problem]:
    """The actuals of one KPI: one per year, each sane, and a cumulative (累計) series never falls."""
    seen: dict[int, str] = {}
    series: list[tuple[int, str, Decimal]] = []
    span = plan.period
    low, high = (span.start_year - 1, span.end_year + 1) if span is not None else (-1, 10**6)
    for label, actual in years.items():
        year, until = _year_and_end(label)
        if year in seen:
            message = f"{label} is the same year as {seen[year]}"
            yield document.problem(("actuals", kpi.id, label), message, code="duplicate-key")
            continue
        seen[year], value, grade = label, actual.value, actual.official_grade
        # Most actuals have nothing to report: each condition of _check_actual, tested at once.
        if not (
            low <= year <= high
            and (grade is None or not symbols or grade in symbols)
            and (value is None or ((not actual.unit or actual.unit == kpi.unit) and value >= 0))
            and (actual.period is None or actual.period.end < until)  # its 年度 <= year + 1
        ):
            loc = ("actuals", kpi.id, label)
            problems, value = _check_actual(document, plan, kpi, loc, year, actual, symbols)
            yield from problems
        if value is not None:
            series.append((year, label, value))
    if kpi.cumulative:
        series.sort()
        for (_, _, before), (_, label, after) in itertools.pairwise(series):
            if after < before:
                yield document.problem(
                    ("actuals", kpi.id, label, "value"),
                    f"a cumulative (累計) series falls: {after} after {before}",
                    severity=WARNING,
                    code="cumulative",
                )


@functools.lru_cache(maxsize=1024)
def _year_and_end(label: str) -> tuple[int, date]:
    """An evaluation year (validated by the model already) and the day after the 年度 that follows it."""
    year = parse_fiscal_year(label)
    return year, date(year + 2, 4, 1)


def _check_actual(
    document: Document,
    plan: Plan,
    kpi: KPI,
    loc: tuple[str, ...],
    year: int,
    actual: Actual,
    symbols: tuple[str, ...],
) -> tuple[list[Problem], Decimal | None]:
    """The problems of one year's actual, and its value in the KPI's unit (None if it has none)."""
    problems = list(_outside_period(document, plan, loc, year))  # the evaluation year in the plan's period
    grade = actual.official_grade  # one of the scheme's grades
    if grade is not None and symbols and grade not in symbols:
        message = _unknown_grade("official grade", grade, symbols)
        problems.append(document.problem((*loc, "official_grade"), message, code="grade"))
    try:
        value = actual.value_in(kpi.unit)
    except UnitError:
        message = f"unit {actual.unit!r} cannot be converted to the KPI's unit {kpi.unit!r}"
        problems.append(document.problem((*loc, "unit"), message, code="unit"))
        return problems, None
    if value is not None:
        problems.extend(_negative_count(document, (*loc, "value"), kpi, value))
    if actual.period is not None and actual.period.fiscal_year > year + 1:
        message = f"data period {actual.period.label} lies after the evaluation year {loc[-1]}"
        problems.append(document.problem((*loc, "period"), message, severity=WARNING, code="period"))
    return problems, value


def _outside_period(document: Document, plan: Plan, loc: Loc, year: int) -> Iterator[Problem]:
    """A warning when the evaluation year (the last part of ``loc``) is outside the plan period."""
    if plan.period is not None and not plan.period.start_year - 1 <= year <= plan.period.end_year + 1:
        yield document.problem(
            loc,
            f"evaluation year {loc[-1]} lies outside the plan period {plan.period.start}–{plan.period.end}",
            severity=WARNING,
            code="period",
        )


def _unknown_grade(what: str, grade: str, symbols: tuple[str, ...]) -> str:
    """``official grade '〇' is not a grade of this plan's scheme (○ △ × —); did you mean ○ …?``"""
    meant = _LOOKALIKES.get(grade.strip())
    hint = f"; did you mean {meant} (U+{ord(meant):04X})?" if meant in symbols else ""
    return f"{what} {grade!r} is not a grade of this plan's scheme ({' '.join(symbols)}){hint}"


def _cached(
    cache: Cache | None, keys: tuple[str | None, ...], compute: Callable[[], Iterator[Problem]]
) -> list[Problem]:
    """The problems of a check over unchanged files from the cache, else computed (and stored).

    The key covers the files' contents and names (problems carry the file name) and,
    through the cache's fingerprint, kpitool's own code: an entry cannot go stale.
    """
    if cache is None or any(key is None for key in keys):
        return list(compute())
    key = cache.key("\0".join(str(k) for k in keys).encode(), "checks")
    found = cache.get(key)
    if isinstance(found, list) and all(isinstance(p, Problem) for p in found):
        return found
    problems = list(compute())
    cache.put(key, problems)
    return problems


def _check_plan_document(plan_doc: PlanDocument) -> Iterator[Problem]:
    yield from check_plan(plan_doc.document, plan_doc.plan)


def check_data(loaded: LoadedData, cache: Cache | None = None) -> list[Problem]:
    """Run every cross-reference check; return the file problems plus what they find, sorted.

    With a cache, the checks of a plan (and of its actuals) whose files are unchanged
    are taken from it: at national scale they cost as much as the rating itself.
    """
    problems = list(loaded.problems)
    for plan_doc in loaded.plans.values():
        document = plan_doc.document
        keys: tuple[str | None, ...] = ("plan", document.name, document.content_key)
        # A cached plan stays pickled unless its checks must run.
        problems.extend(_cached(cache, keys, functools.partial(_check_plan_document, plan_doc)))
    for plan_id, actuals_doc in loaded.actuals.items():
        document = actuals_doc.document
        owner = loaded.plans.get(plan_id)
        # Without its plan, the message lists the other plans: not a function of two files.
        keys = (None,)
        if owner is not None:
            plan_file = owner.document
            keys = ("actuals", document.name, document.content_key, plan_file.name, plan_file.content_key)
        check = functools.partial(check_actuals, document, loaded, plan_id)
        problems.extend(_cached(cache, keys, check))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0, p.message))
