"""Importing a library without the optional packages it would pick up but kpitool never uses.

openpyxl imports numpy, when it is installed, only to accept numpy numbers as cell values;
kpitool writes ints, Decimals, text and dates, and numpy costs ~50 ms of every cold ``report``
(issue 18, docs/performance.md "Interactive commands"). :func:`without` makes ``import numpy``
fail inside its block, as the import system does for a ``None`` in :data:`sys.modules`, so
openpyxl takes the path it takes where numpy is not installed. A package already imported is
left as it is (openpyxl then sees it, as before), and nothing stays blocked after the block.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["without"]


@contextmanager
def without(*names: str) -> Iterator[None]:
    """Inside the block, ``import NAME`` raises ModuleNotFoundError for each of ``names`` not yet imported."""
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
