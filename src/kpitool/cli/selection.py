"""Choosing the plans a command grades: named ones, or every plan, and the years they are graded in.

A command over every plan (no plan ids) stops (exit 1) when any plan or
actuals file has errors, after listing every error; with ``--skip-invalid`` it
grades the others and the output names the plans left out. A named plan whose
file cannot be read is bad data (exit 1), not an unknown plan. Without plan
ids, a plan is graded only in the years it is evaluated in (its 計画期間 and the
year after, the final evaluation); a named plan is graded in any year, with a
warning. A year in which no plan is evaluated is a usage error (exit 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeAlias

import typer

from kpitool.cli.common import CommandFailed, print_problems, say, stderr
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from kpitool.sources.documents import PlanDocument
    from kpitool.sources.selection import LeftOut, OutOfPeriod, SkippedPlan
    from kpitool.sources.tree import LoadedData
    from kpitool.values.fiscal_year import FiscalYear

__all__ = [
    "Selection",
    "SkipInvalidOption",
    "announce_left_out",
    "plans_in_years",
    "select_graded",
    "select_plans",
]

SkipInvalidOption = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="When files of some plans have errors, grade the other plans instead of failing; "
        "the plans left out are named in the output.",
    ),
]

Years: TypeAlias = "list[FiscalYear]"


@dataclass(frozen=True)
class Selection:
    """The plans chosen, and those left out because their files have errors (``--skip-invalid``)."""

    documents: list[PlanDocument]
    skipped: tuple[SkippedPlan, ...] = ()


def _warn(message: str) -> None:
    stderr().print(f"kpitool: warning: {message}", markup=False)


def _unreadable_plan(loaded: LoadedData, plan_id: str) -> None:
    """Stop (exit 1) if the file of a plan that did not load, by its name, has errors: bad data."""
    from kpitool.sources.selection import data_errors

    docs = [*loaded.plans.values(), *loaded.actuals.values()]
    own = [p for p in data_errors(loaded) if Path(p.file).stem == plan_id]
    files = {p.file for p in own} - {d.document.name for d in docs}
    if files:
        print_problems(own)
        raise CommandFailed(
            f"plan {plan_id!r}: {', '.join(sorted(files))} cannot be read ({len(own)} error(s)); "
            "fix it (kpitool validate)"
        )


def _named(loaded: LoadedData, plan_ids: list[str]) -> list[PlanDocument]:
    """The plans named; stop on errors in their files, warn about errors in others."""
    from kpitool.sources.selection import data_errors

    unknown = [p for p in plan_ids if p not in loaded.plans]
    if unknown:
        _unreadable_plan(loaded, unknown[0])
        print_problems(data_errors(loaded))
        known = ", ".join(sorted(loaded.plans)) or "none"
        raise UsageError(f"unknown plan {unknown[0]!r} (plans: {known})")
    chosen = [loaded.plans[p] for p in plan_ids]
    files = {d.document.name for d in chosen}
    for doc in chosen:
        if doc.id in loaded.actuals:
            files.add(loaded.actuals[doc.id].document.name)
    errors = data_errors(loaded)
    # A file that failed to load declares no plan; by the naming convention (actuals/<plan>.yaml)
    # it may hold the actuals of a chosen plan, which must not be graded as if it had none.
    ids = {d.id for d in chosen}
    files |= {p.file for p in errors if Path(p.file).stem in ids}
    relevant = [p for p in errors if p.file in files]
    if relevant:
        print_problems(relevant)
        raise CommandFailed(
            f"{len(relevant)} error(s) in the data of the selected plans; fix them (kpitool validate)"
        )
    others = sorted({p.file for p in errors} - files)
    if others:
        _warn(
            f"{len(others)} other file(s) have errors and were skipped: {', '.join(others)} "
            "(run kpitool validate)"
        )
    return chosen


def _every(loaded: LoadedData, *, with_kpis: bool, skip_invalid: bool) -> Selection:
    """Every plan (with KPIs, if asked); stop on any error in the data unless ``skip_invalid``."""
    from kpitool.sources.selection import data_errors, skipped_plans

    errors = data_errors(loaded)
    if errors:
        print_problems(errors)
        if not skip_invalid:
            raise CommandFailed(
                f"{len(errors)} error(s) in the data; fix them (kpitool validate), "
                "or rerun with --skip-invalid to grade the other plans"
            )
    skipped = tuple(skipped_plans(loaded, errors))
    if skipped:
        names = ", ".join(s.plan for s in skipped)
        _warn(f"--skip-invalid: left out {len(skipped)} plan(s) whose files have errors: {names}")
    left_out = {s.plan for s in skipped}
    chosen = [d for d in loaded.plans.values() if d.id not in left_out and (not with_kpis or d.kpi_count())]
    return Selection(chosen, skipped)


def select_plans(
    loaded: LoadedData, plan_ids: list[str] | None, *, with_kpis: bool, skip_invalid: bool = False
) -> Selection:
    """The plans asked for, or every plan (with KPIs, if asked); stop on errors in their files."""
    if plan_ids:
        selection = Selection(_named(loaded, plan_ids))
    else:
        selection = _every(loaded, with_kpis=with_kpis, skip_invalid=skip_invalid)
    if not selection.documents:
        raise CommandFailed("no plan with KPIs found" if with_kpis else "no plans found")
    return selection


def _periods(docs: Sequence[PlanDocument]) -> str:
    from kpitool.sources.selection import period_label

    return ", ".join(f"{d.id} {period_label(d)}" for d in docs)


def plans_in_years(
    loaded: LoadedData, selection: Selection, years: Years, *, named: bool, option: str
) -> tuple[list[tuple[PlanDocument, Years]], tuple[OutOfPeriod, ...]]:
    """Each plan to grade with its years, and the plans (and years) left out as not in period.

    A year in which no plan with KPIs is evaluated is a usage error naming the plans' periods.
    Named plans are graded in every year asked for, with a warning for those outside their period.
    """
    from kpitool.sources.selection import split_by_period, uncovered_years

    candidates = [d for d in loaded.plans.values() if d.kpi_count()] or selection.documents
    uncovered = uncovered_years(candidates, years)
    if uncovered:
        raise UsageError(
            f"{option}: no plan is evaluated in {', '.join(uncovered)} (計画期間: {_periods(candidates)}; "
            "a plan is evaluated in its period and in the year after it, the final evaluation)"
        )
    kept, outside = split_by_period(selection.documents, years)
    if not named:
        return kept, tuple(outside)
    for item in outside:
        _warn(
            f"{', '.join(item.years)} outside the 計画期間 of {item.plan} ({item.start}–{item.end}); "
            "graded anyway"
        )
    return [(doc, list(years)) for doc in selection.documents], ()


def select_graded(
    loaded: LoadedData, plan_ids: list[str] | None, years: Years, *, skip_invalid: bool, option: str
) -> tuple[list[tuple[PlanDocument, Years]], LeftOut]:
    """The plans to grade (with KPIs), each with its years, and those the run leaves out."""
    from kpitool.sources.selection import LeftOut

    selection = select_plans(loaded, plan_ids, with_kpis=True, skip_invalid=skip_invalid)
    per_plan, outside = plans_in_years(loaded, selection, years, named=bool(plan_ids), option=option)
    return per_plan, LeftOut(selection.skipped, outside)


def announce_left_out(left_out: LeftOut, *, in_output: bool) -> None:
    """Name the plans not in period on stderr, unless the output itself lists them (JSON)."""
    from kpitool.render.left_out import not_in_period_text

    if left_out.not_in_period and not in_output:
        say(f"kpitool: note: {not_in_period_text(left_out.not_in_period)}")
