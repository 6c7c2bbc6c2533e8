"""Helpers of the form tests: make a form with kpitool template, fill it as a department would, import it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.conftest import DATA

PLAN = "kurume-renkei-vision-2"
BlankForm = Callable[[str, Path], Path]
"""The ``blank_form`` fixture (tests/sources/conftest.py): ``blank_form(year, out)`` → ``out``."""
HEADER_ROW = 13


def copy_data(tmp_path: Path) -> Path:
    """A private copy of the bundled data (its actuals file is hand-written, with comments)."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return root


def actuals(data: Path) -> Path:
    """The plan's actuals file in ``data``."""
    return data / "actuals" / f"{PLAN}.yaml"


def template(runner: CliRunner, data: Path, year: str, out: Path, *extra: str) -> Path:
    """Make the form for ``year`` with kpitool template; it must succeed."""
    result = runner.invoke(
        app, ["template", PLAN, "--year", year, "--xlsx", str(out), "--data", str(data), *extra]
    )
    assert result.exit_code == 0, result.output
    return out


def import_form(runner: CliRunner, data: Path, form: Path, year: str, *extra: str) -> Any:
    """Run kpitool import on ``form`` (the result, whatever its exit code)."""
    return runner.invoke(
        app,
        ["import", str(form), "--plan", PLAN, "--year", year, "--data", str(data), "--width", "160", *extra],
    )


def fill(form: Path, values: dict[str, dict[str, Any]]) -> Path:
    """Type values into a form by KPI id and column header, as a department would; save beside it."""
    workbook = load_workbook(form)
    for sheet in workbook.worksheets:
        header = [cell.value for cell in sheet[HEADER_ROW]]
        columns = {name: index + 1 for index, name in enumerate(header)}
        for row in range(HEADER_ROW + 1, sheet.max_row + 1):
            kpi_id = sheet.cell(row, columns["id"]).value
            for name, value in values.get(kpi_id, {}).items():
                cell = sheet.cell(row, columns[name])
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # typed text, never a formula
    filled = form.with_name("filled-" + form.name)
    workbook.save(filled)
    return filled


def edit(form: Path, change: Callable[[Any], None], name: str = "edited") -> Path:
    """Open ``form`` with openpyxl, let ``change`` edit the workbook, save it beside as ``name``.xlsx."""
    workbook = load_workbook(form)
    change(workbook)
    edited = form.with_name(f"{name}-{form.name}")
    workbook.save(edited)
    return edited


def row_of(sheet: Any, kpi_id: str) -> int:
    """The row of a KPI on a form sheet (by its id cell)."""
    header = [cell.value for cell in sheet[HEADER_ROW]]
    column = header.index("id") + 1
    return next(r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if sheet.cell(r, column).value == kpi_id)


def evaluate(runner: CliRunner, data: Path, year: str) -> Any:
    """kpitool evaluate's JSON for ``year``."""
    result = runner.invoke(app, ["evaluate", PLAN, "--year", year, "--data", str(data), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
