"""Many files' fast-path values at once: libyaml's events read in worker processes.

Reading the events of a file and building its values
(:func:`~kpitool.sources.yaml_fast.fast_values`) is most of a national load, and it
needs nothing but the file's bytes. So above :data:`PARALLEL_MIN_BYTES` the files are
parsed by worker processes, one fewer than the available processors, which send back only
the plain values (dicts, lists, text, Decimals): they pickle an order of magnitude faster
than validated models. This process validates them, and parses itself each chunk no worker
has taken yet when it gets there, so neither side waits long for the other. Results come
back in the order of the files, whatever order the workers finish in, so a run reports the
same problems in the same order with or without workers; a file the fast path gives up on
is read by the full builder in this process, as without workers.

Workers are forked (they start at once and share this process's memory until they
write); where fork is not available, or one processor is, the files are parsed here.
At most :data:`_WINDOW` chunks per worker are in flight, so values waiting to be
validated never pile up. A worker ignores Ctrl-C and ends on SIGTERM: this process handles both and
shuts the pool down.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from kpitool.sources.yaml_fast import FALLBACK, fast_values

if TYPE_CHECKING:  # multiprocessing and the pool are imported only when workers pay (~5 ms, issue 18)
    from concurrent.futures import Future

__all__ = ["PARALLEL_MIN_BYTES", "fast_values_of_all", "worker_count"]

PARALLEL_MIN_BYTES = 4 * 1024 * 1024
"""Fewest bytes to parse for which worker processes pay (measured crossover: docs/performance.md)."""

_CHUNK_BYTES = 512 * 1024
"""Bytes of files sent to a worker at once: few round trips, yet an even share at the end."""

_WINDOW = 4
"""Chunks in flight per worker."""


def worker_count() -> int:
    """Processes to parse with: the processors this process may run on and that are idle; 1 means no workers.

    On a machine whose processors are already busy (the load average of the last minute)
    a worker only adds the cost of sending the values: measured, a national load then
    takes longer with workers than without.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return 1
    try:
        processors = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS has no affinity
        processors = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average
        busy = 0.0
    return max(1, min(processors, int(processors - busy + 0.5) + 1))


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
    reads every such file with the full builder. Every chunk is offered to the workers (one
    fewer than the processors), at most :data:`_WINDOW` per worker ahead of this process,
    which validates what comes back. Rather than wait for a worker, this process takes back
    the last chunk no worker has started and parses it itself (:func:`_share`): whichever
    side is slower — validating here, or parsing there, on a busy or an idle machine — the
    other shares its work, and there are never more busy processes than processors.
    """
    workers = 0 if sum(len(raw) for raw in raws) < PARALLEL_MIN_BYTES else worker_count() - 1
    if workers < 1:
        yield from map(fast_values, raws)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = list(_chunks(raws))
    futures: dict[int, Future[list[Any]]] = {}
    parsed_here: dict[int, list[Any]] = {}
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        try:
            ahead = iter(range(len(chunks)))
            for index, chunk in enumerate(chunks):
                while (
                    len(futures) + len(parsed_here) < workers * _WINDOW
                    and (submit := next(ahead, None)) is not None
                ):
                    futures[submit] = pool.submit(_parse_chunk, chunks[submit])
                _share(index, chunks, futures, parsed_here)
                found = parsed_here.pop(index, None)
                yield from found if found is not None else _collect(chunk, futures.pop(index))
        finally:
            for future in futures.values():
                future.cancel()


def _share(
    index: int,
    chunks: list[list[bytes]],
    futures: dict[int, Future[list[Any]]],
    parsed_here: dict[int, list[Any]],
) -> None:
    """Until chunk ``index`` is parsed, parse here the last chunk offered that no worker has started."""
    while index in futures and not futures[index].done():
        for later in sorted(futures, reverse=True):
            if futures[later].cancel():  # no worker has started it
                del futures[later]
                parsed_here[later] = [fast_values(raw) for raw in chunks[later]]
                break
        else:
            return  # every chunk offered is being parsed: wait for this one


def _collect(chunk: list[bytes], future: Future[list[Any]]) -> list[Any]:
    try:
        return future.result()
    except Exception:  # pragma: no cover - a worker died (killed, out of memory): parse here instead
        return [fast_values(raw) for raw in chunk]
