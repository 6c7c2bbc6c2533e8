"""The 総括 as CSV and JSON (kpitool.render.machine_summary): hostile grade labels neutralised
for Excel, the published counts empty where none are recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.render.test_machine import hostile_tree, read_csv, run


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data tree whose KPI names and grade labels are CSV and JSON hazards."""
    return hostile_tree(tmp_path)


def test_summary_csv_neutralises_grade_labels(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    run("summary", "--years", "R6", "--data", str(data), "--format", "csv", "--output", str(out))
    rows = read_csv(out)
    achieved = next(row for row in rows if row["grade"] == "○")
    assert achieved["label"] == "'=1+1"
    assert achieved["criterion"] == "'@evil"
    assert achieved["count"] == "6"


def test_summary_without_published_counts_leaves_them_empty(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    run("summary", "--years", "R6", "--data", str(data), "--format", "csv", "--output", str(out))
    for row in read_csv(out):
        assert (row["published_count"], row["published_matches"], row["published_source"]) == ("", "", "")
        assert row["official_grades"] == "0"
    document = json.loads(run("summary", "--years", "R6", "--data", str(data), "--format", "json"))
    (year,) = document["years"]
    assert year["published"] is None
    assert (year["official_grades"], year["official_overrides"]) == (0, 0)
