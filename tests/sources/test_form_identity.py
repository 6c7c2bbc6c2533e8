"""A returned form must prove its plan, its year and its locked cells (the document properties)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl.packaging.custom import StringProperty
from typer.testing import CliRunner

from kpitool.sources.form_layout import CHECKSUM_PROPERTY, PLAN_PROPERTY, YEAR_PROPERTY
from tests.forms import HEADER_ROW, PLAN, BlankForm, actuals, copy_data, edit, evaluate, fill, import_form


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the bundled data (its actuals file is hand-written, with comments)."""
    return copy_data(tmp_path)


def _sheet(change: Callable[[Any], None]) -> Callable[[Any], None]:
    return lambda workbook: change(workbook["記入票"])


def _swap_rows(first: int, second: int) -> Callable[[Any], None]:
    def change(sheet: Any) -> None:
        for column in range(1, sheet.max_column + 1):
            a, b = sheet.cell(first, column), sheet.cell(second, column)
            a.value, b.value = b.value, a.value

    return _sheet(change)


def _set_property(name: str, value: str) -> Callable[[Any], None]:
    def change(workbook: Any) -> None:
        props = workbook.custom_doc_props
        props.props = [p for p in props.props if p.name != name]
        props.append(StringProperty(name=name, value=value))

    return change


def _copied_into_a_new_workbook(workbook: Any) -> None:
    workbook.custom_doc_props.props.clear()


@pytest.mark.parametrize(
    ("change", "year", "message"),
    [
        (  # the R6 form's header rows deleted, imported as R7: R6's pre-filled values must not land in R7
            _sheet(lambda sheet: sheet.delete_rows(1, HEADER_ROW - 1)),
            "R7",
            "property kpitool.form.year: the form is for the year 'R6', not R7 (--year)",
        ),
        (
            _sheet(lambda sheet: sheet.delete_rows(4)),  # only the 評価年度 row
            "R7",
            "property kpitool.form.year: the form is for the year 'R6', not R7 (--year)",
        ),
        (  # locked columns deleted, then two ids swapped: nothing would tie a value to its KPI
            _sheet(
                lambda sheet: (sheet.delete_cols(1, 9), sheet.cell(HEADER_ROW + 1, 4, "regional-workers"))
            ),
            "R6",
            "記入票!A13: the locked column(s) No., 施策, 指標名, 単位, 基準値, 基準時点, 目標値, 目標時点 are "
            "missing from the header row",
        ),
        (
            _swap_rows(HEADER_ROW + 1, HEADER_ROW + 2),
            "R6",
            "記入票!M14: id 'regional-workers' is not where the form put it (it had 'gross-regional-product' here)",
        ),
        (
            _sheet(lambda sheet: sheet.delete_rows(HEADER_ROW + 3)),
            "R6",
            "the form has no row for 1 KPI(s) of the plan: ③ 久留米シティプラザ入館者数 (city-plaza-visitors)",
        ),
        (
            _copied_into_a_new_workbook,
            "R6",
            "the form's identity cannot be proven: the document properties kpitool.form.plan, "
            "kpitool.form.year, kpitool.form.checksum that kpitool template writes are missing",
        ),
        (
            _set_property(PLAN_PROPERTY, "kurume-sogo-senryaku-2"),
            "R6",
            f"property {PLAN_PROPERTY}: the form is for plan 'kurume-sogo-senryaku-2', not '{PLAN}' (--plan)",
        ),
        (
            _set_property(YEAR_PROPERTY, "someday"),
            "R6",
            f"property {YEAR_PROPERTY}: 'someday' is not a fiscal year",
        ),
        (
            _set_property(CHECKSUM_PROPERTY, "0" * 64),
            "R6",
            "the locked cells do not match the checksum the form was made with (kpitool.form.checksum)",
        ),
    ],
)
def test_a_form_that_cannot_prove_itself_is_refused(
    change: Callable[[Any], None],
    year: str,
    message: str,
    runner: CliRunner,
    data: Path,
    tmp_path: Path,
    blank_form: BlankForm,
) -> None:
    before = actuals(data).read_bytes()
    form = edit(blank_form("R6", tmp_path / "r6.xlsx"), change)
    result = import_form(runner, data, form, year, "--overwrite")
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "cannot be imported; nothing was written" in result.stderr
    assert actuals(data).read_bytes() == before


def test_a_year_named_twice_is_said_once(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    result = import_form(runner, data, blank_form("R7", tmp_path / "r7.xlsx"), "R6")
    assert result.exit_code == 1
    assert "記入票!B4: the form is for the year 'R7', not the --year given" in result.stderr
    assert "property kpitool.form.year" not in result.stderr
    assert "1 problem(s)" in result.stderr


def test_header_rows_deleted_the_properties_still_prove_the_form(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    filled = fill(blank_form("R7", tmp_path / "r7.xlsx"), {"bus-passengers": {"実績値": 8700}})
    form = edit(filled, _sheet(lambda sheet: sheet.delete_rows(1, HEADER_ROW - 1)))
    result = import_form(runner, data, form, "R7")
    assert result.exit_code == 0, result.output
    assert evaluate(runner, data, "R7")["kpis"][9]["actual"] == 8700
