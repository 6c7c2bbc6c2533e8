"""Atomic writes: a temp file beside the target, fsynced, renamed; a failure never costs the old file."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import kpitool.support.safe_write as safe_write
from kpitool.support.safe_write import WriteError, atomic_path, write_bytes_atomic, write_text_atomic

pytestmark = pytest.mark.durable  # the real os.fsync (tests/conftest.py: fast_fsync)

OLD = '前回の報告 {"previous": true}\n'.encode()
SRC = Path(__file__).parents[2] / "src"


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """An existing report file with known bytes."""
    path = tmp_path / "report.json"
    path.write_bytes(OLD)
    return path


def leftovers(directory: Path) -> list[str]:
    """Temporary files atomic_path left in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_through_a_synced_temp_file_in_the_same_directory(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, object]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.fstat(fd).st_ino))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(("replace", (Path(src), Path(dst), os.stat(src).st_ino)))
        real_replace(src, dst)

    monkeypatch.setattr(safe_write.os, "fsync", fsync)
    monkeypatch.setattr(safe_write.os, "replace", replace)
    write_text_atomic(target, "新しい内容\n")

    assert target.read_text(encoding="utf-8") == "新しい内容\n"
    (index,) = [i for i, (kind, _) in enumerate(events) if kind == "replace"]
    temp, dst, inode = events[index][1]  # type: ignore[misc]
    assert dst == target
    assert temp.parent == target.parent  # same file system: the rename is atomic
    assert temp.name.startswith(".report.json.")
    assert temp.name.endswith(".tmp")
    assert ("fsync", inode) in events[:index]  # the data is on disk before the rename
    assert ("fsync", target.parent.stat().st_ino) in events[index:]  # and so is the rename
    assert leftovers(target.parent) == []


def write_then_fail(target: Path, error: BaseException) -> None:
    """Write part of a new version, then fail as a renderer or the user might."""
    with atomic_path(target) as temp:
        temp.write_bytes(b"half a rep")
        raise error


def test_an_exception_mid_write_leaves_the_old_file_and_no_temp(target: Path) -> None:
    with pytest.raises(RuntimeError, match="renderer failed"):
        write_then_fail(target, RuntimeError("renderer failed"))
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []


def test_disk_full_is_a_write_error_naming_the_file(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(safe_write.os, "fsync", no_space)
    with pytest.raises(WriteError) as info:
        write_bytes_atomic(target, b"x" * 100_000)
    assert str(info.value) == f"{target}: write failed: No space left on device"
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []


def test_ctrl_c_mid_write_removes_the_temp_and_propagates(target: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        write_then_fail(target, KeyboardInterrupt())
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []


def test_permissions_of_a_replaced_file_are_kept(target: Path) -> None:
    target.chmod(0o640)
    write_text_atomic(target, "new\n")
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "new.csv", "a,b\n")
    finally:
        os.umask(umask)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


def test_bytes_are_written_exactly(tmp_path: Path) -> None:
    data = "\ufeffa,b\r\n=1,▲2\r\n".encode()
    write_bytes_atomic(tmp_path / "out.csv", data)
    assert (tmp_path / "out.csv").read_bytes() == data


def test_a_read_only_target_is_refused_even_as_root(target: Path) -> None:
    target.chmod(0o444)
    with pytest.raises(WriteError, match="is read-only"):
        write_text_atomic(target, "new\n")
    assert target.read_bytes() == OLD


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("out", "is a directory; give a file name"),
        ("missing/out.json", "directory missing does not exist"),  # relative to tmp_path
        ("notes.txt/out.json", "is not a directory"),
    ],
)
def test_unwritable_targets_are_refused_before_anything_is_written(
    tmp_path: Path, relative: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "notes.txt").write_text("a file\n")
    with pytest.raises(WriteError, match=message):
        write_text_atomic(Path(relative), "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "out"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_directory_is_a_write_error(tmp_path: Path) -> None:  # pragma: no cover - not as root
    (tmp_path / "ro").mkdir(mode=0o555)
    with pytest.raises(WriteError, match="cannot write in"):
        write_text_atomic(tmp_path / "ro" / "out.json", "x")


def test_a_long_file_name_still_gets_a_temp_file(tmp_path: Path) -> None:
    name = "報" * 80 + ".json"  # 245 bytes in UTF-8: the temp name must not grow past NAME_MAX
    write_text_atomic(tmp_path / name, "{}\n")
    assert (tmp_path / name).read_text() == "{}\n"


# --------------------------------------------------------------------------- #
# A real process killed in the middle of a write

_HALF_WRITER = """
import sys, time
from pathlib import Path
from kpitool.support.safe_write import atomic_path
with atomic_path(Path(sys.argv[1])) as temp, open(temp, "wb") as stream:
    stream.write(b"new report, first half " * 4096)
    stream.flush()
    print("HALF", flush=True)
    time.sleep(30)
    stream.write(b"second half")
"""


def kill_mid_write(target: Path, sig: signal.Signals) -> int:
    """Start a writer, wait until half its data is in the temp file, send ``sig``; its exit code."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with subprocess.Popen(
        [sys.executable, "-c", _HALF_WRITER, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline() == "HALF\n"
        assert leftovers(target.parent), "the writer should be writing its temp file now"
        child.send_signal(sig)
        child.communicate(timeout=30)
        return child.returncode


def test_sigkill_mid_write_leaves_the_old_file_intact(target: Path) -> None:
    code = kill_mid_write(target, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert target.read_bytes() == OLD
    # Nothing can clean up after SIGKILL: the half-written temp file is hidden beside the target.
    (temp,) = leftovers(target.parent)
    assert temp.startswith(".report.json.")


def test_sigint_mid_write_leaves_the_old_file_and_no_temp(target: Path) -> None:
    code = kill_mid_write(target, signal.SIGINT)
    assert code != 0
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []
