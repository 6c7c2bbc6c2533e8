"""Fixtures shared by the workbook tests: the bundled vision's report, written and re-opened once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.conftest import DATA

VISION = "kurume-renkei-vision-2"


@pytest.fixture(scope="session")
def vision_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``kpitool report`` of the bundled vision for R4–R6 (the default outlook), written once."""
    out = tmp_path_factory.mktemp("report") / "vision.xlsx"
    args = ["report", VISION, "--years", "R4,R5,R6", "--xlsx", str(out), "--data", str(DATA)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    return out


@pytest.fixture(scope="session")
def vision_book(vision_report: Path) -> Any:
    """:func:`vision_report` re-opened with openpyxl, once: the tests only read it."""
    return load_workbook(vision_report)
