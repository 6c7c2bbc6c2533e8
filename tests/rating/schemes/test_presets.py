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
    options = {"measure": preset.measure_name, **preset.options_given}
    return {"scheme": "bands", "options": options, "grades": grades}


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


@pytest.mark.parametrize(
    ("direction", "baseline", "actual", "grade"),
    [
        ("increase", "60", "63.1", "a"),
        ("increase", "60", "63", "b"),  # +3 points exactly: 現状維持, not 改善 (above is strict)
        ("increase", "60", "60", "b"),
        ("increase", "60", "57", "b"),  # −3 points exactly: still 現状維持 (at_least)
        ("increase", "60", "56.9", "c"),
        ("decrease", "30", "26.9", "a"),  # a fall of 3.1 points is +3.1 for a KPI that should fall
        ("decrease", "30", "27", "b"),
        ("decrease", "30", "33", "b"),
        ("decrease", "30", "33.1", "c"),
    ],
)
def test_maintain_points_at_its_edges(direction: str, baseline: str, actual: str, grade: str) -> None:
    """a above +3 points, b from −3 to +3 points (both edges), c below −3 points."""
    target = D(baseline) + (D(10) if direction == "increase" else D(-10))
    kpi = make_kpi(direction, D(baseline), target, unit="%")
    assert rate(kpi, D(actual), evaluation={"scheme": "maintain_points"}).grade == grade


def test_the_documented_maintain_points_setting(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """The docs' bands setting (``above: 3``) and the preset give the same grades and wording."""
    kpis = "".join(kpi_yaml(k, "60", "70") for k in ("up", "edge", "low", "down"))
    kpis += kpi_yaml("fall", "30", "20", direction="decrease")
    actuals = {k: {"R6": v} for k, v in {"up": "63.1", "edge": "63", "low": "57", "down": "56.9"}.items()}
    actuals["fall"] = {"R6": "26.9"}
    written = run_scheme(runner, data_dir, example("maintain_points"), kpis, actuals)
    named = run_scheme(runner, data_dir, "evaluation:\n  scheme: maintain_points\n", kpis, actuals)
    assert (
        grades_of(written)
        == grades_of(named)
        == {"up": "a", "edge": "b", "low": "b", "down": "c", "fall": "a"}
    )
    assert [g["criterion"] for g in named["scheme"]["grades"]][:3] == [
        "基準値からの変化が3ポイント超",
        "基準値からの変化が-3ポイント以上3ポイント以下",
        "基準値からの変化が-3ポイント未満",
    ]
    (edge,) = [row for row in named["kpis"] if row["id"] == "edge"]
    assert edge["rule"] == "基準値からの変化 3ポイント ≥ -3ポイント"
    (down,) = [row for row in named["kpis"] if row["id"] == "down"]
    assert down["rule"] == "基準値からの変化 -3.1ポイント < -3ポイント"


def test_maintain_points_is_not_compared() -> None:
    """Points in a KPI's own unit mean something for KPIs in % only: --compare-schemes leaves it out."""
    from kpitool.rating.compare import COMPARED

    assert "maintain_points" not in COMPARED
    assert {"prefecture_expected", "progress_abcd"} <= set(COMPARED)
