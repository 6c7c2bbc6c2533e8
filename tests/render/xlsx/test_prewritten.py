"""Charts written once and filled in: each byte for byte the chart openpyxl builds and writes itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.xml.functions import tostring
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.render.xlsx import prewritten, trend
from kpitool.render.xlsx.prewritten import ChartTemplate
from tests.conftest import DATA

TITLES = [
    "① 圏域の総生産額",
    "A & B <c> \"quoted\" 'single' > d",
    "&amp; already escaped &lt;",
    "💡 絵文字と半角ｶﾅ",
    "spaces　inside",
    "100% (R7年度末) — 目標",
]
SHEETS = ["推移 第2期久留米広域連携中枢都市圏ビジョン", "O'Brien & <Co>", "''", "推移 a b"]
ROWS = [(3, 7), (2, 3), (999_000, 1_000_000)]


def openpyxl_chart(title: str, y_title: str, sheet: Any, first: int, last: int) -> bytes:
    return bytes(tostring(trend._build_chart(title, y_title, sheet, first, last)._write()))


@pytest.fixture(scope="module")
def template() -> ChartTemplate:
    return ChartTemplate(trend._build_chart)


@pytest.mark.parametrize("title", TITLES)
@pytest.mark.parametrize("sheet_title", SHEETS)
def test_each_filled_chart_is_openpyxls_own(template: ChartTemplate, title: str, sheet_title: str) -> None:
    sheet = Workbook(write_only=True).create_sheet(sheet_title)
    for first, last in ROWS:
        for y_title in (title, "値", "人"):
            found = template.chart(title, y_title, sheet, first, last)
            assert found is not None
            assert found.xml == openpyxl_chart(title, y_title, sheet, first, last)
            assert (found.width, found.height) == (17, 8)
            assert bytes(tostring(found._write())) == found.xml  # saved directly, without deferred()


@pytest.mark.parametrize(
    ("title", "y_title", "first", "last"),
    [
        ("two\nlines", "人", 3, 7),  # openpyxl makes two paragraphs of the title
        ("a\rb", "人", 3, 7),
        ("bell \x07", "人", 3, 7),
        ("① name", "", 3, 7),  # empty text is an empty element
        (" ① name", "人", 3, 7),  # spaces at either end are marked xml:space="preserve"
        ("① name", "人　", 3, 7),
        ("marker \ue001", "人", 3, 7),
        ("① name", "人", 5, 5),  # one row: openpyxl writes $B$5, not a range
        ("① name", "人", 1, 5),  # the series titles would be in row 0: openpyxl refuses that
        ("① name", "人", 999_999, 1_000_001),  # beyond the rows openpyxl accepts
    ],
)
def test_text_written_otherwise_gets_no_template(
    template: ChartTemplate, title: str, y_title: str, first: int, last: int
) -> None:
    assert template.chart(title, y_title, Workbook(write_only=True).create_sheet("推移"), first, last) is None


def report_bytes(out: Path, *extra: str) -> bytes:
    args = ["report", "--years", "R4,R5,R6", "--xlsx", str(out), "--data", str(DATA), "--no-cache", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.slow
def test_the_report_is_the_same_bytes_with_every_chart_built_by_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled = report_bytes(tmp_path / "filled.xlsx")
    monkeypatch.setattr(prewritten.ChartTemplate, "chart", lambda *_args: None)
    assert report_bytes(tmp_path / "built.xlsx") == filled
    assert b"xl/charts/chart" in filled
