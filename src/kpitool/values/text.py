"""Characters no text in the data may hold: control, direction-changing and invisible ones (不可視文字).

A control character echoed in a message rewrites the terminal or CI log; a
bidirectional override reorders what a reader sees; an invisible one — a
zero-width space, a word joiner, a soft hyphen, U+FEFF pasted inside a title —
makes two names that look equal differ, so a KPI or plan id silently fails to
match. Every reader (YAML, tables, forms) refuses them with the character named.
Tab, line feed, carriage return and the line and paragraph separators (U+2028,
U+2029) are line breaks and layout, not hidden; each format has its own rules
for them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["HIDDEN_CHARACTER", "describe_hidden", "hidden_character"]

HIDDEN_CHARACTER = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 and C1 controls, DEL
    "\u00ad"  # SOFT HYPHEN
    "\u061c"  # ARABIC LETTER MARK
    "\u180e"  # MONGOLIAN VOWEL SEPARATOR
    "\u200b-\u200f"  # ZERO WIDTH SPACE / NON-JOINER / JOINER, LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK
    "\u202a-\u202e"  # bidirectional embeddings and overrides
    "\u2060-\u2064"  # WORD JOINER and the invisible operators
    "\u2066-\u2069"  # bidirectional isolates
    "\ufeff"  # ZERO WIDTH NO-BREAK SPACE (a byte order mark inside the text)
    "]"
)
"""One character that text in the data must not hold."""


def hidden_character(text: str) -> str | None:
    """The first character of ``text`` matched by :data:`HIDDEN_CHARACTER`; None if there is none."""
    found = HIDDEN_CHARACTER.search(text)
    return None if found is None else found.group()


def describe_hidden(char: str) -> str:
    """``the invisible character U+200B (ZERO WIDTH SPACE)``, for messages."""
    name = unicodedata.name(char, "")
    return f"the invisible character U+{ord(char):04X}{f' ({name})' if name else ''}"
