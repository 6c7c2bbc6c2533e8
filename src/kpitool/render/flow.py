"""Text that fits a width: East Asian aware wrapping that never splits a number or a period.

Terminal tables hold Japanese names, units and figures. Rich wraps at spaces and folds a
long word anywhere, so ``14,063 (H30年度)`` could become ``14,0`` / ``63``. Here text is cut
into *atoms* — a figure, a period, one CJK character (with its closing punctuation, 禁則),
a Latin word — and lines break only between atoms. :class:`Flow` is a Rich renderable of
atoms; :func:`fixed_table` lays out columns of them with widths chosen here (Rich's own
table shrinks columns below their widest atom), or says that they cannot fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderableType
from rich.measure import Measurement
from rich.text import Text

__all__ = [
    "Atom",
    "Column",
    "Flow",
    "Grid",
    "fit_widths",
    "fixed_table",
    "headed",
    "narrowest_table",
    "token",
    "words",
    "wrap",
]

# 禁則: characters that do not begin a line (closing marks, small kana, 長音) and that do not end one.
_NO_LINE_START = frozenset(
    "、。，．,.:;!?)]}）］｝〕〉》」』】〙〗・：；！？ー～ゝゞ々％%"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
)
_NO_LINE_END = frozenset("([{（［｛〔〈《「『【〘〖")


@dataclass(frozen=True)
class Atom:
    """An unbreakable piece of text: (text, style) pieces, and the spaces before it on a line."""

    pieces: tuple[tuple[str, str], ...]
    gap: int = 0

    @cached_property  # asked for again at every wrap and measure: a 総括 asks ~10,000 times (issue 18)
    def width(self) -> int:
        """Terminal cells (a CJK character takes two)."""
        return sum(cell_len(text) for text, _style in self.pieces)

    @cached_property
    def plain(self) -> str:
        """The text without styles."""
        return "".join(text for text, _style in self.pieces)

    def joined(self, other: Atom) -> Atom:
        """This atom followed, without a break, by ``other``."""
        return Atom(self.pieces + other.pieces, self.gap)


Line = Sequence[Atom]
"""Atoms that follow each other; wrapping may break between them."""


def token(text: str, style: str = "", *, gap: int = 0) -> Atom:
    """Text that is never split: a figure, a rate, a period, a grade."""
    return Atom(((text, style),), gap)


def words(text: str, style: str = "", *, gap: int = 0) -> list[Atom]:
    """Atoms of running text: Latin words and figures whole, CJK breakable between characters."""
    atoms: list[Atom] = []
    run = ""
    space = gap

    def flush() -> None:
        nonlocal run, space
        if run:
            atoms.append(token(run, style, gap=space))
            run, space = "", 0

    for char in text:
        if char.isspace():
            flush()
            space = 1 if atoms else gap
        elif cell_len(char) == 2:
            flush()
            atoms.append(token(char, style, gap=space))
            space = 0
        else:
            run += char
    flush()
    return _kinsoku(atoms)


def _kinsoku(atoms: list[Atom]) -> list[Atom]:
    """Glue closing marks to what precedes them and opening marks to what follows."""
    merged: list[Atom] = []
    for atom in atoms:
        glued = atom.plain[0] in _NO_LINE_START or merged[-1].plain[-1] in _NO_LINE_END if merged else False
        # A counter stays with its figure: 30万, 4月, 5年 (the figure itself is one atom already).
        counted = bool(merged) and merged[-1].plain[-1].isdigit() and atom.width == 2
        if merged and not atom.gap and (glued or counted):
            merged[-1] = merged[-1].joined(atom)
        else:
            merged.append(atom)
    return merged


def wrap(lines: Iterable[Line], width: int, indent: int = 0) -> list[Text]:
    """Greedy wrap: each given line starts a new line; continuation lines are indented.

    Unstyled pieces in a row are appended to the Text as one string (the same text and spans:
    an unstyled append adds no span), not one CJK character at a time (issue 18: ~4,000 appends
    for a 総括 of three years).
    """
    out: list[Text] = []
    for atoms in lines:
        text, used, plain = Text(), 0, ""
        for atom in atoms:
            gap = atom.gap if used else 0
            if used and used + gap + atom.width > width:
                out.append(text.append(plain))
                text, used, gap, plain = Text(" " * indent), indent, 0, ""
            plain += " " * gap
            for piece, style in atom.pieces:
                if style:
                    text.append(plain).append(piece, style)
                    plain = ""
                else:
                    plain += piece
            used += gap + atom.width
        out.append(text.append(plain))
    return out


def headed(title: Line, mark: Flow, width: int, indent: int = 2) -> list[Text]:
    """``title`` wrapped to leave room for ``mark`` (a grade), which ends its first line at the right."""
    head = wrap([title], max(width - mark.natural - 1, 1), indent=indent)
    first = head[0]
    first.append(" " * max(width - first.cell_len - mark.natural, 1))
    first.append_text(mark.render(mark.natural))
    return head


def _natural(atoms: Line) -> int:
    return sum(atom.width + (atom.gap if index else 0) for index, atom in enumerate(atoms))


def flow_fields(fields: list[list[Atom]], width: int, indent: int) -> list[Text]:
    """Fields side by side while they fit (two spaces apart), each wrapped within if it is long."""
    out: list[Text] = []
    current = Text(" " * indent)
    for field in fields:
        text = Text("\n").join(wrap([field], width - indent, indent=2))
        single = "\n" not in text.plain
        if single and current.cell_len > indent and current.cell_len + 2 + text.cell_len <= width:
            current.append("  ")
            current.append_text(text)
            continue
        if current.cell_len > indent:
            out.append(current)
        if single:
            current = Text(" " * indent).append_text(text)
        else:
            out += [Text(" " * indent).append_text(part) for part in text.split("\n")]
            current = Text(" " * indent)
    if current.cell_len > indent:
        out.append(current)
    return out


class Flow:
    """A Rich renderable of atom lines that wraps to the width it is given.

    ``floor`` is the narrowest width that still reads well (a name one CJK character wide
    does not); it raises the minimum that :func:`fixed_table` respects. ``justify`` overrides
    the column's in a table when the cell wraps (wording among figures reads from the left).
    """

    def __init__(
        self, lines: Sequence[Line], *, indent: int = 0, floor: int = 0, justify: JustifyMethod | None = None
    ) -> None:
        self.lines = [list(line) for line in lines]
        self.indent, self.justify = indent, justify
        self.natural = max((_natural(line) for line in self.lines), default=0)
        widest = max((atom.width for line in self.lines for atom in line), default=0)
        self.minimum = max(widest, min(floor, self.natural))

    @classmethod
    def of(cls, *lines: Line | str, floor: int = 0) -> Flow:
        """A flow from atom lines or plain strings (one atom each)."""
        return cls([[token(line)] if isinstance(line, str) else line for line in lines], floor=floor)

    def render(self, width: int) -> Text:
        """The wrapped text, one Text with newlines."""
        return Text("\n").join(wrap(self.lines, width, self.indent))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        yield self.render(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.minimum, self.natural).clamp(max_width=options.max_width)


def fit_widths(
    naturals: Sequence[int], minimums: Sequence[int], available: int, weights: Sequence[float] | None = None
) -> list[int] | None:
    """Column widths within ``available``: natural if they fit, else the widest capped alike.

    A column's cap is scaled by its weight (default 1). None when even the minimums (widest
    atom or floor of each column) do not fit.
    """
    weights = weights or [1.0] * len(naturals)
    if sum(minimums) > available:
        return None
    if sum(naturals) <= available:
        return list(naturals)

    def capped(cap: int) -> list[int]:
        return [
            max(low, min(high, int(cap * weight)))
            for high, low, weight in zip(naturals, minimums, weights, strict=True)
        ]

    low, high = 0, int(max(n / w for n, w in zip(naturals, weights, strict=True))) + 1
    while low < high:  # the largest cap that fits
        middle = (low + high + 1) // 2
        low, high = (middle, high) if sum(capped(middle)) <= available else (low, middle - 1)
    widths = capped(low)
    spare = available - sum(widths)
    for index, natural in enumerate(naturals):  # the cells left over go to the capped columns
        if spare and widths[index] < natural:
            widths[index] += 1
            spare -= 1
    return widths


@dataclass
class Column:
    """A column of :func:`fixed_table`: heading, one cell per row (None: empty), justification.

    ``weight`` below 1 makes a column give way sooner when the table must shrink (a unit
    before a name).
    """

    header: Flow
    cells: list[Flow | None]
    justify: JustifyMethod = "left"
    weight: float = 1.0


def fixed_table(
    columns: Sequence[Column],
    available: int,
    *,
    sections: Sequence[int] = (),
    spans: Mapping[int, Flow] | None = None,
) -> Grid | None:
    """A bordered table of ``columns`` at most ``available`` cells wide, or None if it cannot fit.

    ``spans`` are full-width rows (section headings) by row index; a line is drawn before each
    of them and before each row in ``sections``.
    """
    flows = [[column.header, *(cell for cell in column.cells if cell)] for column in columns]
    widths = fit_widths(
        [max(flow.natural for flow in column) for column in flows],
        [max(flow.minimum for flow in column) for column in flows],
        available - _borders(columns),
        [column.weight for column in columns],
    )
    return None if widths is None else Grid(columns, widths, sections, spans or {})


def narrowest_table(columns: Sequence[Column], available: int) -> Grid:
    """The table at ``available`` if it fits, else at its narrowest (wider than asked)."""
    table = fixed_table(columns, available)
    if table is not None:
        return table
    minimums = [
        max(flow.minimum for flow in (column.header, *filter(None, column.cells))) for column in columns
    ]
    return Grid(columns, minimums, (), {})


def _borders(columns: Sequence[Column]) -> int:
    return 3 * len(columns) + 1  # "│ " before each cell, " " after, and the closing "│"


class Grid:
    """A table drawn here, in Rich's heavy-head box style, with full-width heading rows."""

    def __init__(
        self, columns: Sequence[Column], widths: list[int], sections: Sequence[int], spans: Mapping[int, Flow]
    ) -> None:
        self.columns, self.widths, self.sections, self.spans = columns, widths, set(sections), spans

    def _rule(self, left: str, joint: str, right: str, fill: str) -> Text:
        return Text(left + joint.join(fill * (width + 2) for width in self.widths) + right)

    def _row(
        self, cells: Sequence[Flow | None], bar: str, bottom: bool = False, style: str = ""
    ) -> list[Text]:
        blocks = []
        for cell, width, column in zip(cells, self.widths, self.columns, strict=True):
            lines = cell.render(width).split("\n") if cell is not None else [Text("")]
            justify = (cell.justify if cell is not None and len(lines) > 1 else None) or column.justify
            blocks.append([_justify(line, width, justify, style) for line in lines])
        height = max(len(block) for block in blocks)
        for block, width in zip(blocks, self.widths, strict=True):
            pad = [Text(" " * width)] * (height - len(block))
            block[:] = pad + block if bottom else block + pad
        out = []
        for index in range(height):
            line = Text(bar + " ")
            for number, block in enumerate(blocks):
                if number:
                    line.append(f" {bar} ")
                line.append_text(block[index])
            out.append(line.append(f" {bar}"))
        return out

    def lines(self) -> list[Text]:
        """Every line of the table."""
        inner = sum(self.widths) + 3 * len(self.widths) - 3
        out = [self._rule("┏", "┳", "┓", "━")]
        out += self._row([column.header for column in self.columns], "┃", bottom=True, style="bold")
        rows = len(self.columns[0].cells) if self.columns else 0
        out.append(self._rule("┡", "┻" if 0 in self.spans else "╇", "┩", "━"))
        for index in range(rows):
            if index in self.spans:
                if index:
                    out.append(self._rule("├", "┴", "┤", "─"))
                out += [
                    Text("│ ").append_text(_justify(line, inner, "left", "")).append(" │")
                    for line in self.spans[index].render(inner).split("\n")
                ]
                if index + 1 < rows:
                    out.append(self._rule("├", "┬", "┤", "─"))
                continue
            if index in self.sections and index and index - 1 not in self.spans:
                out.append(self._rule("├", "┼", "┤", "─"))
            out += self._row([column.cells[index] for column in self.columns], "│")
        if rows - 1 in self.spans:
            out.append(Text("└" + "─" * (inner + 2) + "┘"))
        else:
            out.append(self._rule("└", "┴", "┘", "─"))
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        yield Text("\n").join(self.lines())

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = sum(self.widths) + 3 * len(self.widths) + 1
        return Measurement(width, width)


def _justify(line: Text, width: int, justify: JustifyMethod, style: str) -> Text:
    """``line`` padded to ``width`` cells: left, right or centred."""
    line = line.copy()
    line.rstrip()
    if style:
        line.stylize(style)
    spare = max(width - line.cell_len, 0)
    if justify == "right":
        return Text(" " * spare).append_text(line)
    if justify == "center":
        return Text(" " * (spare // 2)).append_text(line).append(" " * (spare - spare // 2))
    return line.append(" " * spare)
