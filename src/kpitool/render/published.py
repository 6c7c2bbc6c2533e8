"""The published 総括 (公表) and the official grades of a year, in the words every renderer uses.

The terminal (``summary``, ``evaluate``'s 集計) and the workbook's 総括 sheet say the same
things, so the wording is made here, once: which grades' counts differ from the published
ones, how many of a year's grades are official (公表評価) rather than computed, and where
the published counts come from.
"""

from __future__ import annotations

from collections.abc import Sequence

from kpitool.rating.results import Summary

__all__ = [
    "DIFFERS",
    "difference_parts",
    "difference_text",
    "official_text",
    "published_figure",
    "sources_text",
]

DIFFERS = "≠"
"""The mark of a published count that differs from the computed one."""


def published_figure(summary: Summary, symbol: str | None) -> tuple[bool, str]:
    """Whether the published count of ``symbol`` (None: the total) differs, and the count as text.

    Empty text when the year has no published 総括.
    """
    published = summary.published
    if published is None:
        return False, ""
    if symbol is None:
        return published.total != summary.total, str(published.total)
    return symbol in published.differing, str(published.counts.get(symbol, 0))


def difference_parts(summary: Summary) -> tuple[str, list[str]] | None:
    """The heading and one part per differing grade (``△ 計算 1 / 公表 2``); None when they agree.

    A part is meant to stay on one line.
    """
    published = summary.published
    if published is None or published.matches:
        return None
    parts = [
        f"{symbol} 計算 {summary.counts.get(symbol, 0)} / 公表 {published.counts[symbol]}"
        for symbol in published.differing
    ]
    return f"{summary.year.label}: 公表と異なる (differs from the published counts) —", parts


def difference_text(summary: Summary) -> str | None:
    """``R5: 公表と異なる (…) — △ 計算 1 / 公表 2, × 計算 8 / 公表 7``, or None when they agree."""
    found = difference_parts(summary)
    return None if found is None else f"{found[0]} {', '.join(found[1])}"


def official_text(summary: Summary) -> str | None:
    """``R6: 11 of 12 grades are official (公表評価)…`` when a year's counts rest on official grades."""
    if not summary.official:
        return None
    verb = "is" if summary.official == 1 else "are"
    text = f"{summary.year.label}: {summary.official} of {summary.total} grades {verb} official (公表評価)"
    if summary.overridden:
        verb = "differs" if summary.overridden == 1 else "differ"
        text += f"; {summary.overridden} {verb} from the computed grade"
    return text


def sources_text(summaries: Sequence[Summary]) -> str | None:
    """Where the published counts come from: one source for all years, or one per year."""
    recorded = [(s.year.label, s.published.source) for s in summaries if s.published and s.published.source]
    if not recorded:
        return None
    sources = {source for _, source in recorded}
    if len(sources) == 1:
        return f"公表の出典: {sources.pop()}"
    return "公表の出典: " + "; ".join(f"{label} {source}" for label, source in recorded)
