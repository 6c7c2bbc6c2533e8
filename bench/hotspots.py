"""Profile loading, evaluating and the xlsx report of a corpus with cProfile: the top costs, by own time.

    python bench/hotspots.py                        # bench/corpus/100, cold (no cache)
    python bench/hotspots.py --warm                 # fill a temporary cache, profile the warm load
    python bench/hotspots.py --gc-as-before         # the garbage collector left running, as before
    python bench/hotspots.py --memo-periods         # what-if: parse_period memoised

``--gc-as-before`` makes ``load_data``'s gc pause a no-op (the code before the
performance work); ``--memo-periods`` wraps :func:`kpitool.values.periods.parse_period`
in an LRU cache (a proposal, not in the code) to measure what it would save.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import io
import pstats
import tempfile
import time
from pathlib import Path

from generate import ensure_corpus

BENCH = Path(__file__).resolve().parent


def top(profile: cProfile.Profile, count: int) -> str:
    """The ``count`` costliest functions by own time, as pstats prints them."""
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(count)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start : start + count + 1])


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100, help="corpus size (default 100)")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--warm", action="store_true", help="profile a load from a filled cache")
    parser.add_argument("--gc-as-before", action="store_true", help="do not pause gc while loading")
    parser.add_argument("--memo-periods", action="store_true", help="what-if: memoise parse_period")
    args = parser.parse_args()

    import kpitool.model.fields
    import kpitool.values.periods

    if args.gc_as_before:
        gc.disable = gc.freeze = lambda: None  # type: ignore[assignment]
    if args.memo_periods:
        memo = functools.lru_cache(maxsize=4096)(kpitool.values.periods.parse_period)
        kpitool.values.periods.parse_period = memo  # parse_fiscal_year looks it up here
        kpitool.model.fields.parse_period = memo  # type: ignore[attr-defined]

    from kpitool.checks import check_data
    from kpitool.rating.engine import evaluate_plan
    from kpitool.render.machine import evaluations_json
    from kpitool.render.xlsx.council import render_report
    from kpitool.sources.tree import load_data
    from kpitool.support.cache import Cache
    from kpitool.support.safe_write import write_bytes_atomic
    from kpitool.values.fiscal_year import FiscalYear

    corpus = ensure_corpus(args.plans, BENCH / "corpus")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(Path(tmp)) if args.warm else None
        if cache is not None:
            load_data([corpus], cache=cache)  # fill it
        load_profile = cProfile.Profile()
        start = time.perf_counter()
        load_profile.enable()
        loaded = load_data([corpus], cache=cache)
        loaded.problems = check_data(loaded)
        load_profile.disable()
        load_time = time.perf_counter() - start
    evaluate_profile = cProfile.Profile()
    start = time.perf_counter()
    evaluate_profile.enable()
    plans = list(loaded.plans.values())
    results = [evaluate_plan(d.plan, loaded.actuals_for(d.plan.id), FiscalYear.parse("R6")) for d in plans]
    evaluations_json(results)
    evaluate_profile.disable()
    evaluate_time = time.perf_counter() - start
    report_profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report_profile.enable()
        write_bytes_atomic(Path(tmp, "report.xlsx"), render_report([[result] for result in results]))
        report_profile.disable()
        report_time = time.perf_counter() - start
    options = [o for o in ("warm", "gc_as_before", "memo_periods") if getattr(args, o)]
    print(f"# {args.plans} plans; {', '.join(options) or 'cold, as the code is'}")
    print(f"\n## load + checks: {load_time:.2f} s (under the profiler)\n")
    print(top(load_profile, args.top))
    print(f"\n## evaluate + JSON: {evaluate_time:.2f} s (under the profiler)\n")
    print(top(evaluate_profile, args.top))
    print(f"\n## xlsx report: {report_time:.2f} s (under the profiler)\n")
    print(top(report_profile, args.top))


if __name__ == "__main__":
    main()
