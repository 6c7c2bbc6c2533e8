"""A command's answer taken from the cache when nothing it depends on has changed.

An interactive command on a few plans spends most of its time starting: importing pydantic,
PyYAML, rich and openpyxl, building the models' schemas. The cache of validated files
(:mod:`kpitool.support.cache`) saves the parsing but not the imports. So the commands that only
read the data (:data:`REPLAYED`: ``validate``, ``evaluate``, ``summary``, ``report``, ``plans``,
``show``, ``outlook``, ``history``, ``export``) also keep their whole answer — what they wrote to
stdout and stderr, in order, the files they wrote (``--output``, ``--xlsx``) and the exit
status — as plain data (``marshal``: strings and bytes), and a later run with the same key
writes the same bytes through the same writers (:func:`kpitool.cli.common.write_output`)
without importing any of those libraries (docs/performance.md "Interactive commands").

**The key** is the SHA-256 of everything the answer is a function of:

- the code: every module of kpitool, the Python version and the distributions installed
  beside the libraries that shape the output (:mod:`kpitool.support.fingerprint`);
- the command and every parameter as parsed, the working directory, the environment (all of
  it but the shell's own bookkeeping: ``_``, ``OLDPWD``, ``PWD``, ``SHLVL``), which of stdin,
  stdout and stderr are terminals and their size, and the streams' encodings;
- the bytes of every file the run can read: each path parameter (``--data``, ``--table``,
  ``--settings``, the ``PATH`` of ``validate``), ``./data`` (``validate``'s default), and the
  data tree around a file given alone, each directory walked whole (names and every file's
  SHA-256). A symbolic link to a directory inside, another file system mounted inside, an
  unreadable file or one that is not a regular file, more than :data:`MAX_INPUT_FILES` files
  or :data:`MAX_INPUT_BYTES` bytes: no answer is kept or used (the national corpus is loaded
  as ever, from the cache of validated files).

The inputs are hashed again after the run, and an answer is kept only if they hash as before
(a file edited while the command read it, or an ``--output`` written into the data folder,
keeps nothing). So an answer can only be found again by the same command on the same inputs
with the same code, as every other cache entry (never stale by construction). Only answers
that ended normally,
or with exit 1 after reporting their problems (``validate`` on bad data), are kept, and none
over :data:`MAX_ANSWER_BYTES`. ``--no-cache`` and ``KPITOOL_NO_CACHE`` bypass it; the trust
rules of the cache hold (0700 directory, 0600 entries, nothing loaded that others could
write), though marshal, unlike pickle, runs no code when it loads.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

__all__ = ["MAX_ANSWER_BYTES", "MAX_INPUT_BYTES", "MAX_INPUT_FILES", "REPLAYED", "answer", "note_file"]

REPLAYED = frozenset(
    {"validate", "evaluate", "summary", "report", "plans", "show", "outlook", "history", "export"}
)
"""The commands whose answers are kept."""
OUTPUTS = frozenset({"output", "xlsx"})
"""Parameters naming a file the command writes (not an input)."""
MAX_INPUT_FILES = 500
MAX_INPUT_BYTES = 2 * 2**20
"""A few municipalities' plans (``data/`` is 0.2 MB); the benchmark's 100 plans (4.2 MB) load as ever."""
MAX_ANSWER_BYTES = 2 * 2**20
"""Answers on ``data/`` are 0.2 MB at most (``export --format json``); a larger one is not kept."""
ANSWER_FORMAT = 1
_SHELL_VARIABLES = frozenset({"_", "OLDPWD", "PWD", "SHLVL"})

Chunk = tuple[str, str, str | bytes]
"""``("out" | "err", "", text or bytes)`` written to a stream, or ``("file", path, text or bytes)``."""

_recording: list[Chunk] | None = None
_recorded = 0


def answer(command: str, params: dict[str, Any], run: Callable[[], Any]) -> Any:
    """Run ``command`` (``run()``), or write its kept answer; keep the answer of a run that had none."""
    from kpitool.cli.common import CommandFailed

    found = _lookup(command, params)
    if found is None:
        return run()
    cache, key, kept = found
    if kept is not None:
        return _replay(kept, CommandFailed)
    global _recording, _recorded
    chunks: list[Chunk] = []
    _recording, _recorded = chunks, 0
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Tee(streams[0], "out"), _Tee(streams[1], "err")
    code: int | None = None  # kept only when the run ended normally, or failed having said why
    try:
        result = run()
        code = 0
    except CommandFailed as exc:
        code = None if str(exc) else 1
        raise
    finally:
        sys.stdout, sys.stderr = streams
        if code is not None and _recording is not None and _same_key(cache, command, params, key):
            cache.put_plain(key, (ANSWER_FORMAT, code, chunks))
        _recording = None
    return result


def note_file(path: Path, content: str | bytes) -> None:
    """Keep a file the running command wrote (called by :func:`kpitool.cli.common.write_output`)."""
    _note(("file", os.fspath(path), content))


def _note(chunk: Chunk) -> None:
    global _recording, _recorded
    if _recording is None:
        return
    _recorded += len(chunk[2])
    if _recorded > MAX_ANSWER_BYTES:
        _recording = None  # too big to keep: the run goes on, unrecorded
    else:
        _recording.append(chunk)


class _Tee:
    """A text stream that notes what is written to it (and to its ``buffer``)."""

    def __init__(self, stream: Any, name: str) -> None:
        self._stream, self._name = stream, name

    def write(self, text: str) -> int:
        written: int = self._stream.write(text)
        _note((self._name, "", text))
        return written

    @property
    def buffer(self) -> Any:
        return _TeeBuffer(self._stream.buffer, self._name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _TeeBuffer:
    """The binary buffer under a :class:`_Tee`."""

    def __init__(self, buffer: Any, name: str) -> None:
        self._buffer, self._name = buffer, name

    def write(self, data: bytes) -> int:
        written: int = self._buffer.write(data)
        _note((self._name, "", bytes(data)))
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._buffer, name)


def _replay(kept: tuple[int, int, list[Chunk]], failed: type[Exception]) -> None:
    """Write a kept answer as the run wrote it; exit 1 as it did."""
    from kpitool.cli.common import write_output

    _, code, chunks = kept
    for where, path, content in chunks:
        if where == "file":
            write_output(content, Path(path))
            continue
        stream = sys.stdout if where == "out" else sys.stderr
        if isinstance(content, bytes):
            stream.flush()
            stream.buffer.write(content)
            stream.flush()
        else:
            stream.write(content)
    if code:
        raise failed()


def _lookup(command: str, params: dict[str, Any]) -> tuple[Any, str, Any] | None:
    """(cache, key, the kept answer or None), or None when this run's answer cannot be kept."""
    if command not in REPLAYED or params.get("no_cache"):
        return None
    from kpitool.support.cache import Cache, cache_directory, untrusted_reason

    directory = cache_directory()
    if os.environ.get("KPITOOL_NO_CACHE", "") not in ("", "0") or untrusted_reason(directory, directory=True):
        return None  # the run itself warns about a cache it cannot trust, as ever
    import hashlib  # here: a run with --no-cache hashes nothing

    try:
        from kpitool.support.fingerprint import installed_digest, source_digest

        fingerprint = hashlib.sha256(source_digest() + installed_digest()).digest()
        material = _material(command, params)
    except (OSError, ValueError):
        return None
    if material is None:
        return None
    digest, inputs = material
    cache = Cache(directory, fingerprint)
    key = cache.key(digest, "answer")
    kept = cache.get_plain(key)
    if not _well_formed(kept) or _clobbers_input(params, inputs):
        kept = None
    return cache, key, kept


def _same_key(cache: Any, command: str, params: dict[str, Any], key: str) -> bool:
    """True when the inputs hash as they did before the run: none was changed while it read them."""
    try:
        material = _material(command, params)
    except (OSError, ValueError):
        return False
    return material is not None and cache.key(material[0], "answer") == key


def _well_formed(kept: object) -> bool:
    return (
        isinstance(kept, tuple)
        and len(kept) == 3
        and kept[0] == ANSWER_FORMAT
        and kept[1] in (0, 1)
        and isinstance(kept[2], list)
        and all(
            isinstance(c, tuple) and len(c) == 3 and c[0] in ("out", "err", "file") and isinstance(c[1], str)
            for c in kept[2]
        )
    )


def _clobbers_input(params: dict[str, Any], inputs: list[str]) -> bool:
    """True when an output file is (now) one of the inputs: the command itself refuses that."""
    for name in OUTPUTS:
        output = params.get(name)
        if isinstance(output, Path) and os.path.exists(output):
            for path in inputs:
                try:
                    if os.path.samefile(path, output):
                        return True
                except OSError:
                    return True
    return False


def _material(command: str, params: dict[str, Any]) -> tuple[bytes, list[str]] | None:
    """What the key is made of, and the input files; None if a parameter or an input is not plain."""
    plain = tuple((name, _plain(params[name])) for name in sorted(params))
    if any(value is _UNPLAIN for _, value in plain):
        return None
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k not in _SHELL_VARIABLES))
    terminals = tuple(_terminal(fd) for fd in (0, 1, 2))
    encodings = tuple(
        (getattr(s, "encoding", None), getattr(s, "errors", None)) for s in (sys.stdout, sys.stderr)
    )
    inputs = _inputs(params)
    if inputs is None:
        return None
    listing, files = inputs
    head = repr((ANSWER_FORMAT, command, plain, os.getcwd(), environment, terminals, encodings))
    return head.encode("utf-8", "surrogateescape") + b"\0" + listing, files


_UNPLAIN = object()


def _plain(value: Any) -> Any:
    """A parameter's value as comparable plain data, or :data:`_UNPLAIN`."""
    if value is None or (isinstance(value, bool | int | str) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        return ("enum", type(value).__name__, value.value)
    if isinstance(value, Path):
        return ("path", os.fspath(value))
    if isinstance(value, list | tuple):
        items = tuple(_plain(v) for v in value)
        return _UNPLAIN if any(i is _UNPLAIN for i in items) else items
    return _UNPLAIN


def _terminal(fd: int) -> tuple[bool, tuple[int, int] | None]:
    try:
        if not os.isatty(fd):
            return False, None
        size = os.get_terminal_size(fd)
        return True, (size.columns, size.lines)
    except OSError:
        return False, None


def _inputs(params: dict[str, Any]) -> tuple[bytes, list[str]] | None:
    """Every file the run can read, named and hashed (bytes), and their paths; None past the limits."""
    roots: list[Path] = [Path("data")]
    for name, value in params.items():
        if name in OUTPUTS:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, Path):
                roots.append(item)
                if item.is_file():
                    roots.append(item.parent.parent)  # the data tree a file given alone is checked in
    import hashlib

    digest = hashlib.sha256()
    files: list[str] = []
    budget = [MAX_INPUT_BYTES]
    seen: set[str] = set()
    for root in roots:
        where = os.path.abspath(root)
        if where in seen:
            continue
        seen.add(where)
        digest.update(os.fsencode(where) + b"\0")
        if not _hash_tree(where, digest, files, budget):
            return None
    return digest.digest(), files


def _hash_tree(root: str, digest: Any, files: list[str], budget: list[int]) -> bool:
    """Hash the file ``root``, or every file under the directory ``root``; False past the limits."""
    if not os.path.lexists(root):
        digest.update(b"missing\0")
        return True
    if not os.path.isdir(root):
        return _hash_file(root, root, digest, files, budget)
    device = os.stat(root).st_dev
    for folder, subfolders, names in os.walk(root, onerror=_raise):
        subfolders.sort()
        for name in subfolders:  # a link to a folder, or another file system (/proc …): no answer
            inner = os.path.join(folder, name)
            if os.path.islink(inner) or os.stat(inner).st_dev != device:
                return False
        for name in sorted(names):
            path = os.path.join(folder, name)
            if not _hash_file(path, os.path.relpath(path, root), digest, files, budget):
                return False
        digest.update(os.fsencode(os.path.relpath(folder, root)) + b"/\0")
    return True


def _hash_file(path: str, name: str, digest: Any, files: list[str], budget: list[int]) -> bool:
    """Hash one regular file (a FIFO, a device or a broken link: False)."""
    import hashlib

    files.append(path)
    if len(files) > MAX_INPUT_FILES:
        return False
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as stream:
            content = stream.read(budget[0] + 1)
    except OSError:
        return False
    budget[0] -= len(content)
    if budget[0] < 0:
        return False
    digest.update(os.fsencode(name) + b"\0" + hashlib.sha256(content).digest())
    return True


def _raise(error: OSError) -> None:
    raise error
