"""The fast path of reading a YAML data file: its values only, or "ask the full builder".

Almost every file of a national corpus is clean, and for a clean file the source map
of :class:`~kpitool.sources.yaml_builder.ValueBuilder` (a field path and a mark per
value) is built only to be thrown away: a loaded file keeps its bytes and is parsed
again when a problem needs a line. :func:`fast_values` first tries the line scanner
(:mod:`kpitool.sources.yaml_scan`: the block style the data is written in, without a
parser); otherwise it builds the same values from libyaml's events without paths or
marks, and gives up — returns :data:`FALLBACK` — at the first thing that the full
builder would report or that it does not handle itself: an alias, a duplicate or
merge key, a key that is not text, a hidden character, a tag outside the data
format, a number split at a comma inside ``{…}``, nesting or size near the limits,
a second document, no document, a file that is not UTF-8, or any YAML error. The
caller then reads the file with the full builder, which words every problem at its
line and column exactly as before; so whatever the fast path returns is what the
full builder returns for the file.

Plain scalars are resolved once per distinct text (a national corpus repeats a few
thousand labels and numbers millions of times) and equal texts and numbers share one
object, which saves memory too: the values are immutable. The memos are the scanner's.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml._yaml import CParser

from kpitool.sources.yaml_builder import MAX_DEPTH, MAX_NODES, UNSUPPORTED, typed_scalar
from kpitool.sources.yaml_scan import (
    FALLBACK,
    forget_if_full,
    plain_memo,
    plain_value,
    scan_values,
    shared_text,
    text_memo,
)
from kpitool.values.text import hidden_character

__all__ = ["FALLBACK", "fast_values"]

_TAG = "tag:yaml.org,2002:"
_COLLECTION_TAGS = frozenset({None, "!", _TAG + "map", _TAG + "seq"})
_NUMBER_TAIL = re.compile(r"[0-9]{3}(?:\.[0-9]+)?")  # a key that may be the tail of {value: 1,234}
_plain = plain_memo
_quoted = text_memo


class _Fallback(Exception):
    """The file needs the full builder."""


def fast_values(raw: bytes) -> Any:
    """The values of a clean one-document YAML file as the full builder builds them, else :data:`FALLBACK`."""
    try:
        text = raw.decode("utf-8")  # the full builder explains a file that is not UTF-8 (or is UTF-16)
    except UnicodeDecodeError:
        return FALLBACK
    scanned = scan_values(text)
    if scanned is not FALLBACK:
        return scanned
    forget_if_full()
    try:
        return _build(CParser(raw))
    except (_Fallback, yaml.YAMLError):
        return FALLBACK


def _text(text: str) -> str:
    """A quoted scalar or a key: the shared string, or fall back if it holds a hidden character."""
    shared: str = shared_text(text)
    if shared is FALLBACK:
        raise _Fallback
    return shared


def _scalar(event: Any) -> Any:
    """A scalar value as the full builder types it (see ``ValueBuilder._scalar``)."""
    tag, text = event.tag, event.value
    if tag is None or tag == "!":
        value = plain_value(text) if event.implicit[0] else shared_text(text)  # else quoted or block: text
        if value is FALLBACK:
            raise _Fallback
        return value
    if hidden_character(text) is not None:
        raise _Fallback
    value = typed_scalar(tag, text)
    if value is UNSUPPORTED:
        raise _Fallback
    return value


def _build(parser: Any) -> Any:
    """Long because it is the one loop over every event of a file, kept flat for speed.

    A frame is the open collection: its container, the key awaiting its value
    (mappings), whether it is a mapping, whether it is a flow collection.
    """
    get = parser.get_event
    get()  # StreamStartEvent
    if type(get()) is not yaml.DocumentStartEvent:
        raise _Fallback  # no document: the full builder says so
    scalar_event, mapping_start, sequence_start = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.SequenceStartEvent,
    )
    end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    stack: list[tuple[Any, Any, bool, bool]] = []
    container: Any = None  # None: the document's root is awaited
    key: Any = None
    is_map = flow = False
    events, limit, depth = 2, MAX_NODES - 8, MAX_DEPTH - 2
    plain, quoted = _plain, _quoted
    while True:
        event = get()
        events += 1
        kind = type(event)
        if kind is scalar_event:
            if is_map and key is None:
                text = event.value
                if (
                    text in container
                    or text == "<<"
                    or (flow and text[:1].isdigit() and not event.style and _NUMBER_TAIL.fullmatch(text))
                ):
                    raise _Fallback
                key = quoted.get(text) or _text(text)
                continue
            value = plain.get(event.value, plain) if event.tag is None and event.implicit[0] else plain
            if value is plain:  # not a plain scalar seen before
                value = _scalar(event)
        elif kind is mapping_start or kind is sequence_start:
            if (
                (is_map and key is None)
                or event.tag not in _COLLECTION_TAGS
                or len(stack) >= depth
                or events > limit
            ):
                raise _Fallback
            is_mapping = kind is mapping_start
            if event.tag in (_TAG + "map", _TAG + "seq") and event.tag != _TAG + (
                "map" if is_mapping else "seq"
            ):
                raise _Fallback
            stack.append((container, key, is_map, flow))
            container, key, is_map, flow = (
                ({} if is_mapping else []),
                None,
                is_mapping,
                bool(event.flow_style),
            )
            continue
        elif kind in end_events:
            value = container
            container, key, is_map, flow = stack.pop()
        else:  # an alias, or anything else the full builder reports
            raise _Fallback
        if events > limit:
            raise _Fallback
        if container is None:
            break
        if is_map:
            container[key] = value
            key = None
        else:
            container.append(value)
    if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
        raise _Fallback  # a second document
    return value
