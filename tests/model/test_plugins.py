"""pydantic's plugin lookup answered at once: only where pydantic's own lookup would find no plugin."""

from __future__ import annotations

import importlib.metadata
import sys
import zipfile
from pathlib import Path

import pytest

from kpitool.model.plugins import no_plugin_declared


def distribution(root: Path, name: str, entry_points: str | None) -> Path:
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)
    return info


def test_this_environment_agrees_with_pydantics_own_lookup() -> None:
    declared = list(importlib.metadata.entry_points(group="pydantic"))
    assert no_plugin_declared() == (not declared)


def test_distributions_without_pydantic_entry_points_declare_none(tmp_path: Path) -> None:
    distribution(tmp_path, "plain", None)
    distribution(tmp_path, "tool", "[console_scripts]\ntool = tool:main\n")
    (tmp_path / "single.egg-info").write_text("Metadata-Version: 1.0\n")  # a file: no entry points
    assert no_plugin_declared([str(tmp_path), str(tmp_path / "missing")])


@pytest.mark.parametrize(
    "entry_points",
    [
        "[pydantic]\nmy_plugin = my_plugin:plugin\n",
        "[ Pydantic ]\nmy_plugin = my_plugin:plugin\n",  # any mention: pydantic then looks for itself
        "[console_scripts]\npydantic-tool = x:main\n",
    ],
)
def test_a_mention_of_pydantic_leaves_the_lookup_to_pydantic(tmp_path: Path, entry_points: str) -> None:
    distribution(tmp_path, "plain", None)
    distribution(tmp_path, "plugin", entry_points)
    assert not no_plugin_declared([str(tmp_path)])


def test_a_declared_plugin_is_one_pydantic_finds(tmp_path: Path) -> None:
    distribution(tmp_path, "plugin", "[pydantic]\nmy_plugin = my_plugin:plugin\n")
    points = [
        ep for dist in importlib.metadata.distributions(path=[str(tmp_path)]) for ep in dist.entry_points
    ]
    assert [ep.group for ep in points] == ["pydantic"]
    assert not no_plugin_declared([str(tmp_path)])


def test_a_zip_or_an_egg_on_the_path_or_a_finder_of_distributions_leaves_the_lookup_to_pydantic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("plugin-1.0.dist-info/entry_points.txt", "[pydantic]\np = p:plugin\n")
    assert not no_plugin_declared([str(archive)])
    egg = tmp_path / "plugin-1.0-py3.11.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "entry_points.txt").write_text("[pydantic]\np = p:plugin\n")
    assert [ep.group for d in importlib.metadata.distributions(path=[str(egg)]) for ep in d.entry_points] == [
        "pydantic"
    ]
    assert not no_plugin_declared([str(egg)])

    class Finder:
        def find_distributions(self, *_args: object, **_kwargs: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    assert not no_plugin_declared([])
