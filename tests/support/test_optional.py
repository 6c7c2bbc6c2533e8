"""Importing without optional packages: blocked inside the block only, never what is already imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kpitool.support.optional import without


def test_a_package_not_yet_imported_cannot_be_imported_inside_and_can_after() -> None:
    name = "kpitool_test_absent_package"
    with without(name), pytest.raises(ModuleNotFoundError):
        __import__(name)
    assert name not in sys.modules


def test_a_package_already_imported_stays_importable_inside() -> None:
    with without("json"):
        import json

    assert json is sys.modules["json"]


def test_openpyxl_loaded_for_a_report_does_not_load_numpy() -> None:
    code = (
        "import sys; import kpitool.render.xlsx, kpitool.sources.workbook, openpyxl.compat.numbers as n; "
        "print('numpy' in sys.modules, n.NUMPY); import decimal; print(decimal.Decimal in n.NUMERIC_TYPES)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "True"]
