"""The hostile-input corpus: every folder in tests/corpus/ is one bad (or borderline) input.

Each case folder holds its input — a ``data/`` tree, a table file, or the
recipe of a workbook or form — and a ``case.yaml``::

    description: what is hostile here
    args: [validate, data]          # the kpitool command line, run in the case folder
    exit: 1                         # the expected exit code
    where: data/plans/demo.yaml:15:9   # the file and line (or row/cell) the message must name
    expect: ["duplicate key 'unit'"]   # further substrings of stdout + stderr

and optionally:

- ``base: false`` — do not start from ``tests/corpus/_base`` (a valid ``data/``
  tree the case's own files are laid over);
- ``generate: NAME`` — write a big or binary input at run time (:data:`GENERATORS`):
  a 50 MB file, an alias bomb, a zip bomb … are never committed;
- ``workbook:`` / ``form:`` — build an .xlsx from a recipe (rows, merged cells,
  hidden rows, formulas with or without a cached value, damage), see
  :func:`build_workbook` and :func:`build_form`;
- ``fault: disk_full | sigint | sigterm | sighup | sigkill | readonly_dir`` — a failure
  injected while the command writes; ``unchanged: [FILE]`` — files whose bytes must survive;
- ``directories: [DIR]``, ``chmod: {FILE: MODE}``, ``symlinks: {LINK: TARGET}``,
  ``sockets: [FILE]`` — set up what git cannot keep (or keeps unevenly);
- ``fifos: [FILE]`` — named pipes, each read to its end by a thread while the command runs;
- ``kinds: {PATH: file | symlink | fifo | socket | character device}`` — what each path
  must still be afterwards; ``contains: {FILE: TEXT}`` — text a file must hold afterwards
  (a case with ``kinds`` may leave out ``where``: a silent success has no message);
- ``subprocess: true`` — run ``python -m kpitool`` instead of the in-process runner;
  ``stdout: full | closed | broken_pipe`` (a subprocess whose stdout is ``/dev/full``,
  closed, or a pipe whose reader has gone), ``env: {NAME: value}`` (added to its
  environment, in-process too — ``KPITOOL_NO_CACHE: ''`` turns the cache back on; its
  output is read in the ``PYTHONIOENCODING`` given, if any);
- ``unprivileged: true`` — run as the user ``nobody`` (a forked child that drops root),
  so that ``chmod`` is obeyed; as another user the case runs as it is;
- ``quiet: true`` — nothing may be printed on stderr (stands for ``where`` and ``expect``);
  ``written: [FILE]`` — files the command must have written;
- ``requires: COMMAND`` — skip while that kpitool command does not exist;
- ``xfail: REASON`` — a known gap, to be fixed outside the files this corpus covers.

Every case asserts the exit code, that ``where`` and each ``expect`` appear, and
that no traceback is printed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.problems import DataError
from kpitool.sources.yaml_strict import parse_yaml

QUIET = {"COLUMNS": "200", "NO_COLOR": "1", "KPITOOL_NO_CACHE": "1"}
"""Environment of every run: a wide terminal, no colour, and no cache outside tmp_path."""

# Slow: over a hundred hostile inputs through the real CLI, some in child processes that are
# killed (`pytest -m "not slow"` leaves them out).
pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parent / "corpus"
BASE = CORPUS / "_base"
SRC = Path(__file__).parents[1] / "src"

# --------------------------------------------------------------------------- #
# Generated inputs: big or binary files are made at run time, never committed.


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: ``width ** levels`` strings if expanded (10⁹ by default)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        name, previous = f"l{level}", "a" if level == 1 else f"l{level - 1}"
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * width)}]")
    return "\n".join(lines) + "\n"


def _fifty_mb(root: Path) -> None:
    line = b"# " + b"x" * 97 + b"\n"
    with open(root / "data/plans/huge.yaml", "wb") as stream:
        stream.write(b"id: huge\n")
        for _ in range(5):
            stream.write(line * 100_000)  # 10 MB a time


def _alias_bomb(root: Path) -> None:
    (root / "data/plans/bomb.yaml").write_text(billion_laughs(), encoding="utf-8")


def _deep_nesting(root: Path) -> None:
    depth = 100_000  # PyYAML's composer recursed here and crashed the interpreter
    (root / "data/plans/deep.yaml").write_text(f"id: deep\nkpis: {'[' * depth}{']' * depth}\n")


def _many_values(root: Path) -> None:
    (root / "data/plans/many.yaml").write_text("id: many\nkpis: [" + "1, " * 300_000 + "1]\n")


def _zip_bomb(root: Path) -> None:
    # A valid workbook plus a part of 110 MiB of zeros, which packs into about 500 KiB.
    path = root / "table.xlsx"
    _save_workbook(path, [{"rows": [["指標ID"]]}])
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/media/padding.bin", "w") as part,
    ):
        for _ in range(110):
            part.write(chunk)


def _fifo(root: Path) -> None:
    os.mkfifo(root / "data/plans/pipe.yaml")


def _hostile_repo(
    parts: list[str], mode: str = "100644", content: str = "id: pwned\n"
) -> Callable[[Path], None]:
    """The case folder as a git repository, plus a branch ``evil`` whose tree holds ``data/<parts…>``."""

    def generate(root: Path) -> None:
        from tests.sources.test_git import git, hostile_commit

        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "plan data")
        hostile_commit(root, parts, mode, content)

    return generate


def _symlink(name: str, target: str) -> Callable[[Path], None]:
    """A symlink in the data tree (git keeps them, but a case folder should not hold one)."""

    def generate(root: Path) -> None:
        (root / "data/plans" / name).symlink_to(target)

    return generate


GENERATORS: dict[str, Callable[[Path], None]] = {
    "symlink_dangling": _symlink("gone.yaml", "nowhere.yaml"),
    "symlink_loop": _symlink("loop.yaml", "loop.yaml"),
    "symlink_dev_zero": _symlink("zero.yaml", "/dev/zero"),
    "git_dotdot": _hostile_repo(["..", "..", "..", "..", "..", "..", "..", "..", "escaped.yaml"]),
    "git_dot_git": _hostile_repo([".git", "hooks", "x.yaml"]),
    "git_symlink": _hostile_repo(["plans", "link.yaml"], "120000", "/etc/passwd"),
    "fifty_mb": _fifty_mb,
    "alias_bomb": _alias_bomb,
    "deep_nesting": _deep_nesting,
    "many_values": _many_values,
    "zip_bomb": _zip_bomb,
    "fifo": _fifo,
}
"""Inputs made at run time by name (``generate:`` in case.yaml)."""

# --------------------------------------------------------------------------- #
# Workbooks and forms from recipes


def _save_workbook(path: Path, sheets: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for spec in sheets:
        sheet = workbook.create_sheet(spec.get("title", "Sheet1"))
        for row in spec.get("rows", []):
            sheet.append(row)
        _layout(sheet, spec)
    workbook.save(path)


def _layout(sheet: Any, spec: dict[str, Any]) -> None:
    """Apply the recipe's sheet state, merged ranges, hidden rows and columns."""
    if "state" in spec:
        sheet.sheet_state = spec["state"]
    for ref in spec.get("merge", []):
        sheet.merge_cells(ref)
    for row in spec.get("hide_rows", []):
        sheet.row_dimensions[row].hidden = True
    for column in spec.get("hide_columns", []):
        sheet.column_dimensions[column].hidden = True


def _patch_sheets(path: Path, sheets: list[dict[str, Any]]) -> None:
    """Write what openpyxl cannot: formulas' cached values, error values, a false dimension."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    for index, spec in enumerate(sheets, start=1):
        name = f"xl/worksheets/sheet{index}.xml"
        xml = parts[name].decode()
        for ref, value in {**spec.get("cached", {}), **spec.get("errors", {})}.items():
            kind = ' t="e"' if ref in spec.get("errors", {}) else ""
            xml, count = re.subn(
                rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>',
                xml,
            )
            assert count == 1, f"no formula at {ref} to give a cached value"
        if "dimension" in spec:
            xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{spec["dimension"]}"/>', xml)
        parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _damage(path: Path, how: str | None) -> None:
    if how == "truncate":  # a download cut short: the zip directory at the end is lost
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif how == "ole":  # what Excel saves when a password is set: an OLE2 compound file
        path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + b"EncryptedPackage")
    elif how in _XML_DAMAGE:  # the zip is sound, the first sheet's XML is not
        with zipfile.ZipFile(path) as archive:
            parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        pattern, replacement = _XML_DAMAGE[how]
        damaged = re.sub(pattern, replacement, xml, count=1)
        assert damaged != xml, f"nothing to damage with {how}"
        parts["xl/worksheets/sheet1.xml"] = damaged.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    elif how is not None:
        raise AssertionError(f"unknown damage {how!r}")


_XML_DAMAGE = {
    "duplicate_attribute": (r'<c r="([A-Z]+[0-9]+)"', r'<c r="\1" r="\1"'),
    "undefined_entity": (r"<v>[^<]*</v>", "<v>&bogus;</v>"),
    "invalid_character_reference": (r"<v>[^<]*</v>", "<v>&#1;</v>"),
}
"""``damage:`` of a sheet's XML: (the first match of a pattern, its replacement)."""


def build_workbook(root: Path, recipe: dict[str, Any]) -> None:
    """``workbook: {file, sheets: [{title, rows, merge, hide_rows, cached …}], damage}``."""
    path = root / recipe["file"]
    sheets = recipe.get("sheets", [])
    _save_workbook(path, sheets)
    _patch_sheets(path, sheets)
    _damage(path, recipe.get("damage"))


def _edit_form(workbook: Any, recipe: dict[str, Any]) -> None:
    """The recipe's edits of a form's first sheet, in this order: ``set``, ``formats`` (number
    formats by cell), ``swap_rows: [A, B]`` (two whole rows exchanged), ``delete_rows`` and
    ``delete_columns`` (``[first, count]``, 1-based), ``properties: none`` (the custom document
    properties removed, as when the sheet is copied into another workbook)."""
    sheet = workbook.worksheets[0]
    for ref, value in recipe.get("set", {}).items():
        sheet[ref] = value
    for ref, code in recipe.get("formats", {}).items():
        sheet[ref].number_format = code
    if "swap_rows" in recipe:
        first, second = recipe["swap_rows"]
        for column in range(1, sheet.max_column + 1):
            a, b = sheet.cell(first, column), sheet.cell(second, column)
            a.value, b.value = b.value, a.value
    if "delete_rows" in recipe:
        sheet.delete_rows(*recipe["delete_rows"])
    if "delete_columns" in recipe:
        sheet.delete_cols(*recipe["delete_columns"])
    if recipe.get("properties") == "none":
        workbook.custom_doc_props.props.clear()


def build_form(root: Path, recipe: dict[str, Any]) -> None:
    """``form: {file, plan, year, set: {J14: value}, formats, swap_rows, delete_rows, delete_columns,
    properties, merge, hide_rows, cached, add_sheets, damage}``.

    The form is made by ``kpitool template`` on the case's data, so it follows
    the form's layout as it evolves; the recipe then edits it as a department might
    (:func:`_edit_form`).
    """
    from openpyxl import load_workbook

    path = root / recipe["file"]
    args = [
        "template",
        recipe["plan"],
        "--year",
        recipe["year"],
        "--xlsx",
        str(path),
        "--data",
        str(root / "data"),
    ]
    result = CliRunner().invoke(app, args, env=QUIET)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    _edit_form(workbook, recipe)
    _layout(workbook.worksheets[0], recipe)
    for extra in recipe.get("add_sheets", []):
        added = workbook.create_sheet(extra["title"])
        for row in extra.get("rows", []):
            added.append(row)
    workbook.save(path)
    if recipe.get("cached") or recipe.get("errors"):
        _patch_sheets(path, [{"cached": recipe.get("cached", {}), "errors": recipe.get("errors", {})}])
    _damage(path, recipe.get("damage"))


# --------------------------------------------------------------------------- #
# Cases


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


def discover() -> Iterator[Any]:
    """Every case folder, as a pytest param (marked skip/xfail as its case.yaml says)."""
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_")):
        spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
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


def _command_exists(name: str) -> bool:
    return any(
        command.name == name or command.callback.__name__ == name for command in app.registered_commands
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


def _child_env() -> dict[str, str]:
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
    env = {**_child_env(), **{k: str(v) for k, v in spec.get("env", {}).items()}}
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
        env=_child_env(),
    )
    assert child.stderr is not None
    line = child.stderr.readline()
    assert line == "WRITING\n", line
    child.send_signal(sig)
    stdout, stderr = child.communicate(timeout=30)
    return Run(child.returncode, stdout, stderr)


@pytest.mark.parametrize("case", CASES)
def test_case(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    required = case.spec.get("requires")
    if required and not _command_exists(required):
        pytest.skip(f"`kpitool {required}` does not exist yet")
    fault = case.spec.get("fault")
    if fault == "readonly_dir" and os.geteuid() == 0:
        pytest.skip("running as root, which ignores directory permissions (see env-output-under-a-file)")
    root = prepare(case, tmp_path)
    unchanged = {name: (root / name).read_bytes() for name in case.spec.get("unchanged", [])}
    if fault == "readonly_dir":
        (root / "out").chmod(0o555)
    readers = start_readers(root, case.spec.get("fifos", []))
    if fault in SIGNALS:
        run = run_interrupted(case.args, root, SIGNALS[fault])
    elif case.spec.get("unprivileged") and os.geteuid() == 0:
        run = run_unprivileged(case.args, root)
    elif case.spec.get("subprocess"):
        run = run_subprocess(case.args, root, case.spec)
    else:
        run = run_in_process(case.args, monkeypatch, root, fault, case.spec.get("env", {}))

    assert run.exit_code == case.exit, run.output
    assert "Traceback" not in run.output
    if case.where is not None:
        assert case.where in run.output, run.output
    for expected in case.expect:
        assert expected in run.output, run.output
    if case.spec.get("quiet"):
        assert run.stderr == "", run.stderr
    for name in case.spec.get("written", []):
        assert (root / name).stat().st_size > 0, f"{name} was not written"
    for name, before in unchanged.items():
        assert (root / name).read_bytes() == before, f"{name} was changed"
    for thread, received in readers:
        thread.join(timeout=30)
        assert received, "the FIFO's reader never finished"
        assert received[0], "nothing was written to the FIFO"
    for name, kind in case.spec.get("kinds", {}).items():
        assert KINDS[kind](os.lstat(root / name).st_mode), f"{name} is no longer a {kind}"
    for name, text in case.spec.get("contains", {}).items():
        assert text in (root / name).read_text(encoding="utf-8-sig"), f"{name} lacks {text!r}"
    if fault != "sigkill":  # only a killed process cannot clean up after itself
        left = [p.name for p in root.rglob(".*.tmp")]
        assert not left, f"temporary files left behind: {left}"


def test_every_case_names_a_place_and_a_reason() -> None:
    """A case without a location or message would only check the exit code."""
    assert len(CASES) >= 45
    for param in CASES:
        case: Case = param.values[0]
        assert case.spec.get("description"), case.name
        if case.spec.get("fault") not in SIGNALS and not case.spec.get("quiet"):
            assert case.where or case.spec.get("kinds"), f"{case.name}: where is missing"
            assert case.exit == 0 or case.expect, f"{case.name}: expect is missing"


# --------------------------------------------------------------------------- #
# The alias bomb, measured


def test_alias_bomb_is_refused_without_memory_growth() -> None:
    """The bomb is refused before any expansion: the traced peak is the problems' size.

    No wall-clock limit here: timings belong to the benchmark (bench/), not to unit tests.
    """
    text = billion_laughs()  # 10⁹ strings if expanded
    tracemalloc.start()
    with pytest.raises(DataError) as info:
        parse_yaml(text, "bomb.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000  # bytes: the problems, not the expansion
    assert info.value.problems[0].line == 2
    assert "aliases" in info.value.problems[0].message


def test_a_file_of_aliases_stops_at_the_problem_cap() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 500_000) + "]\n"  # 2 MB
    with pytest.raises(DataError) as info:
        parse_yaml(text, "aliases.yaml")
    assert len(info.value.problems) == 101
    assert "stopped after 100 problems" in info.value.problems[-1].message


_MAXRSS = """
import resource, sys
sys.argv = ["kpitool", "validate", sys.argv[1]]
from kpitool.cli.app import app
try:
    app()
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _maxrss_kib(path: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _MAXRSS, str(path)],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=60,
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_alias_bomb_costs_no_more_memory_than_a_valid_file(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(levels=12), encoding="utf-8")  # 9¹² if expanded
    valid = tmp_path / "valid.yaml"
    valid.write_text((BASE / "data/plans/demo.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    grown = _maxrss_kib(bomb) - _maxrss_kib(valid)
    assert grown < 10 * 1024, f"validating the bomb took {grown} KiB more than a valid file"
