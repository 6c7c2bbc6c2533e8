"""The evaluation cache: a warm run grades from it, gives the same rows, and never serves a stale one."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpitool.checks import check_data
from kpitool.cli.app import app
from kpitool.rating.cached import evaluate_documents
from kpitool.render.machine import evaluations_json
from kpitool.sources.documents import CachedModel
from kpitool.sources.tree import load_data
from kpitool.support.cache import Cache
from kpitool.values.fiscal_year import FiscalYear
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN

MakeData = Callable[..., Path]


R5 = FiscalYear(2023)


def _evaluate(root: Path, cache: Cache | None, year: FiscalYear = R5) -> str:
    loaded = load_data([root], cache=cache)
    loaded.problems = check_data(loaded, cache)
    return evaluations_json(evaluate_documents(loaded, list(loaded.plans.values()), year, cache))


def test_a_warm_evaluation_comes_from_the_cache_and_equals_a_cold_one(
    data_dir: MakeData, tmp_path: Path
) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    bypassed = _evaluate(root, None)
    cold_cache = Cache(tmp_path / "cache")
    cold = _evaluate(root, cold_cache)
    assert cold_cache.stats.writes == 5  # two files, two check results, one evaluation
    warm_cache = Cache(tmp_path / "cache")
    warm = _evaluate(root, warm_cache)
    assert (warm_cache.stats.hits, warm_cache.stats.writes) == (5, 0)
    assert warm == cold == bypassed
    row = json.loads(warm)["kpis"][0]
    assert (row["actual"], row["grade"]) == (150, "△")


def test_a_warm_evaluate_never_unpickles_the_plans_or_their_actuals(
    runner: CliRunner, data_dir: MakeData, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A cache of its own: another test may have graded the same plan for R6 in the shared one.
    monkeypatch.setenv("KPITOOL_CACHE_DIR", str(tmp_path / "cache"))
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    argv = ["evaluate", "--year", "R5", "--format", "json", "--data", str(root)]
    cold = runner.invoke(app, argv)
    assert cold.exit_code == 0, cold.output
    unpickled: list[str] = []
    original = CachedModel.model

    def counting(self: CachedModel) -> object:
        unpickled.append(self.plan_id)
        return original(self)

    monkeypatch.setattr(CachedModel, "model", counting)
    warm = runner.invoke(app, argv)
    assert warm.stdout == cold.stdout
    assert unpickled == []
    # A year not graded before needs the models: they are unpickled, once each.
    other = runner.invoke(app, [*argv[:2], "R6", *argv[3:]])
    assert other.exit_code == 0, other.output
    assert sorted(unpickled) == ["demo", "demo"]


@pytest.mark.parametrize(
    ("folder", "old", "new"),
    [
        ("actuals", "R5: {value: 150, period: R5年度}", "R5: {value: 210, period: R5年度}"),
        ("plans", "target: {value: 200, period: R7年度}", "target: {value: 140, period: R7年度}"),
    ],
    ids=["actual-changed", "target-changed"],
)
def test_a_changed_file_is_graded_again(
    runner: CliRunner, data_dir: MakeData, folder: str, old: str, new: str
) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    argv = ["evaluate", "--year", "R5", "--format", "json", "--data", str(root)]
    before = runner.invoke(app, argv)
    assert json.loads(before.stdout)["kpis"][0]["grade"] == "△"
    path = root / folder / "demo.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    after = runner.invoke(app, argv)
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["kpis"][0]["grade"] == "○"
    # And back: the first evaluation is still valid for the first contents.
    path.write_text(path.read_text(encoding="utf-8").replace(new, old), encoding="utf-8")
    assert runner.invoke(app, argv).stdout == before.stdout


def test_the_report_takes_its_evaluations_from_the_same_cache(
    runner: CliRunner, data_dir: MakeData, tmp_path: Path
) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    summary = runner.invoke(app, ["summary", "--years", "R5,R6", "--format", "json", "--data", str(root)])
    assert summary.exit_code == 0, summary.output
    cache_dir = Path(os.environ["KPITOOL_CACHE_DIR"])
    before = len(list(cache_dir.rglob("*.pickle")))
    out = tmp_path / "report.xlsx"
    report = runner.invoke(app, ["report", "--years", "R5,R6", "--xlsx", str(out), "--data", str(root)])
    assert report.exit_code == 0, report.output
    assert len(list(cache_dir.rglob("*.pickle"))) == before  # nothing graded again


def test_a_plan_whose_actuals_file_is_broken_is_not_graded_as_if_it_had_none(
    runner: CliRunner, data_dir: MakeData
) -> None:
    broken = MINIMAL_ACTUALS.replace("value: 150", "value: 150円円")
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": broken})
    result = runner.invoke(app, ["evaluate", "--year", "R5", "--format", "json", "--data", str(root)])
    assert result.exit_code == 1
    assert f"{root}/actuals/demo.yaml:4:" in result.output
    assert "1 error(s) in the data; fix them (kpitool validate)" in result.output
    assert '"kpis"' not in result.stdout  # nothing graded
