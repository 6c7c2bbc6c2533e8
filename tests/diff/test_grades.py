"""kpitool diff lists the computed grades a change flips (grade-change, field grade), on the bundled data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.diff.compare import diff_data
from kpitool.sources.tree import load_data
from tests.conftest import DATA
from tests.sources.test_git import git

PLAN = Path("plans") / "kurume-renkei-vision-2.yaml"
ACTUALS = Path("actuals") / "kurume-renkei-vision-2.yaml"
GRP_TARGET = "        target: {value: 14300, period: R7年度}\n"
"""① 圏域の総生産額: baseline 14,063 (H30), actuals R4 14,276 · R5 14,673 · R6 15,048."""
GRP_R5 = "R5: {value: 14673, period: R3年度}"
GRP_DIRECTION = "        unit: 億円\n        direction: increase\n        baseline: {value: 14063"


def edit(root: Path, path: Path, old: str, new: str) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (root / path).write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the bundled data: OLD as shipped, NEW to edit."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DATA, old)
    shutil.copytree(DATA, new)
    return old, new


def run_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["diff", *args, "-f", "json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def grade_rows(document: dict[str, Any]) -> list[tuple[str, str, str, str, str, list[str]]]:
    """(plan, KPI, year, old, new, cause fields) of each computed grade change."""
    return [
        (c["plan"], c["subject"], c["year"], c["old"], c["new"], [cause["field"] for cause in c["cause"]])
        for c in document["changes"]
        if c["kind"] == "grade-change" and c["field"] == "grade"
    ]


def test_moved_target_flips_r4_in_json(runner: CliRunner, versions: tuple[Path, Path]) -> None:
    old, new = versions
    edit(new, PLAN, GRP_TARGET, GRP_TARGET.replace("14300", "14500"))
    document = run_json(runner, str(old), str(new))
    assert document["counts"] == {"target-change": 1, "grade-change": 1}
    assert grade_rows(document) == [
        ("kurume-renkei-vision-2", "gross-regional-product", "R4", "○", "△", ["target.value"])
    ]
    change = document["changes"][-1]
    assert change["attention"] is True
    assert (change["number"], change["name"]) == ("①", "圏域の総生産額")
    assert change["cause"] == [{"kind": "target-change", "field": "target.value", "year": None}]


def test_moved_target_flips_r4_in_table_and_markdown(
    runner: CliRunner, versions: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = versions
    edit(new, PLAN, GRP_TARGET, GRP_TARGET.replace("14300", "14500"))
    table = runner.invoke(app, ["diff", str(old), str(new), "--width", "160"])
    assert table.exit_code == 0, table.output
    assert "! 目標値の変更 1 · ! 評価の変更 1" in table.stdout
    row = next(line for line in table.stdout.splitlines() if "評価の変更" in line and "│" in line)
    assert "① 圏域の総生産額 (gross-regional-product)" in row
    assert "R4 評価 ← 目標値" in row
    assert row.split("│")[-3:-1] == ["      ○ ", "      △ "]
    out = tmp_path / "comment.md"
    markdown = runner.invoke(app, ["diff", str(old), str(new), "-f", "markdown", "-o", str(out)])
    assert markdown.exit_code == 0, markdown.output
    assert (
        "| ⚠️ | **評価の変更** | ① 圏域の総生産額 `gross-regional-product` | R4 評価 ← 目標値 | ○ | **△** |"
        in out.read_text(encoding="utf-8").splitlines()
    )


@pytest.mark.parametrize(
    ("fail_on", "code"), [("grade-change", 1), ("attention", 1), ("actual-change", 0), ("kpi-removed", 0)]
)
def test_fail_on_counts_grade_changes(
    runner: CliRunner, versions: tuple[Path, Path], fail_on: str, code: int
) -> None:
    old, new = versions
    edit(new, PLAN, GRP_TARGET, GRP_TARGET.replace("14300", "14500"))
    result = runner.invoke(app, ["diff", str(old), str(new), "-f", "json", "--fail-on", fail_on])
    assert result.exit_code == code, result.output
    if code and fail_on == "grade-change":
        assert "changes named by --fail-on are present: 1 grade-change" in result.stderr


def test_a_rewritten_actual_that_flips_its_grade(runner: CliRunner, versions: tuple[Path, Path]) -> None:
    old, new = versions
    edit(new, ACTUALS, GRP_R5, GRP_R5.replace("14673", "14200"))
    document = run_json(runner, str(old), str(new))
    assert document["counts"] == {"past-actual-change": 1, "grade-change": 1}
    assert grade_rows(document) == [
        ("kurume-renkei-vision-2", "gross-regional-product", "R5", "○", "△", ["value"])
    ]
    assert document["changes"][-1]["cause"] == [
        {"kind": "past-actual-change", "field": "value", "year": "R5"}
    ]


def test_a_change_that_flips_nothing(runner: CliRunner, versions: tuple[Path, Path]) -> None:
    old, new = versions
    edit(new, ACTUALS, GRP_R5, GRP_R5.replace("14673", "14700"))
    edit(new, PLAN, GRP_TARGET, GRP_TARGET.replace("14300", "14250"))
    document = run_json(runner, str(old), str(new))
    assert document["counts"] == {"target-change": 1, "past-actual-change": 1}
    result = runner.invoke(app, ["diff", str(old), str(new), "--fail-on", "grade-change"])
    assert result.exit_code == 0, result.output
    assert "評価の変更" not in result.stdout


def test_a_direction_change(runner: CliRunner, versions: tuple[Path, Path]) -> None:
    old, new = versions
    edit(new, PLAN, GRP_DIRECTION, GRP_DIRECTION.replace("increase", "decrease"))
    document = run_json(runner, str(old), str(new))
    grp = ("kurume-renkei-vision-2", "gross-regional-product")
    # R4 (14,276 ≤ 14,300) still meets the target either way; R5 and R6 overshoot it.
    assert grade_rows(document) == [
        (*grp, "R5", "○", "×", ["direction"]),
        (*grp, "R6", "○", "×", ["direction"]),
    ]


def test_evaluation_options_flip_every_kpi_they_touch(versions: tuple[Path, Path]) -> None:
    old, new = versions
    edit(
        new,
        PLAN,
        "\nsections:\n",
        "\nevaluation: {scheme: default, options: {nearly_achieved: 0.999}}\nsections:\n",
    )
    diff = diff_data(load_data([old]), load_data([new]))
    flipped = [(c.subject, c.year, c.old, c.new) for c in diff.changes if c.field == "grade"]
    assert ("gross-regional-product", "R4", "○", "△") in flipped  # 99.8% is no longer 概ね達成
    assert all(
        cause.field == "evaluation.options" for c in diff.changes if c.field == "grade" for cause in c.cause
    )


def test_kpi_added_or_removed_and_first_actuals_are_no_grade_change(versions: tuple[Path, Path]) -> None:
    old, new = versions
    edit(new, PLAN, "      - id: gross-regional-product\n", "      - id: gross-regional-product-2\n")
    text = (new / ACTUALS).read_text(encoding="utf-8")
    (new / ACTUALS).write_text(text.replace(GRP_R5, GRP_R5 + "\n    R7: {value: 1}"), encoding="utf-8")
    diff = diff_data(load_data([old]), load_data([new]))
    kinds = {c.kind.value for c in diff.changes}
    assert {"kpi-added", "kpi-removed"} <= kinds
    assert not [c for c in diff.changes if c.field == "grade"]


def test_an_ungradable_year_is_a_grade_change(versions: tuple[Path, Path]) -> None:
    old, new = versions
    # An actual in 人 for a KPI in 億円 cannot be converted: R4 can no longer be graded.
    grp_r4 = "R4: {value: 14276, period: R2年度}"
    edit(new, ACTUALS, grp_r4, grp_r4.replace("period", "unit: 人, period"))
    diff = diff_data(load_data([old]), load_data([new]))
    flipped = [(c.subject, c.year, c.old, c.new) for c in diff.changes if c.field == "grade"]
    assert flipped == [("gross-regional-product", "R4", "○", "—")]
    (change,) = (c for c in diff.changes if c.field == "grade")
    assert [(cause.field, cause.year) for cause in change.cause] == [("value", "R4"), ("unit", "R4")]


@pytest.mark.slow  # runs git
def test_grade_changes_between_git_revisions(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copytree(DATA, root / "data")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "plan data")
    edit(root / "data", PLAN, GRP_TARGET, GRP_TARGET.replace("14300", "14500"))
    git(root, "commit", "-q", "-am", "move a target")
    monkeypatch.chdir(root)
    document = run_json(runner, "--rev", "HEAD~1..HEAD")
    assert grade_rows(document) == [
        ("kurume-renkei-vision-2", "gross-regional-product", "R4", "○", "△", ["target.value"])
    ]
    result = runner.invoke(app, ["diff", "--rev", "HEAD~1..HEAD", "--fail-on", "grade-change"])
    assert result.exit_code == 1
    assert "R4 評価 ← 目標値" in result.stdout


def test_a_kpis_own_evaluation_block_is_a_change_with_the_grades_it_flips(
    runner: CliRunner, versions: tuple[Path, Path]
) -> None:
    """① at 99.8% of its target in R4: ○ by the plan's 99.5%, △ by its own "○ only at 100%"."""
    old, new = versions
    edit(new, PLAN, GRP_TARGET, GRP_TARGET + "        evaluation: {options: {nearly_achieved: 1}}\n")
    document = run_json(runner, str(old), str(new))
    (change,) = [c for c in document["changes"] if c["kind"] == "kpi-change"]
    assert (change["subject"], change["field"], change["old"]) == (
        "gross-regional-product",
        "evaluation",
        None,
    )
    assert json.loads(change["new"]) == {"options": {"nearly_achieved": "1"}}
    assert grade_rows(document) == [
        ("kurume-renkei-vision-2", "gross-regional-product", "R4", "○", "△", ["evaluation"])
    ]
