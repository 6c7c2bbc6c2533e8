"""Renderers by name: every ``--format`` choice has a renderer, and every renderer a choice."""

from __future__ import annotations

import pytest

from kpitool.cli.data import ListFormat
from kpitool.cli.evaluate import OutputFormat
from kpitool.cli.excel import PaperChoice
from kpitool.cli.maintenance import DiffFormat
from kpitool.cli.outlook import HistoryFormat
from kpitool.render.registry import (
    DIFF,
    EVALUATIONS,
    EVALUATIONS_WITH_OUTLOOK,
    HISTORY,
    OUTLOOKS,
    PLANS,
    RENDERERS,
    SUMMARIES,
    TERMINAL,
)
from kpitool.render.xlsx.paging import Paper


@pytest.mark.parametrize(
    ("choices", "renderers"),
    [
        (OutputFormat, EVALUATIONS),
        (OutputFormat, SUMMARIES),
        (OutputFormat, OUTLOOKS),
        (OutputFormat, EVALUATIONS_WITH_OUTLOOK),
        (HistoryFormat, HISTORY),
        (ListFormat, PLANS),
        (DiffFormat, DIFF),
    ],
)
def test_format_choices_are_the_renderer_names(choices: type, renderers: object) -> None:
    assert [c.value for c in choices] == list(renderers)  # type: ignore[call-overload]


def test_every_kind_has_a_terminal_table() -> None:
    assert all(TERMINAL in by_name for by_name in RENDERERS.values())


def test_paper_choices_are_the_papers_the_report_prints_on() -> None:
    assert [c.value for c in PaperChoice] == [p.value for p in Paper]
