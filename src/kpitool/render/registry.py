"""Renderers by name: what ``--format`` picks, for each kind of result.

A renderer turns a result into the finished output, text or bytes, for stdout
or an ``--output`` file; the command line looks it up by the format's name
instead of branching on it. Terminal tables (``table``) are rendered as the
terminal would show them (colours included when stdout is a terminal) and go to
stdout only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

from rich.console import Console, RenderableType

from kpitool.diff.changes import DataDiff
from kpitool.model.plan import Plan
from kpitool.outlook.engine import PlanOutlook
from kpitool.outlook.history import KpiHistory
from kpitool.rating.compare import Comparison
from kpitool.rating.results import PlanEvaluation
from kpitool.render import (
    compare,
    diff,
    history,
    machine,
    notes,
    outlook,
    outlook_table,
    plan_views,
    sections,
    terminal,
    totals,
)
from kpitool.render.left_out import skipped_line, with_left_out
from kpitool.sources.selection import NOTHING_LEFT_OUT, LeftOut

__all__ = [
    "COMPARISONS",
    "DIFF",
    "EVALUATIONS",
    "EVALUATIONS_WITH_OUTLOOK",
    "HISTORY",
    "OUTLOOKS",
    "PLANS",
    "RENDERERS",
    "SUMMARIES",
    "TERMINAL",
    "PlanResults",
    "PlansRenderer",
    "Renderer",
]

Subject = TypeVar("Subject", contravariant=True)

PlanResults = tuple[Plan, Sequence[PlanEvaluation]]
"""One plan with its evaluations for several years (the subject of ``summary``)."""

TERMINAL = "table"
"""The format name of the terminal renderers, which write to stdout only (never ``--output``)."""


class Renderer(Protocol[Subject]):
    """Renders a result as text or bytes; ``width`` is the terminal width (tables only)."""

    def __call__(self, subject: Subject, /, width: int | None) -> str | bytes: ...


class PlansRenderer(Protocol[Subject]):
    """A renderer of a run over plans, which names the plans the run left out (``left_out``)."""

    def __call__(
        self, subject: Subject, /, width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
    ) -> str | bytes: ...


def _console_text(renderables: Sequence[RenderableType], width: int | None) -> str:
    """What printing ``renderables`` on stdout would write, as text."""
    console = Console(width=width, soft_wrap=False)
    with console.capture() as captured:
        for renderable in renderables:
            console.print(renderable)
    return captured.get()


def _evaluation_tables(
    results: Sequence[PlanEvaluation], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    return _console_text([*(terminal.evaluation_table(r) for r in results), *skipped_line(left_out)], width)


def _evaluations_json(
    results: Sequence[PlanEvaluation], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    return machine.evaluations_json(results, left_out)


def _evaluations_csv(
    results: Sequence[PlanEvaluation], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    return machine.evaluations_csv(results)  # no room for a note: the command line says it on stderr


def _summary_tables(
    plans: Sequence[PlanResults], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    renderables: list[RenderableType] = []
    for plan, results in plans:
        summaries = [r.summary for r in results]
        renderables += [
            totals.summary_table(plan, summaries, results[0].scheme),
            *notes.summary_notes(summaries),
            *sections.summary_section_lines(results),
        ]
    return _console_text([*renderables, *skipped_line(left_out)], width)


def _summary_pairs(plans: Sequence[PlanResults]) -> list[tuple[Plan, list[Any]]]:
    return [(plan, [r.summary for r in results]) for plan, results in plans]


def _summaries_json(
    plans: Sequence[PlanResults], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    text = machine.summaries_json(_summary_pairs(plans), left_out)
    return sections.with_year_sections(text, plans, machine.to_json)


def _summaries_csv(
    plans: Sequence[PlanResults], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    return machine.summaries_csv(_summary_pairs(plans))


def _plans_table(
    rows: Sequence[dict[str, object]], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    return _console_text([plan_views.plans_table(rows), *skipped_line(left_out)], width)


def _plans_json(
    rows: Sequence[dict[str, object]], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    return machine.to_json([with_left_out(dict(row), left_out) for row in rows])


EVALUATIONS: Mapping[str, PlansRenderer[Sequence[PlanEvaluation]]] = {
    TERMINAL: _evaluation_tables,
    "json": _evaluations_json,
    "csv": _evaluations_csv,
}
"""Renderers of ``evaluate``: one plan's grades per KPI for a year."""

GradedOutlook = tuple[PlanEvaluation, PlanOutlook]
"""A plan's evaluation with its outlook at the same year (the subject of ``evaluate --outlook``)."""


def _outlook_column(outlook: PlanOutlook) -> terminal.ExtraColumn:
    return ("見通し", {row.kpi.id: row.status.label for row in outlook.rows})


def _split(pairs: Sequence[GradedOutlook]) -> tuple[list[PlanEvaluation], list[PlanOutlook]]:
    return [result for result, _ in pairs], [found for _, found in pairs]


EVALUATIONS_WITH_OUTLOOK: Mapping[str, PlansRenderer[Sequence[GradedOutlook]]] = {
    TERMINAL: lambda pairs, width, left_out=NOTHING_LEFT_OUT: _console_text(
        [*(terminal.evaluation_table(r, _outlook_column(o)) for r, o in pairs), *skipped_line(left_out)],
        width,
    ),
    "json": lambda pairs, width, left_out=NOTHING_LEFT_OUT: outlook.evaluations_json_with_outlook(
        *_split(pairs), left_out
    ),
    "csv": lambda pairs, width, left_out=NOTHING_LEFT_OUT: outlook.evaluations_csv_with_outlook(
        *_split(pairs)
    ),
}
"""Renderers of ``evaluate --outlook METHOD``: the grades with each KPI's outlook beside them."""

COMPARISONS: Mapping[str, PlansRenderer[Sequence[Comparison]]] = {
    TERMINAL: lambda results, width, left_out=NOTHING_LEFT_OUT: _console_text(
        [*(line for c in results for line in compare.comparison_lines(c)), *skipped_line(left_out)], width
    ),
    "json": lambda results, width, left_out=NOTHING_LEFT_OUT: compare.comparison_json(results),
    "csv": lambda results, width, left_out=NOTHING_LEFT_OUT: compare.comparison_csv(results),
}
"""Renderers of ``evaluate --compare-schemes``: the KPIs whose verdict depends on the scheme."""

SUMMARIES: Mapping[str, PlansRenderer[Sequence[PlanResults]]] = {
    TERMINAL: _summary_tables,
    "json": _summaries_json,
    "csv": _summaries_csv,
}
"""Renderers of ``summary`` (総括): the counts of each grade per year."""

PLANS: Mapping[str, PlansRenderer[Sequence[dict[str, object]]]] = {
    TERMINAL: _plans_table,
    "json": _plans_json,
}
"""Renderers of ``plans``: the plan list with counts."""

OUTLOOKS: Mapping[str, PlansRenderer[Sequence[PlanOutlook]]] = {
    TERMINAL: lambda results, width, left_out=NOTHING_LEFT_OUT: _console_text(
        [*(outlook_table.OutlookView(r) for r in results), *skipped_line(left_out)], width
    ),
    "json": lambda results, width, left_out=NOTHING_LEFT_OUT: outlook.outlooks_json(results, left_out),
    "csv": lambda results, width, left_out=NOTHING_LEFT_OUT: outlook.outlooks_csv(results),
}
"""Renderers of ``outlook``: each KPI's projection to its target period and its status."""

PlanHistory = tuple[Plan, Sequence[KpiHistory]]
"""One plan with the history of the KPIs asked for (the subject of ``history``)."""

HISTORY: Mapping[str, Renderer[PlanHistory]] = {
    TERMINAL: lambda subject, width: _console_text(
        [history.HistoryView(subject[0].title, subject[1])], width
    ),
    "json": lambda subject, width: history.history_json(*subject),
}
"""Renderers of ``history``: each KPI's series with its grades, a sparkline and the outlook."""

DIFF: Mapping[str, Renderer[DataDiff]] = {
    TERMINAL: lambda result, width: _console_text([diff.diff_table(result)], width),
    "json": lambda result, width: diff.diff_json(result),
    "markdown": lambda result, width: diff.diff_markdown(result),
}
"""Renderers of ``diff``: what changed in the plan data."""

RENDERERS: Mapping[str, Mapping[str, Renderer[Any]]] = {
    "evaluations": EVALUATIONS,
    "summaries": SUMMARIES,
    "plans": PLANS,
    "outlooks": OUTLOOKS,
    "evaluations_with_outlook": EVALUATIONS_WITH_OUTLOOK,
    "history": HISTORY,
    "diff": DIFF,
    "comparisons": COMPARISONS,
}
"""Every renderer: by kind of result, then by format name."""
