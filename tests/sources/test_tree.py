"""Loading a data tree: every file's problems collected, one plan id per plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpitool.sources.tree import discover, load_data, real_path
from tests.conftest import MINIMAL_PLAN


def test_load_data_collects_problems_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "good.yaml").write_text(MINIMAL_PLAN, encoding="utf-8")
    (tmp_path / "plans" / "bad1.yaml").write_text("a: [\n", encoding="utf-8")
    (tmp_path / "plans" / "bad2.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    loaded = load_data([tmp_path])
    assert list(loaded.plans) == ["demo"]
    assert sorted({Path(p.file).name for p in loaded.problems}) == ["bad1.yaml", "bad2.yaml"]


def test_duplicate_key_does_not_hide_schema_errors(tmp_path: Path) -> None:
    text = MINIMAL_PLAN.replace("kind: revitalization_strategy\n", "kind: revitalization_strategy\nkind: x\n")
    (tmp_path / "p.yaml").write_text(text.replace("direction: increase", "direction: up"), encoding="utf-8")
    loaded = load_data([tmp_path])
    assert loaded.plans == {}
    assert [(p.line, p.code) for p in loaded.problems] == [(4, "duplicate-key"), (16, "schema")]


def test_plan_id_used_twice(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(MINIMAL_PLAN, encoding="utf-8")
    loaded = load_data([tmp_path])
    (problem,) = loaded.problems
    assert problem.file.endswith("b.yaml")
    assert problem.line == 1
    assert "already used" in problem.message


def test_discover_lists_symlinks_that_cannot_be_read_and_skips_directories(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "a.yaml").write_text(MINIMAL_PLAN, encoding="utf-8")
    (plans / "gone.yaml").symlink_to("nowhere.yaml")
    (plans / "loop.yml").symlink_to("loop.yml")
    (plans / "zero.yaml").symlink_to("/dev/zero")
    (plans / "folder.yaml").mkdir()  # a directory named like a file is not a file
    (tmp_path / "linked").symlink_to(plans)  # a symlinked directory is not followed
    names = [p.name for p in discover([tmp_path])]
    assert names == ["a.yaml", "gone.yaml", "loop.yml", "zero.yaml"]
    loaded = load_data([tmp_path])
    assert {Path(p.file).name: p.message for p in loaded.problems} == {
        "gone.yaml": "cannot read: No such file or directory",
        "loop.yml": "cannot read: Too many levels of symbolic links",
        "zero.yaml": "is not a regular file",
    }
    assert real_path(plans / "loop.yml") == plans / "loop.yml"  # Path.resolve raises on a loop


def test_a_directory_that_cannot_be_listed_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root every directory can be listed, so the refusal is simulated (the corpus runs the
    # real one as an unprivileged user: env-actuals-dir-unreadable, env-data-dir-unreadable).
    (tmp_path / "actuals").mkdir()

    def refuse(path: object, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("os.scandir", refuse)
    errors: list[str] = []
    assert list(discover([tmp_path], lambda path, error: errors.append(f"{path}: {error.strerror}"))) == []
    assert errors == [f"{tmp_path}: Permission denied"]
    assert list(discover([tmp_path])) == []  # without on_error: skipped, as before
    problems = load_data([tmp_path]).problems
    assert [(p.file, p.message) for p in problems] == [
        (str(tmp_path), "cannot read the directory: Permission denied")
    ]
