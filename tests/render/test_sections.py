"""Tests for kpitool.render.sections: the 施策別 block of evaluate and summary (fitting 80
columns), the JSON ``sections``, and counts only (no grade) for a plan without ``evaluation.rollup``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rich.cells import cell_len
from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN

ROLLUP = """\
evaluation:
  rollup:
    method: mean_score
    scores: {○: 3, △: 2, ×: 1}
    grades:
      - {symbol: A, label: 順調, at_least: 2.5}
      - {symbol: B, at_least: 1.5}
      - {symbol: C}
"""

PLAN = MINIMAL_PLAN.replace("projects:\n", ROLLUP + "projects:\n")
ACTUALS = MINIMAL_ACTUALS  # workers R5 150: △ (進捗率 50%)


def _run(runner: CliRunner, root: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data", str(root)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_evaluate_lists_each_section_with_its_counts_and_grade(
    runner: CliRunner, data_dir: Callable[..., Path]
) -> None:
    root = data_dir(plans={"demo.yaml": PLAN}, actuals={"demo.yaml": ACTUALS})
    data = json.loads(_run(runner, root, "evaluate", "--year", "R5", "--format", "json"))
    assert data["sections"] == [
        {
            "id": "goal-1",
            "title": "雇用を創出する",
            "level": "基本目標",
            "number": "1",
            "depth": 0,
            "counts": {"○": 0, "△": 1, "×": 0, "—": 0},
            "total": 1,
            "grade": "B",
            "value": 2.0,
        }
    ]
    table = _run(runner, root, "evaluate", "--year", "R5", "--width", "80")
    block = table[table.index("施策別") :].splitlines()
    assert block[0] == "施策別 (平均点: ○3 △2 ×1)"
    assert block[1].split() == [
        "基本目標",
        "1",
        "雇用を創出する",
        "○",
        "0",
        "△",
        "1",
        "×",
        "0",
        "—",
        "0",
        "計",
        "1",
        "→",
        "B",
        "(2.00)",
    ]
    assert all(cell_len(line) <= 80 for line in table.splitlines())


def test_summary_gives_the_sections_of_each_year(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    actuals = ACTUALS + "    R6: {value: 200, period: R6年度}\n"
    root = data_dir(plans={"demo.yaml": PLAN}, actuals={"demo.yaml": actuals})
    data = json.loads(_run(runner, root, "summary", "--years", "R5,R6", "--format", "json"))
    assert {year: [s["grade"] for s in sections] for year, sections in data["sections"].items()} == {
        "R5": ["B"],
        "R6": ["A"],
    }
    table = _run(runner, root, "summary", "--years", "R5,R6", "--width", "80")
    assert "施策別 R5 (平均点: ○3 △2 ×1)" in table
    assert "施策別 R6 (平均点: ○3 △2 ×1)" in table


def test_a_plan_without_rollup_shows_counts_only(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """Item 5: counts only is the default — every plan's sections, each with grade null."""
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": ACTUALS})
    evaluated = json.loads(_run(runner, root, "evaluate", "--year", "R5", "--format", "json"))
    [section] = evaluated["sections"]
    assert (section["id"], section["title"], section["level"]) == ("goal-1", "雇用を創出する", "基本目標")
    assert section["counts"] == {"○": 0, "△": 1, "×": 0, "—": 0}
    assert section["grade"] is None
    assert section["value"] is None
    summary = json.loads(_run(runner, root, "summary", "--years", "R5", "--format", "json"))
    assert summary["sections"]["R5"] == evaluated["sections"]
    table = _run(runner, root, "evaluate", "--year", "R5")
    assert "施策別 (件数)" in table
    assert "→" not in table.split("施策別")[1]


def test_validate_names_the_line_of_a_bad_rollup(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    text = PLAN.replace("      - {symbol: C}\n", "")
    root = data_dir(plans={"demo.yaml": text})
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    line = text[: text.index("at_least: 1.5")].count("\n") + 1
    assert f"demo.yaml:{line}:" in result.stdout
    assert "evaluation.rollup.grades[1].at_least: rollup: missing last grade" in result.stdout
