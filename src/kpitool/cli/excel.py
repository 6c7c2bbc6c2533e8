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
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpitool.cli.common import (
    DataOption,
    NoCacheOption,
    PlansArgument,
    WidthOption,
    YearOption,
    data_cache,
    fail,
    load,
    parse_year,
    print_problems,
    select_plans,
    stderr,
    stdout,
    usage,
)

if TYPE_CHECKING:
    from datetime import datetime

    from rich.table import Table

    from kpitool.rating.engine import PlanEvaluation
    from kpitool.update.changes import ActualsUpdate

__all__ = ["register"]

XlsxOption = Annotated[
    Path, typer.Option("--xlsx", help="The workbook to write (.xlsx), replaced atomically.")
]


def _stamp() -> datetime:
    """The time stamped into workbooks: SOURCE_DATE_EPOCH, or the fixed default."""
    from kpitool.render.xlsx.deterministic import EpochError, fixed_time

    try:
        return fixed_time(os.environ)
    except EpochError as exc:
        usage(str(exc))


def _check_xlsx(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        usage(f"--xlsx: {path} should end in .xlsx (Excel refuses a workbook with another extension)")


def _report_years(year: str | None, years: str | None) -> list[tuple[int, str]]:
    if (year is None) == (years is None):
        usage("give either --year Y or --years R4,R5,R6")
    if year is not None:
        return [parse_year(year)]
    assert years is not None
    parsed = [parse_year(text.strip(), "--years") for text in years.split(",") if text.strip()]
    if not parsed:
        usage("--years needs at least one year, e.g. R4,R5,R6")
    return sorted(dict(parsed).items())


def report(
    plan_ids: PlansArgument = None,
    year: Annotated[
        str | None,
        typer.Option(
            "--year", "-y", help="One evaluation year (評価年度): R6, 令和6年度, 2024 …", show_default=False
        ),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(
            "--years", help="Several evaluation years, comma-separated: R4,R5,R6.", show_default=False
        ),
    ] = None,
    xlsx: XlsxOption = ...,  # type: ignore[assignment]
    table: Annotated[
        Path | None,
        typer.Option("--table", help="Report on a flat KPI table (CSV or .xlsx) instead of plans."),
    ] = None,
    data: DataOption = Path("data"),
    no_cache: NoCacheOption = False,
) -> None:
    """Write the council-ready Excel report: 総括 with a chart, and one sheet of KPIs per plan.

    Print-ready (A4 landscape, one page wide, header row on every page); the same inputs give a
    byte-identical file.
    """
    from kpitool.rating.cached import evaluate_documents
    from kpitool.rating.engine import RatingError, evaluate_plan, resolve_scheme
    from kpitool.render.xlsx.council import write_report
    from kpitool.support.safe_write import WriteError

    _check_xlsx(xlsx)
    chosen = _report_years(year, years)
    when = _stamp()
    plans: list[list[PlanEvaluation]] = []
    try:
        if table is not None:
            if plan_ids:
                usage("give either plan ids or --table, not both")
            if table.exists() and xlsx.exists() and xlsx.resolve() == table.resolve():
                usage(f"--xlsx {xlsx} is the --table input; give another file name")
            from kpitool.cli.app import _read_table  # the reader `evaluate --table` uses

            plan, actuals = _read_table(table)
            scheme = resolve_scheme(plan.evaluation)
            plans.append([evaluate_plan(plan, actuals, y, label, scheme) for y, label in chosen])
        else:
            loaded = load(data, no_cache)
            docs = select_plans(loaded, plan_ids, with_kpis=True)
            cache = data_cache(no_cache)
            by_year = [evaluate_documents(loaded, docs, y, label, cache) for y, label in chosen]
            plans = [list(results) for results in zip(*by_year, strict=True)]
    except RatingError as exc:
        fail(str(exc))
    try:
        write_report(plans, xlsx, when)
    except WriteError as exc:
        fail(str(exc))
    labels = ", ".join(label for _, label in chosen)
    stderr().print(f"kpitool: wrote {xlsx} ({len(plans)} plan(s); {labels})", markup=False, highlight=False)


def template(
    plan: Annotated[str, typer.Argument(help="Plan id.")],
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
    from kpitool.support.safe_write import WriteError

    _check_xlsx(xlsx)
    fiscal, label = parse_year(year)
    when = _stamp()
    loaded = load(data, no_cache)
    (doc,) = select_plans(loaded, [plan], with_kpis=True)
    if not doc.plan.kpi_count():
        fail(f"plan {plan!r} has no KPIs: there is nothing to collect")
    try:
        write_form(doc.plan, loaded.actuals_for(plan), fiscal, label, xlsx, when, by_section=by_section)
    except WriteError as exc:
        fail(str(exc))
    stderr().print(
        f"kpitool: wrote {xlsx} ({doc.plan.kpi_count()} KPIs, {label}); "
        f"read it back with: kpitool import {xlsx} --plan {plan} --year {label}",
        markup=False,
        highlight=False,
    )


_KIND_STYLES = {"追加": "green", "追記": "yellow", "上書き": "magenta", "競合": "bold red"}


def _shown(value: object) -> str:
    from decimal import Decimal

    from kpitool.values.numbers import format_number

    if value is None:
        return "—"
    return format_number(value) if isinstance(value, Decimal) else str(value)


def _changes_table(result: ActualsUpdate, overwrite: bool) -> Table:
    """One row per field the import adds or changes."""
    from rich.table import Table
    from rich.text import Text

    from kpitool.update.changes import EditKind

    table = Table(title=f"{result.path} — {result.year_label} 実績値の取り込み", title_justify="left")
    for name, justify in (
        ("No.", "left"),
        ("指標名", "left"),
        ("項目", "left"),
        ("現在", "right"),
        ("取込後", "right"),
        ("区分", "center"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for entry in result.changes:
        for change in entry.fields:
            if entry.kind is EditKind.ADD:
                kind = "追加"
            elif change.conflict:
                kind = "上書き" if overwrite else "競合"
            else:
                kind = "追記"
            item = f"{change.label} ({entry.kpi.unit})" if change.name == "value" else change.label
            table.add_row(
                entry.kpi.number or "",
                entry.kpi.name,
                item,
                _shown(change.old),
                _shown(change.new),
                Text(kind, style=_KIND_STYLES[kind]),
            )
    return table


def _counts(result: ActualsUpdate, blank: int) -> str:
    from kpitool.update.changes import EditKind

    parts = [
        f"{result.count(EditKind.ADD)} added",
        f"{result.count(EditKind.UPDATE)} changed",
        f"{result.count(EditKind.UNCHANGED)} unchanged",
    ]
    if blank:
        parts.append(f"{blank} without 実績値 (not imported)")
    return ", ".join(parts)


def import_(
    form: Annotated[Path, typer.Argument(help="The filled form (.xlsx) made by kpitool template.")],
    plan: Annotated[str, typer.Option("--plan", "-p", help="Plan id the form is for.")] = ...,  # type: ignore[assignment]
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
    from kpitool.render.xlsx.form import read_form
    from kpitool.sources.workbook import WorkbookError
    from kpitool.support.safe_write import WriteError
    from kpitool.update.apply import apply_update
    from kpitool.update.changes import ConflictError, UpdateError

    if not form.exists():
        usage(f"no such file: {form}")
    fiscal, label = parse_year(year)
    loaded = load(data, no_cache)
    (doc,) = select_plans(loaded, [plan], with_kpis=True)
    try:
        reading = read_form(form, doc.plan, fiscal)
    except WorkbookError as exc:
        fail(str(exc))
    except DataError as exc:
        print_problems(exc.problems)
        fail(f"{form}: {len(exc.problems)} problem(s), so the form cannot be imported; nothing was written")
    existing = loaded.actuals.get(plan)
    path = existing.document.path if existing else data / "actuals" / f"{plan}.yaml"
    console = stdout(width)
    if not reading.submissions:
        console.print(f"{form}: no 実績値 filled in; nothing to import", markup=False)
        return
    if not dry_run and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True)
        except OSError as exc:
            fail(f"{path.parent}: cannot create the directory: {exc.strerror or exc}")
    try:
        result = apply_update(
            path, doc.plan, fiscal, reading.submissions, overwrite=overwrite, dry_run=dry_run
        )
    except ConflictError as exc:
        console.print(_changes_table(exc.update, overwrite))
        for entry, change in exc.update.conflicts:
            stderr().print(
                f"{entry.submission.origin}: conflict: {entry.kpi.id} {label} {change.label}: "
                f"recorded {_shown(change.old)}, form {_shown(change.new)}",
                markup=False,
                highlight=False,
            )
        fail(
            f"{len(exc.update.conflicts)} recorded value(s) differ from the form; nothing was written "
            "(check them, then rerun with --overwrite to replace them)"
        )
    except DataError as exc:
        print_problems(exc.problems)
        fail(f"{path}: fix the actuals file first (kpitool validate); nothing was written")
    except (UpdateError, WriteError) as exc:
        fail(str(exc))
    if result.changed:
        console.print(_changes_table(result, overwrite))
    counts = _counts(result, len(reading.blank))
    if not result.changed:
        console.print(f"{label}: nothing to change ({counts})", markup=False)
    elif dry_run:
        console.print(f"{label}: {counts} — dry run, nothing written", markup=False)
    else:
        console.print(f"{label}: {counts} — wrote {path}", markup=False)
        console.print(f"next: kpitool evaluate {plan} --year {label}", markup=False, style="dim")


def register(app: typer.Typer) -> None:
    """Add ``report``, ``template`` and ``import`` to the app."""
    app.command("report", short_help="Write the council-ready Excel report.")(report)
    app.command("template", short_help="Write the input form (記入票) for one plan.")(template)
    app.command("import", short_help="Read a filled form into data/actuals.")(import_)
