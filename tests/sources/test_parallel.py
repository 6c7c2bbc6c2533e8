"""Parsing many files in worker processes: the same values and problems, in the same order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kpitool.sources.parallel as parallel
from kpitool.cli.app import app
from kpitool.sources.tree import load_data
from kpitool.sources.yaml_fast import FALLBACK, fast_values
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN

pytestmark = pytest.mark.skipif(parallel.worker_count() < 2, reason="one processor: no workers")


@pytest.fixture
def workers_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers for any amount of data, and chunks of a file or two, so that many chunks are in flight."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 600)


def _files() -> list[bytes]:
    clean = [MINIMAL_PLAN.replace("id: demo", f"id: demo-{n}").encode() for n in range(30)]
    broken = [b"a: [\n", b"a: 1\na: 2\n", b"a: *x\n", b"- just a list\n", b"\xff\xfe"]
    return [file for pair in zip(clean, broken * 6, strict=True) for file in pair]


@pytest.mark.usefixtures("workers_always")
def test_workers_give_each_file_its_values_in_order() -> None:
    files = _files()
    found = list(parallel.fast_values_of_all(files))
    assert len(found) == len(files)
    for raw, values in zip(files, found, strict=True):
        expected = fast_values(raw)
        if expected is FALLBACK or not isinstance(expected, dict):
            assert values is None or values is FALLBACK or values == expected
        else:
            assert values == expected


def test_a_tree_loads_the_same_with_and_without_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans, actuals = tmp_path / "plans", tmp_path / "actuals"
    plans.mkdir()
    actuals.mkdir()
    for n in range(12):
        (plans / f"p{n:02}.yaml").write_text(
            MINIMAL_PLAN.replace("id: demo", f"id: p{n:02}"), encoding="utf-8"
        )
        (actuals / f"p{n:02}.yaml").write_text(
            MINIMAL_ACTUALS.replace("plan: demo", f"plan: p{n:02}"), "utf-8"
        )
    (plans / "p03.yaml").write_text(
        MINIMAL_PLAN.replace("direction: increase", "direction: up"), encoding="utf-8"
    )
    (plans / "p07.yaml").write_text(MINIMAL_PLAN + "id: again\n", encoding="utf-8")
    (plans / "z.yaml").write_text("a: [\n", encoding="utf-8")

    def summary() -> tuple[list[str], list[str], list[tuple[str, int | None, int | None, str]]]:
        loaded = load_data([tmp_path])
        problems = [(Path(p.file).name, p.line, p.column, p.message) for p in loaded.problems]
        return list(loaded.plans), list(loaded.actuals), problems

    without = summary()
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 600)
    assert summary() == without
    assert len(without[2]) == 3  # a schema error, a duplicate key, a syntax error: each at its line


def test_validate_through_workers_reports_as_without(
    data_dir: Callable[..., Path], runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN.replace("direction: increase", "direction: up")})
    without = runner.invoke(app, ["validate", str(root), "--no-cache"])
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    result = runner.invoke(app, ["validate", str(root), "--no-cache"])
    assert (result.exit_code, result.output) == (without.exit_code, without.output)
    assert "demo.yaml:15:9: sections[0].kpis[0].direction" in result.output
