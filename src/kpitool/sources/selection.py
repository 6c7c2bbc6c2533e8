"""Which plans a run grades, and which it leaves out and why.

A command over every plan must not drop one silently. A plan is left out only
when asked to (``--skip-invalid``: its plan or actuals file has errors, a
:class:`SkippedPlan`) or when the year is not one the plan is evaluated in
(outside its 計画期間 and not its final evaluation, an :class:`OutOfPeriod`);
:class:`LeftOut` carries both to the renderers, which name them in the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kpitool.problems import Problem, Severity

if TYPE_CHECKING:
    from kpitool.sources.documents import PlanDocument
    from kpitool.sources.tree import LoadedData
    from kpitool.values.fiscal_year import FiscalYear

__all__ = [
    "NOTHING_LEFT_OUT",
    "LeftOut",
    "OutOfPeriod",
    "SkippedPlan",
    "data_errors",
    "period_label",
    "plan_of_file",
    "skipped_plans",
    "split_by_period",
    "uncovered_years",
]


@dataclass(frozen=True)
class SkippedPlan:
    """A plan left out because a file of it has errors (``--skip-invalid``)."""

    file: str
    """The first file of the plan with errors (its plan file before its actuals)."""
    plan: str
    """The plan id; for a file that cannot be read, the id its name gives (``plans/<id>.yaml``)."""
    reason: str
    """The first error (``line:col: path: message``), with how many more there are."""


@dataclass(frozen=True)
class OutOfPeriod:
    """A plan not evaluated in some of the years asked for: they are outside its 計画期間."""

    plan: str
    start: str
    end: str
    years: tuple[str, ...]
    """The R-labels of the years left out, oldest first."""


@dataclass(frozen=True)
class LeftOut:
    """The plans a run over every plan did not grade (for some years), for the output to name."""

    skipped: tuple[SkippedPlan, ...] = ()
    not_in_period: tuple[OutOfPeriod, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.skipped or self.not_in_period)


NOTHING_LEFT_OUT = LeftOut()


def _plan_files_first(problem: Problem) -> bool:
    # A broken plan file also breaks its actuals' reference; its own error is the one to read first.
    return Path(problem.file).parent.name != "plans"


def data_errors(loaded: LoadedData, files: Iterable[str] | None = None) -> list[Problem]:
    """The errors of the data (of ``files`` only, if given): plan files first, then in load order."""
    wanted = None if files is None else set(files)
    errors = [
        p for p in loaded.problems if p.severity is Severity.ERROR and (wanted is None or p.file in wanted)
    ]
    return sorted(errors, key=_plan_files_first)


def plan_of_file(loaded: LoadedData, file: str) -> str:
    """The id of the plan a file belongs to: the one it declares, else the one its name gives."""
    for plan_id, plan_doc in loaded.plans.items():
        if plan_doc.document.name == file:
            return plan_id
    for plan_id, actuals_doc in loaded.actuals.items():
        if actuals_doc.document.name == file:
            return plan_id
    return Path(file).stem  # the file could not be read; by convention it is named after its plan


def _reason(problems: Sequence[Problem]) -> str:
    first = problems[0]
    where = str(first).removeprefix(first.file + ":").lstrip()
    more = len(problems) - 1
    return where + (f" (and {more} more error(s))" if more else "")


def skipped_plans(loaded: LoadedData, errors: Sequence[Problem]) -> list[SkippedPlan]:
    """One :class:`SkippedPlan` per plan that has a file with errors, in the order of the errors."""
    by_plan: dict[str, list[Problem]] = {}
    for problem in errors:
        by_plan.setdefault(plan_of_file(loaded, problem.file), []).append(problem)
    return [SkippedPlan(problems[0].file, plan, _reason(problems)) for plan, problems in by_plan.items()]


def period_label(doc: PlanDocument) -> str:
    """``R4–R7``, or ``no 計画期間`` for a plan that does not record one."""
    period = doc.period
    return f"{period.start}–{period.end}" if period else "no 計画期間"


def _evaluates(doc: PlanDocument, year: FiscalYear) -> bool:
    period = doc.period
    return period is None or period.evaluates(year.year)  # without a period, every year may be its own


def split_by_period(
    docs: Sequence[PlanDocument], years: Sequence[FiscalYear]
) -> tuple[list[tuple[PlanDocument, list[FiscalYear]]], list[OutOfPeriod]]:
    """Each plan with the years it is evaluated in, and the plans with the years they are not.

    A plan none of whose years is evaluated is left out entirely.
    """
    kept: list[tuple[PlanDocument, list[FiscalYear]]] = []
    out: list[OutOfPeriod] = []
    for doc in docs:
        inside = [year for year in years if _evaluates(doc, year)]
        outside = tuple(year.label for year in years if not _evaluates(doc, year))
        if inside:
            kept.append((doc, inside))
        if outside:
            period = doc.period
            assert period is not None  # a plan without a period evaluates every year
            out.append(OutOfPeriod(doc.id, period.start, period.end, outside))
    return kept, out


def uncovered_years(docs: Iterable[PlanDocument], years: Sequence[FiscalYear]) -> list[str]:
    """The R-labels of the years in which none of ``docs`` is evaluated."""
    plans = list(docs)
    return [year.label for year in years if not any(_evaluates(d, year) for d in plans)]
