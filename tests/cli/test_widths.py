"""Terminal output of the real CLI on the bundled data at 60–200 columns, piped, and as goldens.

For every bundled plan and width: each KPI's number (or name) and its grade are on one line,
no line is wider than the width (rich.cells.cell_len: a CJK character takes two cells), and
every figure, rate and period of the JSON output appears whole in the table.

The fast loop (``-m "not slow"``) checks the fit at 60 and 80 columns, the narrow layouts; the
wider ones are checked in the full run, and at 200 columns by the goldens (the fitting itself has
unit tests at 40–240 columns in tests/render/test_terminal.py).

The golden files tests/golden/evaluate-R6-{80,200}.txt and summary-{80,200}.txt are the exact
tables. After an intended change of the layout, regenerate them and review the diff::

    KPITOOL_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_widths.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.support.safe_write import write_text_atomic
from kpitool.values.numbers import format_percent

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
GOLDEN = REPO / "tests" / "golden"
PLANS = ("kurume-renkei-vision-2", "kurume-renkei-vision-3", "kurume-sogo-senryaku-2")
WIDTHS = (60, 80, 100, 120, 200)
FAST_WIDTHS = (60, 80)
"""The widths checked in the fast loop too; the others are marked slow."""
ENV = {"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": None}
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def run(*args: str, env: dict[str, str | None] | None = None) -> str:
    result = CliRunner(env={**ENV, **(env or {})}).invoke(app, [*args, "--data", str(DATA)])
    assert result.exit_code == 0, result.output
    return result.stdout


def widths() -> list[Any]:
    """:data:`WIDTHS` as parameters, those outside :data:`FAST_WIDTHS` marked slow."""
    return [w if w in FAST_WIDTHS else pytest.param(w, marks=pytest.mark.slow) for w in WIDTHS]


@cache
def summary_json() -> Any:
    """kpitool summary's JSON of the plans for R4–R6 (the same at every width)."""
    return json.loads(run("summary", *PLANS, "--years", "R4,R5,R6", "--format", "json"))


@cache
def kpis(plan: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(run("evaluate", plan, "--year", "R6", "--format", "json"))["kpis"]
    return rows


def numbers(line: str) -> set[Decimal]:
    return {Decimal(match.replace(",", "")) for match in NUMBER.findall(line)}


def first_lines(lines: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """The first line of each KPI, in order: where its No. (and the start of its name) is."""
    found, cursor = [], 0
    for row in rows:
        # The No., then (in its own cell or after a space) the first letter of the name.
        mark = rf"(^|│ ){re.escape(row['no'])} +(│ )?{re.escape(row['name'][0])}"
        index = next(i for i in range(cursor, len(lines)) if re.search(mark, lines[i]))
        found.append(lines[index])
        cursor = index + 1
    return found


def check_fits(text: str, width: int, rows: list[dict[str, Any]]) -> None:
    lines = text.splitlines()
    wide = [line for line in lines if cell_len(line) > width]
    assert wide == [], f"lines wider than {width}"
    for row, line in zip(rows, first_lines(lines, rows), strict=True):
        # The grade is the last cell of the KPI's first line (then, maybe, the computed one).
        assert re.search(rf"{re.escape(row['grade'])}( \(計算:.\))?$", line.rstrip(" │")), (row["name"], line)
    figures = set().union(*(numbers(line) for line in lines))
    for row in rows:
        for key in ("baseline", "target", "actual"):
            value = row[key]
            if value is None or (key == "target" and row["target_text"]):
                continue
            value = Decimal(str(value))
            # An actual recorded in another unit is printed as the source gave it (299,539人 for 29.9539万人).
            assert any(
                figure == value or (figure and value / figure in (Decimal(10) ** -4, 1)) for figure in figures
            ), (key, row)
            period = row[f"{key}_period"]
            if period:
                assert any(f"({period})" in line for line in lines), (key, period)
        for key in ("achievement_rate", "progress_rate"):
            if row[key] is not None:
                shown = format_percent(Decimal(str(row[key])))
                assert any(shown in line for line in lines), (key, shown)


@pytest.mark.parametrize("width", widths())
@pytest.mark.parametrize("plan", PLANS)
def test_evaluate_fits_the_width(plan: str, width: int) -> None:
    text = run("evaluate", plan, "--year", "R6", "--width", str(width))
    check_fits(text, width, kpis(plan))


@pytest.mark.parametrize("width", widths())
def test_columns_sets_the_width_too(width: int) -> None:
    text = run("evaluate", PLANS[0], "--year", "R6", env={"COLUMNS": str(width)})
    check_fits(text, width, kpis(PLANS[0]))


@pytest.mark.slow  # starts real processes
def test_piped_output_is_written_whole() -> None:
    """No --width, no COLUMNS, not a terminal: the widest layout, one line per KPI, uncropped."""
    result = subprocess.run(
        [sys.executable, "-m", "kpitool", "evaluate", *PLANS, "--year", "R6", "--data", str(DATA)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={
            **{k: v for k, v in os.environ.items() if k != "COLUMNS"},
            "PYTHONIOENCODING": "utf-8",
            "NO_COLOR": "1",
        },
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    chunks = result.stdout.rstrip("\n").split("\n\n")  # a blank line after each plan
    for plan, chunk in zip(PLANS, chunks, strict=True):
        check_fits(chunk, max(cell_len(line) for line in lines), kpis(plan))
    vision = kpis(PLANS[0])
    for row, line in zip(vision, first_lines(lines, vision), strict=True):
        assert f"({row['baseline_period']})" in line
        assert f"({row['actual_period']})" in line
    assert max(cell_len(line) for line in lines) > 200


@pytest.mark.parametrize("width", widths())
def test_summary_fits_the_width(width: int) -> None:
    text = run("summary", *PLANS, "--years", "R4,R5,R6", "--width", str(width))
    assert max(cell_len(line) for line in text.splitlines()) <= width
    result = summary_json()
    for plan in result if isinstance(result, list) else [result]:
        for year in plan["years"]:
            for symbol, percent in year["percent"].items():
                assert f"({percent:.1f}%)" in text, (year["label"], symbol)


@pytest.mark.parametrize("width", widths())
@pytest.mark.parametrize("plan", PLANS)
def test_show_fits_the_width(plan: str, width: int) -> None:
    text = run("show", plan, "--width", str(width))
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    for row in kpis(plan):
        assert any(f"id={row['id']}" in line for line in lines)
        if row["baseline"] is not None and row["baseline_period"]:
            assert any(f"({row['baseline_period']})" in line for line in lines)


def compare_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KPITOOL_UPDATE_GOLDEN") == "1":
        write_text_atomic(path, actual)
        pytest.skip(f"updated {path.relative_to(REPO)}; review the diff")
    assert path.exists(), f"{path} is missing; create it with KPITOOL_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [80, 200])
def test_golden_evaluate(width: int) -> None:
    compare_golden(f"evaluate-R6-{width}.txt", run("evaluate", *PLANS, "--year", "R6", "--width", str(width)))


@pytest.mark.parametrize("width", [80, 200])
def test_golden_summary(width: int) -> None:
    text = run("summary", *PLANS, "--years", "R4,R5,R6", "--width", str(width))
    compare_golden(f"summary-{width}.txt", text)


def test_readme_quick_start_shows_the_80_column_table() -> None:
    """README's Quick start excerpt is what `kpitool evaluate --year R6` prints at 80 columns."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("## Quick start", 1)[1].split("```\n", 2)[2].split("…\n```", 1)[0]
    assert excerpt.count("\n") >= 10
    assert run("evaluate", "--year", "R6", "--width", "80").startswith(excerpt)
