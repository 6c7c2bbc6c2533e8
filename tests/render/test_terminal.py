"""Tests for kpitool.render.flow and kpitool.render.terminal: wrapping that keeps figures whole,
column fitting, and the layouts an evaluation takes as the width shrinks."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console, RenderableType

from kpitool.rating.engine import evaluate_plan
from kpitool.render.flow import Flow, fit_widths, token, words, wrap
from kpitool.render.plan_views import plan_tree
from kpitool.render.terminal import evaluation_table, summary_table
from kpitool.sources.tree import load_data
from tests.conftest import dedent


def render(renderable: RenderableType, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None, soft_wrap=False)
    console.print(renderable)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return [line.rstrip() for line in text.splitlines()]


def plain(atoms: list) -> list[str]:  # type: ignore[type-arg]
    return [atom.plain for atom in atoms]


def test_words_keep_figures_and_latin_whole_and_break_between_cjk() -> None:
    assert plain(words("MICE開催支援件数")) == ["MICE", "開", "催", "支", "援", "件", "数"]
    # A counter stays with its figure; a closing mark with what precedes it (禁則).
    assert plain(words("人口を30万人")) == ["人", "口", "を", "30万", "人"]
    assert plain(words("ポイント（全国平均との差）")) == [
        "ポ",
        "イ",
        "ン",
        "ト",
        "（全",
        "国",
        "平",
        "均",
        "と",
        "の",
        "差）",
    ]
    assert plain(words("1,603人以上、達成。")) == ["1,603人", "以", "上、", "達", "成。"]


def test_wrap_never_splits_a_token_and_counts_cjk_as_two_cells() -> None:
    lines = wrap([[token("14,063"), token("(H30年度)", gap=1)]], 10)
    assert [line.plain for line in lines] == ["14,063", "(H30年度)"]
    lines = wrap([words("総人口に対する年少人口割合")], 10, indent=2)
    assert [line.plain for line in lines] == ["総人口に対", "  する年少", "  人口割合"]
    assert all(cell_len(line.plain) <= 10 for line in lines)


def test_flow_measures_its_widest_atom_and_its_floor() -> None:
    flow = Flow([words("圏域の総生産額")], floor=8)
    assert (flow.minimum, flow.natural) == (8, 14)
    assert Flow([[token("-29,170.4%")]]).minimum == 10


@pytest.mark.parametrize(
    ("naturals", "minimums", "available", "expected"),
    [
        ([10, 20, 5], [4, 4, 5], 40, [10, 20, 5]),  # fits as it is
        ([10, 30, 5], [4, 4, 5], 30, [10, 15, 5]),  # the widest gives way first
        ([30, 30, 5], [4, 4, 5], 30, [13, 12, 5]),  # then the widest alike
        ([10, 30, 5], [8, 20, 5], 30, None),  # the minimums do not fit
    ],
)
def test_fit_widths(
    naturals: list[int], minimums: list[int], available: int, expected: list[int] | None
) -> None:
    assert fit_widths(naturals, minimums, available) == expected


def test_a_weight_below_one_gives_way_sooner() -> None:
    assert fit_widths([40, 26], [8, 8], 40, [1.0, 0.3]) == [31, 9]


PLAN = """\
id: wide
title: 幅のテスト計画
kind: revitalization_strategy
municipality: テスト市
period: {start: R2, end: R7}
evaluation: {scheme: expected_value}
sections:
  - id: goal-1
    level: 基本目標
    number: "1"
    title: とても長い基本目標の名前が折り返されても読めること
    kpis:
      - id: transfers
        number: ①
        name: 圏域への転入者数（大都市圏からの転入を含む）
        unit: ポイント（全国平均との差）
        direction: increase
        baseline: {value: 19494, period: H30.10月～R1.9月}
        target: {value: 21400, period: R6.10月～R7.9月}
      - id: visitors
        number: ②
        name: 観光客数
        unit: 千人/年
        direction: increase
        baseline: {value: 10558.25, period: R1年}
        target: {value: 10700, period: R7年}
"""

ACTUALS = """\
plan: wide
actuals:
  transfers:
    R5: {value: 18480, period: R5.10月～R6.9月}
  visitors:
    R5: {value: 9028, period: R5年}
"""


@pytest.fixture
def evaluation(data_dir: Callable[..., Path]):  # type: ignore[no-untyped-def]
    root = data_dir(plans={"wide.yaml": dedent(PLAN)}, actuals={"wide.yaml": dedent(ACTUALS)})
    loaded = load_data([root])
    plan = loaded.plans["wide"].plan
    return evaluate_plan(plan, loaded.actuals["wide"].actuals, 2023, "R5")


TOKENS = ["19,494", "(H30.10月～R1.9月)", "21,400", "(R6.10月～R7.9月)", "18,480", "(R5.10月～R6.9月)"]


@pytest.mark.parametrize("width", [40, 60, 70, 80, 100, 120, 160, 240])
def test_evaluation_fits_every_width_with_grades_on_the_first_line(evaluation, width: int) -> None:  # type: ignore[no-untyped-def]
    lines = render(evaluation_table(evaluation), width)
    if width >= 60:
        assert max(cell_len(line) for line in lines) <= width
    for number, row in zip(("①", "②"), evaluation.rows, strict=True):
        (first,) = [line for line in lines if re.search(rf"(^|[│ ]){number} ", line)]
        assert first.rstrip(" │").endswith(row.grade), (width, first)
    text = "\n".join(lines)
    for value in TOKENS:
        assert value in text, (width, value)
    # The scheme's own figure (期待値) is shown too, as one token.
    assert "期待値" in text


def test_layouts_as_the_width_shrinks(evaluation) -> None:  # type: ignore[no-untyped-def]
    """Wide: one line per KPI; then periods below; then one figures column; then blocks."""
    wide = render(evaluation_table(evaluation), 240)
    assert any("19,494 (H30.10月～R1.9月)" in line and "①" in line for line in wide)
    stacked = render(evaluation_table(evaluation), 80)
    assert any(line.startswith("│ ① ") for line in stacked)
    assert any("基準値 19,494" in line for line in stacked)
    blocks = render(evaluation_table(evaluation), 60)
    assert not any(line.startswith(("┏", "│")) for line in blocks)
    assert any(line.startswith("① ") for line in blocks)


def test_summary_turns_when_years_do_not_fit(evaluation) -> None:  # type: ignore[no-untyped-def]
    plan = evaluation.plan
    summaries = [evaluation.summary] * 6
    wide = render(summary_table(plan, summaries, evaluation.scheme), 200)
    assert any("判断基準" in line for line in wide[:4])
    narrow = render(summary_table(plan, summaries, evaluation.scheme), 60)
    assert max(cell_len(line) for line in narrow) <= 60
    assert any(line.startswith("┃ 年度") for line in narrow)
    assert any(line.startswith("判断基準:") for line in narrow)


@pytest.mark.parametrize("width", [60, 80])
def test_plan_tree_keeps_figures_with_their_periods(evaluation, width: int) -> None:  # type: ignore[no-untyped-def]
    lines = render(plan_tree(evaluation.plan), width)
    assert max(cell_len(line) for line in lines) <= width
    text = "\n".join(lines)
    assert "19,494 (H30.10月～R1.9月)" in text
    assert "21,400 (R6.10月～R7.9月)" in text
    assert "id=transfers" in text


def test_figures_of_the_expected_value_scheme(evaluation) -> None:  # type: ignore[no-untyped-def]
    row = evaluation.rows[1]
    assert isinstance(row.details.get("expected"), Decimal)
