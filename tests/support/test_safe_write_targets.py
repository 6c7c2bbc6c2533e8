"""Outputs that are not regular files: devices and pipes are written through, links followed, the rest refused.

Every test goes through the real command line with real paths (a FIFO with a
reader thread, symlinks, /dev/null, a Unix socket). A guard fails any test that
would rename over something that is not a regular file, so a regression cannot
replace the machine's /dev/null while the tests run as root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import kpitool.support.safe_write as safe_write
from kpitool.cli.app import app
from kpitool.support.safe_write import NotRegularFileError, WriteError, atomic_path, write_bytes_atomic
from tests.conftest import DATA, MINIMAL_ACTUALS, MINIMAL_PLAN

pytestmark = pytest.mark.durable  # the real os.fsync (tests/conftest.py: fast_fsync)

MakeData = Callable[..., Path]


@pytest.fixture(autouse=True)
def rename_only_over_regular_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail, instead of doing it, any rename over an existing path that is not a regular file."""
    real_replace = os.replace

    def guarded(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if os.path.lexists(dst):
            mode = os.lstat(dst).st_mode
            assert stat.S_ISREG(mode), f"renamed over {dst}, which is not a regular file"
        real_replace(src, dst)

    monkeypatch.setattr(safe_write.os, "replace", guarded)


@pytest.fixture
def root(data_dir: MakeData) -> Path:
    """A data tree with one plan and its actuals."""
    return data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})


def evaluate_csv(runner: CliRunner, root: Path, output: Path | str) -> tuple[int, str]:
    """``kpitool evaluate -y R5 -f csv -o OUTPUT``: its exit code and output."""
    result = runner.invoke(app, ["evaluate", "--data", str(root), "-y", "R5", "-f", "csv", "-o", str(output)])
    return result.exit_code, result.output


def expected_csv(runner: CliRunner, root: Path, tmp_path: Path) -> bytes:
    """What the same command writes to a regular file."""
    plain = tmp_path / "plain.csv"
    assert evaluate_csv(runner, root, plain)[0] == 0
    return plain.read_bytes()


def test_dev_null_stays_a_character_device(runner: CliRunner, root: Path) -> None:
    before = os.stat("/dev/null")
    code, output = evaluate_csv(runner, root, "/dev/null")
    assert code == 0, output
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not [p for p in Path("/dev").glob(".null.*")]


@contextlib.contextmanager
def fifo_reader(fifo: Path) -> Iterator[list[bytes]]:
    """A thread that reads ``fifo`` to its end; the list holds what it read once the block exits."""
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        thread.join(timeout=30)
        assert not thread.is_alive(), "the reader never saw the end of the data"


def test_a_fifo_is_written_through_and_stays_a_fifo(runner: CliRunner, root: Path, tmp_path: Path) -> None:
    expected = expected_csv(runner, root, tmp_path)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    with fifo_reader(fifo) as received:
        code, output = evaluate_csv(runner, root, fifo)
    assert code == 0, output
    assert received == [expected]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_symlink_is_followed_and_stays_a_link(runner: CliRunner, root: Path, tmp_path: Path) -> None:
    expected = expected_csv(runner, root, tmp_path)
    (tmp_path / "shared").mkdir()
    real = tmp_path / "shared" / "report.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(Path("shared") / "report.csv")  # relative, as links usually are
    code, output = evaluate_csv(runner, root, link)
    assert code == 0, output
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("shared") / "report.csv")
    assert real.read_bytes() == expected
    assert real.stat().st_mode & 0o777 == 0o640  # the target's permissions, not the link's
    assert [p.name for p in tmp_path.rglob(".*.tmp")] == []


def test_a_dangling_symlink_creates_its_target(runner: CliRunner, root: Path, tmp_path: Path) -> None:
    expected = expected_csv(runner, root, tmp_path)
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "new.csv")
    assert evaluate_csv(runner, root, link)[0] == 0
    assert link.is_symlink()
    assert (tmp_path / "new.csv").read_bytes() == expected


def test_a_symlink_loop_is_a_write_error(runner: CliRunner, root: Path, tmp_path: Path) -> None:
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    code, output = evaluate_csv(runner, root, loop)
    assert code == 1
    assert f"{loop}: cannot write: Too many levels of symbolic links" in output
    assert loop.is_symlink()


def test_a_socket_is_refused_as_a_usage_error(runner: CliRunner, root: Path, tmp_path: Path) -> None:
    path = tmp_path / "sock.csv"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        code, output = evaluate_csv(runner, root, path)
    assert code == 2
    assert output.strip().splitlines() == [
        f"kpitool: error: {path}: is a socket, not a regular file; give a file name"
    ]
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_link_to_a_socket_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        (tmp_path / "link.csv").symlink_to(path)
        with pytest.raises(NotRegularFileError, match="is a socket"):
            write_bytes_atomic(tmp_path / "link.csv", b"x")
        with pytest.raises(NotRegularFileError), atomic_path(tmp_path / "link.csv"):
            pytest.fail("no temporary file for a socket")


def test_a_writer_that_wants_a_path_can_write_to_a_device(tmp_path: Path) -> None:
    # openpyxl saves to a path: for a device the bytes go through a private temporary file.
    fifo = tmp_path / "fifo.xlsx"
    os.mkfifo(fifo)
    with fifo_reader(fifo) as received, atomic_path(fifo) as temp:
        temp.write_bytes(b"workbook bytes")
    assert received == [b"workbook bytes"]
    assert not temp.exists()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_closed_pipe_is_a_write_error(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)

    def open_and_close() -> None:
        with open(fifo, "rb"):
            pass

    thread = threading.Thread(target=open_and_close, daemon=True)
    thread.start()
    with pytest.raises(WriteError, match="write failed: Broken pipe"):
        write_bytes_atomic(fifo, b"x" * (1 << 20))  # more than a pipe holds
    thread.join(timeout=30)


# --------------------------------------------------------------------------- #
# kpitool import into an actuals file that is a symlink

PLAN = "kurume-renkei-vision-2"


def test_import_writes_the_shared_target_of_a_linked_actuals_file(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    shared = tmp_path / "shared" / f"{PLAN}.yaml"
    shared.parent.mkdir()
    link = data / "actuals" / f"{PLAN}.yaml"
    shutil.move(link, shared)
    link.symlink_to(shared)
    form = tmp_path / "r7.xlsx"
    made = runner.invoke(app, ["template", PLAN, "--year", "R7", "--xlsx", str(form), "--data", str(data)])
    assert made.exit_code == 0, made.output
    workbook = load_workbook(form)
    sheet = workbook.worksheets[0]
    header = next(row for row in sheet.iter_rows() if "実績値" in [cell.value for cell in row])
    columns = {cell.value: cell.column for cell in header}
    row = next(r for r in range(header[0].row + 1, sheet.max_row + 1) if sheet.cell(r, columns["id"]).value)
    sheet.cell(row, columns["実績値"]).value = 4321
    workbook.save(form)
    result = runner.invoke(
        app, ["import", str(form), "--plan", PLAN, "--year", "R7", "--data", str(data), "--width", "160"]
    )
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert link.resolve() == shared
    text = shared.read_text(encoding="utf-8")
    assert "    R7: {value: 4321}\n" in text
    assert [p.name for p in tmp_path.rglob(".*.tmp")] == []
