"""Outlook commands: ``outlook`` (will each target be met at the current pace?) and ``history``.

``outlook`` projects each KPI's series to its target period (kpitool.outlook) and renders the
status per KPI in the ``--format`` asked for; ``history`` shows one plan's series per KPI with
its grades, a sparkline and the outlook. docs/outlook.md documents the methods.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpitool.cli.common import (
    DataOption,
    KpitoolCommand,
    MethodChoice,
    MethodOption,
    NoCacheOption,
    OutputOption,
    PlansArgument,
    TableOption,
    WidthOption,
    YearOption,
    data_files,
    guard_output,
    load,
    method_of,
    parse_year,
    read_table,
    refuse_terminal_output,
    table_width,
    write_output,
)
from kpitool.cli.evaluate import FormatOption, OutputFormat
from kpitool.cli.selection import SkipInvalidOption, announce_left_out, select_graded, select_plans
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from kpitool.model.outlook_settings import OutlookSettings
    from kpitool.model.plan import Plan

__all__ = ["MethodChoice", "register"]


def _threshold(name: str) -> Any:
    return typer.Option(
        f"--{name.replace('_', '-')}",
        metavar="R",
        help=f"The lowest r of {name} (default: the plan's evaluation.outlook, else {_DEFAULTS[name]}).",
        show_default=False,
    )


_DEFAULTS = {"on_track": "0.95", "accelerate": "0.5", "limited": "0"}


def _settings(plan: Plan, flags: dict[str, str | None]) -> OutlookSettings | None:
    """The plan's outlook settings with the thresholds given on the command line; usage error if unfit."""
    given = {name: value for name, value in flags.items() if value is not None}
    if not given:
        return None
    from decimal import Decimal, InvalidOperation

    from pydantic import ValidationError

    from kpitool.model.outlook_settings import OutlookSettings
    from kpitool.outlook.engine import settings_of

    values: dict[str, Any] = {}
    for name, text in given.items():
        try:
            values[name] = Decimal(text.strip())
        except InvalidOperation:
            raise UsageError(
                f"--{name.replace('_', '-')}: expected a ratio such as 0.9, not {text!r}"
            ) from None
    try:
        return OutlookSettings.model_validate({**settings_of(plan).model_dump(), **values})
    except ValidationError as exc:
        reason = str(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
        raise UsageError(f"{plan.id}: {reason}") from None


def outlook(
    plan_ids: PlansArgument = None,
    year: YearOption = ...,  # type: ignore[assignment]
    method: MethodOption = None,
    data: DataOption = Path("data"),
    table: TableOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
    width: WidthOption = None,
    skip_invalid: SkipInvalidOption = False,
    no_cache: NoCacheOption = False,
    on_track: Annotated[str | None, _threshold("on_track")] = None,
    accelerate: Annotated[str | None, _threshold("accelerate")] = None,
    limited: Annotated[str | None, _threshold("limited")] = None,
) -> None:
    """Will each target be met at the current pace? Project every KPI to its target period.

    From the baseline and each actual at its data period known in the evaluation year: the
    projected value, r = (projected − baseline) ÷ (target − baseline), the status (achieved,
    on_track, accelerate, limited, reverse, insufficient_data) and the data lag in years.
    """
    from kpitool.outlook.engine import outlook_plan
    from kpitool.sources.selection import NOTHING_LEFT_OUT

    fiscal_year = parse_year(year)
    chosen = method_of(method)
    flags = {"on_track": on_track, "accelerate": accelerate, "limited": limited}
    guard_output(output, [table] if table is not None else data_files(data))
    left_out = NOTHING_LEFT_OUT
    if table is not None:
        if plan_ids:
            raise UsageError("give either plan ids or --table, not both")
        plan, table_actuals = read_table(table)
        results = [outlook_plan(plan, table_actuals, fiscal_year, chosen, settings=_settings(plan, flags))]
    else:
        loaded = load(data, no_cache)
        per_plan, left_out = select_graded(
            loaded, plan_ids, [fiscal_year], skip_invalid=skip_invalid, option="--year"
        )
        results = []
        for doc, _years in per_plan:
            actuals_doc = loaded.actuals.get(doc.id)
            actuals = actuals_doc.actuals if actuals_doc is not None else None
            settings = _settings(doc.plan, flags)
            results.append(outlook_plan(doc.plan, actuals, fiscal_year, chosen, settings=settings))
    from kpitool.render.registry import OUTLOOKS

    refuse_terminal_output(output, fmt.value, OUTLOOKS)
    announce_left_out(left_out, in_output=fmt is OutputFormat.JSON)
    write_output(OUTLOOKS[fmt.value](results, table_width(width), left_out), output)


class HistoryFormat(StrEnum):
    """Output formats of ``history`` (see :mod:`kpitool.render.registry`)."""

    TABLE = "table"
    JSON = "json"


def _kpi_ids(plan: Plan, kpi: str | None) -> list[str]:
    """The KPIs ``history`` shows: every KPI, or the one named by its id or its No. (①)."""
    numbers = plan.kpi_numbers()
    if kpi is None:
        return list(numbers)
    for kpi_id, number in numbers.items():
        if kpi in (kpi_id, number):
            return [kpi_id]
    known = ", ".join(f"{number} {kpi_id}" for kpi_id, number in list(numbers.items())[:12])
    more = ", …" if len(numbers) > 12 else ""
    raise UsageError(f"plan {plan.id!r} has no KPI {kpi!r} (give its id or No.: {known or 'none'}{more})")


def history(
    plan_id: Annotated[str, typer.Argument(metavar="PLAN", help="The plan id.", show_default=False)],
    kpi: Annotated[
        str | None,
        typer.Argument(metavar="KPI", help="A KPI id or No. (①); default: every KPI.", show_default=False),
    ] = None,
    year: Annotated[
        str | None,
        typer.Option(
            "--year",
            "-y",
            metavar="YEAR",
            help="Project at this evaluation year (default: the last recorded).",
        ),
    ] = None,
    method: MethodOption = None,
    data: DataOption = Path("data"),
    fmt: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="table or json.")
    ] = HistoryFormat.TABLE,
    width: WidthOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """A plan's KPIs over the evaluation years: value, data period, grade and official grade.

    Each KPI gets a sparkline of its series (baseline and each data period) and its outlook at
    the last evaluation year recorded, or at --year.
    """
    from kpitool.outlook.history import plan_history, recorded_years

    fiscal_year = parse_year(year) if year is not None else None
    loaded = load(data, no_cache)
    selection = select_plans(loaded, [plan_id], with_kpis=True)
    doc = selection.documents[0]
    actuals_doc = loaded.actuals.get(doc.id)
    actuals = actuals_doc.actuals if actuals_doc is not None else None
    ids = _kpi_ids(doc.plan, kpi)
    if fiscal_year is None:
        years, period = recorded_years(doc.plan, actuals, ids), doc.plan.period
        if years:
            fiscal_year = years[-1]
        elif period is not None:
            fiscal_year = parse_year(period.start)
        else:
            raise UsageError(f"plan {doc.id!r} records no actual and no 計画期間: give --year")
    items = plan_history(doc.plan, actuals, ids, fiscal_year, method_of(method))
    from kpitool.render.registry import HISTORY

    write_output(HISTORY[fmt.value]((doc.plan, items), table_width(width)), None)


def register(app: typer.Typer) -> None:
    """Add ``outlook`` and ``history`` to the app."""
    app.command("outlook", cls=KpitoolCommand, short_help="Will each target be met at the current pace?")(
        outlook
    )
    app.command("history", cls=KpitoolCommand, short_help="A plan's KPIs over the years, with the outlook.")(
        history
    )
