"""Tests for kpitool.rating.rollup: section counts at every level, each roll-up method's
arithmetic (exactly at a band's edge), not-judged KPIs left out of a grade, and bad settings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import Plan
from kpitool.rating.engine import evaluate_plan
from kpitool.rating.rollup import SectionResult, section_results
from kpitool.rating.schemes.base import RatingError
from kpitool.values.fiscal_year import FiscalYear
from tests.rating.schemes.conftest import resolve

D = Decimal


def _kpi(kpi_id: str) -> dict[str, Any]:
    return {
        "id": kpi_id,
        "name": kpi_id,
        "unit": "人",
        "direction": "increase",
        "baseline": {"value": D(100), "period": "R2年度"},
        "target": {"value": D(200), "period": "R7年度"},
    }


# ○ at 200, △ at 150, × at 90; no actual: —.
ACTUALS = {"a": "200", "b": "150", "c": "90", "d": "200", "e": "200", "f": "150"}


def graded(rollup: dict[str, Any] | None, actuals: dict[str, str] = ACTUALS) -> dict[str, SectionResult]:
    """基本目標 g1 holds 施策 s1 (a ○, b △) and s2 (c ×, n —); g2 holds d ○, e ○, f △ directly."""
    plan = Plan.model_validate(
        {
            "id": "t",
            "title": "計画",
            "kind": "comprehensive_plan",
            "municipality": "市",
            "evaluation": {"rollup": rollup} if rollup is not None else None,
            "kpis": [_kpi("top")],
            "sections": [
                {
                    "id": "g1",
                    "level": "基本目標",
                    "title": "目標1",
                    "sections": [
                        {"id": "s1", "level": "施策", "title": "施策1", "kpis": [_kpi("a"), _kpi("b")]},
                        {"id": "s2", "level": "施策", "title": "施策2", "kpis": [_kpi("c"), _kpi("n")]},
                    ],
                },
                {"id": "g2", "level": "基本目標", "title": "目標2", "kpis": [_kpi(k) for k in "def"]},
            ],
        }
    )
    recorded = ActualsFile.model_validate(
        {"plan": "t", "actuals": {k: {"R6": {"value": D(v), "period": "R6年度"}} for k, v in actuals.items()}}
    )
    result = evaluate_plan(plan, recorded, FiscalYear.parse("R6"))
    return {found.section.id: found for found in section_results(result)}


def test_no_rollup_setting_counts_like_the_counts_default() -> None:
    """Item 5: counts only is the default — without ``rollup`` every section is counted, ungraded."""
    without, counted = graded(None), graded({"method": "counts"})
    assert list(without) == ["g1", "s1", "s2", "g2"]
    assert {k: dict(s.counts) for k, s in without.items()} == {k: dict(s.counts) for k, s in counted.items()}
    assert all(s.grade is None and s.value is None for s in without.values())


def test_counts_at_every_level_include_the_sections_below() -> None:
    sections = graded({})
    assert [(k, s.depth) for k, s in sections.items()] == [("g1", 0), ("s1", 1), ("s2", 1), ("g2", 0)]
    assert dict(sections["g1"].counts) == {"○": 1, "△": 1, "×": 1, "—": 1}
    assert dict(sections["s2"].counts) == {"○": 0, "△": 0, "×": 1, "—": 1}
    assert dict(sections["g2"].counts) == {"○": 2, "△": 1, "×": 0, "—": 0}
    assert all(s.grade is None for s in sections.values())  # counts: no section grade


MEAN = {
    "method": "mean_score",
    "scores": {"○": D(3), "△": D(2), "×": D(1)},
    "grades": [{"symbol": "A", "at_least": D("2.5")}, {"symbol": "B", "at_least": D("1.5")}, {"symbol": "C"}],
}


def test_mean_score_is_cut_into_bands_and_leaves_out_the_not_judged() -> None:
    sections = graded(MEAN)
    # s1: (3 + 2) / 2 = 2.5 exactly: A. s2: × only (— left out): 1: C. g1: (3 + 2 + 1) / 3 = 2: B.
    assert {k: (s.grade, s.value) for k, s in sections.items()} == {
        "s1": ("A", D("2.5")),
        "s2": ("C", D(1)),
        "g1": ("B", D(2)),
        "g2": ("A", D(8) / 3),
    }


def test_worst_is_the_lowest_judged_grade() -> None:
    sections = graded({"method": "worst"})
    assert {k: s.grade for k, s in sections.items()} == {"g1": "×", "s1": "△", "s2": "×", "g2": "△"}


SHARE = {
    "method": "share_at_least",
    "count": ["○"],
    "grades": [{"symbol": "A", "at_least": D("0.5")}, {"symbol": "B", "at_least": D("0.3")}, {"symbol": "C"}],
}


def test_share_at_least_counts_the_given_grades() -> None:
    sections = graded(SHARE)
    # s1: 1 of 2 = 50% exactly: A; s2: 0 of 1: C; g1: 1 of 3 = 33.3%: B; g2: 2 of 3: A.
    assert {k: s.grade for k, s in sections.items()} == {"g1": "B", "s1": "A", "s2": "C", "g2": "A"}
    assert sections["s1"].value == D("0.5")


def test_a_section_without_a_judged_kpi_has_no_grade() -> None:
    sections = graded(MEAN, {"a": "200"})
    assert sections["s2"].grade is None
    assert sections["s2"].total == 2


@pytest.mark.parametrize(
    ("rollup", "words", "path"),
    [
        (
            {"method": "mean_score", "scores": {"○": D(3)}, "grades": MEAN["grades"]},
            "needs a score for each grade; none for '△'",
            ("rollup", "scores"),
        ),
        (
            {**MEAN, "scores": {**MEAN["scores"], "◎": D(4)}},
            "'◎' is not a grade of the scheme",
            ("rollup", "scores", "◎"),
        ),
        ({**MEAN, "grades": []}, "mean_score needs grades", ("rollup", "method")),
        ({"method": "worst", "grades": MEAN["grades"]}, "worst takes no grades", ("rollup", "grades")),
        ({**SHARE, "count": []}, "needs count", ("rollup", "method")),
        ({**SHARE, "count": ["A"]}, "'A' is not a grade", ("rollup", "count", 0)),
        (
            {**MEAN, "grades": [{"symbol": "A", "at_least": D(2)}, {"symbol": "B", "at_least": D(1)}]},
            "missing last grade",
            ("rollup", "grades", 1, "at_least"),
        ),
        (
            {
                **MEAN,
                "grades": [
                    {"symbol": "A", "at_least": D(1)},
                    {"symbol": "B", "at_least": D(2)},
                    {"symbol": "C"},
                ],
            },
            "unordered bands",
            ("rollup", "grades", 1, "at_least"),
        ),
        (
            {**MEAN, "grades": [{"symbol": "A"}, {"symbol": "C"}]},
            "'A' needs at_least",
            ("rollup", "grades", 0),
        ),
    ],
)
def test_bad_rollup_settings_say_what_and_where(
    rollup: dict[str, Any], words: str, path: tuple[Any, ...]
) -> None:
    with pytest.raises(RatingError) as caught:
        resolve({"rollup": rollup})
    assert words in str(caught.value)
    assert caught.value.path == path
