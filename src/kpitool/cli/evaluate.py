"""Grading commands: ``evaluate`` (every KPI for a year) and ``summary`` (総括 over years).

Both grade the plans of a data directory (``evaluate`` also a flat KPI table)
and render the result in the ``--format`` asked for, to stdout or ``--output``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpitool.cli.common import (
    DataOption,
    KpitoolCommand,
    MethodChoice,
    NoCacheOption,
    OutputOption,
    PlansArgument,
    TableOption,
    WidthOption,
    YearOption,
    data_cache,
    data_files,
    guard_output,
    load,
    method_of,
    parse_year,
    parse_years,
    refuse_terminal_output,
    table_width,
    write_output,
)
from kpitool.cli.selection import SkipInvalidOption, announce_left_out, select_graded
from kpitool.cli.settings import (
    SchemeOption,
    SchemeOptionsOption,
    SettingsOption,
    refuse_without_table,
    table_with_scheme,
)
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from kpitool.model.actuals import ActualsFile
    from kpitool.rating.results import PlanEvaluation
    from kpitool.sources.documents import PlanDocument
    from kpitool.sources.tree import LoadedData
    from kpitool.values.fiscal_year import FiscalYear

__all__ = ["register"]


class OutputFormat(StrEnum):
    """Output formats of ``evaluate`` and ``summary`` (see :mod:`kpitool.render.registry`)."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")]


def _evaluations(
    loaded: LoadedData, docs: list[PlanDocument], year: FiscalYear, no_cache: bool
) -> list[PlanEvaluation]:
    from kpitool.rating.cached import evaluate_documents

    return evaluate_documents(loaded, docs, year, data_cache(no_cache))


def evaluate(
    plan_ids: PlansArgument = None,
    year: YearOption = ...,  # type: ignore[assignment]
    data: DataOption = Path("data"),
    table: TableOption = None,
    scheme: SchemeOption = None,
    scheme_options: SchemeOptionsOption = None,
    settings: SettingsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
    width: WidthOption = None,
    skip_invalid: SkipInvalidOption = False,
    no_cache: NoCacheOption = False,
    compare_schemes: Annotated[
        bool,
        typer.Option(
            "--compare-schemes",
            help="Grade every KPI under each preset scheme and list those whose verdict (achieved / "
            "approaching / behind) depends on the scheme.",
        ),
    ] = False,
    outlook: Annotated[
        MethodChoice | None,
        typer.Option(
            "--outlook",
            metavar="METHOD",
            help="Add each KPI's outlook (見通し) by METHOD: linear, cagr, weighted or recent "
            "(see kpitool outlook).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Grade every KPI for an evaluation year: ○ achieved, △ approaching, × needs effort, — no actual.

    Without plan ids, every plan evaluated in the year (its 計画期間, or the year after, the final
    evaluation) is graded; any error in the data stops the run unless --skip-invalid.
    """
    from kpitool.sources.selection import NOTHING_LEFT_OUT

    fiscal_year = parse_year(year)
    refuse_without_table(table, scheme, scheme_options, settings)
    guard_output(output, [table] if table is not None else data_files(data))
    left_out = NOTHING_LEFT_OUT
    loaded: LoadedData | None = None
    table_actuals: ActualsFile | None = None
    if table is not None:
        if plan_ids:
            raise UsageError("give either plan ids or --table, not both")
        from kpitool.rating.engine import evaluate_plan

        plan, table_actuals = table_with_scheme(table, scheme, scheme_options, settings)
        results = [evaluate_plan(plan, table_actuals, fiscal_year)]
    else:
        loaded = load(data, no_cache)
        per_plan, left_out = select_graded(
            loaded, plan_ids, [fiscal_year], skip_invalid=skip_invalid, option="--year"
        )
        results = _evaluations(loaded, [doc for doc, _ in per_plan], fiscal_year, no_cache)
    from kpitool.render.registry import COMPARISONS, EVALUATIONS, EVALUATIONS_WITH_OUTLOOK

    refuse_terminal_output(output, fmt.value, EVALUATIONS)
    announce_left_out(left_out, in_output=fmt is OutputFormat.JSON)
    if compare_schemes:
        if outlook is not None:
            raise UsageError("give either --compare-schemes or --outlook, not both")
        from kpitool.rating.compare import compare_schemes as compare

        actuals = [_actuals_of(loaded, r.plan.id) if loaded else table_actuals for r in results]
        found = [compare(r.plan, a, fiscal_year) for r, a in zip(results, actuals, strict=True)]
        write_output(COMPARISONS[fmt.value](found, table_width(width), left_out), output)
        return
    if outlook is None:
        write_output(EVALUATIONS[fmt.value](results, table_width(width), left_out), output)
        return
    from kpitool.outlook.engine import outlook_plan

    # Only --outlook reads the actuals again: a warm evaluate takes its evaluations from the cache whole.
    method = method_of(outlook)
    pairs = [
        (
            r,
            outlook_plan(
                r.plan, _actuals_of(loaded, r.plan.id) if loaded else table_actuals, fiscal_year, method
            ),
        )
        for r in results
    ]
    write_output(EVALUATIONS_WITH_OUTLOOK[fmt.value](pairs, table_width(width), left_out), output)


def _actuals_of(loaded: LoadedData, plan_id: str) -> ActualsFile | None:
    """A loaded plan's actuals file, None when it has none."""
    found = loaded.actuals.get(plan_id)
    return found.actuals if found is not None else None


def summary(
    plan_ids: PlansArgument = None,
    years: Annotated[
        str,
        typer.Option("--years", metavar="YEAR,...", help="Comma-separated evaluation years, e.g. R4,R5,R6."),
    ] = ...,  # type: ignore[assignment]
    data: DataOption = Path("data"),
    table: TableOption = None,
    scheme: SchemeOption = None,
    scheme_options: SchemeOptionsOption = None,
    settings: SettingsOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write json/csv here.")
    ] = None,
    width: WidthOption = None,
    skip_invalid: SkipInvalidOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """総括: per year, the count and percent of each grade, with the 判断基準 wording.

    Without plan ids, each plan is counted in the years it is evaluated in; any error in the data
    stops the run unless --skip-invalid.
    """
    from kpitool.sources.selection import NOTHING_LEFT_OUT

    parsed = parse_years(years)
    refuse_without_table(table, scheme, scheme_options, settings)
    guard_output(output, [table] if table is not None else data_files(data))
    per_plan = []
    left_out = NOTHING_LEFT_OUT
    if table is not None:
        if plan_ids:
            raise UsageError("give either plan ids or --table, not both")
        from kpitool.rating.engine import evaluate_plan

        plan, table_actuals = table_with_scheme(table, scheme, scheme_options, settings)
        per_plan.append((plan, [evaluate_plan(plan, table_actuals, y) for y in parsed]))
    else:
        loaded = load(data, no_cache)
        selected, left_out = select_graded(
            loaded, plan_ids, parsed, skip_invalid=skip_invalid, option="--years"
        )
        for doc, doc_years in selected:
            results = [r for y in doc_years for r in _evaluations(loaded, [doc], y, no_cache)]
            per_plan.append((results[0].plan, results))
    from kpitool.render.registry import SUMMARIES

    refuse_terminal_output(output, fmt.value, SUMMARIES)
    announce_left_out(left_out, in_output=fmt is OutputFormat.JSON)
    write_output(SUMMARIES[fmt.value](per_plan, table_width(width), left_out), output)


def register(app: typer.Typer) -> None:
    """Add ``evaluate`` and ``summary`` to the app."""
    app.command("evaluate", cls=KpitoolCommand, short_help="Grade every KPI for a year: ○ △ × —.")(evaluate)
    app.command("summary", cls=KpitoolCommand, short_help="総括: count the grades per year.")(summary)
