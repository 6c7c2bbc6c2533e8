"""Tests for kpitool.rating.schemes.change: baseline_tolerance (relative or in points) and
trend_and_progress, as the worked examples of docs/rating.md run through the real CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from tests.rating.conftest import D
from tests.rating.schemes.conftest import (
    example,
    grades_of,
    kpi_yaml,
    resolve,
    run_scheme,
)


def test_points_tolerance_may_exceed_one() -> None:
    scheme = resolve({"scheme": "baseline_tolerance", "options": {"tolerance": D(3), "points": True}})
    assert scheme.options == {"tolerance": D(3), "points": True}


def test_scheme_baseline_tolerance(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """4. S beyond the target / A better than the baseline / B same level (±10%) / C worse."""
    kpis = "".join(kpi_yaml(k, "100", "150") for k in ("s", "a", "b_edge", "b_low", "c")) + "".join(
        kpi_yaml(k, "100", "50", "decrease") for k in ("fewer", "more")
    )
    actuals = {
        "s": {"R6": "150"},
        "a": {"R6": "111"},
        "b_edge": {"R6": "110"},  # exactly +10%: still the same level
        "b_low": {"R6": "90"},
        "c": {"R6": "89"},
        "fewer": {"R6": "85"},
        "more": {"R6": "115"},
    }
    out = run_scheme(runner, data_dir, example("baseline_tolerance"), kpis, actuals)
    assert grades_of(out) == {
        "s": "S",
        "a": "A",
        "b_edge": "B",
        "b_low": "B",
        "c": "C",
        "fewer": "A",
        "more": "C",
    }


def test_scheme_baseline_tolerance_in_points(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """4'. Survey percentages: the same level is within ±3 points of the baseline."""
    kpis = "".join(kpi_yaml(k, "60.0", "70.0") for k in ("s", "a", "b", "c"))
    actuals = {"s": {"R6": "70.0"}, "a": {"R6": "63.1"}, "b": {"R6": "63.0"}, "c": {"R6": "56.9"}}
    out = run_scheme(runner, data_dir, example("baseline_tolerance_points"), kpis, actuals)
    assert grades_of(out) == {"s": "S", "a": "A", "b": "B", "c": "C"}
    assert out["scheme"]["grades"][2] == {
        "key": "b",
        "symbol": "B",
        "label": "横ばい",
        "criterion": "基準値から±3ポイント以内",
    }
    assert "B 横ばい（基準値から±3ポイント以内）" in out["table"]


def test_scheme_trend_and_progress(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """5. Two axes: trend on the previous year (○ 改善 / △ 維持 / × 悪化) and progress on the
    期待値 (順調 / 要改善): R2 100 → R7 200 expects 160 in R5."""
    kpis = "".join(kpi_yaml(k, "100", "200") for k in ("up_late", "flat", "up_ahead", "down", "new"))
    actuals = {
        "up_late": {"R4": "130", "R5": "150"},
        "flat": {"R4": "130", "R5": "130"},
        "up_ahead": {"R4": "150", "R5": "170"},
        "down": {"R4": "150", "R5": "140"},
        "new": {"R5": "170"},
    }
    out = run_scheme(runner, data_dir, example("trend_and_progress"), kpis, actuals, year="R5")
    both = {row["id"]: (row["grade"], row["details"]["progress_grade"]) for row in out["kpis"]}
    assert both == {
        "up_late": ("○", "要改善"),
        "flat": ("△", "要改善"),
        "up_ahead": ("○", "順調"),
        "down": ("×", "要改善"),
        "new": ("—", "順調"),  # no previous year: the trend cannot be judged, progress can
    }
    assert {row["details"]["expected"] for row in out["kpis"]} == {160}
    assert "進捗" in out["table"]
    assert "要改善" in out["table"]
