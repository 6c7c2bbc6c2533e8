"""Tests for kpitool.rating.results: official grades shown over computed ones, and disagreements."""

from __future__ import annotations

from tests.rating.conftest import (
    D,
    evaluate,
    make_kpi,
    rate,
)


def test_official_grade_agreeing() -> None:
    row = rate(make_kpi(), D(200), official_grade="○")
    assert (row.grade, row.computed.symbol, row.official, row.disagrees) == ("○", "○", "○", False)


def test_official_grade_disagreeing_is_shown_and_listed() -> None:
    """Computed △, published ×: the row shows ×, keeps △, and the plan lists the disagreement."""
    kpis = [make_kpi(kpi_id="a"), make_kpi(kpi_id="b")]
    result = evaluate(
        kpis,
        {
            "a": {
                "R6": {"value": D(150), "official_grade": "×", "official_reason": "基準値を下回るものもある"}
            },
            "b": {"R6": {"value": D(150)}},
        },
    )
    first, second = result.rows
    assert (first.grade, first.computed.symbol, first.official) == ("×", "△", "×")
    assert first.official_reason == "基準値を下回るものもある"
    assert first.disagrees
    assert (second.grade, second.official, second.disagrees) == ("△", None, False)
    assert result.disagreements == (first,)
    assert result.summary.counts == {"○": 0, "△": 1, "×": 1, "—": 0}
