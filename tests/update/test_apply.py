"""kpitool.update.apply: textual edits of actuals YAML that keep what a person wrote."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitool.checks import check_data
from kpitool.model.actuals import ActualsFile, Submission
from kpitool.model.plan import Plan
from kpitool.problems import DataError
from kpitool.sources.documents import validate_document
from kpitool.sources.tree import load_data
from kpitool.sources.yaml_strict import parse_yaml
from kpitool.support.safe_write import WriteError
from kpitool.update.apply import (
    ChangeKind,
    ConflictError,
    LockError,
    UpdateError,
    actuals_lock,
    apply_update,
    plan_update,
    yaml_scalar,
)

PLAN = """\
id: demo
title: デモ計画
kind: comprehensive_plan
municipality: 久留米市
period: {start: R4, end: R7}
kpis:
  - id: population
    name: 人口
    unit: 万人
    direction: at_least
    target: {value: 30, period: R7年度}
sections:
  - id: s1
    level: 基本目標
    number: "1"
    title: 経済
    kpis:
      - id: output
        name: 総生産額
        unit: 億円
        direction: increase
        baseline: {value: 14063, period: H30年度}
        target: {value: 14300, period: R7年度}
      - id: ratio
        name: 年少人口割合
        unit: "%"
        direction: at_least
        baseline: {value: 13.60, period: R2年1月}
        target: {value: 13.50, period: R7年1月}
  - id: s2
    level: 基本目標
    number: "2"
    title: 交流
    kpis:
      - id: visitors
        name: 入館者数
        unit: 人
        direction: increase
        baseline: {value: 552646, period: H30年度}
        target: {value: 612800, period: R7年度}
"""

ACTUALS = """\
# hand-written header comment
plan: demo
actuals:
  # the output KPI
  output:  # ①
    R4: {value: 14276, period: R2年度}  # trailing comment
    R6:
      value: 15048
      period: R4年度
      # why the grade is what it is
      official_grade: ○
  population:
    R5: {value: 300516, period: R5年度末, unit: 人}
  visitors:
    R5: {value: 451121, period: R5年度}
# closing comment
"""


def _plan(tmp_path: Path, actuals: str | None = ACTUALS) -> tuple[Plan, Path]:
    (tmp_path / "plans").mkdir(exist_ok=True)
    (tmp_path / "actuals").mkdir(exist_ok=True)
    (tmp_path / "plans" / "demo.yaml").write_text(PLAN, encoding="utf-8")
    path = tmp_path / "actuals" / "demo.yaml"
    if actuals is not None:
        path.write_text(actuals, encoding="utf-8")
    loaded = load_data([tmp_path])
    assert not loaded.problems
    return loaded.plans["demo"].plan, path


def _actuals(text: str) -> ActualsFile:
    return validate_document(parse_yaml(text, "x.yaml"), ActualsFile)


def _valid(tmp_path: Path) -> None:
    """The whole data tree still passes validate's checks."""
    problems = [p for p in check_data(load_data([tmp_path])) if p.severity == "error"]
    assert problems == []


def test_new_year_is_one_line_after_the_earlier_years(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    result = apply_update(path, plan, 2023, [Submission("output", Decimal("14673"), "R3年度")])
    text = path.read_text(encoding="utf-8")
    assert (
        "    R4: {value: 14276, period: R2年度}  # trailing comment\n    R5: {value: 14673, period: R3年度}\n    R6:\n"
        in text
    )
    assert text.replace("    R5: {value: 14673, period: R3年度}\n", "") == ACTUALS
    assert [c.kind for c in result.changes] == [ChangeKind.ADD]
    _valid(tmp_path)


def test_an_import_keeps_the_published_summary(tmp_path: Path) -> None:
    """The read-back check compares every field of the file, the published 総括 included."""
    published = "published_summary:\n  R5:\n    counts: {○: 1, △: 0, ×: 2, —: 1}\n    source: 第2章\n"
    plan, path = _plan(tmp_path, ACTUALS.replace("actuals:\n", published + "actuals:\n", 1))
    apply_update(path, plan, 2023, [Submission("output", Decimal("14673"), "R3年度")])
    text = path.read_text(encoding="utf-8")
    assert published in text
    assert _actuals(text).published_summary["R5"].counts == {"○": 1, "△": 0, "×": 2, "—": 1}
    _valid(tmp_path)


def test_new_kpi_goes_after_the_kpi_before_it_in_the_plan(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    apply_update(path, plan, 2024, [Submission("ratio", Decimal("13.2"), "R6年1月")])
    text = path.read_text(encoding="utf-8")
    # ratio follows output in the plan, so it goes after output's block, before population
    assert (
        "      official_grade: ○\n  ratio:\n    R6: {value: 13.2, period: R6年1月}\n  population:\n" in text
    )
    assert list(_actuals(text).actuals) == ["output", "ratio", "population", "visitors"]
    _valid(tmp_path)


def test_every_comment_and_line_survives(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    apply_update(
        path,
        plan,
        2025,
        [
            Submission("output", Decimal("15400")),
            Submission("visitors", Decimal("600000"), "R7年度", "速報値"),
        ],
    )
    old_lines = ACTUALS.splitlines()
    new_lines = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in new_lines if line not in old_lines] == [
        "    R7: {value: 15400}",
        "    R7: {value: 600000, period: R7年度, note: 速報値}",
    ]
    assert [line for line in new_lines if line in old_lines] == old_lines


def test_same_value_again_changes_nothing(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path, ACTUALS.replace("value: 15048", "value: 15048.0"))
    before = path.read_bytes()
    result = apply_update(path, plan, 2024, [Submission("output", Decimal("15048"), "R4年度")])
    assert not result.changed
    assert [c.kind for c in result.changes] == [ChangeKind.UNCHANGED]
    assert path.read_bytes() == before


def test_conflict_is_refused_and_nothing_written(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    before = path.read_bytes()
    with pytest.raises(ConflictError) as caught:
        apply_update(path, plan, 2024, [Submission("output", Decimal("15049"), "R5年度", origin="票!J5")])
    conflicts = caught.value.plan.conflicts
    assert [(entry.kpi.id, change.name, change.old, change.new) for entry, change in conflicts] == [
        ("output", "value", Decimal("15048"), Decimal("15049")),
        ("output", "period", "R4年度", "R5年度"),
    ]
    assert path.read_bytes() == before
    assert not path.with_name("demo.yaml.lock").exists()


def test_overwrite_replaces_only_the_scalars(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    apply_update(path, plan, 2024, [Submission("output", Decimal("15049"), "R5年度", "改訂")], overwrite=True)
    expected = ACTUALS.replace("value: 15048", "value: 15049").replace(
        "period: R4年度\n", "period: R5年度\n      note: 改訂\n"
    )
    assert path.read_text(encoding="utf-8") == expected
    _valid(tmp_path)


def test_filling_an_empty_field_is_not_a_conflict(tmp_path: Path) -> None:
    plan, path = _plan(
        tmp_path, ACTUALS.replace("    R5: {value: 451121, period: R5年度}", "    R5: {value: null}")
    )
    result = apply_update(path, plan, 2023, [Submission("visitors", Decimal("451121"), "R5年度")])
    assert result.conflicts == ()
    assert "    R5: {value: 451121, period: R5年度}\n" in path.read_text(encoding="utf-8")


def test_an_entry_in_another_unit_is_compared_and_written_in_its_unit(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    same = plan_update(path, plan, 2023, [Submission("population", Decimal("30.0516"))])
    assert [c.kind for c in same.changes] == [ChangeKind.UNCHANGED]
    apply_update(path, plan, 2023, [Submission("population", Decimal("30.05"))], overwrite=True)
    assert "    R5: {value: 300500, period: R5年度末, unit: 人}\n" in path.read_text(encoding="utf-8")
    # a new year follows the unit the KPI's entries use
    apply_update(path, plan, 2024, [Submission("population", Decimal("29.9539"), "R6年度末")])
    assert "    R6: {value: 299539, unit: 人, period: R6年度末}\n" in path.read_text(encoding="utf-8")
    _valid(tmp_path)


def test_missing_file_is_created(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path, None)
    apply_update(path, plan, 2024, [Submission("visitors", Decimal("557584"), "R6年度")])
    actuals = _actuals(path.read_text(encoding="utf-8"))
    assert actuals.plan == "demo"
    assert actuals.actuals["visitors"]["R6"].value == Decimal("557584")
    _valid(tmp_path)


@pytest.mark.parametrize("empty", ["actuals: {}\n", "actuals: {}  # none yet\n", ""])
def test_empty_actuals_mapping(tmp_path: Path, empty: str) -> None:
    plan, path = _plan(tmp_path, "# mine\nplan: demo\n" + empty)
    apply_update(path, plan, 2024, [Submission("output", Decimal("1")), Submission("visitors", Decimal("2"))])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# mine\nplan: demo\n")
    assert _actuals(text).actuals["visitors"]["R6"].value == 2
    _valid(tmp_path)


def test_file_without_final_newline(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path, "plan: demo\nactuals:\n  output:\n    R4: {value: 1}")
    apply_update(path, plan, 2024, [Submission("output", Decimal("5")), Submission("visitors", Decimal("7"))])
    assert path.read_text(encoding="utf-8") == (
        "plan: demo\nactuals:\n  output:\n    R4: {value: 1}\n    R6: {value: 5}\n  visitors:\n    R6: {value: 7}\n"
    )


def test_crlf_and_bom_are_kept(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + ACTUALS.replace("\n", "\r\n").encode("utf-8"))
    apply_update(path, plan, 2025, [Submission("output", Decimal("15400"))])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert "    R7: {value: 15400}\r\n" in raw.decode("utf-8-sig")


def test_existing_year_spelling_is_kept(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path, ACTUALS.replace("    R6:\n", "    令和6年度:\n"))
    apply_update(path, plan, 2024, [Submission("output", Decimal("15048"), None, "確認済み")])
    text = path.read_text(encoding="utf-8")
    assert "    令和6年度:\n      value: 15048\n      period: R4年度\n      note: 確認済み\n" in text


def test_flow_style_kpi_is_refused_with_its_line(tmp_path: Path) -> None:
    flow = ACTUALS.replace(
        "  visitors:\n    R5: {value: 451121, period: R5年度}", "  visitors: {R5: {value: 451121}}"
    )
    plan, path = _plan(tmp_path, flow)
    with pytest.raises(UpdateError, match=r"demo.yaml:14:13: actuals.visitors is written in flow style"):
        apply_update(path, plan, 2024, [Submission("visitors", Decimal("1"))])


def test_unknown_kpi_and_invalid_file_are_refused(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    with pytest.raises(UpdateError, match="no KPI with id 'nope'"):
        plan_update(path, plan, 2024, [Submission("nope", Decimal("1"))])
    path.write_text(ACTUALS.replace("plan: demo", "plan: demo\nplan: again"), encoding="utf-8")
    with pytest.raises(DataError, match="duplicate key 'plan'"):
        plan_update(path, plan, 2024, [Submission("output", Decimal("1"))])


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    before = path.read_bytes()
    result = apply_update(path, plan, 2025, [Submission("output", Decimal("1"))], dry_run=True)
    assert result.changed
    assert "R7: {value: 1}" in result.new_text
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "text",
    [
        "R6年度",
        "2024",
        "yes",
        "null",
        "10:30",
        "- dash",
        "a: b",
        "x #y",
        "{curly}",
        'say "hi"',
        "back\\slash",
        "two\nlines",
        "tab\there",
        " padded ",
        "",
        "\u2028sep",
        "é ñ 漢字 😀",
        "=SUM(A1)",
        "%x",
    ],
)
def test_yaml_scalar_reads_back_exactly(text: str) -> None:
    document = parse_yaml(f"k: {yaml_scalar(text)}\nf: {{k: {yaml_scalar(text)}}}\n", "x.yaml")
    assert document.data == {"k": text, "f": {"k": text}}


# The loader refuses control and direction-changing characters in any text; the form reader
# reports them at their cell, so they never reach the writer.
_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30).filter(lambda text: not _REFUSED.search(text)))
def test_yaml_scalar_round_trips_any_text(text: str) -> None:
    document = parse_yaml(f"k: {yaml_scalar(text)}\n", "x.yaml")
    assert document.data == {"k": text}


@pytest.mark.parametrize("value", ["0", "-2.6", "13.20", "1E+3", "0.000001"])
def test_yaml_scalar_numbers(value: str) -> None:
    document = parse_yaml(f"k: {yaml_scalar(Decimal(value))}\n", "x.yaml")
    assert document.data["k"] == Decimal(value)
    assert "E" not in yaml_scalar(Decimal(value))


def test_lock_held_by_another_import_times_out(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    before = path.read_bytes()
    with (
        actuals_lock(path),
        pytest.raises(LockError, match=r"another kpitool import is running \(lock .*demo\.yaml\.lock\)"),
    ):
        apply_update(path, plan, 2025, [Submission("output", Decimal("1"))], lock_timeout=0.2)
    assert path.read_bytes() == before
    assert not path.with_name("demo.yaml.lock").exists()


def test_stale_lock_of_a_dead_process_is_removed(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    path.with_name("demo.yaml.lock").write_text(f"{dead.stdout.strip()} {socket.gethostname()}\n")
    apply_update(path, plan, 2025, [Submission("output", Decimal("1"))], lock_timeout=0.2)
    assert "R7: {value: 1}" in path.read_text(encoding="utf-8")
    assert not path.with_name("demo.yaml.lock").exists()


def test_two_imports_do_not_interleave(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path)
    errors: list[BaseException] = []

    def run(kpi: str, value: int) -> None:
        try:
            apply_update(path, plan, 2025, [Submission(kpi, Decimal(value))], lock_timeout=5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with actuals_lock(path):
        threads = [threading.Thread(target=run, args=(k, v)) for k, v in (("output", 1), ("visitors", 2))]
        for thread in threads:
            thread.start()
        time.sleep(0.2)  # both wait on the lock
        assert "R7" not in path.read_text(encoding="utf-8")
    for thread in threads:
        thread.join()
    assert errors == []
    actuals = _actuals(path.read_text(encoding="utf-8")).actuals
    assert (actuals["output"]["R7"].value, actuals["visitors"]["R7"].value) == (1, 2)


def test_missing_directory_is_a_write_error(tmp_path: Path) -> None:
    plan, _ = _plan(tmp_path)
    path = tmp_path / "nowhere" / "demo.yaml"
    with pytest.raises(WriteError, match=r"nowhere/demo\.yaml\.lock: cannot create the lock file"):
        apply_update(path, plan, 2025, [Submission("output", Decimal("1"))])
    assert not (tmp_path / "nowhere").exists()
