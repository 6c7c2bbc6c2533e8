"""kpitool.update.yaml_text: textual edits of actuals YAML that keep what a person wrote."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitool.model.actuals import Submission
from kpitool.sources.yaml_strict import parse_yaml
from kpitool.update.apply import apply_update
from kpitool.update.changes import EditKind, UpdateError
from kpitool.update.yaml_text import yaml_scalar
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.text import HIDDEN_CHARACTER
from tests.properties import examples
from tests.update.conftest import ACTUALS, assert_valid, demo_plan, read_actuals


def test_new_year_is_one_line_after_the_earlier_years(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    result = apply_update(path, plan, FiscalYear(2023), [Submission("output", Decimal("14673"), "R3年度")])
    text = path.read_text(encoding="utf-8")
    assert (
        "    R4: {value: 14276, period: R2年度}  # trailing comment\n    R5: {value: 14673, period: R3年度}\n    R6:\n"
        in text
    )
    assert text.replace("    R5: {value: 14673, period: R3年度}\n", "") == ACTUALS
    assert [c.kind for c in result.changes] == [EditKind.ADD]
    assert_valid(tmp_path)


def test_new_kpi_goes_after_the_kpi_before_it_in_the_plan(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    apply_update(path, plan, FiscalYear(2024), [Submission("ratio", Decimal("13.2"), "R6年1月")])
    text = path.read_text(encoding="utf-8")
    # ratio follows output in the plan, so it goes after output's block, before population
    assert (
        "      official_grade: ○\n  ratio:\n    R6: {value: 13.2, period: R6年1月}\n  population:\n" in text
    )
    assert list(read_actuals(text).actuals) == ["output", "ratio", "population", "visitors"]
    assert_valid(tmp_path)


def test_every_comment_and_line_survives(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    apply_update(
        path,
        plan,
        FiscalYear(2025),
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


def test_overwrite_replaces_only_the_scalars(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    apply_update(
        path,
        plan,
        FiscalYear(2024),
        [Submission("output", Decimal("15049"), "R5年度", "改訂")],
        overwrite=True,
    )
    expected = ACTUALS.replace("value: 15048", "value: 15049").replace(
        "period: R4年度\n", "period: R5年度\n      note: 改訂\n"
    )
    assert path.read_text(encoding="utf-8") == expected
    assert_valid(tmp_path)


@pytest.mark.parametrize("empty", ["actuals: {}\n", "actuals: {}  # none yet\n", ""])
def test_empty_actuals_mapping(tmp_path: Path, empty: str) -> None:
    plan, path = demo_plan(tmp_path, "# mine\nplan: demo\n" + empty)
    apply_update(
        path,
        plan,
        FiscalYear(2024),
        [Submission("output", Decimal("1")), Submission("visitors", Decimal("2"))],
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# mine\nplan: demo\n")
    assert read_actuals(text).actuals["visitors"]["R6"].value == 2
    assert_valid(tmp_path)


def test_file_without_final_newline(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path, "plan: demo\nactuals:\n  output:\n    R4: {value: 1}")
    apply_update(
        path,
        plan,
        FiscalYear(2024),
        [Submission("output", Decimal("5")), Submission("visitors", Decimal("7"))],
    )
    assert path.read_text(encoding="utf-8") == (
        "plan: demo\nactuals:\n  output:\n    R4: {value: 1}\n    R6: {value: 5}\n  visitors:\n    R6: {value: 7}\n"
    )


def test_crlf_and_bom_are_kept(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + ACTUALS.replace("\n", "\r\n").encode("utf-8"))
    apply_update(path, plan, FiscalYear(2025), [Submission("output", Decimal("15400"))])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert "    R7: {value: 15400}\r\n" in raw.decode("utf-8-sig")


def test_existing_year_spelling_is_kept(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path, ACTUALS.replace("    R6:\n", "    令和6年度:\n"))
    apply_update(path, plan, FiscalYear(2024), [Submission("output", Decimal("15048"), None, "確認済み")])
    text = path.read_text(encoding="utf-8")
    assert "    令和6年度:\n      value: 15048\n      period: R4年度\n      note: 確認済み\n" in text


def test_flow_style_kpi_is_refused_with_its_line(tmp_path: Path) -> None:
    flow = ACTUALS.replace(
        "  visitors:\n    R5: {value: 451121, period: R5年度}", "  visitors: {R5: {value: 451121}}"
    )
    plan, path = demo_plan(tmp_path, flow)
    with pytest.raises(UpdateError, match=r"demo.yaml:14:13: actuals.visitors is written in flow style"):
        apply_update(path, plan, FiscalYear(2024), [Submission("visitors", Decimal("1"))])


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


# The loader refuses control, direction-changing and invisible characters in any text
# (values/text.py); the form reader reports them at their cell, so they never reach the writer.
_REFUSED = HIDDEN_CHARACTER


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=30).filter(lambda text: not _REFUSED.search(text)))
def test_yaml_scalar_round_trips_any_text(text: str) -> None:
    document = parse_yaml(f"k: {yaml_scalar(text)}\n", "x.yaml")
    assert document.data == {"k": text}


@pytest.mark.parametrize("value", ["0", "-2.6", "13.20", "1E+3", "0.000001"])
def test_yaml_scalar_numbers(value: str) -> None:
    document = parse_yaml(f"k: {yaml_scalar(Decimal(value))}\n", "x.yaml")
    assert document.data["k"] == Decimal(value)
    assert "E" not in yaml_scalar(Decimal(value))
