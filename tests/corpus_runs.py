"""How a corpus case is found, laid out in a folder and run: in-process, as a child, unprivileged, or signalled.

The case format is described in :mod:`tests.test_corpus`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.corpus_recipes import BASE, CORPUS, GENERATORS, QUIET, SRC, build_form, build_workbook


@dataclass
class Case:
    """One corpus case: its folder and its case.yaml."""

    name: str
    folder: Path
    args: list[str]
    exit: int
    where: str | None
    expect: list[str] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: every collection reads the case files (also under -m "not slow")."""


def discover() -> Iterator[Any]:
    """Every case folder, as a pytest param (marked skip/xfail as its case.yaml says)."""
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_")):
        spec = yaml.load((folder / "case.yaml").read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        case = Case(
            folder.name,
            folder,
            [str(a) for a in spec["args"]],
            spec["exit"],
            spec.get("where"),
            [str(e) for e in spec.get("expect", [])],
            spec,
        )
        marks = [pytest.mark.xfail(reason=spec["xfail"], strict=True)] if spec.get("xfail") else []
        yield pytest.param(case, id=folder.name, marks=marks)


CASES = list(discover())


def command_exists(name: str) -> bool:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    return any(
        command_name == name or command.callback.__name__ == name
        for command_name, command in commands.items()
    )


def prepare(case: Case, tmp_path: Path) -> Path:
    """Copy the base tree and the case's files into a fresh folder; build generated inputs."""
    root = tmp_path / case.name
    if case.spec.get("base", True):
        shutil.copytree(BASE, root)
    shutil.copytree(case.folder, root, dirs_exist_ok=True)
    (root / "case.yaml").unlink()
    if "generate" in case.spec:
        GENERATORS[case.spec["generate"]](root)
    if "workbook" in case.spec:
        build_workbook(root, case.spec["workbook"])
    if "form" in case.spec:
        build_form(root, case.spec["form"])
    for name in case.spec.get("directories", []):
        (root / name).mkdir(parents=True, exist_ok=True)
    for name, mode in case.spec.get("chmod", {}).items():  # git keeps no modes but +x
        (root / name).chmod(mode)
    for name, points_to in case.spec.get("symlinks", {}).items():
        (root / name).unlink(missing_ok=True)  # a file of the base tree the link replaces
        (root / name).symlink_to(points_to)
    for name in case.spec.get("sockets", []):
        with socket.socket(socket.AF_UNIX) as server:  # the socket file outlives the socket
            server.bind(str(root / name))
    for name in case.spec.get("fifos", []):
        os.mkfifo(root / name)
    return root


KINDS = {
    "file": stat.S_ISREG,
    "symlink": stat.S_ISLNK,
    "fifo": stat.S_ISFIFO,
    "socket": stat.S_ISSOCK,
    "character device": stat.S_ISCHR,
}
"""What ``kinds:`` in case.yaml can say a path is (by ``lstat``: a link is a link)."""


def start_readers(root: Path, names: list[str]) -> list[tuple[threading.Thread, list[bytes]]]:
    """One thread per FIFO, reading it to its end (a writer blocks until a reader opens it)."""
    readers = []
    for name in names:
        received: list[bytes] = []

        def read(path: Path = root / name, into: list[bytes] = received) -> None:
            with open(path, "rb") as stream:
                into.append(stream.read())

        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        readers.append((thread, received))
    return readers


@dataclass
class Run:
    """What a command did."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_in_process(
    args: list[str], monkeypatch: pytest.MonkeyPatch, root: Path, fault: str | None, env: dict[str, str]
) -> Run:
    monkeypatch.chdir(root)
    if fault == "disk_full":
        # The disk fills up while the temporary file is synced: ENOSPC, as ext4 reports it.
        def no_space(_fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr("kpitool.support.safe_write.os.fsync", no_space)
    real_replace = os.replace

    def replace_regular_files_only(src: str, dst: str) -> None:
        # A regression must fail the case, not replace the machine's /dev/null (tests may run as root).
        assert not os.path.lexists(dst) or stat.S_ISREG(os.lstat(dst).st_mode), f"renamed over {dst}"
        real_replace(src, dst)

    monkeypatch.setattr("kpitool.support.safe_write.os.replace", replace_regular_files_only)
    result = CliRunner().invoke(app, args, env={**QUIET, **env})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}")
    return Run(result.exit_code, result.stdout, result.stderr)


def child_env() -> dict[str, str]:
    env = {**os.environ, **QUIET, "PYTHONPATH": str(SRC)}
    env.pop("KPITOOL_DEBUG", None)
    return env


def _stdout_for(kind: str | None, stack: contextlib.ExitStack) -> int:
    """The descriptor a subprocess gets as stdout for ``stdout:`` in case.yaml."""
    if kind is None:
        return subprocess.PIPE
    if kind == "full":
        return stack.enter_context(open("/dev/full", "wb")).fileno()
    if kind == "closed":
        return subprocess.DEVNULL  # and closed in the child before kpitool starts (run_subprocess)
    if kind == "broken_pipe":  # a reader that has gone: every write is EPIPE
        reader, writer = os.pipe()
        os.close(reader)
        stack.callback(os.close, writer)
        return writer
    raise AssertionError(f"unknown stdout {kind!r}")


def run_subprocess(args: list[str], root: Path, spec: dict[str, Any] | None = None) -> Run:
    spec = spec or {}
    env = {**child_env(), **{k: str(v) for k, v in spec.get("env", {}).items()}}
    encoding = env.get("PYTHONIOENCODING", "utf-8").split(":")[0]
    with contextlib.ExitStack() as stack:
        stdout = _stdout_for(spec.get("stdout"), stack)
        done = subprocess.run(
            [sys.executable, "-m", "kpitool", *args],
            cwd=root,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            preexec_fn=(lambda: os.close(1)) if spec.get("stdout") == "closed" else None,
        )
    output = done.stdout.decode(encoding) if done.stdout is not None else ""
    return Run(done.returncode, output, done.stderr.decode(encoding))


NOBODY = 65534
"""The unprivileged user's uid and gid on Debian and most Linux systems."""


def run_unprivileged(args: list[str], root: Path) -> Run:
    """Run kpitool in process in a forked child that has dropped root: permissions hold.

    The child works in ``root`` by relative paths, so the folders above (tmp_path, 0700 to
    root) need not be open to it; a first run as root loads every module it will import,
    since the interpreter's own files may be closed to ``nobody``.
    """
    run_in_folder(args, root)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, run, send the result, and leave without cleanup
        code = 1
        try:
            os.close(reader)
            os.chdir(root)  # while root: the folders above are closed to nobody
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = CliRunner().invoke(app, args, env=QUIET)
            os.write(writer, json.dumps([result.exit_code, result.stdout, result.stderr]).encode())
            code = 0
        except BaseException as exc:  # reported by the parent: the child must not return into pytest
            os.write(writer, json.dumps([None, "", f"{type(exc).__name__}: {exc}"]).encode())
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as stream:
        sent = stream.read()
    _, status = os.waitpid(pid, 0)
    exit_code, stdout, stderr = json.loads(sent or b'[null, "", "no result"]')
    assert os.waitstatus_to_exitcode(status) == 0, f"the unprivileged child failed: {stderr}"
    return Run(exit_code, stdout, stderr)


def run_in_folder(args: list[str], root: Path) -> Run:
    previous = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(app, args, env=QUIET)
    finally:
        os.chdir(previous)
    return Run(result.exit_code, result.stdout, result.stderr)


# Runs kpitool with fsync slowed down, so that a signal lands between writing the
# temporary file and renaming it over the target: the middle of a write.
_SLOW_WRITER = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    sys.stderr.write("WRITING\\n"); sys.stderr.flush()
    time.sleep(30)
    real_fsync(fd)
os.fsync = slow_fsync
sys.argv = ["kpitool", *sys.argv[1:]]
from kpitool.cli.app import main
main()
"""


SIGNALS = {
    "sigint": signal.SIGINT,
    "sigterm": signal.SIGTERM,
    "sighup": signal.SIGHUP,
    "sigkill": signal.SIGKILL,
}
"""The ``fault:`` names that interrupt a real process mid-write, and their signals."""


def run_interrupted(args: list[str], root: Path, sig: signal.Signals) -> Run:
    """Start kpitool, wait until it is mid-write, send ``sig``; return what it did."""
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert child.stderr is not None
    line = child.stderr.readline()
    assert line == "WRITING\n", line
    child.send_signal(sig)
    stdout, stderr = child.communicate(timeout=30)
    return Run(child.returncode, stdout, stderr)
