"""Charts whose XML is openpyxl's, written once and filled in: the 推移 sheets' 61 charts at the cost of one.

Building a chart from openpyxl's descriptor objects and serialising it element by element
costs ~2 ms; a council report of the bundled data draws 61 alike, a third of a cold
``report`` (issue 18, docs/performance.md "Interactive commands"). They differ only in a
few strings: the title, the y axis's title, the sheet and rows the series refer to. So
:class:`ChartTemplate` has openpyxl build and serialise the chart once, with markers in
place of those strings, and fills in each chart's text as openpyxl would have written it
(quoted as :func:`openpyxl.utils.quote_sheetname` does, escaped as the serialiser does).
Text that openpyxl would lay out otherwise (a newline starts a new paragraph of a title),
write otherwise (empty text is an empty element, spaces at either end are marked to be
kept) or escape otherwise (control characters),
and a range of one row or out of openpyxl's bounds, get no template: the
caller builds that chart the ordinary way (:meth:`ChartTemplate.chart` returns None).

A :class:`PrewrittenChart` is an ordinary ScatterChart to openpyxl (anchor, size, the
drawing and the manifest), whose ``_write`` builds the chart after all; :func:`deferred` has
openpyxl write a stub instead and returns the parts to put in the saved zip, which
:func:`kpitool.render.xlsx.deterministic.deterministic_xlsx` does as it rewrites it.
``tests/render/xlsx/test_prewritten.py`` compares every such chart with openpyxl's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from openpyxl.chart import ScatterChart
from openpyxl.utils import quote_sheetname
from openpyxl.xml import LXML
from openpyxl.xml.functions import Element, tostring

__all__ = ["ChartTemplate", "PrewrittenChart", "deferred"]

_TITLE, _Y_TITLE, _SHEET = "\ue000", "\ue001", "\ue002"
"""Private-use characters: the markers of the varying strings (text holding one gets no template)."""
_HEAD, _FIRST, _LAST = 900001, 900002, 900009
"""Marker rows: the series titles' row, the first and the last row of the data."""
_MARKERS = re.compile(
    "|".join(re.escape(m) for m in (_TITLE, _Y_TITLE, f"'{_SHEET}'", "900001", "900002", "900009"))
)
_MAX_ROW = 1_000_000
"""The last row a :class:`openpyxl.chart.Reference` accepts (beyond, openpyxl's own build refuses it)."""
_NOT_PLAIN = re.compile("[\x00-\x1f\ud800-\udfff\ue000-\ue002\ufffe\uffff]")

Builder = Callable[[str, str, Any, int, int], Any]
"""``(title, y axis title, sheet, first row, last row)`` → the chart, built by openpyxl."""


class _Sheet:
    """What a :class:`openpyxl.chart.Reference` reads of a worksheet: its title."""

    def __init__(self, title: str) -> None:
        self.title = title


def _escape(text: str) -> str:
    """Text as the serialiser writes it in an element's content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PrewrittenChart(ScatterChart):
    """A scatter chart whose XML is given (``xml``, bytes as openpyxl writes them)."""

    def __init__(self, xml: bytes, width: int, height: int, build: Callable[[], Any]) -> None:
        super().__init__()
        self.xml = xml
        self.width, self.height = width, height  # the drawing's anchor: the size in cm
        self.stub = False
        self._build = build

    def _write(self) -> Any:
        """The chart's XML tree for openpyxl's writer: a stub inside :func:`deferred`, else built.

        (Parsing :attr:`xml` back would not do: the serialiser then names the namespaces otherwise.)
        """
        return Element("prewritten") if self.stub else self._build()._write()


class ChartTemplate:
    """One chart's XML with its varying strings as slots; filled per chart (see the module)."""

    def __init__(self, build: Builder) -> None:
        self._build = build
        built = build(_TITLE, _Y_TITLE, _Sheet(_SHEET), _FIRST, _LAST)
        xml = tostring(built._write()).decode("utf-8")
        self._size = built.width, built.height
        self._pieces = _MARKERS.split(xml)
        self._slots = _MARKERS.findall(xml)

    def chart(self, title: str, y_title: str, sheet: Any, first: int, last: int) -> PrewrittenChart | None:
        """The chart over rows ``first``..``last`` of ``sheet`` (series titles a row above), or None."""
        texts = (title, y_title, sheet.title)
        if (
            LXML  # openpyxl then writes with lxml, whose escaping the tests here do not check
            or not 2 <= first < last <= _MAX_ROW
            or any(not text or text.strip() != text for text in texts)
            or any(_NOT_PLAIN.search(text) for text in texts)
        ):
            return None
        values = {
            _TITLE: _escape(title),
            _Y_TITLE: _escape(y_title),
            f"'{_SHEET}'": _escape(quote_sheetname(sheet.title)),
            str(_HEAD): str(first - 1),
            str(_FIRST): str(first),
            str(_LAST): str(last),
        }
        out = [self._pieces[0]]
        for slot, piece in zip(self._slots, self._pieces[1:], strict=True):
            out += [values[slot], piece]
        xml = "".join(out).encode("utf-8")
        return PrewrittenChart(xml, *self._size, lambda: self._build(title, y_title, sheet, first, last))


@contextmanager
def deferred(workbook: Any) -> Iterator[dict[str, bytes]]:
    """While openpyxl saves ``workbook``, its prewritten charts write a stub; yields {zip entry: bytes}.

    The mapping is filled when the block ends (each chart's entry is named as it is written).
    """
    charts = [
        c
        for sheet in workbook.worksheets
        for c in getattr(sheet, "_charts", ())
        if isinstance(c, PrewrittenChart)
    ]
    parts: dict[str, bytes] = {}
    for chart in charts:
        chart.stub = True
    try:
        yield parts
    finally:
        for chart in charts:
            chart.stub = False
    parts.update({chart.path[1:]: chart.xml for chart in charts})
