"""kpitool export: the open data rows, checked against ``evaluate --format json`` row by row."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.render.export import EXPORT_COLUMNS
from tests.conftest import DATA, MINIMAL_ACTUALS, MINIMAL_PLAN

MakeData = Callable[..., Path]
VISION = "kurume-renkei-vision-2"
YEARS = ("R4", "R5", "R6")


def invoke(runner: CliRunner, *args: str, data: Path = DATA) -> str:
    result = runner.invoke(app, [*args, "--data", str(data)])
    assert result.exit_code == 0, result.output
    return result.stdout


def _evaluations(runner: CliRunner) -> dict[str, dict[str, object]]:
    return {y: json.loads(invoke(runner, "evaluate", VISION, "--year", y, "--format", "json")) for y in YEARS}


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_one_csv_row_per_kpi_and_year_as_evaluate_gives_it(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "open.csv"
    invoke(runner, "export", VISION, "--years", ",".join(YEARS), "--output", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(raw.decode("utf-8"))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    evaluations = _evaluations(runner)
    expected = [(year, kpi) for year in YEARS for kpi in evaluations[year]["kpis"]]  # type: ignore[attr-defined]
    assert len(rows) == len(expected) == 36
    for row, (year, kpi) in zip(rows, expected, strict=True):
        assert row["plan_id"] == VISION
        assert row["year"] == year
        assert row["kpi_id"] == kpi["id"]
        assert row["number"] == kpi["no"]
        assert row["name"] == kpi["name"]
        assert row["section_id"] == kpi["section_id"]
        assert row["direction"] == kpi["direction"]
        assert row["grade"] == kpi["grade"]
        assert row["official_grade"] == (kpi["official_grade"] or "")
        assert row["period"] == (kpi["actual_period"] or "")
        for column, key in (("baseline", "baseline"), ("target", "target"), ("value", "actual")):
            assert (float(row[column]) if row[column] else None) == kpi[key], (column, row)


def test_json_rows_hold_the_same_records(runner: CliRunner) -> None:
    records = json.loads(invoke(runner, "export", VISION, "--years", ",".join(YEARS), "--format", "json"))
    evaluations = _evaluations(runner)
    assert [(r["year"], r["kpi_id"], r["grade"], r["value"]) for r in records] == [
        (y, k["id"], k["grade"], k["actual"])
        for y in YEARS
        for k in evaluations[y]["kpis"]  # type: ignore[attr-defined]
    ]
    assert all(list(r) == list(EXPORT_COLUMNS) for r in records)


def test_text_a_spreadsheet_would_run_is_neutralised(runner: CliRunner, data_dir: MakeData) -> None:
    plan = MINIMAL_PLAN.replace("name: 労働者数", 'name: "=HYPERLINK(\\"http://x\\")"')
    root = data_dir(plans={"demo.yaml": plan}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    rows = _csv_rows(invoke(runner, "export", "demo", "--years", "R5", data=root))
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["value"] == "150"


@pytest.mark.parametrize("fmt", ["xml", "xlsx"])
def test_an_unknown_format_is_a_usage_error(runner: CliRunner, fmt: str) -> None:
    result = runner.invoke(app, ["export", "--format", fmt, "--data", str(DATA)])
    assert result.exit_code == 2


def test_refuses_to_write_over_a_data_file(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    target = root / "plans" / "demo.yaml"
    before = target.read_bytes()
    result = runner.invoke(app, ["export", "--output", str(target), "--data", str(root)])
    assert result.exit_code == 2
    assert target.read_bytes() == before


def test_parquet_holds_the_csv_rows_typed_and_exact(runner: CliRunner, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="the parquet extra is not installed")
    years = ",".join(YEARS)
    invoke(
        runner, "export", VISION, "--years", years, "--format", "parquet", "--output", str(tmp_path / "a.pq")
    )
    invoke(
        runner, "export", VISION, "--years", years, "--format", "parquet", "--output", str(tmp_path / "b.pq")
    )
    assert (tmp_path / "a.pq").read_bytes() == (tmp_path / "b.pq").read_bytes()  # the same bytes
    table = pq.read_table(tmp_path / "a.pq")
    assert table.column_names == list(EXPORT_COLUMNS)
    assert str(table.schema.field("value").type).startswith("decimal128")
    rows = table.to_pylist()
    expected = _csv_rows(invoke(runner, "export", VISION, "--years", years))
    assert len(rows) == len(expected) == 36
    for row, text in zip(rows, expected, strict=True):
        for column in EXPORT_COLUMNS:
            value, shown = row[column], text[column]
            if column in ("baseline", "target", "value"):
                assert value == (Decimal(shown) if shown else None), (column, row)
            elif column in ("achievement_rate", "progress_rate"):
                assert value == (float(shown) if shown else None), (column, row)
            elif column == "fiscal_year":
                assert value == int(shown)
            else:
                assert (value or "") == shown, (column, row)


def test_parquet_needs_a_file_and_the_extra(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    to_stdout = runner.invoke(app, ["export", VISION, "--format", "parquet", "--data", str(DATA)])
    assert to_stdout.exit_code == 2
    assert "--output FILE" in to_stdout.output
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if the extra were not installed
    out = tmp_path / "open.parquet"
    result = runner.invoke(
        app, ["export", VISION, "--format", "parquet", "-o", str(out), "--data", str(DATA)]
    )
    assert result.exit_code == 2
    assert "pip install 'kpitool[parquet]'" in result.output
    assert not out.exists()
