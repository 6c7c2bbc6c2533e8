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
- ``generate: NAME`` — write a big or binary input at run time (:data:`tests.corpus_recipes.GENERATORS`):
  a 50 MB file, an alias bomb, a zip bomb … are never committed;
- ``workbook:`` / ``form:`` — build an .xlsx from a recipe (rows, merged cells,
  hidden rows, formulas with or without a cached value, damage), see
  :func:`tests.corpus_recipes.build_workbook` and :func:`~tests.corpus_recipes.build_form`;
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

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from kpitool.problems import DataError
from kpitool.sources.yaml_strict import parse_yaml
from tests.corpus_recipes import BASE, billion_laughs
from tests.corpus_runs import (
    CASES,
    KINDS,
    SIGNALS,
    Case,
    child_env,
    command_exists,
    prepare,
    run_in_process,
    run_interrupted,
    run_subprocess,
    run_unprivileged,
    start_readers,
)

# Slow: over a hundred hostile inputs through the real CLI, some in child processes that are
# killed (`pytest -m "not slow"` leaves them out).
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("case", CASES)
def test_case(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    required = case.spec.get("requires")
    if required and not command_exists(required):
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
        env=child_env(),
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
