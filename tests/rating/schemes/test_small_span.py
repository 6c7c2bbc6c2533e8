"""A 進捗率 whose span (target − baseline) is below 1% of the baseline, through the CLI, per scheme.

85,885人 → 86,000人 (⑤ of the 2nd vision): a fall to 52,339人 read as 進捗率 −29,170.4%. The rate
is shown as —, a note says why, and no scheme grades by it (docs/rating.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.rating.schemes.conftest import example, grades_of, kpi_yaml, run_scheme

NOTE = "進捗率 not shown: target − baseline is below 1% of the baseline"
KPIS = kpi_yaml("fell", "85885", "86000") + kpi_yaml("moved", "100000", "100900")
ACTUALS = {"fell": {"R6": "52339"}, "moved": {"R6": "100200"}}


@pytest.mark.parametrize(
    ("settings", "grades"),
    [
        # by the side of the baseline: 進捗率 > 0 without the division
        pytest.param("", {"fell": "×", "moved": "△"}, id="default"),
        pytest.param(
            "evaluation: {scheme: target_comparison}\n", {"fell": "×", "moved": "△"}, id="comparison"
        ),
        # by 達成率 against the threshold, as floors: 60.9% → C, 99.3% → B
        pytest.param(example("progress_bands"), {"fell": "C", "moved": "B"}, id="progress_bands"),
        # schemes that never use 進捗率 are unchanged
        pytest.param(example("achievement_bands"), {"fell": "C", "moved": "B"}, id="achievement_bands"),
    ],
)
def test_small_span_progress_is_not_shown_nor_graded_by(
    runner: CliRunner, data_dir: Callable[..., Path], settings: str, grades: dict[str, str]
) -> None:
    out = run_scheme(runner, data_dir, settings, KPIS, ACTUALS)
    assert grades_of(out) == grades
    rows = {row["id"]: row for row in out["kpis"]}
    assert rows["fell"]["progress_rate"] is None
    assert rows["moved"]["progress_rate"] is None
    assert rows["fell"]["achievement_rate"] == pytest.approx(0.608593)
    assert not any(re.search(r"進捗率 -?\d", row["rule"]) for row in rows.values())  # no grade by it
    assert all(NOTE in row["rule"] for row in rows.values())
    assert "-29,170" not in out["table"]
    assert f"注: {NOTE} (1、2)" in out["table"]
