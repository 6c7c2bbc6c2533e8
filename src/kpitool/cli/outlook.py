"""Outlook commands: ``outlook`` (will each target be met at the current pace?) and ``history``.

``outlook`` projects each KPI's series to its target period (kpitool.outlook) and renders the
status per KPI in the ``--format`` asked for; ``history`` shows one plan's series per KPI with
its grades, a sparkline and the outlook. docs/outlook.md documents the methods.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpitool.cli.common import (
    DataOption,
    KpitoolCommand,
    NoCacheOption,
    OutputOption,
    PlansArgument,
    TableOption,
    WidthOption,
    YearOption,
    data_files,
    guard_output,
    load,
    parse_year,
    read_table,
    refuse_terminal_output,
    table_width,
    write_output,
)
from kpitool.cli.evaluate import FormatOption, OutputFormat
from kpitool.cli.selection import SkipInvalidOption, announce_left_out, select_graded
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from kpitool.model.outlook_settings import OutlookMethod

__all__ = ["MethodChoice", "register"]


class MethodChoice(StrEnum):
    """``--method``: the names of :class:`~kpitool.model.outlook_settings.OutlookMethod` (a test checks)."""

    LINEAR = "linear"
    CAGR = "cagr"
    WEIGHTED = "weighted"
    RECENT = "recent"


MethodOption = Annotated[
    MethodChoice | None,
    typer.Option(
        "--method",
        "-m",
        help="How to project: linear (least squares), cagr (constant growth), weighted (recent points "
        "weigh more), recent (mean change of the last 5 years). Default: the plan's evaluation.outlook, "
        "else linear.",
        show_default=False,
    ),
]


def method_of(choice: MethodChoice | None) -> OutlookMethod | None:
    """The core's method for a ``--method`` choice (None: each plan's own)."""
    from kpitool.model.outlook_settings import OutlookMethod

    return None if choice is None else OutlookMethod(choice.value)


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
    guard_output(output, [table] if table is not None else data_files(data))
    left_out = NOTHING_LEFT_OUT
    if table is not None:
        if plan_ids:
            raise UsageError("give either plan ids or --table, not both")
        plan, table_actuals = read_table(table)
        results = [outlook_plan(plan, table_actuals, fiscal_year, chosen)]
    else:
        loaded = load(data, no_cache)
        per_plan, left_out = select_graded(
            loaded, plan_ids, [fiscal_year], skip_invalid=skip_invalid, option="--year"
        )
        results = []
        for doc, _years in per_plan:
            actuals_doc = loaded.actuals.get(doc.id)
            actuals = actuals_doc.actuals if actuals_doc is not None else None
            results.append(outlook_plan(doc.plan, actuals, fiscal_year, chosen))
    from kpitool.render.registry import OUTLOOKS

    refuse_terminal_output(output, fmt.value, OUTLOOKS)
    announce_left_out(left_out, in_output=fmt is OutputFormat.JSON)
    write_output(OUTLOOKS[fmt.value](results, table_width(width), left_out), output)


def register(app: typer.Typer) -> None:
    """Add ``outlook`` to the app."""
    app.command("outlook", cls=KpitoolCommand, short_help="Will each target be met at the current pace?")(
        outlook
    )
