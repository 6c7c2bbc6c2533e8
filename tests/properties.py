"""How many examples the property tests (hypothesis) try: all of them in CI, a fifth in the fast loop.

``pytest`` (CI, ``make test``) runs each property with the count its test asks
for; ``pytest -m "not slow"``, the loop run while editing, runs a fifth of it
(never fewer than 10), so that loop stays under 15 s. The root conftest sets
:data:`SHARE` before the test modules are imported.
"""

from __future__ import annotations

__all__ = ["FAST_LOOP_SHARE", "SHARE", "examples"]

FAST_LOOP_SHARE = 0.2
"""The share of each property's examples tried under ``-m "not slow"``."""

SHARE = 1.0
"""The share in this run: 1.0, or :data:`FAST_LOOP_SHARE` in the fast loop."""


def examples(full: int) -> int:
    """The number of examples to try for a property whose full run tries ``full``."""
    return max(10, round(full * SHARE))
