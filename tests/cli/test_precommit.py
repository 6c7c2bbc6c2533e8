"""The pre-commit hook definition, run as pre-commit would: its entry, its files regex, the changed files."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

# Slow: runs kpitool as a pre-commit hook in a scratch git repository (`pytest -m "not slow"` leaves it out).
pytestmark = pytest.mark.slow

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
HOOK: dict[str, Any] = next(hook for hook in HOOKS if hook["id"] == "kpitool-validate")


def entry_command() -> list[str]:
    """The hook's entry, with ``kpitool`` resolved as the installed console script of this Python."""
    program, *args = shlex.split(HOOK["entry"])
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which(program, path=search)
    return [found, *args] if found else [sys.executable, "-m", "kpitool", *args]


def matching_files(root: Path) -> list[str]:
    """Files pre-commit would pass: paths relative to the repository root, searched with ``files``."""
    pattern = re.compile(HOOK["files"])
    names = (path.relative_to(root).as_posix() for path in sorted(root.rglob("*")) if path.is_file())
    return [name for name in names if pattern.search(name)]


def run_hook(root: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*entry_command(), *files], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A repository holding a copy of the bundled data, plus files the regex must skip."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "data", root / "data")
    (root / "docs").mkdir()
    (root / "docs" / "example.yaml").write_text("not: plan data\n", encoding="utf-8")
    (root / "data" / "README.md").write_text("# data\n", encoding="utf-8")
    return root


def test_hook_definition() -> None:
    assert HOOK["entry"] == "kpitool validate"
    assert HOOK["language"] == "python"
    assert HOOK["pass_filenames"] is True
    assert HOOK["files"] == r"^data/.*\.ya?ml$"


def test_files_regex_selects_the_data_files_only(repo_copy: Path) -> None:
    files = matching_files(repo_copy)
    expected = sorted(p.relative_to(repo_copy).as_posix() for p in (repo_copy / "data").rglob("*.yaml"))
    assert files == expected
    assert len(files) == 8


def test_hook_passes_on_the_bundled_data(repo_copy: Path) -> None:
    result = run_hook(repo_copy, matching_files(repo_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("OK: 6 plans")


def test_hook_given_only_an_actuals_file_checks_it_against_its_plan(repo_copy: Path) -> None:
    """pre-commit passes only the changed files: the plan of an actuals file is found in its tree."""
    result = run_hook(repo_copy, ["data/actuals/kurume-renkei-vision-2.yaml"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("OK: 0 plans, 0 KPIs, 36 actuals")


def test_hook_fails_on_a_broken_file(repo_copy: Path) -> None:
    path = repo_copy / "data" / "actuals" / "kurume-renkei-vision-2.yaml"
    text = path.read_text(encoding="utf-8").replace("  regional-workers:  # ②", "  regional-worker:  # ②")
    path.write_text(text, encoding="utf-8")
    result = run_hook(repo_copy, ["data/actuals/kurume-renkei-vision-2.yaml"])
    assert result.returncode == 1
    assert (
        "data/actuals/kurume-renkei-vision-2.yaml:31:3: actuals.regional-worker: "
        "no KPI with id 'regional-worker' in plan 'kurume-renkei-vision-2'"
    ) in result.stdout
    assert "Traceback" not in result.stderr


def test_hook_on_a_plan_reports_the_actuals_it_breaks(repo_copy: Path) -> None:
    path = repo_copy / "data" / "plans" / "kurume-renkei-vision-2.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("id: gross-regional-product", "id: gross-product"),
        encoding="utf-8",
    )
    result = run_hook(repo_copy, ["data/plans/kurume-renkei-vision-2.yaml"])
    assert result.returncode == 1
    assert "data/actuals/kurume-renkei-vision-2.yaml:" in result.stdout
    assert "no KPI with id 'gross-regional-product'" in result.stdout


def test_hook_does_not_report_files_it_was_not_given(repo_copy: Path) -> None:
    (repo_copy / "data" / "plans" / "kumamoto-sogo-keikaku-7.yaml").write_text("id: [\n", encoding="utf-8")
    result = run_hook(repo_copy, ["data/actuals/kurume-sogo-senryaku-2.yaml"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kumamoto" not in result.stdout
    broken = run_hook(repo_copy, matching_files(repo_copy))
    assert broken.returncode == 1
    assert "data/plans/kumamoto-sogo-keikaku-7.yaml:2:1: YAML syntax error" in broken.stdout
