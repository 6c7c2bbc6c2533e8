"""Tests for kpitool.render.xlsx.sections: the report's 施策別 sheet, re-opened with openpyxl."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN
from tests.render.test_sections import PLAN


def _report(runner: CliRunner, root: Path, out: Path) -> list[str]:
    result = runner.invoke(app, ["report", "--data", str(root), "--years", "R5,R6", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    return load_workbook(out).sheetnames


def test_a_rolled_up_plan_gets_a_section_sheet(
    runner: CliRunner, data_dir: Callable[..., Path], tmp_path: Path
) -> None:
    actuals = MINIMAL_ACTUALS + "    R6: {value: 200, period: R6年度}\n"
    root = data_dir(plans={"demo.yaml": PLAN}, actuals={"demo.yaml": actuals})
    out = tmp_path / "r.xlsx"
    assert _report(runner, root, out) == ["総括", "テスト計画", "施策別 テスト計画", "推移 テスト計画"]
    sheet = load_workbook(out)["施策別 テスト計画"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("施策", "年度", "○", "△", "×", "—", "計", "評価", "平均点")
    assert rows[1][0] == "基本目標 1 雇用を創出する"
    assert rows[2][1:] == ("R5", 0, 1, 0, 0, 1, "B", 2)  # △ scores 2: B from 1.5
    assert rows[3][1:] == ("R6", 1, 0, 0, 0, 1, "A", 3)
    assert sheet.print_title_rows == "$1:$1"  # the header on every printed page


def test_a_plan_without_rollup_gets_counts_only(
    runner: CliRunner, data_dir: Callable[..., Path], tmp_path: Path
) -> None:
    """Item 5: counts only is the default — the sheet is there, 評価 — and no value column."""
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    out = tmp_path / "r.xlsx"
    assert _report(runner, root, out) == ["総括", "テスト計画", "施策別 テスト計画", "推移 テスト計画"]
    rows = list(load_workbook(out)["施策別 テスト計画"].iter_rows(values_only=True))
    assert rows[0] == ("施策", "年度", "○", "△", "×", "—", "計", "評価")  # no 平均点 or 割合
    assert rows[1][0] == "基本目標 1 雇用を創出する"
    assert rows[2][1:] == ("R5", 0, 1, 0, 0, 1, "—")  # MINIMAL_ACTUALS: workers R5 △
    assert rows[3][1:] == ("R6", 0, 0, 0, 1, 1, "—")  # no R6 actual: —
