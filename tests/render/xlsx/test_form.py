"""kpitool template: the form's layout, protection and pre-filled values (read back in tests/sources)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.sources.form_layout import (
    CHECKED,
    CHECKSUM_PROPERTY,
    COLUMNS,
    EDITABLE,
    PLAN_PROPERTY,
    YEAR_PROPERTY,
    form_checksum,
)
from tests.forms import HEADER_ROW, PLAN, copy_data, evaluate, fill, import_form, template


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the bundled data (its actuals file is hand-written, with comments)."""
    return copy_data(tmp_path)


def test_template_layout(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    form = template(runner, data, "R6", tmp_path / "form.xlsx")
    sheet = load_workbook(form)["記入票"]
    assert [c.value for c in sheet[HEADER_ROW]] == list(COLUMNS)
    assert {"id", "指標名", "単位", "基準値", "目標値", "実績値", "実績時点", "備考"} <= set(COLUMNS)
    assert (sheet["A3"].value, sheet["B3"].value) == ("計画ID", PLAN)
    assert (sheet["A4"].value, sheet["B4"].value) == ("評価年度", "R6")
    assert any(f"--plan {PLAN} --year R6" in str(c.value) for c in sheet["A"])
    assert sheet.protection.sheet
    assert sheet.protection.password is None
    columns = {name: index + 1 for index, name in enumerate(COLUMNS)}
    rows = range(HEADER_ROW + 1, sheet.max_row + 1)
    for row in rows:
        for name in COLUMNS:
            assert sheet.cell(row, columns[name]).protection.locked == (name not in EDITABLE), (row, name)
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "decimal"
    letter = sheet.cell(HEADER_ROW, columns["実績値"]).column_letter
    assert str(validation.sqref) == f"{letter}{rows[0]}:{letter}{rows[-1]}"
    assert sheet.cell(rows[0], columns["実績時点"]).number_format == "@"  # typed periods stay text
    assert sheet.freeze_panes == f"D{HEADER_ROW + 1}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.page_setup.orientation == "landscape"
    # recorded R6 actuals are pre-filled, in the KPI's unit
    evaluation = evaluate(runner, data, "R6")
    for row, kpi in zip(rows, evaluation["kpis"], strict=True):
        assert sheet.cell(row, columns["id"]).value == kpi["id"]
        assert sheet.cell(row, columns["指標名"]).value == kpi["name"]
        assert sheet.cell(row, columns["実績値"]).value == kpi["actual"]
        assert sheet.cell(row, columns["実績時点"]).value == kpi["actual_period"]


def test_template_is_deterministic(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    first = template(runner, data, "R7", tmp_path / "a.xlsx").read_bytes()
    assert template(runner, data, "R7", tmp_path / "b.xlsx").read_bytes() == first


def test_one_sheet_per_section(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    form = template(runner, data, "R7", tmp_path / "f.xlsx", "--by-section")
    assert load_workbook(form).sheetnames == ["施策分野1", "施策分野2", "施策分野3"]
    filled = fill(
        form, {"regional-workers": {"実績値": 124000}, "staff-training-participants": {"実績値": 30}}
    )
    result = import_form(runner, data, filled, "R7")
    assert result.exit_code == 0, result.output
    r7 = {kpi["id"]: kpi["actual"] for kpi in evaluate(runner, data, "R7")["kpis"]}
    assert (r7["regional-workers"], r7["staff-training-participants"]) == (124000, 30)


def test_the_form_carries_its_identity(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    by_section = template(runner, data, "R7", tmp_path / "s.xlsx", "--by-section")
    props = {p.name: p.value for p in load_workbook(by_section).custom_doc_props.props}
    assert (props[PLAN_PROPERTY], props[YEAR_PROPERTY]) == (PLAN, "R7")
    assert len(props[CHECKSUM_PROPERTY]) == 64
    one_sheet = template(runner, data, "R7", tmp_path / "o.xlsx")
    same = {p.name: p.value for p in load_workbook(one_sheet).custom_doc_props.props}
    assert same == props  # the same rows in the same order, on one sheet or three
    other_year = template(runner, data, "R6", tmp_path / "r6.xlsx")
    r6 = {p.name: p.value for p in load_workbook(other_year).custom_doc_props.props}
    assert r6[CHECKSUM_PROPERTY] != props[CHECKSUM_PROPERTY]  # the year is part of the checksum
    # the checksum is over the locked cells as a reader finds them, row by row
    sheet = load_workbook(one_sheet)["記入票"]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    rows = [
        {name: row[header.index(name)] for name in CHECKED}
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]
    assert form_checksum(PLAN, 2025, rows) == props[CHECKSUM_PROPERTY]
    assert form_checksum(PLAN, 2025, rows[::-1]) != props[CHECKSUM_PROPERTY]
