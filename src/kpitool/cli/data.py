"""Commands that read the data as it is: ``validate``, ``plans`` and ``show``.

``validate`` checks plan and actuals files (pre-commit and CI run it);
``plans`` lists the plans with their counts; ``show`` prints one plan as a
tree to check it against its source document.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpitool.cli.common import (
    CommandFailed,
    DataOption,
    KpitoolCommand,
    NoCacheOption,
    WidthOption,
    data_cache,
    load,
    stdout,
    table_width,
    write_output,
)
from kpitool.cli.selection import SkipInvalidOption, select_plans
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from kpitool.problems import Problem
    from kpitool.sources.tree import LoadedData

__all__ = ["register"]


class ProblemFormat(StrEnum):
    """Output formats of ``validate`` (see :data:`kpitool.render.problems.PROBLEM_FORMATS`)."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


class ListFormat(StrEnum):
    """Output formats of ``plans`` (see :data:`kpitool.render.registry.PLANS`)."""

    TABLE = "table"
    JSON = "json"


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH", help="Files or directories to check (default: ./data).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        ProblemFormat,
        typer.Option("--format", "-f", help="text, json, or github (Actions annotations)."),
    ] = ProblemFormat.TEXT,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            "-d",
            metavar="DIR",
            help="A data directory to check, as every other command takes it (checked with any PATHs).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the run too.")] = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Check plan and actuals files: schema, references, periods, units. Exit 1 on any error."""
    from kpitool.checks import check_data
    from kpitool.problems import Severity
    from kpitool.render.problems import render_problems
    from kpitool.sources.tree import load_data, real_path

    targets = [*(paths or []), *([data] if data is not None else [])] or [Path("data")]
    missing = [p for p in targets if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]}")
    # Files given one by one (pre-commit passes only the changed ones) are checked against the
    # rest of their data tree, so an actuals file finds its plan; only their problems are reported.
    context = _data_context(targets)
    cache = data_cache(no_cache)
    loaded = load_data([*targets, *context], cache=cache)
    scope = _validation_scope(targets, loaded)
    problems = [p for p in check_data(loaded, cache) if not context or real_path(Path(p.file)) in scope]
    errors = sum(p.severity is Severity.ERROR for p in problems)
    failed = errors > 0 or (strict and len(problems) > errors)
    if fmt is ProblemFormat.JSON or problems:
        sys.stdout.write(render_problems(problems, fmt.value))
    if fmt is not ProblemFormat.JSON:
        stream = sys.stderr if fmt is ProblemFormat.GITHUB else sys.stdout
        stream.write(("FAILED: " if failed else "OK: ") + _validation_summary(loaded, scope, problems) + "\n")
    if failed:
        raise CommandFailed()  # the problems are on the output already


def _validation_summary(loaded: LoadedData, scope: set[Path], problems: list[Problem]) -> str:
    """``N plans, N KPIs, N actuals: N error(s), N warning(s)`` for the files in scope."""
    from kpitool.problems import Severity
    from kpitool.sources.tree import real_path

    errors = sum(p.severity is Severity.ERROR for p in problems)
    plan_docs = [d for d in loaded.plans.values() if real_path(d.document.path) in scope]
    kpis = sum(d.kpi_count() for d in plan_docs)
    actual_docs = [d for d in loaded.actuals.values() if real_path(d.document.path) in scope]
    actuals = sum(d.count() for d in actual_docs)
    return (
        f"{len(plan_docs)} plans, {kpis} KPIs, {actuals} actuals: "
        f"{errors} error(s), {len(problems) - errors} warning(s)"
    )


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
    from kpitool.sources.tree import discover, real_path

    scope = {real_path(p) for p in discover(paths)}
    for plan_id, doc in loaded.plans.items():
        if real_path(doc.document.path) in scope and plan_id in loaded.actuals:
            scope.add(real_path(loaded.actuals[plan_id].document.path))
    return scope


def plans(
    data: DataOption = Path("data"),
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="table or json.")] = ListFormat.TABLE,
    width: WidthOption = None,
    skip_invalid: SkipInvalidOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """List the plans: id, title, kind, period, and counts of KPIs, projects and actuals.

    Any error in the data stops the list unless --skip-invalid.
    """
    from kpitool.render.registry import PLANS
    from kpitool.sources.selection import LeftOut

    loaded = load(data, no_cache)
    rows: list[dict[str, object]] = []
    selection = select_plans(loaded, None, with_kpis=False, skip_invalid=skip_invalid)
    for doc in selection.documents:
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
    write_output(PLANS[fmt.value](rows, table_width(width), LeftOut(selection.skipped)), None)


def show(
    plan: Annotated[str, typer.Argument(metavar="PLAN", help="Plan id.")],
    data: DataOption = Path("data"),
    width: WidthOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Show a plan as a tree (sections → projects → KPIs) to check it against its source."""
    from kpitool.render.plan_views import plan_tree

    loaded = load(data, no_cache)
    (doc,) = select_plans(loaded, [plan], with_kpis=False).documents
    stdout(width).print(plan_tree(doc.plan))


def register(app: typer.Typer) -> None:
    """Add ``validate``, ``plans`` and ``show`` to the app."""
    app.command("validate", cls=KpitoolCommand, short_help="Check plan and actuals files; exit 1 on errors.")(
        validate
    )
    app.command("plans", cls=KpitoolCommand, short_help="List the plans with their KPI counts.")(plans)
    app.command("show", cls=KpitoolCommand, short_help="Show a plan as a tree of sections and KPIs.")(show)
