"""Tests for kpitool.rating.compare: every KPI of the bundled 2nd vision (data/plans/
kurume-renkei-vision-2.yaml) under each preset, the verdicts, and through evaluate --compare-schemes.
"""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.rating.compare import COMPARED, VERDICTS, Verdict, compare_schemes, verdict_of
from kpitool.rating.engine import resolve_scheme
from kpitool.sources.tree import load_data
from kpitool.values.fiscal_year import FiscalYear
from tests.conftest import DATA

PLAN = "kurume-renkei-vision-2"


@pytest.fixture(scope="module")
def comparison():  # type: ignore[no-untyped-def]
    loaded = load_data([DATA])
    plan = loaded.plans[PLAN].plan
    return compare_schemes(plan, loaded.actuals_for(PLAN), FiscalYear.parse("R6"))


def test_every_kpi_is_graded_under_every_preset(comparison) -> None:  # type: ignore[no-untyped-def]
    assert comparison.presets == tuple(COMPARED)
    assert len(comparison.kpis) == 12
    assert all(set(kpi.grades) == set(COMPARED) for kpi in comparison.kpis)
    assert "trend_and_progress" not in COMPARED  # a trend from the previous year: another question


def test_the_verdict_of_city_plaza_depends_on_the_scheme(comparison) -> None:  # type: ignore[no-untyped-def]
    """③ 557,584人: above the baseline 552,646人 (△ by the default rule, 進捗率 8.2%) but far below
    80% progress (C under progress_bands): the document's own × shows the argument."""
    (plaza,) = [kpi for kpi in comparison.kpis if kpi.row.kpi.id == "city-plaza-visitors"]
    assert plaza.grades["default"] == ("△", Verdict.APPROACHING)
    assert plaza.grades["progress_bands"] == ("C", Verdict.BEHIND)
    assert plaza.depends_on_scheme
    assert plaza in comparison.depending


def test_kpis_every_preset_agrees_on_are_not_listed(comparison) -> None:  # type: ignore[no-untyped-def]
    for kpi in comparison.kpis:
        verdicts = {verdict for _, verdict in kpi.grades.values()} - {Verdict.NOT_JUDGED}
        assert kpi.depends_on_scheme == (len(verdicts) > 1)
    by_id = {kpi.row.kpi.id: kpi for kpi in comparison.kpis}
    # ⑫ 18人/年 in R6 against a baseline of 78.25人/年: behind under every scheme.
    assert not by_id["staff-training-participants"].depends_on_scheme
    # ① 15,048億円 beyond its target: achieved everywhere (achievement_bands' B at 105% included).
    assert by_id["gross-regional-product"].grades["achievement_bands"] == ("B", Verdict.ACHIEVED)
    assert not by_id["gross-regional-product"].depends_on_scheme


def test_verdicts_follow_the_grade_order() -> None:
    for name, keys in VERDICTS.items():
        scheme = resolve_scheme(COMPARED[name])
        assert set(keys) == {g.key for g in scheme.grade_specs[:-1]}
        assert verdict_of(name, scheme, "not_judged") is Verdict.NOT_JUDGED
    bands = resolve_scheme(COMPARED["progress_abcd"])
    assert [verdict_of("progress_abcd", bands, key) for key in "abcd"] == [
        Verdict.ACHIEVED,
        Verdict.APPROACHING,
        Verdict.APPROACHING,
        Verdict.BEHIND,
    ]


def test_evaluate_compare_schemes(runner: CliRunner) -> None:
    args = ["evaluate", PLAN, "--year", "R6", "--compare-schemes"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "city-plaza-visitors" in data["depends_on_scheme"]
    assert "staff-training-participants" not in data["depends_on_scheme"]
    assert data["depends_on_scheme"] == [kpi["id"] for kpi in data["kpis"] if kpi["depends_on_scheme"]]
    table = runner.invoke(app, [*args, "--width", "80"])
    assert table.exit_code == 0, table.output
    assert "③ 久留米シティプラザ入館者数" in table.stdout
    assert "⑫" not in table.stdout
    assert f"評価方式により判定が変わる指標: {len(data['depends_on_scheme'])} / 12" in table.stdout
    assert all(cell_len(line) <= 80 for line in table.stdout.splitlines())
    csv = runner.invoke(app, [*args, "--format", "csv"])
    assert csv.exit_code == 0
    assert len(csv.stdout.strip().splitlines()) == 1 + 12 * len(COMPARED)
    both = runner.invoke(app, [*args, "--outlook", "linear"])
    assert both.exit_code == 2
    assert "give either --compare-schemes or --outlook" in both.stderr
