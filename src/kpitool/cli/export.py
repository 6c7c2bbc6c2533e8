"""``kpitool export``: the open data (オープンデータ) file — every KPI × evaluation year as one row.

The rows come from :mod:`kpitool.render.export`; a prefecture or a researcher reads the CSV
with DuckDB or pandas (docs/publication.md).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kpitool.cli.common import (
    DataOption,
    KpitoolCommand,
    NoCacheOption,
    OutputOption,
    PlansArgument,
    data_files,
    guard_output,
    write_output,
)
from kpitool.cli.selection import SkipInvalidOption
from kpitool.cli.site import RecordedYearsOption, graded_plans

__all__ = ["ExportFormat", "export", "register"]


class ExportFormat(StrEnum):
    """The open data formats."""

    CSV = "csv"
    JSON = "json"


def export(
    plan_ids: PlansArgument = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="csv (UTF-8 with BOM) or json."),
    ] = ExportFormat.CSV,
    output: OutputOption = None,
    years: RecordedYearsOption = None,
    data: DataOption = Path("data"),
    skip_invalid: SkipInvalidOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Write the open data: one row per KPI and evaluation year (plan_id, kpi_id, number, name, unit,
    section_id, direction, baseline, target and their periods, year, value, period, grades).

    Without plan ids, every plan in the years it is evaluated in; any error in the data stops the
    run (no file) unless --skip-invalid.
    """
    from kpitool.render.export import export_csv, export_json

    guard_output(output, data_files(data))
    plans, _, _ = graded_plans(data, plan_ids, years, skip_invalid=skip_invalid, no_cache=no_cache)
    write_output(export_csv(plans) if fmt is ExportFormat.CSV else export_json(plans), output)


def register(app: typer.Typer) -> None:
    """Add ``export`` to the app."""
    app.command("export", cls=KpitoolCommand, short_help="Write the open data (CSV or JSON).")(export)
