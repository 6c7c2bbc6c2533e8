"""Shared fixtures of the scheme tests: the worked examples of docs/rating.md, run through the
real CLI on a small plan, and a plan whose ``evaluation:`` block is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.model.plan import EvaluationSettings
from kpitool.rating.engine import resolve_scheme

DOCS = Path(__file__).resolve().parents[3] / "docs" / "rating.md"


def resolve(block: Mapping[str, Any]) -> Any:
    return resolve_scheme(EvaluationSettings.model_validate(block))


PLAN_HEAD = """\
id: demo
title: テスト計画
kind: comprehensive_plan
municipality: テスト市
period: {start: R2, end: R7}
"""


def kpi_yaml(
    kpi_id: str,
    baseline: str,
    target: str,
    direction: str = "increase",
    extra: str = "",
    baseline_period: str = "R2年度",
) -> str:
    return (
        f"  - {{id: {kpi_id}, name: 指標{kpi_id}, unit: 人, direction: {direction},\n"
        f"     baseline: {{value: {baseline}, period: {baseline_period}}},\n"
        f"     target: {{value: {target}, period: R7年度}}{extra}}}\n"
    )


def run_scheme(
    runner: CliRunner,
    data_dir: Callable[..., Path],
    example: str,
    kpis: str,
    actuals: Mapping[str, Mapping[str, str]],
    year: str = "R6",
) -> dict[str, Any]:
    """Write a plan with the settings ``example`` and grade it; the JSON output and table text."""
    lines = ["plan: demo", "actuals:"]
    for kpi_id, years in actuals.items():
        lines.append(f"  {kpi_id}:")
        lines.extend(
            f"    {label}: {{value: {value}, period: {label}年度}}" for label, value in years.items()
        )
    root = data_dir(
        plans={"demo.yaml": PLAN_HEAD + example + "kpis:\n" + kpis},
        actuals={"demo.yaml": "\n".join(lines) + "\n"},
    )
    checked = runner.invoke(app, ["validate", str(root)])
    assert checked.exit_code == 0, checked.output
    result = runner.invoke(app, ["evaluate", "--data", str(root), "--year", year, "--format", "json"])
    assert result.exit_code == 0, result.output
    output: dict[str, Any] = json.loads(result.stdout)
    table = runner.invoke(app, ["evaluate", "--data", str(root), "--year", year, "--width", "300"])
    assert table.exit_code == 0, table.output
    output["table"] = table.stdout
    return output


def grades_of(output: Mapping[str, Any]) -> dict[str, str]:
    return {row["id"]: row["grade"] for row in output["kpis"]}


def example(name: str) -> str:
    """A worked settings example; test_registry checks docs/rating.md prints it verbatim."""
    return EXAMPLES[name]


EXAMPLES = {
    "progress_bands": """\
evaluation:
  scheme: progress_bands
  options:
    threshold: 0.8            # B from 進捗率 80%
  grades:
    - {key: on_track, symbol: A, label: 順調, criterion: 目標値を達成した}
    - {key: mostly_on_track, symbol: B, label: おおむね順調, criterion: 進捗率が80%以上}
    - {key: behind, symbol: C, label: 努力を要する, criterion: 進捗率が80%未満}
""",
    "expected_value": """\
evaluation:
  scheme: expected_value
  options: {b_plus: 0.8, b: 0.5}
  grades:
    - {key: a, symbol: A, label: 順調, criterion: 実績値が期待値以上}
    - {key: b_plus, symbol: B+, label: おおむね順調, criterion: 期待値の80%以上100%未満}
    - {key: b, symbol: B, label: やや遅れ, criterion: 期待値の50%以上80%未満}
    - {key: c, symbol: C, label: 遅れ, criterion: 期待値の50%未満}
""",
    "achievement_bands": """\
evaluation:
  scheme: achievement_bands
  options: {a: 1.1, b: 0.8, c: 0.5}
""",
    "baseline_tolerance": """\
evaluation:
  scheme: baseline_tolerance
  options: {tolerance: 0.10}  # same level: within ±10% of the baseline
""",
    "baseline_tolerance_points": """\
evaluation:
  scheme: baseline_tolerance
  options: {tolerance: 3, points: true}  # survey percentages: within ±3 points
  grades:
    - {key: b, label: 横ばい, criterion: 基準値から±3ポイント以内}
""",
    "trend_and_progress": """\
evaluation:
  scheme: trend_and_progress
  options: {tolerance: 0, on_track: 順調, needs_improvement: 要改善}
""",
    "target_comparison": """\
evaluation:
  scheme: target_comparison
  grades:
    - {key: below, criterion: 目標値を下回ったが、基準値からは前進した}
""",
    "bands": """\
evaluation:
  scheme: bands
  options: {measure: progress_to_expected}
  grades:
    - {key: on_track, symbol: A, label: 順調, reached: true}
    - {key: mostly, symbol: B, label: おおむね順調, at_least: 0.8}
    - {key: behind, symbol: C, label: 努力を要する}
""",
    "progress_abcd": """\
evaluation:
  scheme: progress_abcd
  grades:
    - {key: not_judged, label: 未公表}
""",
    "maintain_points": """\
evaluation:
  scheme: bands
  options: {measure: change, points: true}
  grades:
    - {key: a, symbol: a, label: 改善, above: 3}
    - {key: b, symbol: b, label: 現状維持, at_least: -3}
    - {key: c, symbol: c, label: 悪化}
""",
    "default_renamed": """\
evaluation:
  scheme: default
  options: {nearly_achieved: 0.99}
  grades:
    - {key: achieved, symbol: ◎, label: 達成, criterion: 目標を達成、または達成率99%以上}
    - {key: not_judged, symbol: "-", label: 実績なし, criterion: 実績値が未公表}
""",
}


BAD_EVALUATION = """\
id: demo
title: テスト計画
kind: comprehensive_plan
municipality: テスト市
evaluation:
  scheme: progress_bands
  options: {threshhold: 0.8}
kpis:
  - {id: k, name: 指標, unit: 人, direction: increase,
     baseline: {value: 1, period: R2年度}, target: {value: 2, period: R7年度}}
"""
