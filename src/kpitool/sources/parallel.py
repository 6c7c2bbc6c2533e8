"""Many files' fast-path values at once: libyaml's events read in worker processes.

Reading the events of a file and building its values
(:func:`~kpitool.sources.yaml_fast.fast_values`) is most of a national load, and it
needs nothing but the file's bytes. So above :data:`PARALLEL_MIN_BYTES` the files are
parsed by worker processes, one per available processor, while this process validates
what they send back: only the plain values (dicts, lists, text, Decimals), which pickle
an order of magnitude faster than validated models. Results come back in the order of
the files, whatever order the workers finish in, so a run reports the same problems in
the same order with or without workers; a file the fast path gives up on is read by the
full builder in this process, as without workers.

Workers are forked (they start at once and share this process's memory until they
write); where fork is not available, or one processor is, the files are parsed here.
At most :data:`_WINDOW` chunks are in flight, so values waiting to be validated never
pile up. A worker ignores Ctrl-C and ends on SIGTERM: this process handles both and
shuts the pool down.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from kpitool.sources.yaml_fast import FALLBACK, fast_values

__all__ = ["PARALLEL_MIN_BYTES", "fast_values_of_all", "worker_count"]

PARALLEL_MIN_BYTES = 4 * 1024 * 1024
"""Fewest bytes to parse for which worker processes pay (measured crossover: docs/performance.md)."""

_CHUNK_BYTES = 512 * 1024
"""Bytes of files sent to a worker at once: few round trips, yet an even share at the end."""

_WINDOW = 4
"""Chunks in flight per worker."""


def worker_count() -> int:
    """Worker processes to use: the processors this process may run on; 1 means none."""
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS has no affinity
        return os.cpu_count() or 1


def _start_worker() -> None:
    import gc

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and shuts the pool down
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    gc.disable()  # a worker allocates values and frees them when sent: no cycles to collect


def _parse_chunk(raws: list[bytes]) -> list[Any]:
    """The fast-path values of each file; None where the fast path gave up (FALLBACK is not picklable)."""
    found = []
    for raw in raws:
        values = fast_values(raw)
        found.append(None if values is FALLBACK else values)
    return found


def _chunks(raws: Sequence[bytes]) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    size = 0
    for raw in raws:
        chunk.append(raw)
        size += len(raw)
        if size >= _CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def fast_values_of_all(raws: Sequence[bytes]) -> Generator[Any, None, None]:
    """:func:`~kpitool.sources.yaml_fast.fast_values` of each file, in order (in workers when it pays).

    A file that is not a mapping may come back as None rather than its values: the caller
    reads every such file with the full builder.
    """
    workers = worker_count()
    if workers < 2 or sum(len(raw) for raw in raws) < PARALLEL_MIN_BYTES:
        yield from map(fast_values, raws)
        return
    context = multiprocessing.get_context("fork")
    pending: deque[tuple[list[bytes], Future[list[Any]]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        try:
            chunks = _chunks(raws)
            for chunk in chunks:
                pending.append((chunk, pool.submit(_parse_chunk, chunk)))
                if len(pending) >= workers * _WINDOW:
                    yield from _collect(*pending.popleft())
            while pending:
                yield from _collect(*pending.popleft())
        finally:
            for _, future in pending:
                future.cancel()


def _collect(chunk: list[bytes], future: Future[list[Any]]) -> list[Any]:
    try:
        return future.result()
    except Exception:  # pragma: no cover - a worker died (killed, out of memory): parse here instead
        return [fast_values(raw) for raw in chunk]
