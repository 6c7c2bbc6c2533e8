"""Loading a data tree: every file's problems collected, one plan id per plan."""

from __future__ import annotations

from pathlib import Path

from kpitool.sources.tree import load_data
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
