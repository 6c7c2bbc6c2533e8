"""What an Excel number format does to the value a person sees (表示形式).

A form cell holds one value and shows another: ``0.0%`` shows the stored 0.131
as 13.1%, and ``;;;`` shows nothing at all. The form reader
(:mod:`kpitool.sources.form`) asks these pure functions, on the format code
openpyxl gives, which section of the format applies to a value, whether it
scales the value by 100 (a ``%`` outside quotes), and whether it hides the
value (an empty section, or one with no digit placeholder).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["hides", "percent_scale", "shown_text"]

_PLACEHOLDERS = frozenset("0#?@")
"""What shows a number: digit placeholders, and ``@`` (a number in a text format shows as it is)."""


def _sections(code: str) -> list[str]:
    """The format's sections (split at ``;`` outside quotes, brackets and escapes), literals removed.

    What remains of each section is what formats the value: ``"円"0.0`` gives ``0.0``,
    ``[Red]0%`` gives ``0%``, ``0\\%`` gives ``0``; ``_x`` (a space as wide as x) and
    ``*x`` (x repeated) are removed with their character.
    """
    sections: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(code):
        char = code[index]
        if char == '"':
            end = code.find('"', index + 1)
            index = len(code) if end < 0 else end + 1
            continue
        if char == "[":
            end = code.find("]", index + 1)
            index = len(code) if end < 0 else end + 1
            continue
        if char in "\\_*":
            index += 2
            continue
        if char == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    sections.append("".join(current))
    return sections


def _section(code: str, value: object) -> str | None:
    """The section that formats ``value``; None when it shows unchanged (text, no ``@`` section)."""
    sections = _sections(code)
    if isinstance(value, str):
        return sections[3] if len(sections) >= 4 else None
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if number < 0 and len(sections) >= 2:
        return sections[1]
    if number == 0 and len(sections) >= 3:
        return sections[2]
    return sections[0]


def _formattable(value: object) -> bool:
    """A number or text: what a number format's sections apply to (dates and booleans are not)."""
    return isinstance(value, int | float | Decimal | str) and not isinstance(value, bool)


def _general(section: str) -> bool:
    return "general" in section.lower()


def hides(code: str | None, value: object) -> bool:
    """True when the format shows none of ``value``: an empty section (``;;;``) or one without a placeholder.

    A number shows through ``0``, ``#``, ``?``, ``@`` or ``General``; text through ``@``
    (or any format of fewer than four sections). Date codes never reach here: a cell
    with a date format reads as a date.
    """
    if not code or not _formattable(value):
        return False
    section = _section(code, value)
    if section is None:
        return False
    if isinstance(value, str):
        return "@" not in section and not _general(section)
    return not (_general(section) or any(char in _PLACEHOLDERS for char in section))


def percent_scale(code: str | None, value: object) -> int:
    """How many times the format multiplies ``value`` by 100 to show it: the ``%`` signs outside quotes."""
    if not code or isinstance(value, str) or not _formattable(value):
        return 0
    section = _section(code, value)
    return section.count("%") if section is not None else 0


def shown_text(code: str) -> str:
    """The format as quoted in a message: ``'0.0%'``, or ``';;;' (every section empty)``."""
    if not any(section.strip() for section in _sections(code)):
        return f"{code!r} (every section empty)"
    return repr(code)
