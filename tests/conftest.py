"""Shared test fixtures: small explicit plan/actuals YAML and a CLI runner with a fixed width."""

from __future__ import annotations

import functools
import gc
import os
import textwrap
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
import typer.testing
from hypothesis import settings
from typer.testing import CliRunner

from tests.tmp_removal import BackgroundRemover

# typer's CliRunner rebuilds the click command from the app's signatures on every
# invoke (~30 ms, a third of the suite's time); a process builds it once, so do the
# tests. The app is never changed after import, so the built command is the same.
typer.testing._get_command = functools.cache(typer.testing._get_command)  # type: ignore[attr-defined]

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """In the fast loop (``-m "not slow"``) the property tests try a fifth of their examples."""
    from tests import properties

    if "not slow" in (config.option.markexpr or ""):
        properties.SHARE = properties.FAST_LOOP_SHARE
        settings.register_profile("fast-loop", max_examples=properties.examples(100))
        settings.load_profile("fast-loop")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    """Collect with the cyclic garbage collector paused, as kpitool pauses it for a bulk load.

    Importing and assertion-rewriting the test modules allocates hundreds of thousands of
    long-lived objects (modules, functions, test items) and few cycles; each full collection
    scanned them all again, ten times in a run — about a second of every process that collects
    (each xdist worker). What was collected is then moved to the permanent generation
    (``gc.freeze``), like kpitool's own :func:`kpitool.support.memory.paused_gc`.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return (yield)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


DATA = REPO / "data"

MINIMAL_PLAN = """\
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
        name: 労働者数
        unit: 人
        direction: increase
        baseline: {value: 100, period: R1年度}
        target: {value: 200, period: R7年度}
projects:
  - id: proj-1
    title: 企業誘致事業
    listed_in: [goal-1]
"""

MINIMAL_ACTUALS = """\
plan: demo
actuals:
  workers:
    R5: {value: 150, period: R5年度}
"""


def dedent(text: str) -> str:
    """Strip the common indentation of a triple-quoted YAML snippet."""
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def data_dir(tmp_path: Path) -> Callable[..., Path]:
    """Make a data tree: ``data_dir(plans={"demo.yaml": text}, actuals={...})`` → its path."""

    def make(plans: dict[str, str] | None = None, actuals: dict[str, str] | None = None) -> Path:
        root = tmp_path / "data"
        for folder, files in (("plans", plans), ("actuals", actuals)):
            (root / folder).mkdir(parents=True, exist_ok=True)
            for name, text in (files or {}).items():
                (root / folder / name).write_text(dedent(text), encoding="utf-8")
        return root

    return make


@pytest.fixture
def runner() -> CliRunner:
    """A CliRunner; tables get a fixed width through ``--width`` or COLUMNS."""
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the validated-plan cache of every test out of the user's ~/.cache."""
    monkeypatch.setenv("KPITOOL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "kpitool-cache"))


@pytest.fixture(autouse=True)
def fast_fsync(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``os.fsync`` check its descriptor but not wait for the disk, except in durability tests.

    A durable write waits for the disk at each fsync (milliseconds each on a laptop's disk, some
    300 in the fast loop), and no test can see whether the bytes reached the platter. The tests
    that are about durability — marked ``durable``: tests/support/ (safe_write, its targets,
    signals mid-write) and the lock tests of tests/update/ — keep the real fsync; every other test
    still calls it where kpitool does, and a bad descriptor still fails (``os.fstat``).
    """
    if request.node.get_closest_marker("durable") is None:
        monkeypatch.setattr(os, "fsync", _checked_no_sync)


def _checked_no_sync(fd: int) -> None:
    os.fstat(fd)  # EBADF as the real fsync would raise it


_REMOVER = BackgroundRemover()
_CALL_PASSED = pytest.StashKey[bool]()


@pytest.fixture
def tmp_path(
    tmp_path: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """pytest's ``tmp_path``; when the test passes, its folder is deleted in the background.

    See :mod:`tests.tmp_removal`: the retention policy stays pytest's ("failed"), only the
    waiting for the disk moves off the test.
    """
    yield tmp_path
    if request.node.stash.get(_CALL_PASSED, False) and _removes_passed(request.config):
        _REMOVER.discard(tmp_path, tmp_path_factory.getbasetemp() / "removing")


def _removes_passed(config: pytest.Config) -> bool:
    return bool(config.getini("tmp_path_retention_policy") == "failed")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Note whether the test itself passed, for :func:`tmp_path`."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_PASSED] = report.passed
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Wait for the background deletions before pytest removes the base folder."""
    _REMOVER.finish()
