"""CSV and JSON outputs are safe with hostile names: no formula runs in Excel, JSON stays valid."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.rating.cached import evaluate_documents
from kpitool.rating.results import PlanEvaluation
from kpitool.render.left_out import with_left_out
from kpitool.render.machine import evaluation_json, evaluations_json, safe_cell, to_json
from kpitool.sources.selection import NOTHING_LEFT_OUT, LeftOut, OutOfPeriod
from kpitool.sources.tree import load_data
from kpitool.values.fiscal_year import FiscalYear
from tests.conftest import DATA

# Written as YAML double-quoted strings: \" a quote, \n a newline, \L U+2028 (a line break to
# JavaScript, valid in JSON), \U0001F389 an emoji.
HOSTILE_NAMES = {
    "formula": (
        '=HYPERLINK("http://example.invalid","詳細")',
        '"=HYPERLINK(\\"http://example.invalid\\",\\"詳細\\")"',
    ),
    "plus": ("+SUM(1,2)", '"+SUM(1,2)"'),
    "minus": ("-2+3+cmd|' /C calc'!A0", "\"-2+3+cmd|' /C calc'!A0\""),
    "at": ("@SUM(A1:A2)", '"@SUM(A1:A2)"'),
    "tab": ("\t=1+1", '"\\t=1+1"'),
    "quotes": ('He said "hi"\n二行目 🎉\u2028end', '"He said \\"hi\\"\\n二行目 \\U0001F389\\Lend"'),
}

PLAN = """\
id: hostile
title: "絵文字の計画 🎌 \\"quoted\\""
kind: comprehensive_plan
municipality: 久留米市
period: {{start: R4, end: R7}}
evaluation:
  grades:
    - {{key: achieved, label: "=1+1", criterion: "@evil"}}
sections:
  - id: goal-1
    level: 基本目標
    title: "@セクション"
    kpis:
{kpis}
      - id: gap
        name: 全国平均との差
        unit: ポイント
        direction: increase
        baseline: {{value: -2.6, period: R2年度}}
        target: {{value: 0, period: R7年度}}
"""
KPI = """\
      - id: {id}
        name: {yaml}
        unit: 人
        direction: increase
        baseline: {{value: 100, period: R2年度}}
        target: {{value: 200, period: R7年度}}
"""
ACTUALS = "plan: hostile\nactuals:\n" + "".join(
    f"  {key}:\n    R6: {{value: 250, period: R6年度}}\n" for key in HOSTILE_NAMES
)


def hostile_tree(root: Path) -> Path:
    """A data tree under ``root`` whose KPI names are CSV and JSON hazards."""
    kpis = "".join(KPI.format(id=key, yaml=text) for key, (_, text) in HOSTILE_NAMES.items())
    (root / "data/plans").mkdir(parents=True)
    (root / "data/actuals").mkdir()
    (root / "data/plans/hostile.yaml").write_text(PLAN.format(kpis=kpis), encoding="utf-8")
    (root / "data/actuals/hostile.yaml").write_text(ACTUALS, encoding="utf-8")
    return root / "data"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data tree whose KPI names are CSV and JSON hazards."""
    return hostile_tree(tmp_path)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"KPITOOL_NO_CACHE": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Japanese right
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def test_evaluation_csv_neutralises_formulas_and_keeps_numbers(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r6.csv"
    run("evaluate", "--year", "R6", "--data", str(data), "--format", "csv", "--output", str(out))
    rows = {row["kpi_id"]: row for row in read_csv(out)}
    for key, (name, _) in HOSTILE_NAMES.items():
        expected = name if key == "quotes" else "'" + name  # a leading ' makes Excel show text
        assert rows[key]["name"] == expected
    assert rows["gap"]["baseline"] == "-2.6"  # a plain negative number is data, not a formula
    assert rows["formula"]["section"] == "'@セクション"
    assert rows["formula"]["grade_label"] == "'=1+1"
    assert rows["formula"]["criterion"] == "'@evil"
    assert rows["quotes"]["name"].count("\n") == 1  # the newline survives inside a quoted field


def test_no_csv_cell_can_start_a_formula(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r6.csv"
    run("evaluate", "--year", "R6", "--data", str(data), "--format", "csv", "--output", str(out))
    for row in read_csv(out):
        for column, cell in row.items():
            if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not _is_number(cell)):
                pytest.fail(f"{column} = {cell!r} would run as a formula")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_json_is_valid_and_keeps_names_exactly(data: Path) -> None:
    document = json.loads(run("evaluate", "--year", "R6", "--data", str(data), "--format", "json"))
    names = {kpi["id"]: kpi["name"] for kpi in document["kpis"]}
    for key, (name, _) in HOSTILE_NAMES.items():
        assert names[key] == name  # JSON is data, not a spreadsheet: nothing is prefixed
    assert document["plan"]["title"] == '絵文字の計画 🎌 "quoted"'
    assert document["scheme"]["grades"][0]["label"] == "=1+1"


def test_json_to_a_file_is_utf8_and_parses(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r6.json"
    run("evaluate", "--year", "R6", "--data", str(data), "--format", "json", "--output", str(out))
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # JSON has no BOM (RFC 8259)
    assert "🎉" in raw.decode("utf-8")
    assert json.loads(raw)["kpis"][5]["name"] == HOSTILE_NAMES["quotes"][0]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@A1", "'@A1"),
        ("\r=1", "'\r=1"),
        ("-2.6", "-2.6"),
        ("-14063", "-14063"),
        ("観光客数", "観光客数"),
        ("", ""),
    ],
)
def test_safe_cell(cell: str, expected: str) -> None:
    assert safe_cell(cell) == expected


@pytest.mark.parametrize(
    ("target", "actual", "rate"),
    [("0.000001", "100000000000000000", 1e23), ("3", "1", 0.333333), ("3", "2", 0.666667)],
    ids=["beyond-28-digits", "rounds-down", "rounds-up"],
)
def test_rates_are_rounded_to_six_places_at_any_size(
    runner: CliRunner, tmp_path: Path, target: str, actual: str, rate: float
) -> None:
    from tests.conftest import MINIMAL_PLAN

    root = tmp_path / "data"
    (root / "plans").mkdir(parents=True)
    (root / "actuals").mkdir()
    plan = MINIMAL_PLAN.replace(
        "baseline: {value: 100, period: R1年度}", "baseline: {value: 0, period: R1年度}"
    )
    plan = plan.replace("target: {value: 200,", f"target: {{value: {target},")
    (root / "plans/demo.yaml").write_text(plan, encoding="utf-8")
    actuals = f"plan: demo\nactuals:\n  workers:\n    R5: {{value: {actual}, period: R5年度}}\n"
    (root / "actuals/demo.yaml").write_text(actuals, encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--year", "R5", "--format", "json", "--data", str(root)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kpis"][0]["achievement_rate"] == rate


def _bundled_evaluations() -> list[PlanEvaluation]:
    loaded = load_data([DATA])
    return evaluate_documents(loaded, list(loaded.plans.values()), FiscalYear(2024))


@pytest.mark.parametrize(
    "left_out", [NOTHING_LEFT_OUT, LeftOut((), (OutOfPeriod("p", "R8", "R12", ("R6",)),))]
)
def test_several_plans_written_one_at_a_time_give_the_text_of_one_dump(left_out: LeftOut) -> None:
    results = _bundled_evaluations()
    assert len(results) > 2
    items = [with_left_out(evaluation_json(r), left_out) for r in results]
    expected = json.dumps(items, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert evaluations_json(results, left_out) == expected
    assert evaluations_json(results[:1], left_out) == to_json(items[0], pretty=False)
    assert evaluations_json([], left_out) == "[]\n"


def test_json_at_a_terminal_stays_indented(monkeypatch: pytest.MonkeyPatch) -> None:
    results = _bundled_evaluations()[:2]
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    items = [evaluation_json(r) for r in results]
    assert evaluations_json(results) == json.dumps(items, ensure_ascii=False, indent=2) + "\n"
