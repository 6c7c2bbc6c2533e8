"""Tests for kpitool.rating.schemes.bands: progress_bands, expected_value and achievement_bands,
as the worked examples of docs/rating.md run through the real CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from tests.rating.schemes.conftest import (
    example,
    grades_of,
    kpi_yaml,
    run_scheme,
)


def test_scheme_progress_bands(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """1. A 順調 (target reached) / B おおむね順調 (進捗率 ≥ 80%) / C 努力を要する (< 80%)."""
    kpis = (
        kpi_yaml("reached", "100", "200")
        + kpi_yaml("eighty", "100", "200")  # 進捗率 exactly 80%
        + kpi_yaml("below", "100", "200")
        + kpi_yaml("waiting", "54", "0", "decrease")  # 44 / 54 = 81.5%
        + kpi_yaml("floor", "365", "365", "at_least")  # no 進捗率: the 達成率 300 / 365 = 82.2%
    )
    actuals = {
        "reached": {"R6": "200"},
        "eighty": {"R6": "180"},
        "below": {"R6": "179.9"},
        "waiting": {"R6": "10"},
        "floor": {"R6": "300"},
    }
    out = run_scheme(runner, data_dir, example("progress_bands"), kpis, actuals)
    assert grades_of(out) == {"reached": "A", "eighty": "B", "below": "C", "waiting": "B", "floor": "B"}
    assert [(g["symbol"], g["label"], g["criterion"]) for g in out["scheme"]["grades"]] == [
        ("A", "順調", "目標値を達成した"),
        ("B", "おおむね順調", "進捗率が80%以上"),
        ("C", "努力を要する", "進捗率が80%未満"),
        ("—", "判断困難", "現時点では判断が困難(実績なし)"),
    ]
    assert out["summary"] == {"A": 1, "B": 3, "C": 1, "—": 0, "total": 5}
    assert "A 順調（目標値を達成した）" in out["table"]


def test_scheme_expected_value(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """2. Against the 期待値 of the year: linear from R2 (100) to R7 (200), so R4 expects 140."""
    kpis = (
        kpi_yaml("at", "100", "200")
        + kpi_yaml("eighty", "100", "200")
        + kpi_yaml("under", "100", "200")
        + kpi_yaml("half", "100", "200")
        + kpi_yaml("low", "100", "200")
        + kpi_yaml("interim", "100", "200", extra=", interim_targets: [{value: 150, period: R4年度}]")
    )
    actuals = {
        "at": {"R4": "140"},
        "eighty": {"R4": "112"},  # 80% of 140
        "under": {"R4": "111.9"},
        "half": {"R4": "70"},  # 50%
        "low": {"R4": "69.9"},
        "interim": {"R4": "145"},  # the plan's own 目安値 for R4 is 150: 96.7%
    }
    out = run_scheme(runner, data_dir, example("expected_value"), kpis, actuals, year="R4")
    assert grades_of(out) == {
        "at": "A",
        "eighty": "B+",
        "under": "B",
        "half": "B",
        "low": "C",
        "interim": "B+",
    }
    expected = {row["id"]: row["details"]["expected"] for row in out["kpis"]}
    assert expected == {"at": 140, "eighty": 140, "under": 140, "half": 140, "low": 140, "interim": 150}
    assert "期待値" in out["table"]
    assert "B+ おおむね順調（期待値の80%以上100%未満）" in out["table"]


def test_scheme_achievement_bands(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    """3. 達成率 bands: A ≥ 110%, B ≥ 80%, C ≥ 50%, D < 50%."""
    kpis = (
        "".join(kpi_yaml(k, "50", "100") for k in ("a", "b_top", "b", "c", "c_low", "d"))
        + kpi_yaml("fewer", "100", "50", "decrease")
        + kpi_yaml("zero", "54", "0", "decrease")
    )
    actuals = {
        "a": {"R6": "110"},
        "b_top": {"R6": "109.9"},
        "b": {"R6": "80"},
        "c": {"R6": "79.9"},
        "c_low": {"R6": "50"},
        "d": {"R6": "49.9"},
        "fewer": {"R6": "62.5"},  # 50 / 62.5 = 80%
        "zero": {"R6": "0"},  # 0 / 0: reached, counted as 100%
    }
    out = run_scheme(runner, data_dir, example("achievement_bands"), kpis, actuals)
    assert grades_of(out) == {
        "a": "A",
        "b_top": "B",
        "b": "B",
        "c": "C",
        "c_low": "C",
        "d": "D",
        "fewer": "B",
        "zero": "B",
    }
    zero = out["kpis"][-1]
    assert zero["achievement_rate"] is None
    assert "counted as 100.0%" in zero["rule"]
