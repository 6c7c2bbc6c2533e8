"""One benchmarked run in this process, with its phases timed (bench/run.py starts it as a child).

    python bench/probe.py kpitool ARGS...          run the kpitool CLI with ARGS
    python bench/probe.py floor-load DIR           the load floor: CSafeLoader + one TypeAdapter, gc off
    python bench/probe.py floor-load-gc DIR        the same with the garbage collector on (as naive code runs)
    python bench/probe.py floor-xlsx CELLS OUT     the xlsx floor: openpyxl write_only, no styles,
                                                   the same scatter charts with openpyxl's defaults
    python bench/probe.py floor-xlsx-cells CELLS OUT   the cells alone (information)

Phase timings (seconds) are written as JSON to the file named by $BENCH_PHASES. The
parent measures wall time and peak RSS of the whole process (os.wait4).

For kpitool the phases are the time spent in ``load_data``, ``check_data``,
``evaluate_documents`` and the JSON renderer (wrapped here, the code is untouched), and
``rest``: everything else after the CLI was imported (argument parsing, the
report writer, output). Only the standard library is imported before the code
under test.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Phases = dict[str, float]


def _write(phases: Phases) -> None:
    target = os.environ.get("BENCH_PHASES")
    if target:
        Path(target).write_text(json.dumps(phases), encoding="utf-8")


def _timed(phases: Phases, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def _what_if(names: set[str]) -> None:
    """Proposals measured before they are made (``BENCH_WHAT_IF=memo-periods,compact-json``).

    ``memo-periods`` memoises :func:`kpitool.values.periods.parse_period` (a Period is
    immutable; the corpus repeats a few dozen labels a million times);
    ``compact-json`` renders JSON without indentation (the C encoder).
    """
    if "memo-periods" in names:
        import functools

        import kpitool.model.fields
        import kpitool.values.periods

        memo = functools.lru_cache(maxsize=4096)(kpitool.values.periods.parse_period)
        kpitool.values.periods.parse_period = memo  # parse_fiscal_year looks it up here
        kpitool.model.fields.parse_period = memo  # type: ignore[attr-defined]
    if "compact-json" in names:
        import kpitool.render.machine

        kpitool.render.machine.to_json = lambda data: json.dumps(data, ensure_ascii=False) + "\n"


def run_kpitool(args: list[str]) -> int:
    """Run ``kpitool ARGS`` in this process with the core's phases timed; return the exit code."""
    start = time.perf_counter()
    from kpitool.cli.app import main

    import_cli = time.perf_counter() - start
    phases: Phases = {"import_cli": import_cli, "load": 0.0, "check": 0.0, "evaluate": 0.0, "render": 0.0}
    # Imported by the commands anyway; imported here so that they can be wrapped.
    import kpitool.checks
    import kpitool.rating.cached
    import kpitool.render.machine
    import kpitool.sources.tree

    phases["import_core"] = time.perf_counter() - start - import_cli
    _what_if({n for n in os.environ.get("BENCH_WHAT_IF", "").split(",") if n})
    for module, name, phase in (
        (kpitool.sources.tree, "load_data", "load"),
        (kpitool.checks, "check_data", "check"),
        (kpitool.rating.cached, "evaluate_documents", "evaluate"),  # grading, or its cached result
        (kpitool.render.machine, "evaluations_json", "render"),
        (kpitool.render.machine, "evaluations_csv", "render"),
    ):
        setattr(module, name, _timed(phases, phase, getattr(module, name)))
    sys.argv = ["kpitool", *args]
    begin = time.perf_counter()
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    phases["command"] = time.perf_counter() - begin
    phases["rest"] = phases["command"] - sum(phases[k] for k in ("load", "check", "evaluate", "render"))
    _write(phases)
    return code if isinstance(code, int) else (0 if code is None else 1)


def floor_load(root: Path, *, gc_off: bool = True) -> int:
    """The floor of load + validate: the same files via CSafeLoader, then one TypeAdapter validation.

    The models mirror the data format with pydantic's standard types (no custom
    validators, no source map): what PyYAML's C loader and pydantic-core do alone.
    With ``gc_off`` (the benchmark's floor) the garbage collector is disabled for the
    whole run: the garbage collector otherwise more than doubles the parse (its full
    collections rescan every object built so far), and the floor is what the libraries
    can do, not what naive code happens to do.
    """
    start = time.perf_counter()
    if gc_off:
        import gc

        gc.disable()
    from decimal import Decimal

    import yaml
    from pydantic import BaseModel, ConfigDict, TypeAdapter

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

    class Baseline(Strict):
        value: Decimal | None
        period: str | None = None
        text: str | None = None

    class Target(Strict):
        value: Decimal | None = None
        period: str
        basis: str | None = None
        factor: Decimal | None = None
        strict: bool = False
        text: str | None = None

    class KPI(Strict):
        id: str
        number: str | None = None
        name: str
        unit: str
        direction: str
        baseline: Baseline | None = None
        target: Target
        cumulative: bool = False
        category: str = "KPI"
        note: str | None = None

    class Section(Strict):
        id: str
        level: str
        number: str | None = None
        title: str
        description: str | None = None
        items: tuple[str, ...] = ()
        kpis: tuple[KPI, ...] = ()
        sections: tuple[Section, ...] = ()

    class Project(Strict):
        id: str
        number: str | None = None
        title: str
        listed_in: tuple[str, ...]
        activities: tuple[str, ...] = ()
        sdgs: tuple[int, ...] = ()

    class PlanPeriod(Strict):
        start: str
        end: str

    class Source(Strict):
        title: str
        note: str | None = None

    class Plan(Strict):
        id: str
        title: str
        kind: str
        municipality: str
        members: tuple[str, ...] = ()
        period: PlanPeriod | None = None
        source: Source | None = None
        vision: str | None = None
        kpis: tuple[KPI, ...] = ()
        sections: tuple[Section, ...] = ()
        projects: tuple[Project, ...] = ()

    class Actual(Strict):
        value: Decimal | None
        period: str | None = None
        unit: str | None = None
        official_grade: str | None = None
        note: str | None = None

    class Actuals(Strict):
        plan: str
        source: str | None = None
        actuals: dict[str, dict[str, Actual]]

    Section.model_rebuild()
    adapter = TypeAdapter(tuple[list[Plan], list[Actuals]])
    imported = time.perf_counter()
    plans = [
        yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in sorted((root / "plans").glob("*.yaml"))
    ]
    actuals = [
        yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in sorted((root / "actuals").glob("*.yaml"))
    ]
    parsed = time.perf_counter()
    adapter.validate_python((plans, actuals))
    validated = time.perf_counter()
    _write({"import": imported - start, "parse": parsed - imported, "validate": validated - parsed})
    return 0


def floor_xlsx(cells: Path, out: Path, *, charts: bool = True) -> int:
    """The floor of the xlsx report: openpyxl write_only writing the same cells, unstyled.

    With ``charts`` (the benchmark's floor) each sheet also gets the report's scatter charts
    over the same series references, built the plain way (openpyxl's defaults, no styling):
    the charts are content the reader gets, so the floor is what openpyxl needs for the same
    content. Without, the cells alone (printed as information).
    """
    import pickle

    loaded: tuple[list[tuple[str, list[list[Any]]]], list[list[tuple[str, list[tuple[str, str, str]]]]]]
    loaded = pickle.loads(cells.read_bytes())
    sheets, drawn = loaded
    start = time.perf_counter()
    from openpyxl import Workbook
    from openpyxl.chart import ScatterChart, Series
    from openpyxl.chart.data_source import StrRef
    from openpyxl.chart.series import SeriesLabel

    workbook = Workbook(write_only=True)
    for (title, rows), sheet_charts in zip(sheets, drawn, strict=True):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for anchor, series in sheet_charts if charts else ():
            chart = ScatterChart()
            for label, ys, xs in series:
                one = Series(ys, xs)
                one.tx = SeriesLabel(strRef=StrRef(label))
                chart.series.append(one)
            sheet.add_chart(chart, anchor)
    workbook.save(out)
    _write({"write": time.perf_counter() - start})
    return 0


def main() -> None:
    """Dispatch on the first argument."""
    what, *rest = sys.argv[1:]
    if what == "kpitool":
        sys.exit(run_kpitool(rest))
    if what == "floor-load":
        sys.exit(floor_load(Path(rest[0])))
    if what == "floor-load-gc":
        sys.exit(floor_load(Path(rest[0]), gc_off=False))
    if what == "floor-xlsx":
        sys.exit(floor_xlsx(Path(rest[0]), Path(rest[1])))
    if what == "floor-xlsx-cells":
        sys.exit(floor_xlsx(Path(rest[0]), Path(rest[1]), charts=False))
    sys.exit(f"probe: unknown mode {what!r}")


if __name__ == "__main__":
    main()
