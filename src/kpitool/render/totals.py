"""The 総括 at a terminal: grade marks, the 判断基準 legend, ``evaluate``'s 集計 and ``summary``'s table.

Where the actuals file records the published 総括 of a year, its counts (公表) stand beside the
computed ones, each count that differs marked ≠, with one line naming the grades that differ;
a year whose counts rest on official grades (公表評価) says so. The wording is
:mod:`kpitool.render.published`'s, shared with the workbook.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.console import Console, ConsoleOptions, RenderableType

from kpitool.model.plan import Plan
from kpitool.rating.results import Summary
from kpitool.rating.schemes.base import Scheme
from kpitool.render.flow import Atom, Column, Flow, fixed_table, narrowest_table, token, words
from kpitool.render.published import (
    DIFFERS,
    difference_parts,
    official_text,
    published_figure,
    sources_text,
)
from kpitool.render.style import TONE_COLOURS, grade_tone

__all__ = ["SummaryView", "counts_lines", "grade_atom", "legend", "summary_table"]

_FLAG_STYLE = "bold yellow"


def grade_atom(scheme: Scheme, symbol: str, gap: int = 0) -> Atom:
    """A grade symbol in its tone's colour."""
    return token(symbol, f"bold {TONE_COLOURS[grade_tone(scheme, symbol)][0]}", gap=gap)


def legend(scheme: Scheme) -> Flow:
    """判断基準: every grade with its label and wording, as the settings give them."""
    atoms = [token("判断基準:")]
    for index, grade in enumerate(scheme.grade_specs):
        mark = grade_atom(scheme, grade.symbol, gap=1)
        atoms.append(Atom((("/ ", ""), *mark.pieces), 1) if index else mark)
        atoms += words(f"{grade.label}（{grade.criterion}）", gap=1)
    return Flow([atoms], indent=2)


def _published_atom(summary: Summary, symbol: str | None, gap: int = 0) -> Atom:
    """A published count, ``≠ 2`` when it differs from the computed one."""
    differs, text = published_figure(summary, symbol)
    return Atom(((f"{DIFFERS} ", _FLAG_STYLE), (text, "")) if differs else ((text, ""),), gap)


def _difference(summary: Summary, indent: int) -> Flow | None:
    """``≠ R5: 公表と異なる … — △ 計算 1 / 公表 2, × 計算 8 / 公表 7``, each grade's part unbroken."""
    found = difference_parts(summary)
    if found is None:
        return None
    heading, parts = found
    atoms = [token(DIFFERS, _FLAG_STYLE), *words(heading, gap=1)]
    last = len(parts) - 1
    atoms += [token(part + ("," if index < last else ""), gap=1) for index, part in enumerate(parts)]
    return Flow([atoms], indent=indent)


def counts_lines(summary: Summary, scheme: Scheme) -> list[Flow]:
    """集計: each grade with its count and percent, kept together, then the total.

    With a published 総括, a 公表 line follows with the published counts (≠ on those that
    differ, 一致 when none does) and the line naming the grades that differ.
    """
    atoms = [token("集計:")]
    for index, grade in enumerate(summary.grades):
        figures = f" {summary.counts.get(grade.symbol, 0)} ({summary.percents[grade.symbol]}%)"
        mark = grade_atom(scheme, grade.symbol)
        atoms.append(Atom((*mark.pieces, (figures, "")), 2 if index else 1))
    atoms.append(token(f"計 {summary.total}", gap=2))
    lines = [Flow([atoms], indent=2)]
    if summary.published is None:
        return lines
    published = [token("公表:")]
    for index, symbol in enumerate(summary.published.counts):
        mark = grade_atom(scheme, symbol)
        figure = _published_atom(summary, symbol)
        published.append(Atom((*mark.pieces, (" ", ""), *figure.pieces), 2 if index else 1))
    published.append(Atom((("計 ", ""), *_published_atom(summary, None).pieces), 2))
    difference = _difference(summary, indent=4)
    if difference is None:
        published.append(token("(一致)", gap=2))
    lines.append(Flow([published], indent=2))
    return lines if difference is None else [*lines, difference]


def summary_table(plan: Plan, summaries: Sequence[Summary], scheme: Scheme) -> RenderableType:
    """総括: per grade, each year's count and percent (and 公表 count), with the 判断基準 wording.

    As the width shrinks the wording wraps, then each percent moves under its count; when the
    years still do not fit, the table turns (a row per year, a 公表 row under it) and the
    wording goes below it. The notes on published counts and official grades follow the table.
    """
    return SummaryView(plan, summaries, scheme)


class SummaryView:
    """The 総括 table laid out for the width it is printed at (see :func:`summary_table`)."""

    def __init__(self, plan: Plan, summaries: Sequence[Summary], scheme: Scheme) -> None:
        self.plan, self.summaries, self.scheme = plan, list(summaries), scheme
        self.published = any(s.published is not None for s in self.summaries)

    def _figures(self, summary: Summary, symbol: str, below: bool) -> Flow:
        count, percent = str(summary.counts.get(symbol, 0)), f"({summary.percents[symbol]}%)"
        # Side by side or one under the other, never wrapped at whatever width: the years line up.
        return Flow.of(count, percent) if below else Flow.of([token(count), token(percent, gap=1)], floor=99)

    def _year_columns(self, summary: Summary, below: bool) -> list[Column]:
        """A year's 件数 column, and its 公表 column when the plan records published counts."""
        grades = self.scheme.grade_specs
        cells: list[Flow | None] = [self._figures(summary, g.symbol, below) for g in grades]
        cells.append(Flow.of(str(summary.total)))
        columns = [Column(Flow.of(summary.year.label, "件数"), cells, "right")]
        if self.published:
            symbols = [*(g.symbol for g in grades), None]
            figures = [Flow([[_published_atom(summary, symbol)]]) for symbol in symbols]
            columns.append(Column(Flow.of(summary.year.label, "公表"), list(figures), "right"))
        return columns

    def _turned(self, width: int) -> RenderableType:
        """A row per year (and a 公表 row under it), a column per grade."""
        grades = self.scheme.grade_specs
        rows: list[tuple[str, list[Flow]]] = []
        for summary in self.summaries:
            figures = [self._figures(summary, grade.symbol, True) for grade in grades]
            rows.append((summary.year.label, [*figures, Flow.of(str(summary.total))]))
            if summary.published is not None:
                symbols = [*(g.symbol for g in grades), None]
                published = [Flow([[_published_atom(summary, symbol)]]) for symbol in symbols]
                rows.append((f"{summary.year.label} 公表", published))
        columns = [Column(Flow.of("年度"), [Flow.of(label) for label, _ in rows])]
        for index, grade in enumerate(grades):
            cells: list[Flow | None] = [cells[index] for _, cells in rows]
            columns.append(Column(Flow([[grade_atom(self.scheme, grade.symbol)]]), cells, "right"))
        columns.append(Column(Flow.of("計"), [cells[-1] for _, cells in rows], "right"))
        return narrowest_table(columns, width)

    def _notes(self) -> Iterator[Flow]:
        for summary in self.summaries:
            difference = _difference(summary, indent=2)
            if difference is not None:
                yield difference
        for summary in self.summaries:
            official = official_text(summary)
            if official is not None:
                yield Flow([words(official)], indent=2)
        sources = sources_text(self.summaries)
        if sources is not None:
            yield Flow([words(sources, "dim")], indent=2)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        width = options.max_width
        yield Flow([words(f"{self.plan.title} — 総括", "italic")])
        grades = self.scheme.grade_specs
        totals = len(grades)  # the row index of the 計 line
        for below in (False, True):
            columns = [
                Column(
                    Flow.of("進捗度"),
                    [Flow([[grade_atom(self.scheme, g.symbol)]]) for g in grades],
                    "center",
                )
            ]
            columns[0].cells.append(Flow.of("計"))
            for summary in self.summaries:
                columns += self._year_columns(summary, below)
            criteria: list[Flow | None] = [Flow([words(g.criterion)], floor=12) for g in grades]
            columns.append(Column(Flow.of("判断基準"), [*criteria, None]))
            table = fixed_table(columns, width, sections=[totals])
            if table is not None:
                yield table
                yield from self._notes()
                return
        yield self._turned(width)
        yield from self._notes()
        yield legend(self.scheme)
