"""kpitool.update.lock: two imports never interleave their read-modify-write."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from kpitool.model.actuals import Submission
from kpitool.support.safe_write import WriteError
from kpitool.update.apply import apply_update
from kpitool.update.lock import LockError, actuals_lock
from kpitool.values.fiscal_year import FiscalYear
from tests.update.conftest import HOLDER, assert_lock_free, demo_plan, read_actuals

pytestmark = pytest.mark.durable  # the real os.fsync (tests/conftest.py: fast_fsync)


def test_lock_held_by_another_import_times_out(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    before = path.read_bytes()
    with (
        actuals_lock(path),
        pytest.raises(LockError, match=r"another kpitool import is running \(lock .*demo\.yaml\.lock\)"),
    ):
        apply_update(path, plan, FiscalYear(2025), [Submission("output", Decimal("1"))], lock_timeout=0.01)
    assert path.read_bytes() == before
    assert_lock_free(path)


@pytest.mark.parametrize("holder", ["dead", "alive"])
def test_a_leftover_lock_file_is_reused(tmp_path: Path, holder: str) -> None:
    """A lock file left by a killed import (of the old kind, naming its process) is no lock at all."""
    plan, path = demo_plan(tmp_path)
    pid = str(os.getpid())
    if holder == "dead":  # a process that has ended
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
        )
        pid = dead.stdout.strip()
    lock = path.with_name("demo.yaml.lock")
    lock.write_text(f"{pid} {socket.gethostname()}\n")
    apply_update(path, plan, FiscalYear(2025), [Submission("output", Decimal("1"))], lock_timeout=0.2)
    assert "R7: {value: 1}" in path.read_text(encoding="utf-8")
    assert lock.read_text() == f"{pid} {socket.gethostname()}\n"  # kept, untouched


@pytest.mark.slow  # starts real processes
def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    with pytest.raises(LockError):
        apply_update(path, plan, FiscalYear(2025), [Submission("output", Decimal("1"))], lock_timeout=0.1)
    holder.send_signal(signal.SIGKILL)
    holder.communicate()
    apply_update(path, plan, FiscalYear(2025), [Submission("output", Decimal("1"))], lock_timeout=5)
    assert "R7: {value: 1}" in path.read_text(encoding="utf-8")
    assert path.with_name("demo.yaml.lock").exists()


def test_lock_is_free_after_each_import(tmp_path: Path) -> None:
    _, path = demo_plan(tmp_path)
    with actuals_lock(path):
        pass
    assert_lock_free(path)
    with pytest.raises(RuntimeError), actuals_lock(path):
        raise RuntimeError
    assert_lock_free(path)


@pytest.mark.slow  # starts real processes
def test_two_imports_do_not_interleave(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    errors: list[BaseException] = []

    def run(kpi: str, value: int) -> None:
        try:
            apply_update(path, plan, FiscalYear(2025), [Submission(kpi, Decimal(value))], lock_timeout=5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with actuals_lock(path):
        threads = [threading.Thread(target=run, args=(k, v)) for k, v in (("output", 1), ("visitors", 2))]
        for thread in threads:
            thread.start()
        time.sleep(0.2)  # both wait on the lock
        assert "R7" not in path.read_text(encoding="utf-8")
    for thread in threads:
        thread.join()
    assert errors == []
    actuals = read_actuals(path.read_text(encoding="utf-8")).actuals
    assert (actuals["output"]["R7"].value, actuals["visitors"]["R7"].value) == (1, 2)


def test_missing_directory_is_a_write_error(tmp_path: Path) -> None:
    plan, _ = demo_plan(tmp_path)
    path = tmp_path / "nowhere" / "demo.yaml"
    with pytest.raises(WriteError, match=r"nowhere/demo\.yaml\.lock: cannot create the lock file"):
        apply_update(path, plan, FiscalYear(2025), [Submission("output", Decimal("1"))])
    assert not (tmp_path / "nowhere").exists()
