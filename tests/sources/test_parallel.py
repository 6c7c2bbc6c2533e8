"""Parsing many files in worker processes: the same values and problems, in the same order."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kpitool.sources.parallel as parallel
from kpitool.cli.app import app
from kpitool.sources.tree import load_data
from kpitool.sources.yaml_fast import FALLBACK, fast_values
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers are forked"
)


def workers_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers for any amount of data, however busy the machine, and chunks of a file or two."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 600)
    monkeypatch.setattr(parallel, "worker_count", lambda: 3)


def _files() -> list[bytes]:
    clean = [MINIMAL_PLAN.replace("id: demo", f"id: demo-{n}").encode() for n in range(30)]
    broken = [b"a: [\n", b"a: 1\na: 2\n", b"a: *x\n", b"- just a list\n", b"\xff\xfe"]
    return [file for pair in zip(clean, broken * 6, strict=True) for file in pair]


def _assert_values_of_each(files: list[bytes], found: list[object]) -> None:
    """Each file's fast-path values, in order (None or FALLBACK where the fast path gives up)."""
    assert len(found) == len(files)
    for raw, values in zip(files, found, strict=True):
        expected = fast_values(raw)
        if expected is FALLBACK or not isinstance(expected, dict):
            assert values is None or values is FALLBACK or values == expected
        else:
            assert values == expected


def test_workers_give_each_file_its_values_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    workers_always(monkeypatch)
    files = _files()
    found = list(parallel.fast_values_of_all(files))
    assert len(found) == len(files)
    _assert_values_of_each(files, found)


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
    workers_always(monkeypatch)
    assert summary() == without
    assert len(without[2]) == 3  # a schema error, a duplicate key, a syntax error: each at its line


def test_validate_through_workers_reports_as_without(
    data_dir: Callable[..., Path], runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN.replace("direction: increase", "direction: up")})
    without = runner.invoke(app, ["validate", str(root), "--no-cache"])
    workers_always(monkeypatch)
    result = runner.invoke(app, ["validate", str(root), "--no-cache"])
    assert (result.exit_code, result.output) == (without.exit_code, without.output)
    assert "demo.yaml:15:9: sections[0].kpis[0].direction" in result.output


def test_workers_only_when_processors_are_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: {0, 1})
    for busy, expected in ((0.0, 2), (1.0, 2), (1.6, 1), (4.0, 1)):
        monkeypatch.setattr(parallel.os, "getloadavg", lambda busy=busy: (busy, 0.0, 0.0))
        assert parallel.worker_count() == expected, busy


def test_small_data_is_parsed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("no worker for a small load")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)  # imported when workers start
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    assert list(parallel.fast_values_of_all([b"a: 1\n"])) == [{"a": 1}]


def _slow_parse_chunk(raws: list[bytes]) -> list[object]:
    """A worker slower than this process: a twentieth of a second a chunk."""
    time.sleep(0.05)
    return parallel_parse(raws)


parallel_parse = parallel._parse_chunk


def test_this_process_parses_the_chunks_a_slow_worker_has_not_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workers_always(monkeypatch)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)  # one worker
    monkeypatch.setattr(parallel, "_parse_chunk", _slow_parse_chunk)
    here: list[bytes] = []

    def counted(raw: bytes) -> object:
        here.append(raw)
        time.sleep(0.005)  # leaves the pool's threads time to hand the first chunks to the worker
        return fast_values(raw)

    monkeypatch.setattr(parallel, "fast_values", counted)  # counts in this process only (workers fork)
    files = _files()
    found = list(parallel.fast_values_of_all(files))
    assert 0 < len(here) < len(files)  # shared: some chunks here, some in the worker
    _assert_values_of_each(files, found)
