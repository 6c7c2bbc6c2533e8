"""kpitool diff: every kind of change, comparison by meaning, --fail-on, renderers (git: tests/sources)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.diff.changes import ChangeKind, DataDiff
from kpitool.diff.compare import diff_data
from kpitool.render.diff import MARKDOWN_MARKER, diff_markdown
from kpitool.sources.tree import load_data

PLAN = """\
id: demo
title: テスト計画
kind: revitalization_strategy
municipality: テスト市
period: {start: R2, end: R7}
sections:
  - id: goal-1
    level: 基本目標
    number: "1"
    title: 雇用を創出する
    kpis:
      - id: workers
        number: ①
        name: 労働者数
        unit: 人
        direction: increase
        baseline: {value: 100, period: R1年度}
        target: {value: 200, period: R7年度}
      - id: visitors
        number: ②
        name: 来訪者数
        unit: 人
        direction: increase
        baseline: {value: 13.60, period: H31年度}
        target: {value: 20, period: R7年度}
  - id: goal-2
    level: 基本目標
    number: "2"
    title: 子育てを支える
    kpis:
      - id: waiting-children
        number: ③
        name: 待機児童数
        unit: 人
        direction: decrease
        baseline: {value: 54, period: R1年度}
        target: {value: 0, period: R7年度}
projects:
  - id: proj-1
    title: 企業誘致事業
    listed_in: [goal-1]
"""

ACTUALS = """\
plan: demo
actuals:
  workers:
    R4: {value: 120, period: R4年度}
    R5: {value: 150, period: R5年度}
    R6: {value: 170, period: R6年度, official_grade: △}
  waiting-children:
    R6: {value: 10, period: R6年度}
"""

OTHER_PLAN = """\
id: other
title: 別の計画
kind: comprehensive_plan
municipality: テスト市
"""

Tree = dict[str, str]


def write_tree(root: Path, plans: Tree, actuals: Tree | None = None) -> Path:
    """A data tree with plans/ and actuals/ (files replaced, stale ones removed)."""
    for folder, files in (("plans", plans), ("actuals", actuals or {})):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for stale in (root / folder).glob("*.yaml"):
            if stale.name not in files:
                stale.unlink()
        for name, text in files.items():
            (root / folder / name).write_text(text, encoding="utf-8")
    return root


def diff_of(tmp_path: Path, new_plan: str, new_actuals: str = ACTUALS) -> DataDiff:
    old = write_tree(tmp_path / "old", {"demo.yaml": PLAN}, {"demo.yaml": ACTUALS})
    new = write_tree(tmp_path / "new", {"demo.yaml": new_plan}, {"demo.yaml": new_actuals})
    return diff_data(load_data([old]), load_data([new]))


def summary(diff: DataDiff) -> list[tuple[str, str, str, str | None, Any, Any]]:
    return [(c.kind.value, c.subject, c.field, c.year, c.old, c.new) for c in diff.changes]


def test_identical_data_has_no_changes(tmp_path: Path) -> None:
    assert diff_of(tmp_path, PLAN).changes == ()


def test_comparison_is_by_meaning_not_spelling(tmp_path: Path) -> None:
    plan = (
        PLAN.replace("value: 13.60, period: H31年度", "value: 13.6, period: R1年度")
        .replace("target: {value: 200, period: R7年度}", "target: {value: 200, period: 令和7年度}")
        .replace("        number: ①\n", "        number: (1)\n")  # cosmetic: not reported
    )
    actuals = ACTUALS.replace(
        "R5: {value: 150, period: R5年度}", "令和5年度: {value: 0.015, unit: 万人, period: R5年度}"
    )
    assert diff_of(tmp_path, plan, actuals).changes == ()


CASES: dict[str, tuple[str, str, list[tuple[str, str, str, str | None, Any, Any]]]] = {
    "target value and period": (
        PLAN.replace("target: {value: 200, period: R7年度}", "target: {value: 180, period: R8年度}"),
        ACTUALS,
        [
            ("target-change", "workers", "target.value", None, 200, 180),
            ("target-change", "workers", "target.period", None, "R7年度", "R8年度"),
        ],
    ),
    "target rewritten as a factor of the baseline": (
        PLAN.replace(
            "target: {value: 200, period: R7年度}", "target: {basis: baseline, factor: 2, period: R7年度}"
        ),
        ACTUALS,
        [
            ("target-change", "workers", "target.value", None, 200, None),
            ("target-change", "workers", "target.basis", None, None, "baseline"),
            ("target-change", "workers", "target.factor", None, None, 2),
        ],
    ),
    "baseline": (
        PLAN.replace("baseline: {value: 100, period: R1年度}", "baseline: {value: 90, period: R2年度}"),
        ACTUALS,
        [
            ("baseline-change", "workers", "baseline.value", None, 100, 90),
            ("baseline-change", "workers", "baseline.period", None, "R1年度", "R2年度"),
        ],
    ),
    "unit and direction": (
        PLAN.replace("unit: 人\n        direction: decrease", "unit: 人/年\n        direction: at_most"),
        ACTUALS,
        [
            ("unit-change", "waiting-children", "unit", None, "人", "人/年"),
            ("direction-change", "waiting-children", "direction", None, "decrease", "at_most"),
            # 10 人 against a target of at most 0: short of it, no longer progress towards it.
            ("grade-change", "waiting-children", "grade", "R6", "△", "×"),
        ],
    ),
    "renamed KPI and cumulative flag": (
        PLAN.replace("name: 来訪者数", "name: 来訪者数（延べ）\n        cumulative: true"),
        ACTUALS,
        [
            ("kpi-renamed", "visitors", "name", None, "来訪者数", "来訪者数（延べ）"),
            ("kpi-change", "visitors", "cumulative", None, False, True),
        ],
    ),
    "KPI removed and another added": (
        PLAN.replace("      - id: visitors\n", "      - id: guests\n"),
        ACTUALS,
        [
            ("kpi-added", "guests", "target", None, None, "20 (R7年度)"),
            ("kpi-removed", "visitors", "target", None, "20 (R7年度)", None),
        ],
    ),
    "sections and projects": (
        PLAN.replace("title: 子育てを支える", "title: 子育てを応援する")
        .replace("projects:\n", "  - id: goal-3\n    level: 基本目標\n    title: 交流を増やす\nprojects:\n")
        .replace("  - id: proj-1\n    title: 企業誘致事業", "  - id: proj-2\n    title: 創業支援事業"),
        ACTUALS,
        [
            ("section-renamed", "goal-2", "title", None, "子育てを支える", "子育てを応援する"),
            ("section-added", "goal-3", "level", None, None, "基本目標"),
            ("project-added", "proj-2", "", None, None, None),
            ("project-removed", "proj-1", "", None, None, None),
        ],
    ),
    "project renamed": (
        PLAN.replace("title: 企業誘致事業", "title: 企業立地促進事業"),
        ACTUALS,
        [("project-renamed", "proj-1", "title", None, "企業誘致事業", "企業立地促進事業")],
    ),
    "section removed with its KPI": (
        PLAN[: PLAN.index("  - id: goal-2")] + PLAN[PLAN.index("projects:") :],
        ACTUALS,
        [
            ("section-removed", "goal-2", "level", None, "基本目標", None),
            ("kpi-removed", "waiting-children", "target", None, "0 (R7年度)", None),
        ],
    ),
    "plan period and title": (
        PLAN.replace("period: {start: R2, end: R7}", "period: {start: R2, end: R8}").replace(
            "title: テスト計画", "title: テスト計画（改訂版）"
        ),
        ACTUALS,
        [
            ("plan-change", "", "title", None, "テスト計画", "テスト計画（改訂版）"),
            ("period-change", "", "period", None, "R2–R7", "R2–R8"),
        ],
    ),
    "evaluation scheme": (
        PLAN + "evaluation: {scheme: default, grades: [{key: achieved, symbol: A}]}\n",
        ACTUALS,
        [("evaluation-change", "", "evaluation.grades", None, None, '[{"key": "achieved", "symbol": "A"}]')],
    ),
    "actual added in the latest year, and a value filled in": (
        PLAN,
        ACTUALS.replace("  waiting-children:\n", "  visitors:\n    R6: {value: 19}\n  waiting-children:\n"),
        [("actual-added", "visitors", "value", "R6", None, 19)],
    ),
    "latest actual corrected: a change, not a red flag": (
        PLAN,
        ACTUALS.replace(
            "R6: {value: 170, period: R6年度, official_grade: △}",
            "R6: {value: 175, period: R6年度, official_grade: △}",
        ),
        [("actual-change", "workers", "value", "R6", 170, 175)],
    ),
    "past actual rewritten and removed": (
        PLAN,
        ACTUALS.replace("R4: {value: 120, period: R4年度}", "R4: {value: 125, period: R3年度}").replace(
            "    R5: {value: 150, period: R5年度}\n", ""
        ),
        [
            ("past-actual-change", "workers", "value", "R4", 120, 125),
            ("past-actual-change", "workers", "period", "R4", "R4年度", "R3年度"),
            ("past-actual-change", "workers", "value", "R5", 150, None),
            ("grade-change", "workers", "grade", "R5", "△", "—"),
        ],
    ),
    "latest actual removed": (
        PLAN,
        ACTUALS.replace("  waiting-children:\n    R6: {value: 10, period: R6年度}\n", ""),
        [
            ("actual-removed", "waiting-children", "value", "R6", 10, None),
            ("grade-change", "waiting-children", "grade", "R6", "△", "—"),
        ],
    ),
    "target made a final-year target (最終年度に)": (
        PLAN.replace(
            "target: {value: 20, period: R7年度}", "target: {value: 20, period: R7年度, over: final_year}"
        ),
        ACTUALS,
        [("target-change", "visitors", "target.over", None, None, "final_year")],
    ),
    "official grades added and changed": (
        PLAN,
        ACTUALS.replace("official_grade: △", "official_grade: ○").replace(
            "R6: {value: 10, period: R6年度}", "R6: {value: 10, period: R6年度, official_grade: △}"
        ),
        [
            ("grade-change", "workers", "official_grade", "R6", "△", "○"),
            ("grade-added", "waiting-children", "official_grade", "R6", None, "△"),
        ],
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_kind_of_change(
    tmp_path: Path, case: tuple[str, str, list[tuple[str, str, str, str | None, Any, Any]]]
) -> None:
    new_plan, new_actuals, expected = case
    diff = diff_of(tmp_path, new_plan, new_actuals)
    assert summary(diff) == expected
    assert all(change.plan == "demo" for change in diff.changes)


def test_red_flags_are_the_governance_kinds(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, *CASES["past actual rewritten and removed"][:2])
    assert diff.changes
    assert all(change.attention for change in diff.changes)
    benign = diff_of(tmp_path, *CASES["actual added in the latest year, and a value filled in"][:2])
    assert not any(change.attention for change in benign.changes)


def test_plans_added_and_removed(tmp_path: Path) -> None:
    old = write_tree(tmp_path / "old", {"demo.yaml": PLAN}, {"demo.yaml": ACTUALS})
    new = write_tree(tmp_path / "new", {"other.yaml": OTHER_PLAN})
    diff = diff_data(load_data([old]), load_data([new]))
    assert summary(diff) == [
        ("plan-added", "", "kpis", None, None, 0),
        ("plan-removed", "", "kpis", None, 3, None),
    ]
    assert diff.plan_titles == {"other": "別の計画", "demo": "テスト計画"}


# --------------------------------------------------------------------------- #
# The command on directories

MakeTrees = Callable[..., tuple[Path, Path]]


@pytest.fixture
def trees(tmp_path: Path) -> MakeTrees:
    def make(new_plan: str = PLAN, new_actuals: str = ACTUALS) -> tuple[Path, Path]:
        old = write_tree(tmp_path / "old", {"demo.yaml": PLAN}, {"demo.yaml": ACTUALS})
        new = write_tree(tmp_path / "new", {"demo.yaml": new_plan}, {"demo.yaml": new_actuals})
        return old, new

    return make


TARGET_MOVED = PLAN.replace("target: {value: 200, period: R7年度}", "target: {value: 180, period: R7年度}")


def test_table_output(
    runner: CliRunner, trees: MakeTrees, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trees(TARGET_MOVED)
    # Relative folders: the header line must not wrap however long the temporary path is.
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diff", "old", "new", "--width", "160"])
    assert result.exit_code == 0, result.output
    assert "計画データの変更: old → new (1 件, 要確認 1 件)" in result.stdout
    assert "テスト計画 (demo)" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "│" in line and "目標値の変更" in line)
    assert "① 労働者数 (workers)" in row
    assert "200" in row
    assert "180" in row


def test_no_changes_says_so(runner: CliRunner, trees: MakeTrees) -> None:
    old, new = trees()
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"変更なし: {old} → {new}"


def test_json_output(runner: CliRunner, trees: MakeTrees) -> None:
    old, new = trees(TARGET_MOVED)
    result = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["counts"] == {"target-change": 1}
    assert document["attention"] == 1
    assert document["plans"] == {"demo": "テスト計画"}
    (change,) = document["changes"]
    assert change == {
        "kind": "target-change",
        "attention": True,
        "plan": "demo",
        "subject": "workers",
        "number": "①",
        "name": "労働者数",
        "field": "target.value",
        "year": None,
        "old": 200,
        "new": 180,
    }


def test_markdown_output_for_a_pull_request(runner: CliRunner, trees: MakeTrees, tmp_path: Path) -> None:
    plan = TARGET_MOVED.replace("name: 来訪者数", "name: 来訪者数|<b>延べ</b>")
    actuals = ACTUALS.replace("R6: {value: 10, period: R6年度}", "R6: {value: 12, period: R6年度}")
    old, new = trees(plan, actuals)
    out = tmp_path / "comment.md"
    result = runner.invoke(app, ["diff", str(old), str(new), "-f", "markdown", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == MARKDOWN_MARKER
    assert "**3 件の変更**、うち ⚠️ **要確認 1 件**" in text
    assert "#### テスト計画 `demo`" in lines
    assert "| ⚠️ | **目標値の変更** | ① 労働者数 `workers` | 目標値 | 200 | **180** |" in lines
    assert "|  | 実績値の変更 | ③ 待機児童数 `waiting-children` | R6 実績値 | 10 | 12 |" in lines
    renamed = next(line for line in lines if line.startswith("|") and "指標名の変更" in line)
    # A name cannot break the table or inject HTML.
    assert "来訪者数\\|&lt;b&gt;延べ&lt;/b&gt;" in renamed
    assert renamed.count(" | ") == 5


def test_markdown_tells_an_absent_grade_from_the_grade_dash(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, *CASES["official grades added and changed"][:2])
    lines = diff_markdown(diff).splitlines()
    assert "|  | 公表評価の追加 | ③ 待機児童数 `waiting-children` | R6 公表評価 | (なし) | △ |" in lines
    assert "| ⚠️ | **公表評価の変更** | ① 労働者数 `workers` | R6 公表評価 | △ | **○** |" in lines


def test_markdown_is_cut_to_fit_a_comment_keeping_red_flags(tmp_path: Path) -> None:
    many = "".join(f"    R{year}: {{value: {year}}}\n" for year in range(1, 8))
    # R7 becomes the latest year, so the R6 correction below is a past actual: a red flag, listed last.
    actuals = ACTUALS.replace("R6: {value: 10,", "R6: {value: 11,") + "  visitors:\n" + many
    diff = diff_of(tmp_path, PLAN, actuals)
    assert diff.changes[-1].kind is ChangeKind.PAST_ACTUAL_CHANGE
    full = diff_markdown(diff)
    limit = len(full) - 50
    cut = diff_markdown(diff, limit=limit)
    assert len(cut) <= limit
    flag_row = next(line for line in full.splitlines() if line.startswith("| ⚠️"))
    assert flag_row in cut.splitlines()
    assert cut.count("| 実績値の追加 |") < full.count("| 実績値の追加 |")
    assert "件の変更は長さの制限のため省略しました(要確認の変更はすべて表示)" in cut
    assert "省略" not in full


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [
        (["target-change"], 1),
        (["baseline-change"], 0),
        (["baseline-change,target-change"], 1),
        (["kpi-removed", "target-change"], 1),
        (["any"], 1),
        (["attention"], 1),
        ([], 0),
    ],
)
def test_fail_on(runner: CliRunner, trees: MakeTrees, fail_on: list[str], code: int) -> None:
    old, new = trees(TARGET_MOVED)
    args = [arg for kind in fail_on for arg in ("--fail-on", kind)]
    result = runner.invoke(app, ["diff", str(old), str(new), "-f", "json", *args])
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)["counts"] == {"target-change": 1}  # the report is printed anyway
    if code:
        assert "changes named by --fail-on are present: 1 target-change" in result.stderr


def test_fail_on_attention_ignores_benign_changes(runner: CliRunner, trees: MakeTrees) -> None:
    old, new = trees(
        PLAN, ACTUALS.replace("R6: {value: 10, period: R6年度}", "R6: {value: 12, period: R6年度}")
    )
    assert runner.invoke(app, ["diff", str(old), str(new), "--fail-on", "attention"]).exit_code == 0
    assert runner.invoke(app, ["diff", str(old), str(new), "--fail-on", "any"]).exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "target-moved"], "unknown kind 'target-moved'"),
        (["OLD"], "give two data directories"),
        ([], "give two data directories"),
        (["OLD", "NEW", "--rev", "HEAD~1..HEAD"], "not both"),
        (["OLD", "missing"], "NEW: no such file or directory"),
        (["OLD", "NEW", "-o", "x.txt"], "--output goes with --format json or markdown"),
    ],
)
def test_usage_errors(runner: CliRunner, trees: MakeTrees, args: list[str], message: str) -> None:
    old, new = trees()
    args = [str(old) if a == "OLD" else str(new) if a == "NEW" else a for a in args]
    result = runner.invoke(app, ["diff", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_side_is_bad_data(runner: CliRunner, trees: MakeTrees) -> None:
    old, new = trees("id: demo\nid: again\n")
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 1
    assert f"{new}/plans/demo.yaml:2:1: id: duplicate key 'id'" in result.stderr
    assert "error(s) in the NEW data" in result.stderr


def test_every_change_kind_has_a_label_and_a_case() -> None:
    from kpitool.render.diff import KIND_LABELS

    assert set(KIND_LABELS) == set(ChangeKind)
    covered = {row[0] for _, _, rows in CASES.values() for row in rows}
    covered |= {"plan-added", "plan-removed"}  # test_plans_added_and_removed
    assert covered == {kind.value for kind in ChangeKind}
