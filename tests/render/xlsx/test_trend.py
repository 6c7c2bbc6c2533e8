"""The 推移 sheet (report --outlook): the points of each KPI, and a native chart re-read with openpyxl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.render.xlsx.trend import SERIES_TITLES
from tests.conftest import DATA

PLAN = "kurume-renkei-vision-2"
SHEET = "推移 第2期久留米広域連携中枢都市圏ビジョン"


def write_report(out: Path, *extra: str) -> Path:
    args = ["report", PLAN, "--years", "R4,R5,R6", "--xlsx", str(out), "--data", str(DATA), *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(tmp_path_factory.mktemp("trend") / "report.xlsx", "--outlook", "linear")


@pytest.fixture(scope="module")
def trend(report: Path) -> Any:
    """The 推移 sheet of :func:`report`, re-opened once: the tests only read it."""
    return load_workbook(report)[SHEET]


def test_each_kpi_has_its_points_by_data_period_then_the_target(trend: Any) -> None:
    rows = list(trend.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] and str(row[0]).startswith("① 圏域の総生産額"))
    assert "見通し: 達成済み" in rows[start][0]
    assert "遅れ 2年" in rows[start][0]
    assert "計画期間内に公表されない" in rows[start][0]
    assert rows[start + 1][:6] == ("時点", "時間 (年)", *SERIES_TITLES)
    table = rows[start + 2 : start + 7]
    assert [row[0] for row in table] == ["H30年度", "R2年度", "R3年度", "R4年度", "R7年度"]
    assert [row[1] for row in table] == [2018.75, 2020.75, 2021.75, 2022.75, 2025.75]
    assert [row[2] for row in table] == [14063, 14276, 14673, 15048, None]
    assert (table[0][3], table[-1][3]) == (14063, 14300)  # baseline → target
    assert (table[3][4], table[-1][4]) == (15048, 15670.2)  # the projection from the latest actual
    assert table[-1][5] == 14300


def test_one_chart_per_kpi_with_the_projection_dashed(trend: Any) -> None:
    charts = trend._charts
    assert len(charts) == 12
    chart = charts[0]
    assert chart.display_blanks == "span"
    series = chart.series
    assert [s.tx.strRef.f.rsplit("!", 1)[1] for s in series] == ["C2", "D2", "E2", "F2"]
    dashes = [s.spPr.ln.prstDash for s in series]
    assert dashes[2] == "dash"
    assert dashes[0] != "dash"
    assert series[3].marker.symbol == "diamond"
    assert series[3].spPr.ln.noFill
    assert all(s.xVal.numRef.f.endswith("$B$3:$B$7") for s in series)


def test_the_sheet_prints_on_a4_landscape_two_kpis_a_page(trend: Any) -> None:
    sheet = trend
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert len(sheet.row_breaks.brk) == 5  # 12 KPIs, two to a page


@pytest.mark.slow  # a second report; test_council.py's identical-bytes test covers a report with the outlook
def test_the_report_with_outlook_is_byte_identical(report: Path, tmp_path: Path) -> None:
    assert write_report(tmp_path / "again.xlsx", "--outlook", "linear").read_bytes() == report.read_bytes()


def test_the_report_has_the_outlook_unless_told_not_to(vision_book: Any, tmp_path: Path) -> None:
    assert SHEET in vision_book.sheetnames  # the report without --outlook
    plain = load_workbook(write_report(tmp_path / "plain.xlsx", "--no-outlook"))
    assert SHEET not in plain.sheetnames
    assert "R6\n見通し" not in [c.value for c in plain.worksheets[1][4]]
