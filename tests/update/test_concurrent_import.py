"""Concurrent ``kpitool import`` processes on one actuals file: no value is lost.

Real CLI processes on a private copy of one bundled plan and its actuals (only that plan, so each
process starts faster): 16 imports, each of another KPI of the same plan and year, started
together with a leftover lock file present, and with the lock's holder killed (SIGKILL) while
they wait. Every import either lands its value (exit 0, "wrote") or fails with exit 1 and says
why; afterwards the actuals file validates.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.checks import check_data
from kpitool.cli.app import app
from kpitool.sources.tree import load_data
from kpitool.update import lock as lock_module
from kpitool.update.lock import actuals_lock
from tests.conftest import DATA
from tests.update.conftest import HOLDER

pytestmark = pytest.mark.durable  # the real os.fsync (tests/conftest.py: fast_fsync)

PLAN = "kurume-sogo-senryaku-2"
YEAR = "R7"
IMPORTS = 16
HEADER_ROW = 13


def _forms(tmp_path: Path, data: Path, count: int) -> list[tuple[str, Path]]:
    """One filled form per KPI (the first ``count`` KPIs), each with the value 1, 2, …."""
    template = tmp_path / "template.xlsx"
    result = CliRunner().invoke(
        app, ["template", PLAN, "--year", YEAR, "--xlsx", str(template), "--data", str(data)]
    )
    assert result.exit_code == 0, result.output
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[HEADER_ROW]}
    rows = [row for row in range(HEADER_ROW + 1, sheet.max_row + 1) if sheet.cell(row, columns["id"]).value]
    forms = []
    for number, row in enumerate(rows[:count], start=1):
        sheet.cell(row, columns["実績値"]).value = number
        form = tmp_path / f"form-{number:02}.xlsx"
        workbook.save(form)
        sheet.cell(row, columns["実績値"]).value = None
        forms.append((str(sheet.cell(row, columns["id"]).value), form))
    return forms


def _start_import(form: Path, data: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "kpitool", "import", str(form), "--plan", PLAN, "--year", YEAR]
    return subprocess.Popen(
        [*command, "--data", str(data), "--width", "200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _waiting(processes: list[subprocess.Popen[str]], lock: Path) -> int:
    """How many of the processes have the lock file open (they wait for it)."""
    count = 0
    for process in processes:
        try:
            fds = os.listdir(f"/proc/{process.pid}/fd")
            count += any(os.readlink(f"/proc/{process.pid}/fd/{fd}") == str(lock) for fd in fds)
        except OSError:  # ended, or no /proc: the caller's deadline applies
            continue
    return count


def _kill_holder_while_imports_wait(
    holder: subprocess.Popen[str], imports: list[subprocess.Popen[str]], lock: Path
) -> None:
    # Six seconds at most, well inside the imports' lock wait, so the holder dies while they wait.
    deadline = time.monotonic() + 6
    while _waiting(imports, lock) < IMPORTS // 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    holder.send_signal(signal.SIGKILL)
    holder.communicate()


def _recorded(data: Path) -> dict[str, Decimal | None]:
    """The R7 value of each KPI in its KPI's unit; the whole tree must validate."""
    loaded = load_data([data])
    problems = [p for p in check_data(loaded) if p.severity == "error"]
    assert problems == []
    plan = loaded.plans[PLAN].plan
    years = loaded.actuals[PLAN].actuals.actuals
    return {
        kpi.id: years[kpi.id]["R7"].value_in(kpi.unit)
        for kpi, _ in plan.iter_kpis()
        if "R7" in years.get(kpi.id, {})
    }


def _round(data: Path, forms: list[tuple[str, Path]], kill_holder: bool) -> None:
    path = data / "actuals" / f"{PLAN}.yaml"
    lock = path.with_name(path.name + ".lock")
    holder = None
    if kill_holder:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
    imports = [_start_import(form, data) for _, form in forms[:IMPORTS]]
    # One more import, of another KPI, killed at a random moment: its value may or may not land.
    victim = _start_import(forms[IMPORTS][1], data)
    if holder is not None:
        _kill_holder_while_imports_wait(holder, imports, lock)
    time.sleep(random.uniform(0, 1))
    victim.send_signal(signal.SIGKILL)
    outcomes = [(process.wait(timeout=60), *process.communicate()) for process in imports]
    victim.communicate()
    recorded = _recorded(data)
    for (kpi_id, _), (code, out, err) in zip(forms, outcomes, strict=False):
        if code == 0:
            assert "wrote" in out, out
            assert recorded.get(kpi_id) is not None, f"{kpi_id}: exit 0 but its value was lost\n{out}"
        else:
            assert code == 1, (code, out, err)
            assert "another kpitool import is running" in err, err
            assert kpi_id not in recorded
    assert sum(code == 0 for code, _, _ in outcomes) > 0


def _copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    for part in ("plans", "actuals"):
        (data / part).mkdir(parents=True)
        shutil.copy(DATA / part / f"{PLAN}.yaml", data / part)
    return data


def test_an_import_that_cannot_get_the_lock_fails_with_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _copy_data(tmp_path)
    path = data / "actuals" / f"{PLAN}.yaml"
    before = path.read_bytes()
    ((_, form),) = _forms(tmp_path, data, 1)
    monkeypatch.setattr(lock_module, "DEFAULT_LOCK_TIMEOUT", 0.01)  # one poll, then the error
    with actuals_lock(path):
        result = CliRunner().invoke(
            app, ["import", str(form), "--plan", PLAN, "--year", YEAR, "--data", str(data)]
        )
    assert result.exit_code == 1
    assert f"another kpitool import is running (lock {path}.lock)" in result.stderr
    assert "wrote" not in result.stdout
    assert path.read_bytes() == before


@pytest.mark.slow
def test_concurrent_imports_lose_no_value(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    original = (data / "actuals" / f"{PLAN}.yaml").read_bytes()
    forms = _forms(tmp_path, data, IMPORTS + 1)
    # A lock file left by a killed import of the old kind (its process id, dead, and this host).
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    lock = data / "actuals" / f"{PLAN}.yaml.lock"
    lock.write_text(f"{dead.stdout.strip()} {socket.gethostname()}\n")
    for kill_holder in (False, True, True):
        (data / "actuals" / f"{PLAN}.yaml").write_bytes(original)
        _round(data, forms, kill_holder)
