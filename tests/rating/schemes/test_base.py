"""Tests for kpitool.rating.schemes.base: bad options and grade overrides raise a clear
RatingError pointing at the fault, which validate and evaluate report without a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.rating.schemes.base import RatingError
from tests.rating.conftest import D
from tests.rating.schemes.conftest import (
    BAD_EVALUATION,
    PLAN_HEAD,
    example,
    kpi_yaml,
    resolve,
)


@pytest.mark.parametrize(
    ("block", "words", "path"),
    [
        ({"scheme": "nope"}, "unknown evaluation scheme 'nope' (known: default, progress_bands", ()),
        (
            {"options": {"threshold": D("0.8")}},
            "scheme 'default' has no option 'threshold'",
            ("options", "threshold"),
        ),
        (
            {"scheme": "progress_bands", "grades": [{"key": "on_track"}, {"key": "great", "symbol": "◎"}]},
            "scheme 'progress_bands' has no grade 'great' (grades: on_track, mostly_on_track, behind, not_judged)",
            ("grades", 1, "key"),
        ),
        (
            {"options": {"nearly_achieved": "99.5%"}},
            "option 'nearly_achieved' must be a number",
            ("options", "nearly_achieved"),
        ),
        ({"options": {"nearly_achieved": D(-1)}}, "must be a number ≥ 0", ("options", "nearly_achieved")),
        (
            {"scheme": "progress_bands", "options": {"threshold": D(80)}},
            "option 'threshold' is 80; write ratios as fractions (0.8 = 80%)",
            ("options", "threshold"),
        ),
        (
            {"scheme": "achievement_bands", "options": {"b": D("1.2")}},
            "option 'a' (1.1) must not be below 'b' (1.2)",
            ("options", "b"),
        ),
        (
            {"scheme": "baseline_tolerance", "options": {"tolerance": D(10)}},
            "a relative tolerance of 10 is over 100%",
            ("options", "tolerance"),
        ),
        (
            {"scheme": "baseline_tolerance", "options": {"points": "yes"}},
            "option 'points' must be true or false",
            ("options", "points"),
        ),
        (
            {"scheme": "trend_and_progress", "options": {"on_track": D(1)}},
            "option 'on_track' must be text",
            ("options", "on_track"),
        ),
        (
            {"grades": [{"key": "approaching", "symbol": "○"}]},
            "two grades share a symbol (○, ○, ×, —)",
            ("grades",),
        ),
    ],
)
def test_bad_settings_raise_a_clear_rating_error(
    block: dict[str, Any], words: str, path: tuple[str | int, ...]
) -> None:
    with pytest.raises(RatingError) as caught:
        resolve(block)
    assert words in str(caught.value)
    assert caught.value.path == path


# --------------------------------------------------------------------------- #
# validate and evaluate on a bad evaluation block


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        (
            "options: {threshhold: 0.8}",
            "scheme 'progress_bands' has no option 'threshhold' (options: threshold)",
        ),
        (
            "options: {threshold: 80}",
            "scheme 'progress_bands': option 'threshold' is 80; write ratios as fractions",
        ),
        ("grades: [{key: great, symbol: ◎}]", "scheme 'progress_bands' has no grade 'great'"),
    ],
)
def test_validate_reports_a_bad_evaluation_block(
    runner: CliRunner, data_dir: Callable[..., Path], replace: str, words: str
) -> None:
    text = BAD_EVALUATION.replace("options: {threshhold: 0.8}", replace)
    root = data_dir(plans={"demo.yaml": text})
    line = text.splitlines().index("evaluation:") + 1
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    # The problem points at the offending option or grade itself, two lines below `evaluation:`.
    assert re.search(rf"demo\.yaml:{line + 2}:\d+: evaluation\.\S+: {re.escape(words)}", result.stdout)
    assert "Traceback" not in result.output
    evaluated = runner.invoke(app, ["evaluate", "--data", str(root), "--year", "R6"])
    assert evaluated.exit_code == 1
    assert words in evaluated.stderr
    assert "Traceback" not in evaluated.output


def test_validate_checks_official_grades_against_renamed_symbols(
    runner: CliRunner, data_dir: Callable[..., Path]
) -> None:
    plan = PLAN_HEAD + example("default_renamed") + "kpis:\n" + kpi_yaml("k", "1", "2")
    good = "plan: demo\nactuals:\n  k:\n    R6: {value: 2, official_grade: ◎}\n"
    root = data_dir(plans={"demo.yaml": plan}, actuals={"demo.yaml": good})
    assert runner.invoke(app, ["validate", str(root)]).exit_code == 0
    (root / "actuals" / "demo.yaml").write_text(good.replace("◎", "○"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert "official grade '○' is not a grade of this plan's scheme" in result.stdout
