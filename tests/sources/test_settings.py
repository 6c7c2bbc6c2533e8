"""Tests for kpitool.sources.settings: a settings file is one evaluation: block, read strictly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpitool.problems import DataError
from kpitool.sources.settings import read_settings
from tests.rating.schemes.conftest import example


def test_the_block_is_read_with_its_grades(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(example("bands"), encoding="utf-8")
    _document, read = read_settings(path)
    settings = read.evaluation
    assert read.kpis == {}
    assert settings.scheme == "bands"
    assert [(g.key, g.reached, g.at_least) for g in settings.grades][:2] == [
        ("on_track", True, None),
        ("mostly", False, Decimal("0.8")),
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("scheme: bands\n", ("scheme", 1)),  # the contents without their block
        ("evaluation: {scheme: bands}\nplan: x\n", ("plan", 2)),
        ("[1, 2]\n", ("", 1)),
    ],
)
def test_anything_else_is_refused_at_its_line(tmp_path: Path, text: str, where: tuple[str, int]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_settings(path)
    assert where in [(problem.path.split(".")[0], problem.line) for problem in caught.value.problems]
