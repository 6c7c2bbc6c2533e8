"""Bulk allocation without the cyclic garbage collector.

Loading the nation's plans, unpickling them or grading them allocates millions
of objects and no reference cycles. Every full collection would scan all of
them again (measured: a third of a national load), so the collector is paused
while such a batch is built, and what was built is frozen out of later
collections (``gc.freeze``): it holds no cycles and is freed by reference
counting. See docs/performance.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk allocation; nested uses are fine.

    On leaving, the objects allocated meanwhile are moved to the permanent
    generation (``gc.freeze``); reference counting still frees them when they
    are no longer used.
    """
    if not gc.isenabled():  # an outer pause (or the caller) is in charge
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
