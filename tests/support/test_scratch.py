"""openpyxl's temporary sheet files never outlive a report: a private folder, removed even when killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kpitool.support.scratch import SCRATCH_PREFIX, private_scratch, sweep_abandoned

REPO = Path(__file__).resolve().parents[2]

# Runs `kpitool report` with the first sheet's writer paused just after openpyxl
# made its temporary file: the moment a signal leaves that file behind.
_PAUSED_REPORT = """
import sys, time
from openpyxl.worksheet import _writer
real_write_top = _writer.WorksheetWriter.write_top
def paused_write_top(self):
    real_write_top(self)
    sys.stderr.write("BUILDING\\n"); sys.stderr.flush()
    time.sleep(30)
_writer.WorksheetWriter.write_top = paused_write_top
sys.argv = ["kpitool", "report", "--year", "R6", "--xlsx", sys.argv[1]]
from kpitool.cli.app import main
main()
"""


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_block_writes_temporary_files_into_a_folder_removed_at_its_end() -> None:
    with private_scratch() as folder:
        made = Path(tempfile.mkstemp()[1])
        assert made.parent == folder
        assert folder.name.startswith(f"{SCRATCH_PREFIX}{os.getpid()}-")
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert not folder.exists()
    assert Path(tempfile.gettempdir()) != folder


def test_the_folder_is_removed_when_the_block_fails() -> None:
    made: list[Path] = []

    def fail_mid_work() -> None:
        with private_scratch() as folder:
            made.append(folder)
            (folder / "openpyxl.half.xml").write_text("<", encoding="utf-8")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        fail_mid_work()
    assert made
    assert not made[0].exists()


def test_sweep_removes_only_this_user_s_folders_of_processes_that_ended(tmp_path: Path) -> None:
    dead = tmp_path / f"{SCRATCH_PREFIX}{_dead_pid()}-abc_123"
    live = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-def456"
    other = tmp_path / "kpitool-something-else"
    link = tmp_path / f"{SCRATCH_PREFIX}{_dead_pid()}-link"
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "openpyxl.x.xml").write_text("x", encoding="utf-8")
    link.symlink_to(other)
    assert sweep_abandoned(tmp_path) == [dead]
    assert not dead.exists()
    assert live.exists()
    assert other.exists()
    assert link.is_symlink()


def _start_paused_report(tmp_path: Path, temp: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(REPO / "src"), "NO_COLOR": "1"}
    env["KPITOOL_CACHE_DIR"] = str(tmp_path / "cache")
    child = subprocess.Popen(
        [sys.executable, "-c", _PAUSED_REPORT, str(tmp_path / "out.xlsx")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stderr is not None
    seen = []
    for line in child.stderr:  # notes (e.g. a plan left out of R6) may come first
        seen.append(line)
        if line == "BUILDING\n":
            return child
    child.kill()
    child.wait()
    raise AssertionError(f"the report never reached its first sheet: {''.join(seen)}")


@pytest.mark.slow
def test_a_terminated_report_leaves_no_openpyxl_file_in_tmpdir(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    child = _start_paused_report(tmp_path, temp)
    assert [p.name for p in temp.rglob("openpyxl.*")], "openpyxl made no temporary file to clean"
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=30)
    assert child.returncode == 143
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.slow
def test_the_next_run_removes_what_a_killed_report_left(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    child = _start_paused_report(tmp_path, temp)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert [p.name for p in temp.iterdir()], "SIGKILL left nothing: the test proves nothing"
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(REPO / "src"), "NO_COLOR": "1"}
    env["KPITOOL_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-m", "kpitool", "report", "--year", "R6", "--xlsx", str(tmp_path / "out.xlsx")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert list(temp.iterdir()) == []
