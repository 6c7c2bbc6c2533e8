"""Tests for kpitool.rating.schemes.presets: each preset grades as its bands setting does, at
its band edges, takes renamed grades, and refuses options and bands of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpitool.rating.schemes.base import RatingError
from kpitool.rating.schemes.presets import PRESETS
from tests.rating.conftest import D, make_kpi, rate
from tests.rating.schemes.conftest import example, grades_of, kpi_yaml, resolve, run_scheme

UP = ("increase", D(100), D(200))  # R2年度 → R7年度: R6 expects 180


def _as_bands(name: str) -> dict[str, Any]:
    preset = PRESETS[name]
    grades = [band.model_dump(exclude_defaults=True) for band in preset.bands_given]
    return {"scheme": "bands", "options": {"measure": preset.measure_name}, "grades": grades}


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize(
    ("kpi_args", "actual", "extra"),
    [
        (UP, "200", {}),
        (UP, "180", {}),
        (UP, "164", {}),
        (UP, "150", {}),
        (UP, "149.9", {}),
        (UP, "90", {}),
        (("decrease", D(54), D(0)), "10.8", {}),
        (("at_least", D(365), D(365)), "292", {}),
        (UP, "132", {"interim": ((D(140), "R6年度"),)}),
        (UP, None, {}),
    ],
)
def test_a_preset_grades_as_its_bands_setting(
    name: str, kpi_args: tuple[Any, ...], actual: str | None, extra: dict[str, Any]
) -> None:
    kpi = make_kpi(*kpi_args, **extra)
    value = None if actual is None else D(actual)
    preset = rate(kpi, value, evaluation={"scheme": name})
    bands = rate(kpi, value, evaluation=_as_bands(name))
    assert (preset.computed, preset.rule, dict(preset.details)) == (
        bands.computed,
        bands.rule,
        dict(bands.details),
    )


@pytest.mark.parametrize(
    ("actual", "grade"), [("200", "A"), ("180", "B"), ("179.9", "C"), ("150", "C"), ("149.9", "D")]
)
def test_progress_abcd_at_its_edges(actual: str, grade: str) -> None:
    """進捗率 80% exactly is B, 50% exactly is C (100 → 200: 180 is 80%, 150 is 50%)."""
    assert rate(make_kpi(*UP), D(actual), evaluation={"scheme": "progress_abcd"}).grade == grade


def test_the_documented_progress_abcd_example(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    kpis = kpi_yaml("done", "100", "200") + kpi_yaml("half", "100", "200") + kpi_yaml("low", "100", "200")
    actuals = {"done": {"R6": "200"}, "half": {"R6": "150"}, "low": {"R6": "120"}}
    out = run_scheme(runner, data_dir, example("progress_abcd"), kpis, actuals)
    assert grades_of(out) == {"done": "A", "half": "C", "low": "D"}
    assert [(g["symbol"], g["label"], g["criterion"]) for g in out["scheme"]["grades"]][2:] == [
        ("C", "やや遅れ", "進捗率が50%以上80%未満"),
        ("D", "遅れ", "進捗率が50%未満"),
        ("—", "未公表", "現時点では判断が困難(実績なし)"),
    ]


@pytest.mark.parametrize(
    ("block", "words", "path"),
    [
        ({"options": {"threshold": D("0.7")}}, "takes no options", ("options", "threshold")),
        ({"grades": [{"key": "great", "symbol": "S"}]}, "has no grade 'great'", ("grades", 0, "key")),
        ({"grades": [{"key": "b", "at_least": D("0.7")}]}, "its bands are fixed", ("grades", 0, "at_least")),
        ({"grades": [{"key": "b", "symbol": "A"}]}, "two grades share a symbol", ("grades",)),
    ],
)
def test_a_preset_refuses_what_would_change_its_bands(
    block: dict[str, Any], words: str, path: tuple[Any, ...]
) -> None:
    with pytest.raises(RatingError) as caught:
        resolve({"scheme": "progress_abcd", **block})
    assert words in str(caught.value)
    assert caught.value.path == path
