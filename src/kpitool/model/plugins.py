"""pydantic's plugin lookup, answered at once where no installed distribution can declare a plugin.

Before it builds its first validator, pydantic looks for plugins: it reads the entry points of
every installed distribution (``importlib.metadata.distributions()``, 124 here), ~8 ms of every
cold run (issue 18, docs/performance.md "Interactive commands"). A plugin is an entry point in
the group ``pydantic``; :func:`skip_empty_plugin_lookup` reads the same ``entry_points.txt``
files as bytes, and when none of them so much as mentions ``pydantic`` it gives pydantic the
answer its lookup would find (no plugins). Anything it cannot read as pydantic would — a zip
or an egg on ``sys.path``, an import hook that finds distributions of its own, an unreadable file — or
any mention of the word, and pydantic looks for itself, as ever; ``PYDANTIC_DISABLE_PLUGINS``
keeps its meaning, and a lookup pydantic has done already is left alone.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import PathFinder

__all__ = ["no_plugin_declared", "skip_empty_plugin_lookup"]

_INFO = (".dist-info", ".egg-info")


def no_plugin_declared(path: list[str] | None = None) -> bool:
    """True when no distribution on ``path`` (default ``sys.path``) can declare a pydantic plugin."""
    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, "find_distributions", None) is not None:
            return False
    for entry in sys.path if path is None else path:
        where = entry or "."
        if os.path.basename(where).lower().endswith(".egg"):
            return (
                False  # an egg on the path is a distribution itself (its EGG-INFO): read as pydantic reads it
            )
        try:
            names = os.listdir(where)
        except NotADirectoryError:
            return False  # a zip on the path: its distributions are read another way
        except OSError:
            continue  # as importlib.metadata: a missing folder holds no distribution
        for name in names:
            if name.lower().endswith(_INFO) and _mentions_pydantic(os.path.join(where, name)):
                return False
    return True


def _mentions_pydantic(info: str) -> bool:
    """True unless the distribution's entry points are known not to mention pydantic."""
    try:
        with open(os.path.join(info, "entry_points.txt"), "rb") as stream:
            return b"pydantic" in stream.read().lower()
    except (FileNotFoundError, NotADirectoryError):
        return False  # no entry points (or an .egg-info file, which has none)
    except OSError:
        return True


def skip_empty_plugin_lookup() -> None:
    """Tell pydantic it has no plugins when :func:`no_plugin_declared` proves it (else do nothing)."""
    from pydantic.plugin import _loader

    if getattr(_loader, "_plugins", ()) is not None or os.environ.get("PYDANTIC_DISABLE_PLUGINS"):
        return  # looked up already, or pydantic's own rule applies
    if no_plugin_declared():
        _loader._plugins = {}
