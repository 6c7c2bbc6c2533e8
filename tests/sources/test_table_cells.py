"""Tests for kpitool.sources.table_cells: the cell forms of published KPI tables (issue 19)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.sources.table_cells import CellError, read_period, read_value
from kpitool.values.numbers import NumberError
from kpitool.values.periods import PeriodError

HEADER = ["指標ID", "指標名", "単位", "方向", "基準値", "基準時点", "目標値", "目標時点", "R5", "R6"]


def table(tmp_path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
    path = tmp_path / "kpi.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def evaluate(runner: CliRunner, path: Path, *extra: str) -> Any:
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "json" in extra else result.stdout


@pytest.mark.parametrize(
    ("cell", "unit", "value", "qualifier"),
    [
        ("85%以上", "%", "85", "以上"),
        ("2.5%以上", "%", "2.5", "以上"),
        ("1,603人以上", "人", "1603", "以上"),
        ("0件以下", "件", "0", "以下"),
        ("1万7187人超", "人", "17187", "超"),
        ("5件未満", "件", "5", "未満"),
    ],
)
def test_qualified_targets(cell: str, unit: str, value: str, qualifier: str) -> None:
    read = read_value(cell, unit, qualified=True)
    assert (read.value, read.qualifier, read.wording) == (Decimal(value), qualifier, cell)


@pytest.mark.parametrize(
    ("cell", "value", "notes", "period"),
    [
        ("[旧指標]13", "13", ("旧指標",), None),
        ("1.56(全国16位)", "1.56", ("全国16位",), None),
        ("【速報値】 42", "42", ("速報値",), None),
        ("13 (R5年度)(速報値)", "13", ("速報値",), "R5年度"),
        ("[旧指標]―", None, ("旧指標",), None),
    ],
)
def test_annotated_values(cell: str, value: str | None, notes: tuple[str, ...], period: str | None) -> None:
    read = read_value(cell, "")
    assert read.value == (Decimal(value) if value else None)
    assert read.notes == notes
    assert (read.period.label if read.period else None) == period


@pytest.mark.parametrize(
    ("cell", "unit", "value"),
    [
        ("12万3456冊", "冊", "123456"),
        ("4万5000件", "件", "45000"),
        ("12.5万冊", "冊", "125000"),
        ("13万冊", "冊", "130000"),
        ("12万3456冊", "万冊", "12.3456"),
        ("49万9999", "", "499999"),
    ],
)
def test_mixed_man_notation_is_exact(cell: str, unit: str, value: str) -> None:
    read = read_value(cell, unit)
    assert read.value == Decimal(value)
    assert "E" not in str(read.value)  # 125000, never 1.25E+5 in what is written back


@pytest.mark.parametrize(
    ("cell", "period", "notes"),
    [
        ("R1(参考値)", "R1", ("参考値",)),
        ("R5(速報値)", "R5", ("速報値",)),
        ("R6年度(見込み)", "R6年度", ("見込み",)),
        ("R6年度（見込み）", "R6年度", ("見込み",)),
        ("-", None, ()),
        ("—", None, ()),
        ("―", None, ()),
        ("－", None, ()),
        ("‐", None, ()),
    ],
)
def test_period_cells(cell: str, period: str | None, notes: tuple[str, ...]) -> None:
    read = read_period(cell)
    assert (read.period.label if read.period else None) == period
    assert read.notes == notes


@pytest.mark.parametrize(
    ("cell", "qualified", "error", "words"),
    [
        ("80%以上", False, CellError, "belongs in a 目標値 cell only"),
        ("85%以上以下", True, CellError, "two qualifiers"),
        ("以上85%以上", True, CellError, "two qualifiers"),
        ("以上", True, CellError, "以上 with no number"),
        ("[旧指標13]", False, CellError, "hides the value"),
        ("(13)", False, CellError, "is a number"),
        ("13(12万)", False, CellError, "which is the value"),
        ("13 (R5)(R6)", False, CellError, "two periods"),
        ("13 (R5年13月)", False, PeriodError, "month must be 1–12"),
        ("13 [注", False, CellError, "closed"),
        ("約13", False, NumberError, "'約13'"),
    ],
)
def test_cells_not_understood(cell: str, qualified: bool, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as caught:
        read_value(cell, "", qualified=qualified)
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"'{cell}'")


def test_a_period_note_with_a_number_is_refused() -> None:
    with pytest.raises(CellError, match="holds a number kpitool does not read; accepted: R6年度"):
        read_period("R7(第3期)")


def test_published_table_is_graded(runner: CliRunner, tmp_path: Path) -> None:
    """Every form at once, in CP932 as Excel saves it: qualifiers give the direction, notes are kept."""
    rows = [
        ["rate", "参加率", "%", "", "80", "R1(参考値)", "85%以上", "R7年度", "82", "86"],
        ["crimes", "重大事故件数", "件", "", "3", "R2年度", "0件以下", "R7年度", "1", "0"],
        ["rank", "順位指標", "位", "減少", "-", "-", "2", "R7年度", "1.56(全国16位)", "[旧指標]1.8"],
        [
            "books",
            "貸出冊数",
            "冊",
            "増加",
            "12万3456冊",
            "R2年度",
            "50万冊",
            "R7年度",
            "4万5000冊",
            "49万9999冊",
        ],
        [
            "visits",
            "来館者数",
            "人",
            "増加",
            "12.5万人",
            "R2年度",
            "13万人",
            "R7年度(見込み)",
            "12万6000人",
            "-",
        ],
    ]
    output = evaluate(runner, table(tmp_path, rows, "cp932"), "--format", "json")
    got = {row["id"]: row for row in output["kpis"]}
    assert (got["rate"]["direction"], got["rate"]["target"], got["rate"]["target_text"]) == (
        "at_least",
        85,
        "85%以上",
    )
    assert got["rate"]["annotations"] == ["基準値: 参考値"]
    assert (got["crimes"]["direction"], got["crimes"]["target"], got["crimes"]["grade"]) == (
        "at_most",
        0,
        "○",
    )
    assert (got["rank"]["baseline"], got["rank"]["baseline_period"]) == (None, None)
    assert (got["rank"]["actual"], got["rank"]["annotations"]) == (1.8, ["実績値: 旧指標"])
    assert got["books"]["baseline"] == 123456
    assert got["books"]["achievement_rate"] == 0.999998  # 49万9999 / 50万, never 1.0
    assert got["visits"]["target"] == 130000
    assert got["visits"]["annotations"] == ["目標値: 見込み"]
    text = evaluate(runner, table(tmp_path, rows))
    assert "99.9998%" in text
    assert "注: 3 順位指標 — 実績値: 旧指標" in text


def test_direction_may_come_from_the_qualifier_only(runner: CliRunner, tmp_path: Path) -> None:
    """Without a 方向 cell the target must carry a qualifier: the message says so."""
    path = table(tmp_path, [["rate", "参加率", "%", "", "80", "R1", "85%", "R7年度", "82", "86"]])
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6"])
    assert result.exit_code == 1
    assert f"{path}:2:4: 方向: row 2, column 4: 方向 (direction) is empty (or write 85%以上" in result.stderr
