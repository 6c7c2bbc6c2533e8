"""Table files: what ``--table`` reads, CSV here and .xlsx through the workbook reader."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpitool.problems import DataError
from kpitool.sources.table_file import TableError, read_table

CSV = "指標ID,指標名,単位,方向,目標値,目標時点,R6\nv-1,来訪者数,人,増加,200,R7年度,150\n"


def test_a_csv_table_reads_into_a_plan_and_its_actuals(tmp_path: Path) -> None:
    path = tmp_path / "kpi.csv"
    path.write_text(CSV, encoding="cp932")
    plan, actuals = read_table(path)
    assert [kpi.id for kpi in plan.kpis] == ["v-1"]
    assert actuals.actuals["v-1"]["R6"].value == Decimal(150)


def test_an_unreadable_cell_names_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "kpi.txt"
    path.write_text(CSV.replace(",150", ",many"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_table(path)
    (problem,) = info.value.problems
    assert problem.message.startswith("row 2, column 7: 'many'")


def test_a_workbook_named_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kpi.csv"
    path.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(TableError, match=r"looks like an Excel workbook; name it \.xlsx"):
        read_table(path)
