"""Fixtures shared by the tests of kpitool.sources: the bundled plan's blank collection forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from tests.forms import BlankForm, template


@pytest.fixture(scope="session")
def blank_form(tmp_path_factory: pytest.TempPathFactory) -> BlankForm:
    """``blank_form(year, out)``: kpitool template's form of the bundled data for ``year``, copied to ``out``.

    Each year's form is made once per run; a test that changes the data before it makes a form
    (or after an import, to see the form change) runs ``tests.forms.template`` itself.
    """
    made: dict[str, bytes] = {}

    def copy(year: str, out: Path) -> Path:
        if year not in made:
            folder = tmp_path_factory.mktemp(f"blank-{year}")
            made[year] = template(CliRunner(), DATA, year, folder / "form.xlsx").read_bytes()
        out.write_bytes(made[year])
        return out

    return copy
