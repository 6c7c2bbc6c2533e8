"""The narrative (評価文) of an actuals file: validated with file:line:col, kept verbatim."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.model.actuals import NARRATIVE_LABELS, paragraphs
from kpitool.sources.tree import load_data
from tests.conftest import DATA, MINIMAL_PLAN

MakeData = Callable[..., Path]

NARRATIVE = """\
plan: demo
narrative:
  R5:
    source: テスト市 評価報告書
    summary:
      kpi_status: 総括の文。
    sections:
{sections}
"""


def validate(runner: CliRunner, root: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", "--data", str(root)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("sections", "line", "column", "expected"),
    [
        (
            "      goal-9:\n        issues: 課題",
            8,
            7,
            "narrative.R5.sections.goal-9: no section with id 'goal-9' in plan 'demo' (sections: goal-1)",
        ),
        (
            '      goal-1:\n        results: ""',
            9,
            9,
            "narrative.R5.sections.goal-1.results: must not be empty",
        ),
        (
            "      goal-1:\n        issues: '   '",
            9,
            9,
            "narrative.R5.sections.goal-1.issues: must not be empty",
        ),
        (
            "      goal-1:\n        result: 実績",
            9,
            9,
            "narrative.R5.sections.goal-1.result: unknown field",
        ),
    ],
)
def test_a_bad_narrative_is_named_by_file_line_and_column(
    runner: CliRunner, data_dir: MakeData, sections: str, line: int, column: int, expected: str
) -> None:
    root = data_dir(
        plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": NARRATIVE.format(sections=sections)}
    )
    code, output = validate(runner, root)
    assert code == 1
    assert f"actuals/demo.yaml:{line}:{column}: {expected}" in output


def test_a_good_narrative_validates(runner: CliRunner, data_dir: MakeData) -> None:
    text = NARRATIVE.format(sections="      goal-1:\n        kpi_status: 達成状況。\n        results: 実績。")
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": text})
    code, output = validate(runner, root)
    assert code == 0, output


def test_paragraphs_are_the_non_blank_lines() -> None:
    assert paragraphs("一つ目。\n\n  二つ目。 \n") == ["一つ目。", "二つ目。"]


def test_the_vision_holds_the_seeds_texts_for_r6() -> None:
    narrative = load_data([DATA]).actuals["kurume-renkei-vision-2"].actuals.narrative["R6"]
    assert set(narrative.sections) == {"field-1", "field-2", "field-3"}
    for texts in narrative.sections.values():
        assert [heading for heading, _ in texts.texts()] == [
            NARRATIVE_LABELS["kpi_status"],
            NARRATIVE_LABELS["results"],
            NARRATIVE_LABELS["issues"],
        ]
    assert narrative.summary is not None
    assert narrative.summary.kpi_status is not None
    assert paragraphs(narrative.summary.kpi_status)[0].startswith(
        "各KPIの達成状況を見ると、令和6年度においては"
    )
    assert narrative.summary.overall is not None
    assert len(paragraphs(narrative.summary.overall)) == 6


def test_evaluate_names_the_narrative_and_json_holds_it(runner: CliRunner) -> None:
    table = runner.invoke(app, ["evaluate", "kurume-renkei-vision-2", "--year", "R6", "--data", str(DATA)])
    assert "評価文あり: R6 の 総括、施策分野1、施策分野2、施策分野3" in table.output
    other = runner.invoke(app, ["evaluate", "kurume-renkei-vision-2", "--year", "R5", "--data", str(DATA)])
    assert "評価文" not in other.output
    raw = runner.invoke(
        app, ["evaluate", "kurume-renkei-vision-2", "--year", "R6", "--format", "json", "--data", str(DATA)]
    )
    shown = json.loads(raw.stdout)["narrative"]
    recorded = load_data([DATA]).actuals["kurume-renkei-vision-2"].actuals.narrative["R6"]
    assert shown["sections"]["field-2"]["issues"] == recorded.sections["field-2"].issues
    assert shown["summary"]["overall"] == recorded.summary.overall  # type: ignore[union-attr]
