"""The No. column: the KPI's own number where the plan gives one, else its position in the plan.

Seed 001 (第2期久留米市地方創生総合戦略) numbers none of its 49 KPIs: they are 1–49 in plan order,
in the table, in JSON (``no``) and in CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re

from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.conftest import DATA

STRATEGY = "kurume-sogo-senryaku-2"


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data", str(DATA)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_kpi_of_001_has_its_position_as_no(runner: CliRunner) -> None:
    rows = json.loads(run(runner, "evaluate", STRATEGY, "--year", "R6", "--format", "json"))["kpis"]
    assert len(rows) == 49
    assert all(row["number"] is None for row in rows)
    assert [row["no"] for row in rows] == [str(n) for n in range(1, 50)]
    table = run(runner, "evaluate", STRATEGY, "--year", "R6", "--width", "200")
    for row in rows:  # the No. cell, then the name in the next cell
        assert re.search(rf"^│ {row['no']} +│ {re.escape(row['name'][:8])}", table, re.MULTILINE), row
    text = run(runner, "evaluate", STRATEGY, "--year", "R6", "--format", "csv").lstrip("\ufeff")
    assert [line["no"] for line in csv.DictReader(io.StringIO(text))] == [str(n) for n in range(1, 50)]


def test_a_plan_that_numbers_its_kpis_shows_its_numbers(runner: CliRunner) -> None:
    rows = json.loads(run(runner, "evaluate", "kurume-renkei-vision-2", "--year", "R6", "--format", "json"))
    assert [row["no"] for row in rows["kpis"]] == list("①②③④⑤⑥⑦⑧⑨⑩⑪⑫")
