"""The command line: parse arguments, call the core, pick a renderer, map errors to exit codes.

Exit codes: 0 fine, 1 bad data (or a failed write), 2 bad usage. Reports go to
stdout (or ``--output``), diagnostics to stderr. Heavy imports (pydantic
models, rich tables, openpyxl) happen inside the commands, so ``kpitool
--help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpitool.cli.commands import register_all
from kpitool.cli.common import (
    EXIT_DATA,
    EXIT_OK,
    DataOption,
    NoCacheOption,
    PlansArgument,
    WidthOption,
    YearOption,
    data_cache,
    fail,
    guard_output,
    load,
    parse_year,
    print_problems,
    select_plans,
    stdout,
    usage,
    write_text,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from kpitool.model.actuals import ActualsFile
    from kpitool.model.plan import Plan
    from kpitool.rating.results import PlanEvaluation
    from kpitool.sources.documents import LoadedData, PlanDocument

app = typer.Typer(
    name="kpitool",
    help="Evaluate the KPIs of Japanese municipal plans (総合計画・総合戦略・連携中枢都市圏ビジョン) "
    "from YAML kept in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: typer's rich panels import rich's markdown, syntax and
    # traceback machinery and would make `kpitool --help` 1.6x the import floor (see
    # docs/performance.md); plain text is also what CI logs and Windows consoles show best.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 72},
)


class ProblemFormat(StrEnum):
    """Output formats of ``validate``."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


class OutputFormat(StrEnum):
    """Output formats of ``evaluate`` and ``summary``."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class ListFormat(StrEnum):
    """Output formats of ``plans``."""

    TABLE = "table"
    JSON = "json"


# --------------------------------------------------------------------------- #
# Commands


@app.command(short_help="Check plan and actuals files; exit 1 on errors.")
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories to check (default: ./data).", show_default=False),
    ] = None,
    fmt: Annotated[
        ProblemFormat,
        typer.Option("--format", "-f", help="text, json, or github (Actions annotations)."),
    ] = ProblemFormat.TEXT,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the run too.")] = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Check plan and actuals files: schema, references, periods, units. Exit 1 on any error."""
    from kpitool.checks import check_data
    from kpitool.problems import Severity
    from kpitool.render.problems import render_problems
    from kpitool.sources.documents import load_data

    targets = paths or [Path("data")]
    missing = [p for p in targets if not p.exists()]
    if missing:
        usage(f"no such file or directory: {missing[0]}")
    # Files given one by one (pre-commit passes only the changed ones) are checked against the
    # rest of their data tree, so an actuals file finds its plan; only their problems are reported.
    context = _data_context(targets)
    cache = data_cache(no_cache)
    loaded = load_data([*targets, *context], cache=cache)
    scope = _validation_scope(targets, loaded)
    problems = [p for p in check_data(loaded, cache) if not context or Path(p.file).resolve() in scope]
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    failed = errors > 0 or (strict and warnings > 0)
    if fmt is ProblemFormat.JSON:
        sys.stdout.write(render_problems(problems, "json"))
    elif problems:
        sys.stdout.write(render_problems(problems, fmt.value))
    if fmt is not ProblemFormat.JSON:
        plan_docs = [d for d in loaded.plans.values() if d.document.path.resolve() in scope]
        kpis = sum(d.kpi_count() for d in plan_docs)
        actual_docs = [d for d in loaded.actuals.values() if d.document.path.resolve() in scope]
        actuals = sum(d.count() for d in actual_docs)
        summary = (
            f"{len(plan_docs)} plans, {kpis} KPIs, {actuals} actuals: "
            f"{errors} error(s), {warnings} warning(s)"
        )
        stream = sys.stderr if fmt is ProblemFormat.GITHUB else sys.stdout
        stream.write(("FAILED: " if failed else "OK: ") + summary + "\n")
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)


def _data_context(paths: list[Path]) -> list[Path]:
    """The plans/ and actuals/ directories beside given files in a data tree, not given themselves."""
    found: list[Path] = []
    for path in paths:
        if path.is_file() and path.parent.name in ("plans", "actuals"):
            for sibling in (path.parent.parent / "plans", path.parent.parent / "actuals"):
                if sibling.is_dir() and sibling not in found and sibling not in paths:
                    found.append(sibling)
    return found


def _validation_scope(paths: list[Path], loaded: LoadedData) -> set[Path]:
    """Files whose problems ``validate`` reports: those given, and the actuals of a given plan."""
    from kpitool.sources.documents import discover

    scope = {p.resolve() for p in discover(paths)}
    for plan_id, doc in loaded.plans.items():
        if doc.document.path.resolve() in scope and plan_id in loaded.actuals:
            scope.add(loaded.actuals[plan_id].document.path.resolve())
    return scope


@app.command(short_help="List the plans with their KPI counts.")
def plans(
    data: DataOption = Path("data"),
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="table or json.")] = ListFormat.TABLE,
    width: WidthOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """List the plans: id, title, kind, period, and counts of KPIs, projects and actuals."""
    loaded = load(data, no_cache)
    chosen = select_plans(loaded, None, with_kpis=False)
    rows: list[dict[str, object]] = []
    for doc in chosen:
        plan = doc.plan
        actuals = loaded.actuals_for(plan.id)
        rows.append(
            {
                "id": plan.id,
                "title": plan.title,
                "kind": plan.kind.value,
                "municipality": plan.municipality,
                "period": f"{plan.period.start}–{plan.period.end}" if plan.period else None,
                "kpis": plan.kpi_count(),
                "projects": len(plan.projects),
                "actuals": actuals.count() if actuals else 0,
            }
        )
    if fmt is ListFormat.JSON:
        from kpitool.render.machine import to_json

        sys.stdout.write(to_json(rows))
        return
    from kpitool.render.plan_views import plans_table

    stdout(width).print(plans_table(rows))


@app.command(short_help="Show a plan as a tree of sections and KPIs.")
def show(
    plan: Annotated[str, typer.Argument(help="Plan id.")],
    data: DataOption = Path("data"),
    width: WidthOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Show a plan as a tree (sections → projects → KPIs) to check it against its source."""
    from kpitool.render.plan_views import plan_tree

    loaded = load(data, no_cache)
    (doc,) = select_plans(loaded, [plan], with_kpis=False)
    stdout(width).print(plan_tree(doc.plan))


def _evaluations(
    loaded: LoadedData, docs: list[PlanDocument], year: int, label: str, no_cache: bool
) -> list[PlanEvaluation]:
    from kpitool.rating.cached import evaluate_documents

    return evaluate_documents(loaded, docs, year, label, data_cache(no_cache))


@app.command(short_help="Grade every KPI for a year: ○ △ × —.")
def evaluate(
    plan_ids: PlansArgument = None,
    year: YearOption = ...,  # type: ignore[assignment]
    data: DataOption = Path("data"),
    table: Annotated[
        Path | None,
        typer.Option(
            "--table",
            help="Grade a flat KPI table (CSV in UTF-8/CP932, or .xlsx) instead of plans.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = OutputFormat.TABLE,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write json/csv here (atomically) instead of stdout."),
    ] = None,
    width: WidthOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Grade every KPI for an evaluation year: ○ achieved, △ approaching, × needs effort, — no actual."""
    fiscal_year, label = parse_year(year)
    guard_output(output, [table] if table is not None else _data_files(data))
    if table is not None:
        if plan_ids:
            usage("give either plan ids or --table, not both")
        from kpitool.rating.engine import evaluate_plan

        plan, actuals = _read_table(table)
        results = [evaluate_plan(plan, actuals, fiscal_year, label)]
    else:
        loaded = load(data, no_cache)
        docs = select_plans(loaded, plan_ids, with_kpis=True)
        results = _evaluations(loaded, docs, fiscal_year, label, no_cache)
    _render_evaluations(results, fmt, output, width)


def _data_files(data: Path) -> list[Path]:
    """The YAML files a run reads from a data directory (none if it does not exist yet)."""
    from kpitool.sources.documents import discover

    return list(discover([data])) if data.is_dir() else []


def _read_table(path: Path) -> tuple[Plan, ActualsFile]:
    """Read a flat KPI table (CSV or .xlsx) into a plan and its actuals, or exit with why."""
    from kpitool.problems import DataError
    from kpitool.sources.table import TableError, TableSource, parse_kpi_table, read_csv_rows

    if not path.exists():
        usage(f"--table: no such file: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            from kpitool.sources.workbook import WorkbookError, cell_name, read_first_sheet

            try:
                sheet, rows = read_first_sheet(path)
            except WorkbookError as exc:
                fail(str(exc))
            source = TableSource(str(path), lambda r, c: cell_name(sheet, r, c))
        elif suffix in (".csv", ".txt"):
            rows = read_csv_rows(path)
            source = TableSource(str(path), lambda r, c: f"row {r + 1}, column {c + 1}")
        else:
            usage(f"--table: {path} is neither .csv nor .xlsx")
        return parse_kpi_table(rows, source)
    except DataError as exc:
        print_problems(exc.problems)
        fail(f"{path}: {len(exc.problems)} cell(s) could not be read")
    except TableError as exc:
        fail(str(exc))


def _render_evaluations(
    results: list[PlanEvaluation], fmt: OutputFormat, output: Path | None, width: int | None
) -> None:
    if fmt is OutputFormat.JSON:
        from kpitool.render.machine import evaluations_json

        write_text(evaluations_json(results), output)
    elif fmt is OutputFormat.CSV:
        from kpitool.render.machine import evaluations_csv

        write_text(evaluations_csv(results), output)
    else:
        if output is not None:
            usage("--output goes with --format json or csv")
        from kpitool.render.terminal import evaluation_table

        console = stdout(width)
        renderables: list[RenderableType] = [evaluation_table(r) for r in results]
        for renderable in renderables:
            console.print(renderable)


@app.command(short_help="総括: count the grades per year.")
def summary(
    plan_ids: PlansArgument = None,
    years: Annotated[
        str, typer.Option("--years", help="Comma-separated evaluation years, e.g. R4,R5,R6.")
    ] = ...,  # type: ignore[assignment]
    data: DataOption = Path("data"),
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = OutputFormat.TABLE,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write json/csv here.")] = None,
    width: WidthOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """総括: per year, the count and percent of each grade, with the 判断基準 wording."""
    parsed = [parse_year(y.strip(), "--years") for y in years.split(",") if y.strip()]
    if not parsed:
        usage("--years needs at least one year, e.g. R4,R5,R6")
    guard_output(output, _data_files(data))
    loaded = load(data, no_cache)
    docs = select_plans(loaded, plan_ids, with_kpis=True)
    per_plan = []
    for doc in docs:
        results = [r for y in parsed for r in _evaluations(loaded, [doc], *y, no_cache)]
        per_plan.append((results[0].plan, results))
    if fmt is OutputFormat.TABLE:
        if output is not None:
            usage("--output goes with --format json or csv")
        from kpitool.render.terminal import summary_table

        console = stdout(width)
        for plan, results in per_plan:
            console.print(summary_table(plan, [r.summary for r in results], results[0].scheme))
        return
    from kpitool.render.machine import summaries_csv, summaries_json

    pairs = [(plan, [r.summary for r in results]) for plan, results in per_plan]
    write_text(summaries_json(pairs) if fmt is OutputFormat.JSON else summaries_csv(pairs), output)


register_all(app)


def main() -> None:
    """Console entry point: run the app; never show a traceback for an expected failure."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("kpitool: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, show the traceback only on request
        if os.environ.get("KPITOOL_DEBUG"):
            raise
        sys.stderr.write(
            f"kpitool: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in kpitool; rerun with KPITOOL_DEBUG=1 for details and report it.\n"
        )
        sys.exit(3)
