"""``kpitool init --from-table``: move an office's KPI spreadsheet into data/ (plan and actuals YAML).

The table is read exactly as ``evaluate --table`` reads it, so ``evaluate`` on the written plan
gives the same grades; see docs/tables.md for the forms a table may use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpitool.cli.common import DataOption, KpitoolCommand, read_table, stderr
from kpitool.errors import UsageError

__all__ = ["register"]


def init(
    from_table: Annotated[
        Path,
        typer.Option("--from-table", metavar="FILE", help="The KPI table (CSV in UTF-8/CP932, or .xlsx)."),
    ],
    plan_id: Annotated[
        str, typer.Option("--plan-id", metavar="ID", help="The new plan's id: the files' name.")
    ],
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="The plan's title (default: the file name).")
    ] = None,
    data: DataOption = Path("data"),
) -> None:
    """Write data/plans/ID.yaml and data/actuals/ID.yaml from a KPI table; never overwrites.

    Every annotation and assumption is a comment in the files, published grades (評価 column)
    become official grades; run kpitool validate on the result, then check it against the table.
    """
    from pydantic import ValidationError

    from kpitool.model.plan import Plan
    from kpitool.update.from_table import onboard_table

    plan, actuals = read_table(from_table, "--from-table")
    name = title if title is not None else from_table.stem
    try:
        Plan.model_validate({"id": plan_id, "title": name, "kind": "comprehensive_plan", "municipality": "—"})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        option = "--plan-id" if error["loc"] and error["loc"][0] == "id" else "--title"
        raise UsageError(f"{option}: {str(error['msg']).removeprefix('Value error, ')}") from None
    written = onboard_table(plan, actuals, str(from_table), data, plan_id, name)
    console = stderr()
    for path in written:
        console.print(f"wrote {path}", markup=False, highlight=False)
    console.print(
        f"{len(plan.kpis)} KPI(s), {actuals.count()} actual(s); next: kpitool validate --data {data}",
        markup=False,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``init`` to the app."""
    app.command("init", cls=KpitoolCommand, short_help="Write a plan and its actuals from a KPI table.")(init)
