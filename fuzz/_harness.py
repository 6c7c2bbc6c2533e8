"""A time-bounded fuzz loop on top of Hypothesis, shared by the fuzz scripts.

Hypothesis draws the mutations and, when a target raises something other than
the expected domain errors, shrinks the input to a small reproducer. The loop
runs rounds of examples until the time is up, saves each distinct finding
under ``fuzz/findings/`` and exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import hashlib
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

FINDINGS = Path(__file__).parent / "findings"


@dataclass
class Stats:
    """What a fuzz run did."""

    examples: int = 0
    rounds: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    last_input: str = ""

    def count(self, outcome: str) -> None:
        """Tally how an example ended (ok, or the domain error's kind)."""
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def arguments(description: str) -> argparse.Namespace:
    """``--seconds`` (default 60), ``--seed`` and ``--examples`` per round."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="a seed, to repeat a run")
    parser.add_argument("--examples", type=int, default=300, help="examples per Hypothesis round")
    return parser.parse_args()


def fuzz(
    name: str,
    strategy: st.SearchStrategy[Any],
    target: Callable[[Any, Stats], None],
    show: Callable[[Any], str],
    options: argparse.Namespace,
) -> int:
    """Run ``target`` on inputs drawn from ``strategy`` for ``options.seconds``; 1 if anything escaped."""
    stats = Stats()
    findings: dict[str, str] = {}
    deadline = time.monotonic() + options.seconds
    started = time.monotonic()
    while time.monotonic() < deadline:

        @settings(
            max_examples=options.examples,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(strategy)
        def one(value: Any) -> None:
            stats.examples += 1
            stats.last_input = show(value)
            target(value, stats)

        if options.seed is not None:
            one = seed(options.seed + stats.rounds)(one)
        try:
            one()
        except Exception as exc:  # a finding: anything but the domain errors the target expects
            # Several distinct failures come as a group; the last input run is the shrunk
            # example of the last one only, so a group is recorded as it is.
            errors = list(exc.exceptions) if isinstance(exc, ExceptionGroup) else [exc]
            for error in errors:
                frame = traceback.extract_tb(error.__traceback__)[-1]
                key = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
                if key not in findings:
                    findings[key] = stats.last_input
                    _save(name, key, stats.last_input, exc)
                    print(f"FINDING {key}: {error!r}")
        stats.rounds += 1
    elapsed = time.monotonic() - started
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(stats.outcomes.items(), key=lambda kv: -kv[1]))
    print(f"{name}: {stats.examples} examples in {elapsed:.0f} s ({stats.rounds} rounds); {outcomes}")
    print(f"{name}: {len(findings)} finding(s)" + (f", saved in {FINDINGS}/" if findings else ""))
    return 1 if findings else 0


def render(results: list[Any]) -> None:
    """Render evaluations as every output does: JSON, CSV and the terminal table."""
    import io

    from rich.console import Console

    from kpitool.render.machine import evaluations_csv, evaluations_json
    from kpitool.render.terminal import evaluation_table

    evaluations_json(results)
    evaluations_csv(results)
    console = Console(file=io.StringIO(), width=120)
    for result in results:
        console.print(evaluation_table(result))


def _save(name: str, key: str, text: str, exc: BaseException) -> None:
    FINDINGS.mkdir(exist_ok=True)
    (FINDINGS / ".gitignore").write_text("*\n", encoding="utf-8")  # reproducers, not sources
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    path = FINDINGS / f"{name}-{digest}.txt"
    trace = "".join(traceback.format_exception(exc))
    path.write_text(f"{key}\n\n--- input ---\n{text}\n--- traceback ---\n{trace}", encoding="utf-8")
