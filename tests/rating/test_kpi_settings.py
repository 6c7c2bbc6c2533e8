"""A KPI's own ``evaluation:`` block (指標独自の評価設定): graded by it, said so in its rule, and
refused at its line when it grades with other symbols than its plan (docs/rating.md).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.model.plan import EvaluationSettings
from kpitool.rating.engine import kpi_scheme, resolve_scheme
from kpitool.rating.schemes.base import RatingError
from tests.rating.schemes.conftest import PLAN_HEAD, grades_of, kpi_yaml, run_scheme

RENAMED = """\
evaluation:
  grades: [{key: achieved, symbol: A}, {key: approaching, symbol: B}, {key: needs_effort, symbol: C}]
"""
STRICT = ",\n     evaluation: {options: {nearly_achieved: 1}}"
EDGE = {"plain": {"R6": "199.2"}, "strict": {"R6": "199.2"}}  # 達成率 99.6%: ○ from 99.5%


def _kpis(own: str = STRICT) -> str:
    return kpi_yaml("plain", "100", "200") + kpi_yaml("strict", "100", "200", extra=own)


def test_the_own_block_grades_its_kpi_only(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """Two identical KPIs at 99.6%: A by the plan's 99.5%, B by the KPI's own "A only at 100%"."""
    out = run_scheme(runner, data_dir, RENAMED, _kpis(), EDGE)
    assert grades_of(out) == {"plain": "A", "strict": "B"}  # the plan's symbols, kept by the block
    plain, strict = out["kpis"]
    assert "own evaluation" not in plain["rule"]
    assert "own_evaluation" not in plain["details"]
    assert strict["rule"].endswith("; by this KPI's own evaluation: setting (default, nearly_achieved=1)")
    assert strict["details"]["own_evaluation"] == "default, nearly_achieved=1"
    assert out["summary"] == {"A": 1, "B": 1, "C": 0, "—": 0, "total": 2}
    assert "注: 2 指標strict — 指標独自の評価設定で評価 (default, nearly_achieved=1)" in out["table"]


def test_at_the_own_threshold_the_kpi_is_a_again(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    out = run_scheme(runner, data_dir, RENAMED, _kpis(), {"plain": {"R6": "200"}, "strict": {"R6": "200"}})
    assert grades_of(out) == {"plain": "A", "strict": "A"}


def test_the_block_keeps_the_plans_options_it_does_not_set() -> None:
    plan = EvaluationSettings.model_validate(
        {"scheme": "progress_bands", "options": {"threshold": Decimal("0.5")}}
    )
    own = EvaluationSettings.model_validate({"grades": [{"key": "on_track", "label": "順調(独自)"}]})
    scheme = kpi_scheme(plan, own, resolve_scheme(plan))
    assert (scheme.name, str(scheme.options["threshold"])) == ("progress_bands", "0.5")
    assert scheme.grade_specs[0].label == "順調(独自)"


@pytest.mark.parametrize(
    ("own", "where", "words"),
    [
        (
            ",\n     evaluation: {scheme: target_comparison}",
            "kpis[1].evaluation.scheme",
            "grades ◎ ○ △ × —, its plan's A B C —",
        ),
        (
            ",\n     evaluation: {grades: [{key: achieved, symbol: S}]}",
            "kpis[1].evaluation.grades",
            "grades S △ × —, its plan's A B C —",
        ),
        (
            ",\n     evaluation: {rollup: {method: counts}}",
            "kpis[1].evaluation.rollup",
            "rollup is the plan's",
        ),
        (
            ",\n     evaluation: {options: {nearly: 1}}",
            "kpis[1].evaluation.options.nearly",
            "has no option 'nearly'",
        ),
    ],
)
def test_an_unfit_block_is_refused_at_its_line(
    runner: CliRunner, data_dir: Callable[..., Path], own: str, where: str, words: str
) -> None:
    root = data_dir(plans={"demo.yaml": PLAN_HEAD + RENAMED + "kpis:\n" + _kpis(own)})
    checked = runner.invoke(app, ["validate", str(root)])
    assert checked.exit_code == 1
    (line,) = [line for line in checked.output.splitlines() if where in line]
    assert "demo.yaml:15:" in line
    assert words in line
    graded = runner.invoke(app, ["evaluate", "--data", str(root), "--year", "R6"])
    assert graded.exit_code == 1


def test_another_scheme_with_other_symbols_is_refused_at_its_name() -> None:
    plan = EvaluationSettings()
    with pytest.raises(RatingError) as caught:
        kpi_scheme(
            plan, EvaluationSettings.model_validate({"scheme": "progress_bands"}), resolve_scheme(plan)
        )
    assert caught.value.path == ("scheme",)


def test_the_workbook_notes_the_own_setting(
    runner: CliRunner, data_dir: Callable[..., Path], tmp_path: Path
) -> None:
    root = data_dir(
        plans={"demo.yaml": PLAN_HEAD + RENAMED + "kpis:\n" + _kpis()},
        actuals={"demo.yaml": "plan: demo\nactuals:\n  strict:\n    R6: {value: 199.2, period: R6年度}\n"},
    )
    out = tmp_path / "r.xlsx"
    result = runner.invoke(app, ["report", "demo", "--data", str(root), "--year", "R6", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    texts = [v for ws in load_workbook(out) for row in ws.iter_rows(values_only=True) for v in row if v]
    assert "注: 2 指標strict — 指標独自の評価設定で評価 (default, nearly_achieved=1)" in texts
