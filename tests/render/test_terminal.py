"""Tests for kpitool.render.flow and kpitool.render.terminal: wrapping that keeps figures whole,
column fitting, and the layouts an evaluation takes as the width shrinks."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rich.cells import cell_len

from kpitool.render.flow import Flow, fit_widths, token, words, wrap
from kpitool.render.plan_views import plan_tree
from kpitool.render.terminal import evaluation_table
from tests.render.conftest import render


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
