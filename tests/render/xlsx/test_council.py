"""kpitool report: the council workbook, re-opened with openpyxl and checked cell by cell."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.rating.engine import evaluate_plan
from kpitool.render.xlsx.council import render_report
from kpitool.render.xlsx.deterministic import EpochError, fixed_time
from kpitool.sources.tree import load_data
from kpitool.values.fiscal_year import FiscalYear
from tests.conftest import DATA, MINIMAL_ACTUALS, MINIMAL_PLAN

MakeData = Callable[..., Path]
CHART = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
SHEET = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
VISION = "kurume-renkei-vision-2"

INJECTION_PLAN = """\
id: inject
title: "=HYPERLINK(\\"http://example.com\\",\\"click\\")"
kind: comprehensive_plan
municipality: "@SUM(1+1)"
sections:
  - id: s1
    level: "+施策"
    number: "1"
    title: "-2+3"
    kpis:
      - id: k1
        name: "=1+1"
        unit: "@人"
        direction: increase
        baseline: {value: 10, period: R2年度, text: "-10"}
        target: {value: 20, period: R7年度, text: "+20"}
      - id: k2
        name: "=cmd|' /C calc'!A0"
        unit: 件
        direction: increase
        baseline: {value: 1.50, period: R2年度}
        target: {value: 2, period: R7年度}
"""

INJECTION_ACTUALS = """\
plan: inject
actuals:
  k1:
    R6: {value: 15, period: R6年度, official_grade: ×, official_reason: "=EVIL()"}
"""


def _report(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, ["report", *args], env=env)


def _json(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_summary_sheet_matches_kpitool_summary(vision_book: Any, runner: CliRunner) -> None:
    expected = _json(runner, "summary", VISION, "--years", "R4,R5,R6", "--data", str(DATA))
    sheet = vision_book["総括"]
    assert sheet["A1"].value == f"{expected['plan']['title']} — 総括"
    assert [sheet.cell(3, 2 + 2 * i).value for i in range(3)] == [
        "R4（令和4年度）",
        "R5（令和5年度）",
        "R6（令和6年度）",
    ]
    assert [sheet.cell(4, c).value for c in range(2, 8)] == ["件数", "割合"] * 3
    for offset, grade in enumerate(expected["grades"]):
        row = 5 + offset
        assert sheet.cell(row, 1).value == grade["symbol"]
        assert sheet.cell(row, 8).value == grade["criterion"]
        for index, year in enumerate(expected["years"]):
            count = sheet.cell(row, 2 + 2 * index)
            share = sheet.cell(row, 3 + 2 * index)
            assert count.value == year["counts"][grade["symbol"]]
            assert share.value == pytest.approx(year["percent"][grade["symbol"]] / 100)
            assert share.number_format == "0.0%"
    total_row = 5 + len(expected["grades"])
    assert sheet.cell(total_row, 1).value == "計"
    assert [sheet.cell(total_row, 2 + 2 * i).value for i in range(3)] == [
        y["total"] for y in expected["years"]
    ]
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"A3:A4", "B3:C3", "D3:E3", "F3:G3", "H3:H4"}


def test_summary_sheet_shows_percents_that_miss_100_with_the_note(tmp_path: Path, runner: CliRunner) -> None:
    """001's 49 KPIs: ○1 ×1 —47 is 2.0 / 2.0 / 95.9, 99.9 in all; the 計 row and a note say so."""
    plan = "kurume-sogo-senryaku-2"
    expected = _json(runner, "summary", plan, "--years", "R6", "--data", str(DATA))["years"][0]
    out = tmp_path / "strategy.xlsx"
    result = _report(runner, plan, "--years", "R6", "--no-outlook", "--xlsx", str(out), "--data", str(DATA))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["総括"]
    assert expected["percent_total"] == 99.9
    total_row = 5 + len(expected["counts"])
    assert sheet.cell(total_row, 1).value == "計"
    assert sheet.cell(total_row, 3).value == pytest.approx(0.999)
    assert sheet.cell(total_row + 1, 1).value == f"注: {expected['percent_note']}"


def test_summary_sheet_sets_the_published_counts_under_the_computed(
    vision_book: Any, runner: CliRunner
) -> None:
    """The round trip: published_summary in the YAML → summary JSON and table → the 総括 sheet."""
    expected = _json(runner, "summary", VISION, "--years", "R4,R5,R6", "--data", str(DATA))
    table = runner.invoke(app, ["summary", VISION, "--years", "R4,R5,R6", "--data", str(DATA)]).stdout
    sheet = vision_book["総括"]
    grades = [grade["symbol"] for grade in expected["grades"]]
    first = 5 + len(grades) + 1  # the row after 計
    assert [sheet.cell(first + i, 1).value for i in range(len(grades) + 1)] == [
        *(f"公表 {symbol}" for symbol in grades),
        "公表 計",
    ]
    assert sheet.cell(first, 8).value == "公表の件数（≠: 計算と異なる）"
    marked = set()
    for offset, symbol in enumerate([*grades, None]):
        for index, year in enumerate(expected["years"]):
            published = year["published"]
            count = sheet.cell(first + offset, 2 + 2 * index)
            wanted = published["total"] if symbol is None else published["counts"][symbol]
            assert count.value == wanted
            if count.number_format.startswith('"≠ "'):
                assert count.fill.start_color.rgb.endswith("FFEB9C")
                marked.add((year["label"], symbol))
    assert marked == {("R5", "△"), ("R5", "×")}
    assert marked == {(y["label"], s) for y in expected["years"] for s in y["published"]["differing"]}
    assert sheet.cell(first + 1, 5).value == pytest.approx(0.167)  # R5 公表 △: 2 of 12
    notes = [sheet.cell(first + len(grades) + 1 + i, 1).value for i in range(3)]
    assert notes == [
        "≠ R5: 公表と異なる (differs from the published counts) — △ 計算 1 / 公表 2, × 計算 8 / 公表 7",
        "R6: 12 of 12 grades are official (公表評価); 1 differs from the computed grade",
        "公表の出典: 第3期久留米広域連携中枢都市圏ビジョン 第2章6(4) 総括",
    ]
    assert all(note in table.splitlines() for note in notes)  # the table says the same


def test_a_year_without_published_counts_is_left_empty(
    tmp_path: Path, runner: CliRunner, data_dir: MakeData
) -> None:
    actuals = MINIMAL_ACTUALS.replace(
        "actuals:", "published_summary:\n  R5: {counts: {○: 0, △: 1}}\nactuals:"
    ).replace("period: R5年度}", "period: R5年度, official_grade: △}")
    actuals += "    R6: {value: 160, period: R6年度}\n"
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals})
    out = tmp_path / "demo.xlsx"
    result = _report(runner, "demo", "--years", "R5,R6", "--xlsx", str(out), "--data", str(root))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["総括"]
    assert sheet.cell(10, 1).value == "公表 ○"
    assert (sheet.cell(11, 2).value, sheet.cell(11, 4).value) == (1, None)  # R5 △ 1; R6 none recorded
    assert not any(str(sheet.cell(r, 2).number_format).startswith('"≠') for r in range(10, 15))
    notes = [sheet.cell(r, 1).value for r in range(15, 17)]
    assert notes == ["R5: 1 of 1 grades is official (公表評価)", None]


def test_summary_chart_is_a_native_bar_chart_of_the_counts(vision_report: Path) -> None:
    with zipfile.ZipFile(vision_report) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        bars = [n for n in charts if b"<barChart>" in archive.read(n)]  # the 推移 charts are lines
        assert len(bars) == 1
        root = ElementTree.fromstring(archive.read(bars[0]))
    bar = root.find(".//c:barChart", CHART)
    assert bar is not None
    assert bar.find("c:barDir", CHART).get("val") == "col"  # type: ignore[union-attr]
    series = bar.findall("c:ser", CHART)
    assert [s.findtext("c:tx/c:v", namespaces=CHART) for s in series] == ["R4", "R5", "R6"]
    assert [s.findtext("c:val/c:numRef/c:f", namespaces=CHART) for s in series] == [
        "'総括'!$B$5:$B$8",
        "'総括'!$D$5:$D$8",
        "'総括'!$F$5:$F$8",
    ]
    # the grade symbols are the categories
    assert {s.findtext("c:cat/c:numRef/c:f", namespaces=CHART) for s in series} == {"'総括'!$A$5:$A$8"}
    labels = bar.find("c:dLbls", CHART)
    assert labels is not None
    assert labels.find("c:showVal", CHART).get("val") == "1"  # type: ignore[union-attr]


def test_plan_sheet_rows_match_kpitool_evaluate(vision_book: Any, runner: CliRunner) -> None:
    years = {
        label: _json(runner, "evaluate", VISION, "--year", label, "--data", str(DATA))
        for label in ("R4", "R5", "R6")
    }
    latest = years["R6"]
    outlook = _json(runner, "outlook", VISION, "--year", "R6", "--data", str(DATA))
    outlooks = {row["id"]: row["outlook"]["label"] for row in outlook["kpis"]}
    sheet = vision_book[latest["plan"]["title"]]
    header = [c.value for c in sheet[4]]
    assert header[:7] == ["No.", "指標名", "単位", "基準値", "基準\n時点", "目標値", "目標\n時点"]
    assert header[7:16] == [f"{y}\n{h}" for y in ("R4", "R5", "R6") for h in ("実績値", "時点", "評価")]
    assert header[16:] == ["R6\n達成率", "R6\n進捗率", "R6\n見通し", "R6 評価理由（公表）"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=5) if row[1].value}
    assert sheet["A5"].value.startswith("施策分野 1")  # a section heading before its KPIs
    for index, kpi in enumerate(latest["kpis"]):
        row = rows[kpi["name"]]
        assert (row[0].value or "") == (kpi["number"] or "")
        assert row[2].value == kpi["unit"]
        if kpi["target_text"] is None:
            assert row[5].value == kpi["target"]
        assert row[6].value == kpi["target_period"]
        for offset, label in enumerate(("R4", "R5", "R6")):
            year_kpi = years[label]["kpis"][index]
            actual, period, grade = row[7 + 3 * offset : 10 + 3 * offset]
            assert actual.value == (year_kpi["actual"] if year_kpi["actual"] is not None else "—")
            assert (period.value or "") == (year_kpi["actual_period"] or "")
            assert grade.value.split("\n")[0] == year_kpi["grade"]
            if year_kpi["official_grade"] and year_kpi["official_grade"] != year_kpi["computed_grade"]:
                assert grade.value == f"{year_kpi['grade']}\n(計算:{year_kpi['computed_grade']})"
        for cell, rate in ((row[16], kpi["achievement_rate"]), (row[17], kpi["progress_rate"])):
            if rate is None:
                assert cell.value == "—"
            else:
                shown = Decimal(str(rate)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
                assert cell.value == pytest.approx(float(shown))
                assert cell.number_format == "#,##0.0%"
        assert row[18].value == outlooks[kpi["id"]]  # 見通し, as `kpitool outlook` says (linear)
        assert (row[19].value or "") == (kpi["official_reason"] or "")
    notes = [  # under the table, right of the title columns every column page repeats
        row[2].value for row in sheet.iter_rows(min_row=5) if str(row[2].value or "").startswith("公表評価と")
    ]
    numbers = {kpi["id"]: kpi["number"] for kpi in latest["kpis"]}
    prefixes = [
        f"公表評価と計算結果が異なる指標（R6）: {numbers[d['id']]} {d['name']} — "
        f"公表 {d['official_grade']} ／ 計算 {d['computed_grade']}（達成率 "
        for d in latest["disagreements"]
    ]
    assert len(notes) == len(prefixes) > 0
    assert all(note.startswith(prefix) for note, prefix in zip(notes, prefixes, strict=True))


def test_grades_are_coloured_like_the_terminal(vision_book: Any) -> None:
    from kpitool.rating.engine import resolve_scheme
    from kpitool.render.style import TONE_COLOURS, grade_tone

    scheme = resolve_scheme(None)
    for sheet in vision_book.worksheets:
        # The 施策別 sheet's header row names the grades (○ △ × —) in header colours.
        for row in sheet.iter_rows(min_row=2 if sheet.title.startswith("施策別 ") else 1):
            for cell in row:
                symbol = str(cell.value or "").split("\n")[0]
                if symbol in scheme.symbols() and cell.fill.fill_type == "solid":
                    expected = TONE_COLOURS[grade_tone(scheme, symbol)][1]
                    assert cell.fill.start_color.rgb.endswith(expected), (sheet.title, cell.coordinate)


def test_numbers_keep_their_decimals_and_separators(vision_book: Any) -> None:
    sheet = vision_book.worksheets[1]
    by_name = {row[1].value: row for row in sheet.iter_rows(min_row=5) if row[1].value}
    youth = by_name["総人口に対する年少人口割合"]
    assert (youth[3].value, youth[3].number_format) == (13.6, "#,##0.00")
    assert (youth[5].value, youth[5].number_format) == (13.5, "#,##0.00")
    gross = by_name["圏域の総生産額"]
    assert (gross[3].value, gross[3].number_format) == (14063, "#,##0")


def test_print_setup(vision_book: Any) -> None:
    """総括 fits one page wide; the KPI sheets print at a scale (see test_council_kpis.py)."""
    workbook = vision_book
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.oddFooter.center.text == "&P / &N"
        assert sheet["A1"].font.name == "游ゴシック"
    summary = workbook["総括"]
    assert (summary.page_setup.fitToWidth, summary.page_setup.fitToHeight) == (1, 0)
    assert summary.sheet_properties.pageSetUpPr.fitToPage
    plan = workbook.worksheets[1]
    assert plan.print_title_rows == "$4:$4"
    assert plan.freeze_panes == "C5"
    assert plan.oddHeader.center.text == "第2期久留米広域連携中枢都市圏ビジョン"
    assert plan.oddFooter.right.text == VISION
    assert plan.column_dimensions["B"].width == 24
    assert plan.auto_filter.ref.startswith("A4:T")
    wrapped = [
        row
        for row in plan.iter_rows(min_row=5)
        if row[1].value == "講演会・研修会への連携市町職員の延べ参加人数"
    ]
    assert plan.row_dimensions[wrapped[0][0].row].height > 15  # a wrapped row is tall enough


def test_same_inputs_give_identical_bytes(vision_report: Path, tmp_path: Path, runner: CliRunner) -> None:
    """The module's report, written earlier under another name, and this run's are the same bytes."""
    first, second, dated = vision_report, tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    args = [VISION, "--years", "R4,R5,R6", "--data", str(DATA), "--xlsx"]
    assert _report(runner, *args, str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "<dcterms:modified" in archive.read("docProps/core.xml").decode()
        assert "1980-01-01T00:00:00Z" in archive.read("docProps/core.xml").decode()
    assert _report(runner, *args, str(dated), env={"SOURCE_DATE_EPOCH": "1735689600"}).exit_code == 0
    with zipfile.ZipFile(dated) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 1, 1, 0, 0, 0)}
        assert "2025-01-01T00:00:00Z" in archive.read("docProps/core.xml").decode()
    assert load_workbook(dated).properties.modified.year == 2025


@pytest.mark.parametrize("value", ["abc", "-5", "1e3", "99999999999999999"])
def test_bad_source_date_epoch(value: str) -> None:
    with pytest.raises(EpochError, match="SOURCE_DATE_EPOCH"):
        fixed_time({"SOURCE_DATE_EPOCH": value})


def test_bad_source_date_epoch_is_a_usage_error(tmp_path: Path, runner: CliRunner) -> None:
    result = _report(
        runner,
        VISION,
        "--year",
        "R6",
        "--data",
        str(DATA),
        "--xlsx",
        str(tmp_path / "x.xlsx"),
        env={"SOURCE_DATE_EPOCH": "soon"},
    )
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH='soon'" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_formula_text_is_written_as_text(tmp_path: Path, runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"inject.yaml": INJECTION_PLAN}, actuals={"inject.yaml": INJECTION_ACTUALS})
    out = tmp_path / "inject.xlsx"
    result = _report(runner, "--year", "R6", "--data", str(root), "--xlsx", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        sheets = [
            ElementTree.fromstring(archive.read(n))
            for n in archive.namelist()
            if n.startswith("xl/worksheets/")
        ]
    assert all(sheet.find(".//s:f", SHEET) is None for sheet in sheets)  # no live formula anywhere
    texts = {t.text for sheet in sheets for t in sheet.iterfind(".//s:is/s:t", SHEET)}
    assert {"=1+1", "=cmd|' /C calc'!A0", "@人", "=EVIL()", "+施策 1 -2+3", "+20"} <= texts
    workbook = load_workbook(out)
    sheet = workbook.worksheets[1]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("=1+1", "=cmd|' /C calc'!A0", "=EVIL()"):
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix
    assert sheet.title.startswith("=HYPERLINK")
    assert len(sheet.title) <= 31
    assert not set(sheet.title) & set("[]:*?/\\")


def test_table_input(tmp_path: Path, runner: CliRunner) -> None:
    table = tmp_path / "kpis.csv"
    table.write_text(
        "id,指標名,単位,方向,基準値,基準時点,目標値,目標時点,R5,R6\n"
        "a,来館者数,人,増加,100,R1年度,200,R7年度,150 (R5年度),210 (R6年度)\n"
        "b,待機児童数,人,減少,54,R1年度,0,R7年度,60,\n",
        encoding="utf-8",
    )
    out = tmp_path / "table.xlsx"
    result = _report(runner, "--table", str(table), "--years", "R5,R6", "--xlsx", str(out))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["総括", "kpis.csv", "推移 kpis.csv"]
    rows = list(workbook["kpis.csv"].iter_rows(min_row=6, values_only=True))
    assert rows[0][:2] == ("1", "来館者数")  # no number in the table: its position
    assert rows[0][7:13] == (150, "R5年度", "△", 210, "R6年度", "○")
    assert rows[1][7:13] == (60, None, "×", "—", None, "—")
    both = _report(runner, VISION, "--table", str(table), "--year", "R6", "--xlsx", str(out))
    assert both.exit_code == 2
    before = out.read_bytes()
    itself = _report(runner, "--table", str(out), "--year", "R6", "--xlsx", str(out))
    assert itself.exit_code == 2
    assert "is the --table input" in itself.stderr
    assert out.read_bytes() == before


def test_large_plan_gets_a_sheet_per_section(tmp_path: Path) -> None:
    loaded = load_data([DATA])
    doc = loaded.plans[VISION]
    results = [evaluate_plan(doc.plan, loaded.actuals_for(VISION), FiscalYear(2024))]
    out = tmp_path / "split.xlsx"
    out.write_bytes(render_report([results], large_plan=5))
    reopened = load_workbook(out)
    assert reopened.sheetnames == ["総括", "施策分野1", "施策分野2", "施策分野3", f"施策別 {doc.plan.title}"]
    names = [
        [row[1] for row in reopened[name].iter_rows(min_row=6, values_only=True) if row[1] and row[0]]
        for name in reopened.sheetnames[1:]
        if not name.startswith("施策別 ")
    ]
    assert sum(len(n) for n in names) == doc.plan.kpi_count()
    assert reopened["施策分野3"]["A1"].value.endswith("施策分野 3 圏域全体の生活関連機能サービスの向上分野")


def test_several_plans_each_get_a_summary_block_on_its_own_page(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "all.xlsx"
    result = _report(runner, "--years", "R5,R6", "--no-outlook", "--data", str(DATA), "--xlsx", str(out))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    summary = workbook["総括"]
    titles = [c.value for c in summary["A"] if isinstance(c.value, str) and c.value.endswith("— 総括")]
    # Every plan with KPIs evaluated in R5 or R6: the 3rd vision (R8–R12) is not yet.
    plans_with_kpis = [
        p
        for p in load_data([DATA]).plans.values()
        if p.plan.kpi_count() and (p.period is None or p.period.evaluates(2023) or p.period.evaluates(2024))
    ]
    assert len(plans_with_kpis) == 2
    kpi_sheets = [name for name in workbook.sheetnames[1:] if not name.startswith(("推移 ", "施策別 "))]
    assert len(titles) == len(plans_with_kpis) == len(kpi_sheets)
    assert len(summary.row_breaks.brk) == len(titles) - 1
    with zipfile.ZipFile(out) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len([n for n in charts if b"<barChart>" in archive.read(n)]) == len(titles)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([VISION, "--xlsx", "out.xlsx"], "give either --year Y or --years"),
        ([VISION, "--year", "R6", "--years", "R5", "--xlsx", "out.xlsx"], "give either --year Y or --years"),
        ([VISION, "--year", "R6", "--xlsx", "out.xls"], "should end in .xlsx"),
        ([VISION, "--years", ",", "--xlsx", "out.xlsx"], "at least one year"),
        ([VISION, "--year", "R99x", "--xlsx", "out.xlsx"], "--year"),
        (["nope", "--year", "R6", "--xlsx", "out.xlsx"], "unknown plan 'nope'"),
    ],
)
def test_usage_errors(args: list[str], message: str, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", *args, "--data", str(DATA)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_missing_directory_is_exit_1(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "missing" / "r.xlsx"
    result = _report(runner, VISION, "--year", "R6", "--no-outlook", "--data", str(DATA), "--xlsx", str(out))
    assert result.exit_code == 1
    assert f"{out}: directory {out.parent} does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_a_failed_run_leaves_the_old_file(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"previous report")

    def broken(raw: bytes, when: object) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kpitool.render.xlsx.kit.deterministic_xlsx", broken)
    result = _report(runner, VISION, "--year", "R6", "--no-outlook", "--data", str(DATA), "--xlsx", str(out))
    assert result.exit_code != 0
    assert out.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_output_that_is_a_directory(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "dir.xlsx"
    out.mkdir()
    result = _report(runner, VISION, "--year", "R6", "--no-outlook", "--data", str(DATA), "--xlsx", str(out))
    assert result.exit_code == 1
    assert "is a directory" in result.stderr


def test_a_unitless_kpi_shows_a_dash_for_its_unit(tmp_path: Path, runner: CliRunner) -> None:
    """合計特殊出生率 has no unit: its 単位 cell reads — (issue 15, item 4)."""
    table = tmp_path / "birth.csv"
    table.write_text(
        "id,指標名,単位,方向,基準値,基準時点,目標値,目標時点,R6\n"
        "birth,合計特殊出生率,,増加,1.40,R1年度,1.60,R7年度,1.50\n",
        encoding="utf-8",
    )
    out = tmp_path / "birth.xlsx"
    result = _report(runner, "--table", str(table), "--year", "R6", "--xlsx", str(out))
    assert result.exit_code == 0, result.output
    (row,) = [r for r in load_workbook(out)["birth.csv"].iter_rows(values_only=True) if "合計特殊出生率" in r]
    assert row[row.index("合計特殊出生率") + 1] == "—"


def test_the_summary_sheet_prints_the_published_texts_under_the_total(vision_book: Any) -> None:
    """総括's ①KPIの達成状況 and ②取組に対する全体評価 of R6, in the data's words, wrapped across the table."""
    from kpitool.model.actuals import paragraphs
    from kpitool.render.xlsx.kit import text_lines
    from kpitool.render.xlsx.paging import line_pitch

    summary = load_data([DATA]).actuals[VISION].actuals.narrative["R6"].summary
    assert summary is not None
    sheet = vision_book["総括"]
    rows = {sheet.cell(row, 1).value: row for row in range(1, sheet.max_row + 1)}
    width = sum(float(sheet.column_dimensions[c].width) for c in "ABCDEFGH")
    assert rows["総括 — R6 評価"] > rows["計"]
    previous = rows["総括 — R6 評価"]
    for heading, text in summary.texts():
        assert rows[heading] > previous
        for paragraph in paragraphs(text):
            row = rows[paragraph]
            assert row > previous
            previous = row
            assert sheet.cell(row, 1).alignment.wrap_text
            assert f"A{row}:H{row}" in {str(r) for r in sheet.merged_cells.ranges}
            assert sheet.row_dimensions[row].height >= text_lines(paragraph, width) * line_pitch(10)
