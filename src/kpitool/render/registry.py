"""Renderers by name: what ``--format`` picks, for each kind of result.

A renderer turns a result into the finished output, text or bytes, for stdout
or an ``--output`` file; the command line looks it up by the format's name
instead of branching on it. Terminal tables (``table``) are rendered as the
terminal would show them (colours included when stdout is a terminal) and go to
stdout only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from kpitool.model.plan import Plan
from kpitool.rating.results import PlanEvaluation
from kpitool.render import machine, machine_summary
from kpitool.render.left_out import skipped_line, with_left_out
from kpitool.sources.selection import NOTHING_LEFT_OUT, LeftOut

if TYPE_CHECKING:
    # rich and the terminal renderers are imported where a table is rendered: JSON and CSV
    # need neither (a cold ``evaluate --format json`` saves ~20 ms, issue 18). The renderers of
    # outlooks, histories, diffs and scheme comparisons (and their results) are imported where
    # they are called: evaluate, summary and plans need none of them (issue 18).
    from rich.console import RenderableType

    from kpitool.diff.changes import DataDiff
    from kpitool.outlook.engine import PlanOutlook
    from kpitool.outlook.history import KpiHistory
    from kpitool.rating.compare import Comparison
    from kpitool.render.terminal import ExtraColumn

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
    from rich.console import Console

    console = Console(width=width, soft_wrap=False)
    with console.capture() as captured:
        for renderable in renderables:
            console.print(renderable)
    return captured.get()


def _evaluation_tables(
    results: Sequence[PlanEvaluation], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import terminal

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
    from kpitool.render import notes, sections, totals

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
    from kpitool.render import sections

    text = machine_summary.summaries_json(_summary_pairs(plans), left_out)
    return sections.with_year_sections(text, plans, machine.to_json)


def _summaries_csv(
    plans: Sequence[PlanResults], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    return machine_summary.summaries_csv(_summary_pairs(plans))


def _plans_table(
    rows: Sequence[dict[str, object]], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import plan_views

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

GradedOutlook = tuple[PlanEvaluation, "PlanOutlook"]
"""A plan's evaluation with its outlook at the same year (the subject of ``evaluate --outlook``)."""


def _outlook_column(outlook: PlanOutlook) -> ExtraColumn:
    return ("見通し", {row.kpi.id: row.status.label for row in outlook.rows})


def _split(pairs: Sequence[GradedOutlook]) -> tuple[list[PlanEvaluation], list[PlanOutlook]]:
    return [result for result, _ in pairs], [found for _, found in pairs]


def _graded_outlook_tables(
    pairs: Sequence[GradedOutlook], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import terminal

    tables = [terminal.evaluation_table(r, _outlook_column(o)) for r, o in pairs]
    return _console_text([*tables, *skipped_line(left_out)], width)


def _graded_outlooks_json(
    pairs: Sequence[GradedOutlook], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import outlook

    return outlook.evaluations_json_with_outlook(*_split(pairs), left_out)


def _graded_outlooks_csv(
    pairs: Sequence[GradedOutlook], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import outlook

    return outlook.evaluations_csv_with_outlook(*_split(pairs))


EVALUATIONS_WITH_OUTLOOK: Mapping[str, PlansRenderer[Sequence[GradedOutlook]]] = {
    TERMINAL: _graded_outlook_tables,
    "json": _graded_outlooks_json,
    "csv": _graded_outlooks_csv,
}
"""Renderers of ``evaluate --outlook METHOD``: the grades with each KPI's outlook beside them."""


def _comparison_lines(
    results: Sequence[Comparison], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import compare

    lines = [line for c in results for line in compare.comparison_lines(c)]
    return _console_text([*lines, *skipped_line(left_out)], width)


def _comparisons_json(
    results: Sequence[Comparison], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import compare

    return compare.comparison_json(results)


def _comparisons_csv(
    results: Sequence[Comparison], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import compare

    return compare.comparison_csv(results)


COMPARISONS: Mapping[str, PlansRenderer[Sequence[Comparison]]] = {
    TERMINAL: _comparison_lines,
    "json": _comparisons_json,
    "csv": _comparisons_csv,
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


def _outlook_tables(
    results: Sequence[PlanOutlook], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import outlook_table

    return _console_text([*(outlook_table.OutlookView(r) for r in results), *skipped_line(left_out)], width)


def _outlooks_json(
    results: Sequence[PlanOutlook], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import outlook

    return outlook.outlooks_json(results, left_out)


def _outlooks_csv(
    results: Sequence[PlanOutlook], width: int | None, left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    from kpitool.render import outlook

    return outlook.outlooks_csv(results)


OUTLOOKS: Mapping[str, PlansRenderer[Sequence[PlanOutlook]]] = {
    TERMINAL: _outlook_tables,
    "json": _outlooks_json,
    "csv": _outlooks_csv,
}
"""Renderers of ``outlook``: each KPI's projection to its target period and its status."""

PlanHistory = tuple[Plan, Sequence["KpiHistory"]]
"""One plan with the history of the KPIs asked for (the subject of ``history``)."""


def _history_view(subject: PlanHistory, width: int | None) -> str:
    from kpitool.render import history

    return _console_text([history.HistoryView(subject[0].title, subject[1])], width)


def _history_json(subject: PlanHistory, width: int | None) -> str:
    from kpitool.render import history

    return history.history_json(*subject)


HISTORY: Mapping[str, Renderer[PlanHistory]] = {TERMINAL: _history_view, "json": _history_json}
"""Renderers of ``history``: each KPI's series with its grades, a sparkline and the outlook."""


def _diff_table(result: DataDiff, width: int | None) -> str:
    from kpitool.render import diff

    return _console_text([diff.diff_table(result)], width)


def _diff_json(result: DataDiff, width: int | None) -> str:
    from kpitool.render import diff

    return diff.diff_json(result)


def _diff_markdown(result: DataDiff, width: int | None) -> str:
    from kpitool.render import diff

    return diff.diff_markdown(result)


DIFF: Mapping[str, Renderer[DataDiff]] = {
    TERMINAL: _diff_table,
    "json": _diff_json,
    "markdown": _diff_markdown,
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
