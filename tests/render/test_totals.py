"""Tests for kpitool.render.totals and kpitool.render.published: the 総括 at a terminal, with the
published counts (公表) beside the computed ones and the notes on official grades."""

from __future__ import annotations

import dataclasses

from rich.cells import cell_len

from kpitool.model.actuals import PublishedSummary
from kpitool.rating.engine import summarise
from kpitool.rating.results import PlanEvaluation, Summary
from kpitool.render.published import difference_text, official_text, published_figure, sources_text
from kpitool.render.totals import counts_lines, summary_table
from kpitool.values.fiscal_year import FiscalYear
from tests.render.conftest import render


def test_summary_turns_when_years_do_not_fit(evaluation) -> None:  # type: ignore[no-untyped-def]
    plan = evaluation.plan
    summaries = [evaluation.summary] * 6
    wide = render(summary_table(plan, summaries, evaluation.scheme), 200)
    assert any("判断基準" in line for line in wide[:4])
    narrow = render(summary_table(plan, summaries, evaluation.scheme), 60)
    assert max(cell_len(line) for line in narrow) <= 60
    assert any(line.startswith("┃ 年度") for line in narrow)
    assert any(line.startswith("判断基準:") for line in narrow)


def with_published(
    evaluation: PlanEvaluation, counts: dict[str, int], source: str | None = "第2章"
) -> Summary:
    """The evaluation's 総括 set beside a published one."""
    published = PublishedSummary.model_validate({"counts": counts, "source": source})
    return summarise(evaluation.rows, evaluation.scheme, evaluation.year, published)


def computed(evaluation: PlanEvaluation) -> dict[str, int]:
    return dict(evaluation.summary.counts)


def test_matching_published_counts_are_shown_and_said_to_agree(evaluation: PlanEvaluation) -> None:
    summary = with_published(evaluation, computed(evaluation))
    assert summary.published is not None
    assert summary.published.matches
    assert difference_text(summary) is None
    lines = [render(flow, 200) for flow in counts_lines(summary, evaluation.scheme)]
    assert len(lines) == 2
    assert lines[1][0].startswith("公表: ")
    assert lines[1][0].endswith("(一致)")
    assert "≠" not in lines[1][0]


def test_a_differing_year_is_marked_and_named(evaluation: PlanEvaluation) -> None:
    counts = computed(evaluation)
    graded = next(symbol for symbol, n in counts.items() if n)  # both KPIs have this grade
    other = next(symbol for symbol in counts if symbol != graded)
    counts[graded] -= 1
    counts[other] += 1
    summary = with_published(evaluation, counts)
    assert summary.published is not None
    assert set(summary.published.differing) == {graded, other}
    assert published_figure(summary, graded) == (True, "1")
    assert published_figure(summary, None) == (False, "2")
    text = difference_text(summary)
    assert text is not None
    assert text.startswith("R5: 公表と異なる")
    assert f"{graded} 計算 2 / 公表 1" in text
    assert f"{other} 計算 0 / 公表 1" in text
    lines = [line for flow in counts_lines(summary, evaluation.scheme) for line in render(flow, 200)]
    assert f"{graded} ≠ 1" in lines[1]
    assert lines[2].startswith("≠ R5: 公表と異なる")


def test_published_symbols_left_out_count_zero_and_others_follow(evaluation: PlanEvaluation) -> None:
    first = evaluation.scheme.symbols()[0]
    summary = with_published(evaluation, {first: 2})
    assert summary.published is not None
    assert list(summary.published.counts) == list(summary.counts)
    assert summary.published.total == 2
    # A symbol outside the scheme (refused by validate) is still shown, after the scheme's.
    stray = with_published(evaluation, {"○": 2})
    assert stray.published is not None
    assert list(stray.published.counts) == [*summary.counts, "○"]
    assert "○" in stray.published.differing


def test_summary_table_has_a_published_column_per_year_and_notes(evaluation: PlanEvaluation) -> None:
    counts = computed(evaluation)
    symbol = next(s for s, n in counts.items() if n)
    counts[symbol] += 1
    differing, plain = with_published(evaluation, counts), evaluation.summary
    for width in (200, 80, 60):
        lines = render(summary_table(evaluation.plan, [plain, differing], evaluation.scheme), width)
        assert max(cell_len(line) for line in lines) <= width
        text = "\n".join(lines)
        assert "公表" in lines[3] or any(line.startswith("│ R5 公表") for line in lines), width
        assert "≠ R5: 公表と異なる" in text.replace("\n  ", " ")
        assert "公表の出典: 第2章" in text
    wide = render(summary_table(evaluation.plan, [plain, differing], evaluation.scheme), 200)
    assert wide[3].count("公表") == 2  # every year gets a column, empty where none is recorded


def test_a_plan_without_published_counts_keeps_its_table(evaluation: PlanEvaluation) -> None:
    lines = render(summary_table(evaluation.plan, [evaluation.summary], evaluation.scheme), 200)
    assert not any("公表" in line for line in lines)
    assert len(counts_lines(evaluation.summary, evaluation.scheme)) == 1


def test_official_grades_are_counted_and_said(evaluation: PlanEvaluation) -> None:
    assert official_text(evaluation.summary) is None
    some = dataclasses.replace(evaluation.summary, official=1)
    assert official_text(some) == "R5: 1 of 2 grades is official (公表評価)"
    all_of_them = dataclasses.replace(evaluation.summary, official=2, overridden=1)
    text = official_text(all_of_them)
    assert text == "R5: 2 of 2 grades are official (公表評価); 1 differs from the computed grade"
    lines = render(summary_table(evaluation.plan, [all_of_them], evaluation.scheme), 200)
    assert text in lines


def test_sources_once_when_shared_else_per_year(evaluation: PlanEvaluation) -> None:
    one = with_published(evaluation, computed(evaluation), "第2章")
    other = dataclasses.replace(
        with_published(evaluation, computed(evaluation), "別冊"), year=FiscalYear(2024)
    )
    assert sources_text([one, one]) == "公表の出典: 第2章"
    assert sources_text([one, other]) == "公表の出典: R5 第2章; R6 別冊"
    assert sources_text([evaluation.summary]) is None
