"""The collection round trip: kpitool template → fill (openpyxl, as a department would) → kpitool import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.sources.form_layout import COLUMNS
from tests.forms import (
    PLAN,
    BlankForm,
    actuals,
    copy_data,
    edit,
    evaluate,
    fill,
    import_form,
    row_of,
    template,
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the bundled data (its actuals file is hand-written, with comments)."""
    return copy_data(tmp_path)


def test_round_trip_template_fill_import_evaluate(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    r6_before = evaluate(runner, data, "R6")
    form = template(runner, data, "R7", tmp_path / "r7.xlsx")
    filled = fill(
        form,
        {
            "gross-regional-product": {"実績値": 15400, "実績時点": "R5年度"},
            "youth-population-ratio": {"実績値": 13.2, "実績時点": "R7年1月", "備考": "速報値"},
            "tourist-visitors": {"実績値": "9,500"},
            "in-migrants": {"実績値": "１８，０００人/年"},  # full-width, with the KPI's unit
            "regional-workers": {"備考": "集計中"},  # no value: the reason is kept
            "railway-passengers": {"実績値": "—"},  # not reported either
        },
    )
    result = import_form(runner, data, filled, "R7")
    assert result.exit_code == 0, result.output
    assert "5 added" in result.stdout  # four values and one note
    kpis = len(evaluate(runner, data, "R6")["kpis"])
    assert f"{kpis - 4} without 実績値 (1 with a 備考, kept)" in result.stdout
    listed = " ".join(result.stdout.split())  # the line wraps at the console's width
    assert "no 実績値: ② 圏域の労働者数 (note kept), ③ 久留米シティプラザ入館者数," in listed
    assert "⑨ 鉄道乗降客数," in listed
    assert "追加" in result.stdout
    text = actuals(data).read_text(encoding="utf-8")
    assert "    R7: {value: 13.2, period: R7年1月, note: 速報値}\n" in text  # 13.2 stays 13.2
    assert "    R7: {value: 9500}\n" in text
    assert "    R7: {value: null, note: 集計中}\n" in text
    r7 = {kpi["id"]: kpi for kpi in evaluate(runner, data, "R7")["kpis"]}
    assert (r7["gross-regional-product"]["actual"], r7["gross-regional-product"]["actual_period"]) == (
        15400,
        "R5年度",
    )
    assert r7["youth-population-ratio"]["actual"] == 13.2
    assert r7["tourist-visitors"]["actual"] == 9500
    assert r7["in-migrants"]["actual"] == 18000
    for kpi_id in ("gross-regional-product", "youth-population-ratio", "tourist-visitors", "in-migrants"):
        assert r7[kpi_id]["grade"] == r7[kpi_id]["computed_grade"] != "—"
    assert r7["regional-workers"]["grade"] == r7["railway-passengers"]["grade"] == "—"
    assert evaluate(runner, data, "R6") == r6_before  # other years unchanged
    assert runner.invoke(app, ["validate", str(data)]).exit_code == 0


def test_hand_written_comments_and_order_survive(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    before = actuals(data).read_text(encoding="utf-8").splitlines()
    filled = fill(blank_form("R7", tmp_path / "f.xlsx"), {"in-migrants": {"実績値": 18000}})
    assert import_form(runner, data, filled, "R7").exit_code == 0
    after = actuals(data).read_text(encoding="utf-8").splitlines()
    added = [line for line in after if line not in before]
    assert added == ["    R7: {value: 18000}"]
    assert [line for line in after if line in before] == before  # every line, comments included, in order


def test_importing_twice_changes_nothing(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    filled = fill(blank_form("R7", tmp_path / "f.xlsx"), {"bus-passengers": {"実績値": 8700}})
    assert import_form(runner, data, filled, "R7").exit_code == 0
    once = actuals(data).read_bytes()
    again = import_form(runner, data, filled, "R7")
    assert again.exit_code == 0
    assert "nothing to change" in again.stdout
    assert actuals(data).read_bytes() == once


def test_unchanged_prefilled_form_changes_nothing(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    before = actuals(data).read_bytes()
    result = import_form(runner, data, blank_form("R6", tmp_path / "r6.xlsx"), "R6")
    assert result.exit_code == 0, result.output
    assert "nothing to change" in result.stdout
    assert actuals(data).read_bytes() == before


def test_dry_run_writes_nothing(runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm) -> None:
    before = actuals(data).read_bytes()
    filled = fill(blank_form("R7", tmp_path / "f.xlsx"), {"bus-passengers": {"実績値": 8700}})
    result = import_form(runner, data, filled, "R7", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written" in result.stdout
    assert "路線バス乗降客数" in result.stdout
    assert actuals(data).read_bytes() == before


def test_conflict_needs_overwrite(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    before = actuals(data).read_text(encoding="utf-8")
    form = blank_form("R6", tmp_path / "r6.xlsx")
    filled = fill(
        form,
        {"gross-regional-product": {"実績値": 15100}, "azalea-net-medical-institutions": {"実績値": 312}},
    )
    refused = import_form(runner, data, filled, "R6")
    assert refused.exit_code == 1
    assert (
        "記入票!J14: conflict: gross-regional-product R6 実績値: recorded 15,048, form 15,100"
        in refused.stderr
    )
    assert "azalea-net-medical-institutions R6 実績値: recorded 311, form 312" in refused.stderr
    assert "2 recorded value(s) differ from the form; nothing was written" in refused.stderr
    assert "競合" in refused.stdout
    assert actuals(data).read_text(encoding="utf-8") == before
    dry = import_form(runner, data, filled, "R6", "--dry-run", "--overwrite")
    assert dry.exit_code == 0
    assert "上書き" in dry.stdout
    assert actuals(data).read_text(encoding="utf-8") == before
    done = import_form(runner, data, filled, "R6", "--overwrite")
    assert done.exit_code == 0, done.output
    after = actuals(data).read_text(encoding="utf-8")
    assert after == before.replace("      value: 15048\n", "      value: 15100\n").replace(
        "      value: 311\n", "      value: 312\n"
    )
    r6 = {kpi["id"]: kpi for kpi in evaluate(runner, data, "R6")["kpis"]}
    assert r6["gross-regional-product"]["actual"] == 15100
    assert r6["gross-regional-product"]["official_grade"] == "○"  # the rest of the entry is kept


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"gross-regional-product": {"実績値": "abc"}},
            "記入票!J14: 実績値 (actual) 'abc' is not a number in 億円",
        ),
        (
            {"gross-regional-product": {"実績値": "12,34"}},
            "記入票!J14: 実績値 (actual) '12,34' is not a number",
        ),
        ({"gross-regional-product": {"id": "no-such-kpi"}}, "記入票!M14: unknown id 'no-such-kpi'"),
        ({"gross-regional-product": {"id": "regional-workers"}}, "id 'regional-workers' appears twice"),
        (
            {"gross-regional-product": {"目標値": 99999}},
            "記入票!G14: 目標値 is locked but reads '99999' (the plan says '14,300')",
        ),
        ({"regional-workers": {"指標名": "労働者"}}, "記入票!C15: 指標名 is locked but reads '労働者'"),
        (
            {"gross-regional-product": {"実績時点": "someday"}},
            "記入票!K14: 実績時点 (period) 'someday' is not a period",
        ),
        (
            {"gross-regional-product": {"実績値": 1, "備考": "abc\u202edef"}},
            "記入票!L14: 備考 (note) 'abc\\u202edef' holds the invisible character U+202E",
        ),
    ],
)
def test_bad_cell_names_sheet_cell_and_text_and_writes_nothing(
    values: dict[str, dict[str, Any]],
    message: str,
    runner: CliRunner,
    data: Path,
    tmp_path: Path,
    blank_form: BlankForm,
) -> None:
    before = actuals(data).read_bytes()
    base = {"bus-passengers": {"実績値": 8700}}  # a good row too: still nothing is written
    filled = fill(blank_form("R7", tmp_path / "f.xlsx"), {**base, **values})
    result = import_form(runner, data, filled, "R7")
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "cannot be imported; nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert actuals(data).read_bytes() == before


def test_form_of_another_year_or_plan(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    form = blank_form("R7", tmp_path / "r7.xlsx")
    wrong_year = import_form(runner, data, form, "R6")
    assert wrong_year.exit_code == 1
    assert "記入票!B4: the form is for the year 'R7', not the --year given" in wrong_year.stderr
    other = runner.invoke(
        app, ["import", str(form), "--plan", "kurume-sogo-senryaku-2", "--year", "R7", "--data", str(data)]
    )
    assert other.exit_code == 1
    assert f"記入票!B3: the form is for plan '{PLAN}', not 'kurume-sogo-senryaku-2'" in other.stderr


def test_not_a_workbook(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    fake = tmp_path / "form.xlsx"
    fake.write_text("id,実績値\n", encoding="utf-8")
    result = import_form(runner, data, fake, "R7")
    assert result.exit_code == 1
    assert "is not an .xlsx workbook" in result.stderr
    missing = import_form(runner, data, tmp_path / "none.xlsx", "R7")
    assert missing.exit_code == 2
    empty = tmp_path / "empty.xlsx"
    from openpyxl import Workbook

    Workbook().save(empty)
    result = import_form(runner, data, empty, "R7")
    assert result.exit_code == 1
    assert "no sheet has a header row with 'id' and '実績値'" in result.stderr


def test_formula_like_text_round_trips_as_text(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    filled = fill(
        blank_form("R7", tmp_path / "f.xlsx"),
        {"bus-passengers": {"実績値": 8700, "備考": '=HYPERLINK("http://x")'}},
    )
    assert import_form(runner, data, filled, "R7").exit_code == 0
    from kpitool.sources.yaml_strict import parse_yaml

    recorded = parse_yaml(actuals(data).read_text(encoding="utf-8"), "a.yaml").data
    assert recorded["actuals"]["bus-passengers"]["R7"] == {"value": 8700, "note": '=HYPERLINK("http://x")'}
    again = load_workbook(template(runner, data, "R7", tmp_path / "g.xlsx"))["記入票"]
    note = next(c for c in again["L"] if c.value == '=HYPERLINK("http://x")')
    assert note.data_type == "s"
    assert note.quotePrefix


def test_new_actuals_file_is_created(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    actuals(data).unlink()
    filled = fill(template(runner, data, "R7", tmp_path / "f.xlsx"), {"bus-passengers": {"実績値": 8700}})
    result = import_form(runner, data, filled, "R7")
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["validate", str(data)]).exit_code == 0
    assert evaluate(runner, data, "R7")["kpis"][9]["actual"] == 8700


# --------------------------------------------------------------------------- #
# What the cell shows: percentage formats, formats that hide a value


def _formatted(form: Path, cells: dict[str, tuple[Any, str]]) -> Path:
    """``form`` with values typed under number formats: KPI id → (value, format) in 実績値."""

    def change(workbook: Any) -> None:
        sheet = workbook["記入票"]
        for kpi_id, (value, code) in cells.items():
            cell = sheet.cell(row_of(sheet, kpi_id), COLUMNS.index("実績値") + 1)
            cell.value, cell.number_format = value, code

    return edit(form, change)


@pytest.mark.parametrize(
    ("stored", "code", "read"),
    [
        (0.131, "0.0%", "13.1"),  # Excel shows 13.1%
        (0.135, "0%", "13.5"),  # shown rounded (14%): the value held is read, exactly
        (0.1 + 0.2 - 0.17, "0.0%", "13"),  # 0.13000000000000003: no float noise
        (13.1, "0.0", "13.1"),  # a plain number format: the number itself
        (13.1, '0.0"%"', "13.1"),  # a quoted % is a literal: Excel shows 13.1%, not 1310%
    ],
)
def test_a_percentage_format_on_a_rate_reads_the_percentage_shown(
    stored: float, code: str, read: str, runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    form = _formatted(blank_form("R7", tmp_path / "f.xlsx"), {"youth-population-ratio": (stored, code)})
    result = import_form(runner, data, form, "R7")
    assert result.exit_code == 0, result.output
    assert f"    R7: {{value: {read}}}\n" in actuals(data).read_text(encoding="utf-8")
    r7 = {kpi["id"]: kpi for kpi in evaluate(runner, data, "R7")["kpis"]}
    assert r7["youth-population-ratio"]["actual"] == float(read)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            {"regional-workers": (0.5, "0%")},
            "記入票!J15: 実績値 (actual) has the percentage format '0%': it holds 0.5 and shows 50%, "
            "but ② 圏域の労働者数 is in 人, not %",
        ),
        (
            {"youth-population-ratio": (13.1, "0.0%")},
            "記入票!J20: 実績値 (actual) shows 1,310% (it holds 13.1 under the percentage format '0.0%'), "
            "over 136%, ten times the larger of ⑦ 総人口に対する年少人口割合's baseline, target and 10",
        ),
        (
            {"gross-regional-product": (15400, ";;;")},
            "記入票!J14: the cell holds '15400', but its number format ';;;' (every section empty) hides it",
        ),
        (
            {"hospital-rotation-days": (0, "0;-0;;@")},
            "記入票!J19: the cell holds '0', but its number format '0;-0;;@' hides it",
        ),
    ],
)
def test_a_value_shown_otherwise_than_held_is_refused_by_cell(
    cells: dict[str, tuple[Any, str]],
    message: str,
    runner: CliRunner,
    data: Path,
    tmp_path: Path,
    blank_form: BlankForm,
) -> None:
    before = actuals(data).read_bytes()
    form = _formatted(blank_form("R7", tmp_path / "f.xlsx"), cells)
    result = import_form(runner, data, form, "R7")
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert actuals(data).read_bytes() == before


# --------------------------------------------------------------------------- #
# A 備考 without a 実績値: a note-only entry


def test_a_note_without_value_is_kept_graded_not_judged_and_shown(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    filled = fill(blank_form("R7", tmp_path / "f.xlsx"), {"art-museum-visitors": {"備考": "改修のため休館"}})
    result = import_form(runner, data, filled, "R7")
    assert result.exit_code == 0, result.output
    assert "⑤ 久留米市美術館の入館者数 (note kept)" in " ".join(result.stdout.split())
    assert "    R7: {value: null, note: 改修のため休館}\n" in actuals(data).read_text(encoding="utf-8")
    assert runner.invoke(app, ["validate", str(data)]).exit_code == 0
    r7 = {kpi["id"]: kpi for kpi in evaluate(runner, data, "R7")["kpis"]}
    museum = r7["art-museum-visitors"]
    assert (museum["actual"], museum["grade"], museum["actual_note"]) == (None, "—", "改修のため休館")
    table = runner.invoke(app, ["evaluate", PLAN, "--year", "R7", "--data", str(data), "--width", "120"])
    assert table.exit_code == 0, table.output
    assert "備考: ⑤ 久留米市美術館の入館者数 (実績値なし): 改修のため休館" in table.stdout
    # the next form shows the note, and returned unchanged it changes nothing
    again = import_form(runner, data, template(runner, data, "R7", tmp_path / "g.xlsx"), "R7")
    assert again.exit_code == 0, again.output
    assert "nothing to change" in again.stdout


def test_a_note_on_a_recorded_value_keeps_the_value(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    form = blank_form("R6", tmp_path / "r6.xlsx")
    filled = fill(form, {"gross-regional-product": {"実績値": None, "実績時点": None, "備考": "確定値"}})
    result = import_form(runner, data, filled, "R6")
    assert result.exit_code == 0, result.output
    r6 = {kpi["id"]: kpi for kpi in evaluate(runner, data, "R6")["kpis"]}
    assert (r6["gross-regional-product"]["actual"], r6["gross-regional-product"]["actual_note"]) == (
        15048,
        "確定値",
    )


def test_a_period_without_value_is_refused(
    runner: CliRunner, data: Path, tmp_path: Path, blank_form: BlankForm
) -> None:
    filled = fill(blank_form("R7", tmp_path / "f.xlsx"), {"bus-passengers": {"実績時点": "R7年度"}})
    result = import_form(runner, data, filled, "R7")
    assert result.exit_code == 1
    assert "記入票!K23: 実績時点 (period) 'R7年度' is given without a 実績値 (actual)" in result.stderr
