"""Excel commands: the council report (``report``) and the yearly collection round trip
(``template`` → ``import``).

``report`` writes a workbook to attach to a council document; ``template``
writes the form each department fills in; ``import`` reads a filled form back
into data/actuals, showing what changes and refusing to overwrite recorded
values unless asked. All workbooks are written atomically and byte-identically
(``SOURCE_DATE_EPOCH`` sets the time stamped into them).
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from kpitool.cli.common import (
    CommandFailed,
    DataOption,
    KpitoolCommand,
    MethodChoice,
    NoCacheOption,
    PlansArgument,
    WidthOption,
    YearOption,
    data_cache,
    load,
    method_of,
    parse_year,
    parse_years,
    print_problems,
    say,
    stderr,
    stdout,
    write_output,
)
from kpitool.cli.selection import SkipInvalidOption, announce_left_out, select_graded, select_plans
from kpitool.cli.settings import (
    SchemeOption,
    SchemeOptionsOption,
    SettingsOption,
    refuse_without_table,
    table_with_scheme,
)
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from kpitool.model.actuals import ActualsFile
    from kpitool.model.plan import Plan
    from kpitool.outlook.engine import PlanOutlook
    from kpitool.rating.results import PlanEvaluation
    from kpitool.sources.tree import LoadedData
    from kpitool.update.changes import ActualsUpdate, ConflictError
    from kpitool.values.fiscal_year import FiscalYear

__all__ = ["register"]


class PaperChoice(StrEnum):
    """``--paper`` of ``report``: the names of :class:`kpitool.render.xlsx.paging.Paper`, kept here so
    that parsing the command line imports no renderer (a test checks that the two agree)."""

    A4 = "A4"
    A3 = "A3"


XlsxOption = Annotated[
    Path, typer.Option("--xlsx", metavar="FILE", help="The workbook to write (.xlsx), replaced atomically.")
]


def _stamp() -> datetime:
    """The time stamped into workbooks: SOURCE_DATE_EPOCH, or the fixed default."""
    from kpitool.render.xlsx.deterministic import fixed_time

    return fixed_time(os.environ)


def _check_xlsx(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise UsageError(
            f"--xlsx: {path} should end in .xlsx (Excel refuses a workbook with another extension)"
        )


def _report_years(year: str | None, years: str | None) -> list[FiscalYear]:
    if year is not None and years is None:
        return [parse_year(year)]
    if year is None and years is not None:
        return parse_years(years)
    raise UsageError("give either --year Y or --years R4,R5,R6")


def report(
    plan_ids: PlansArgument = None,
    year: Annotated[
        str | None,
        typer.Option(
            "--year",
            "-y",
            metavar="YEAR",
            help="One evaluation year (評価年度): R6, 令和6年度, 2024 …",
            show_default=False,
        ),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(
            "--years",
            metavar="YEAR,...",
            help="Several evaluation years, comma-separated: R4,R5,R6.",
            show_default=False,
        ),
    ] = None,
    xlsx: XlsxOption = ...,  # type: ignore[assignment]
    table: Annotated[
        Path | None,
        typer.Option(
            "--table", metavar="FILE", help="Report on a flat KPI table (CSV or .xlsx) instead of plans."
        ),
    ] = None,
    scheme: SchemeOption = None,
    scheme_options: SchemeOptionsOption = None,
    settings: SettingsOption = None,
    paper: Annotated[
        PaperChoice,
        typer.Option(
            "--paper",
            case_sensitive=False,
            help="The paper the sheets print on, landscape: A4, or A3 for more columns per page.",
        ),
    ] = PaperChoice.A4,
    data: DataOption = Path("data"),
    skip_invalid: SkipInvalidOption = False,
    no_cache: NoCacheOption = False,
    outlook: Annotated[
        MethodChoice,
        typer.Option(
            "--outlook",
            metavar="METHOD",
            help="How each KPI's outlook (見通し) is projected: linear, cagr, weighted or recent. "
            "It is a column of the KPI sheets and a 推移 sheet per plan with a line chart.",
        ),
    ] = MethodChoice.LINEAR,
    no_outlook: Annotated[
        bool, typer.Option("--no-outlook", help="Leave the 見通し column and the 推移 sheets out.")
    ] = False,
) -> None:
    """Write the council-ready Excel report: 総括 with a chart, and one sheet of KPIs per plan.

    Print-ready (A4 or A3 landscape, text at 8 pt or more, a wide sheet cut into column pages
    with No. and 指標名 repeated, header row on every page); the same inputs give a
    byte-identical file. Without plan ids, each plan is reported for the years it is evaluated in;
    any error in the data stops the run (no workbook) unless --skip-invalid, and then the 総括
    sheet names the plans left out.
    """
    from kpitool.rating.cached import evaluate_document
    from kpitool.rating.engine import evaluate_plan
    from kpitool.render.xlsx.council import render_report
    from kpitool.render.xlsx.paging import Paper
    from kpitool.sources.selection import NOTHING_LEFT_OUT
    from kpitool.support.memory import paused_gc

    _check_xlsx(xlsx)
    chosen = _report_years(year, years)
    refuse_without_table(table, scheme, scheme_options, settings)
    when = _stamp()
    plans: list[list[PlanEvaluation]] = []
    left_out = NOTHING_LEFT_OUT
    loaded: LoadedData | None = None
    table_actuals: ActualsFile | None = None
    if table is not None:
        if plan_ids:
            raise UsageError("give either plan ids or --table, not both")
        if table.exists() and xlsx.exists() and xlsx.resolve() == table.resolve():
            raise UsageError(f"--xlsx {xlsx} is the --table input; give another file name")
        plan, table_actuals = table_with_scheme(table, scheme, scheme_options, settings)
        plans.append([evaluate_plan(plan, table_actuals, y) for y in chosen])
    else:
        loaded = load(data, no_cache)
        option = "--year" if year is not None else "--years"
        per_plan, left_out = select_graded(loaded, plan_ids, chosen, skip_invalid=skip_invalid, option=option)
        cache = data_cache(no_cache)
        with paused_gc():  # a national run builds a million rows and no cycles
            plans = [[evaluate_document(loaded, d, y, cache) for y in ys] for d, ys in per_plan]
    announce_left_out(left_out, in_output=False)
    outlooks = _outlooks(plans, loaded, table_actuals, None if no_outlook else outlook)
    rendered = render_report(
        plans, when, skipped=left_out.skipped, paper=Paper(paper.value), outlooks=outlooks
    )
    write_output(rendered, xlsx)
    labels = ", ".join(y.label for y in chosen)
    say(f"kpitool: wrote {xlsx} ({len(plans)} plan(s); {labels})")


def _outlooks(
    plans: Sequence[Sequence[PlanEvaluation]],
    loaded: LoadedData | None,
    table_actuals: ActualsFile | None,
    method: MethodChoice | None,
) -> list[PlanOutlook]:
    """Each plan's outlook at its last year (``--outlook``), or none (``--no-outlook``)."""
    if method is None:
        return []
    from kpitool.outlook.engine import outlook_plan

    out = []
    for results in plans:
        plan = results[-1].plan
        actuals = table_actuals
        if loaded is not None and plan.id in loaded.actuals:
            actuals = loaded.actuals[plan.id].actuals
        out.append(outlook_plan(plan, actuals, results[-1].year, method_of(method)))
    return out


def template(
    plan: Annotated[str, typer.Argument(metavar="PLAN", help="Plan id.")],
    year: YearOption = ...,  # type: ignore[assignment]
    xlsx: XlsxOption = ...,  # type: ignore[assignment]
    data: DataOption = Path("data"),
    by_section: Annotated[
        bool,
        typer.Option(
            "--by-section", help="One sheet per top-level section (one per department) instead of one."
        ),
    ] = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Write the input form (実績値 記入票) a department fills in for one plan and year.

    Only 実績値, 実績時点 and 備考 are editable; values already recorded for the year are pre-filled.
    Read it back with kpitool import.
    """
    from kpitool.render.xlsx.form import write_form

    _check_xlsx(xlsx)
    fiscal = parse_year(year)
    when = _stamp()
    loaded = load(data, no_cache)
    (doc,) = select_plans(loaded, [plan], with_kpis=True).documents
    if not doc.plan.kpi_count():
        raise CommandFailed(f"plan {plan!r} has no KPIs: there is nothing to collect")
    write_form(doc.plan, loaded.actuals_for(plan), fiscal, xlsx, when, by_section=by_section)
    stderr().print(
        f"kpitool: wrote {xlsx} ({doc.plan.kpi_count()} KPIs, {fiscal.label}); "
        f"read it back with: kpitool import {xlsx} --plan {plan} --year {fiscal.label}",
        markup=False,
        highlight=False,
    )


def _counts(result: ActualsUpdate, blank: list[tuple[str, str]]) -> str:
    from kpitool.update.changes import EditKind

    parts = [
        f"{result.count(EditKind.ADD)} added",
        f"{result.count(EditKind.UPDATE)} changed",
        f"{result.count(EditKind.UNCHANGED)} unchanged",
    ]
    if blank:
        kept = sum(1 for _, note in blank if note)
        parts.append(f"{len(blank)} without 実績値" + (f" ({kept} with a 備考, kept)" if kept else ""))
    return ", ".join(parts)


def _without_value(plan: Plan, blank: list[tuple[str, str]]) -> str:
    """``no 実績値: ⑤ 久留米市美術館の入館者数, ⑨ … (note kept)``: each KPI the form left without a value."""
    kpis = {kpi.id: kpi for kpi, _ in plan.iter_kpis()}
    numbers = plan.kpi_numbers()
    named = [
        f"{numbers[kpi_id]} {kpis[kpi_id].name}" + (" (note kept)" if note else "") for kpi_id, note in blank
    ]
    return "no 実績値: " + ", ".join(named)


def _report_conflicts(error: ConflictError) -> NoReturn:
    """List each conflict on stderr and stop: nothing was written."""
    from kpitool.render.update import shown_value

    for entry, change in error.update.conflicts:
        stderr().print(
            f"{entry.submission.origin}: conflict: {entry.kpi.id} {error.update.year.label} {change.label}: "
            f"recorded {shown_value(change.old)}, form {shown_value(change.new)}",
            markup=False,
            highlight=False,
        )
    raise CommandFailed(
        f"{len(error.update.conflicts)} recorded value(s) differ from the form; nothing was written "
        "(check them, then rerun with --overwrite to replace them)"
    ) from None


def import_(
    form: Annotated[
        Path, typer.Argument(metavar="FILE", help="The filled form (.xlsx) made by kpitool template.")
    ],
    plan: Annotated[str, typer.Option("--plan", "-p", metavar="PLAN", help="Plan id the form is for.")] = ...,  # type: ignore[assignment]
    year: YearOption = ...,  # type: ignore[assignment]
    data: DataOption = Path("data"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace recorded values that differ from the form.")
    ] = False,
    width: WidthOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Read a filled form into data/actuals: shows each addition and change, keeps comments and order.

    A recorded value that differs from the form is a conflict: exit 1 unless --overwrite. A bad
    cell (text in 実績値, unknown id, an edited locked column) is an error naming sheet!cell, and
    nothing is written. Importing the same form twice changes nothing.
    """
    from kpitool.problems import DataError
    from kpitool.render.update import changes_table
    from kpitool.sources.form import read_form
    from kpitool.update.apply import apply_update
    from kpitool.update.changes import ConflictError

    if not form.exists():
        raise UsageError(f"no such file: {form}")
    fiscal = parse_year(year)
    loaded = load(data, no_cache)
    (doc,) = select_plans(loaded, [plan], with_kpis=True).documents
    try:
        reading = read_form(form, doc.plan, fiscal.year)
    except DataError as exc:
        print_problems(exc.problems)
        raise CommandFailed(
            f"{form}: {len(exc.problems)} problem(s), so the form cannot be imported; nothing was written"
        ) from None
    existing = loaded.actuals.get(plan)
    path = existing.document.path if existing else data / "actuals" / f"{plan}.yaml"
    console = stdout(width)
    if not reading.submissions:
        console.print(f"{form}: no 実績値 or 備考 filled in; nothing to import", markup=False)
        return
    if not dry_run and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True)
        except OSError as exc:
            raise CommandFailed(
                f"{path.parent}: cannot create the directory: {exc.strerror or exc}"
            ) from None
    try:
        result = apply_update(
            path, doc.plan, fiscal, reading.submissions, overwrite=overwrite, dry_run=dry_run
        )
    except ConflictError as exc:
        console.print(changes_table(exc.update, overwrite))
        _report_conflicts(exc)
    except DataError as exc:
        print_problems(exc.problems)
        raise CommandFailed(
            f"{path}: fix the actuals file first (kpitool validate); nothing was written"
        ) from None
    if result.changed:
        console.print(changes_table(result, overwrite))
    if reading.blank:
        console.print(_without_value(doc.plan, reading.blank), markup=False, highlight=False)
    counts = _counts(result, reading.blank)
    if not result.changed:
        console.print(f"{fiscal.label}: nothing to change ({counts})", markup=False)
    elif dry_run:
        console.print(f"{fiscal.label}: {counts} — dry run, nothing written", markup=False)
    else:
        console.print(f"{fiscal.label}: {counts} — wrote {path}", markup=False)
        console.print(f"next: kpitool evaluate {plan} --year {fiscal.label}", markup=False, style="dim")


def register(app: typer.Typer) -> None:
    """Add ``report``, ``template`` and ``import`` to the app."""
    app.command("report", cls=KpitoolCommand, short_help="Write the council-ready Excel report.")(report)
    app.command("template", cls=KpitoolCommand, short_help="Write the input form (記入票) for one plan.")(
        template
    )
    app.command("import", cls=KpitoolCommand, short_help="Read a filled form into data/actuals.")(import_)
