"""The kpitool benchmark: national scale, budgets held as ratios to what the libraries can do.

    python bench/run.py                      # sizes 1, 100, 1741 (~15-20 min on 2 cores)
    python bench/run.py --quick              # sizes 1, 100 (~1-2 min)
    python bench/run.py --sizes 100 --repeat 3

Every figure is the median of several runs of a whole process (wall time; peak RSS
from ``os.wait4``), with the process's own phases timed inside by bench/probe.py.
Budgets are ratios to a floor measured in the same run, so a slow or noisy machine
does not matter:

- cold ``kpitool --help`` ≤ 1.5 × ``python -c "import typer, pydantic, yaml"``;
- ``kpitool validate`` (no cache) of 1,741 plans ≤ 0.4 × the floor: the same files read
  with ``yaml.load(Loader=yaml.CSafeLoader)`` with the garbage collector off (the "parse"
  phase of ``probe.py floor-load``, which then validates them with one pydantic
  ``TypeAdapter``); the ratio to the whole floor with gc on (``floor-load-gc``, the budget
  of round one, ≤ 2) is printed as information;
- a cold ``kpitool evaluate --format json`` of 1,741 plans ≤ 10 s, whole process;
- evaluating (rating + JSON) 1,741 plans ≤ 25% of their load + validation;
- the xlsx report of 100 plans ≤ 3 × openpyxl write_only writing the same cells unstyled and
  the same scatter charts with openpyxl's defaults (the cells alone printed as information);
- peak memory of validating 1,741 plans ≤ 1 GiB;
- linear: every stage's 1,741-plan time ≤ 20 × its 100-plan time;
- warm ``kpitool evaluate`` (cache) of 1,741 plans ≤ 10% of the cold load floor;
- the interactive commands on ``data/`` (bench/interactive.py): warm ``validate`` and
  ``evaluate --format json`` ≤ 1.2 × the import floor, ``summary`` ≤ 1.3 ×, ``report --xlsx``
  ≤ 2.0 ×; cold (``--no-cache``) ≤ that budget + 0.05 s (cold − warm printed as information).

Prints a table and the budgets (PASS/FAIL), and writes bench/results.json. Exits 0
even when a budget fails: it measures, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generate import corpus_stats, ensure_corpus
from interactive import measure as measure_interactive

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PROBE = BENCH / "probe.py"
YEAR = "R6"
GB = 1024**3


@dataclass
class Sample:
    """One run of one process."""

    wall: float
    peak_rss: int
    """Bytes."""
    phases: dict[str, float]
    code: int


@dataclass
class Measurement:
    """Repeated runs of one thing; figures are medians."""

    name: str
    size: int | None
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def wall(self) -> float:
        """Median wall time (s)."""
        return statistics.median(s.wall for s in self.samples)

    @property
    def peak_rss(self) -> int:
        """Median peak RSS (bytes)."""
        return int(statistics.median(s.peak_rss for s in self.samples))

    def phase(self, *names: str) -> float:
        """Median of the sum of the given phases (s)."""
        return statistics.median(sum(s.phases.get(n, 0.0) for n in names) for s in self.samples)

    def as_json(self) -> dict[str, Any]:
        """For results.json: medians and every sample."""
        phase_names = sorted({k for s in self.samples for k in s.phases})
        return {
            "name": self.name,
            "size": self.size,
            "wall_s": self.wall,
            "peak_rss_mb": self.peak_rss / 2**20,
            "phases_s": {n: self.phase(n) for n in phase_names},
            "note": self.note,
            "samples": [asdict(s) for s in self.samples],
        }


@dataclass
class Budget:
    """A budget: a ratio and its limit."""

    name: str
    value: float
    limit: float
    detail: str

    @property
    def passed(self) -> bool:
        """True when within the limit."""
        return self.value <= self.limit


class Bench:
    """Runs processes, keeps the measurements, checks the budgets."""

    def __init__(self, cache_dir: Path, verbose: bool = True) -> None:
        self.cache_dir = cache_dir
        self.verbose = verbose
        self.measurements: dict[tuple[str, int | None], Measurement] = {}
        self.env = {**os.environ, "KPITOOL_CACHE_DIR": str(cache_dir), "COLUMNS": "120", "NO_COLOR": "1"}
        self.env.pop("KPITOOL_NO_CACHE", None)
        script = Path(sys.executable).with_name("kpitool")
        self.kpitool = [str(script)] if script.exists() else [sys.executable, "-m", "kpitool"]

    def log(self, message: str) -> None:
        """Progress on stderr."""
        if self.verbose:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()

    def run(self, argv: list[str], expect: int = 0) -> Sample:
        """Run one process to completion: wall time, peak RSS, phases, exit code."""
        with tempfile.TemporaryDirectory() as tmp:
            phases_file = Path(tmp) / "phases.json"
            errors = Path(tmp) / "stderr"
            env = {**self.env, "BENCH_PHASES": str(phases_file)}
            with errors.open("wb") as err:
                start = time.perf_counter()
                process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=REPO)
                _, status, usage = os.wait4(process.pid, 0)
                wall = time.perf_counter() - start
            process.returncode = code = os.waitstatus_to_exitcode(status)
            if code != expect:
                raise SystemExit(
                    f"bench: {' '.join(argv)} exited {code}, expected {expect}:\n"
                    + errors.read_text(encoding="utf-8", errors="replace")[-3000:]
                )
            phases = json.loads(phases_file.read_text(encoding="utf-8")) if phases_file.exists() else {}
        # ru_maxrss is KiB on Linux, bytes on macOS.
        rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
        return Sample(wall, rss, phases, code)

    def measure(
        self,
        name: str,
        size: int | None,
        argv: list[str],
        repeat: int,
        *,
        check: Callable[[], bool] | None = None,
        note: str = "",
    ) -> Measurement:
        """Run ``argv`` ``repeat`` times; ``check`` (if given) must hold after each run, or it is redone."""
        measurement = self.measurements.setdefault((name, size), Measurement(name, size, note=note))
        for _ in range(repeat):
            for _attempt in range(3):
                sample = self.run(argv)
                if check is None or check():
                    break
                self.log(f"  {name} [{size}]: not as intended (the cache was written); again")
            measurement.samples.append(sample)
            number = len(measurement.samples)
            self.log(f"  {name} [{size}] #{number}: {sample.wall:.2f} s, {sample.peak_rss / 2**20:.0f} MB")
        return measurement

    def get(self, name: str, size: int | None = None) -> Measurement | None:
        """A measurement, if it was taken."""
        return self.measurements.get((name, size))

    def cache_entries(self) -> int:
        """Entries in the benchmark's cache directory."""
        return sum(1 for _ in self.cache_dir.rglob("*.pickle")) if self.cache_dir.exists() else 0


def probe(*args: str) -> list[str]:
    """The argv of bench/probe.py with ``args``."""
    return [sys.executable, str(PROBE), *args]


def report_available(bench: Bench) -> bool:
    """True when ``kpitool report`` exists (a colleague is writing it)."""
    result = subprocess.run(
        [*bench.kpitool, "report", "--help"], capture_output=True, env=bench.env, cwd=REPO, check=False
    )
    return result.returncode == 0 and b"--xlsx" in result.stdout


def xlsx_cells(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet's title and cell values of a workbook (the floor writes the same)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    sheets = []
    for sheet in workbook.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        sheets.append((sheet.title, rows))
    workbook.close()
    return sheets


def _rels(archive: Any, part: str) -> dict[str, str]:
    """A part's relationships, id → target part (absolute, without the leading slash)."""
    folder, name = part.rsplit("/", 1)
    try:
        text = archive.read(f"{folder}/_rels/{name}.rels").decode()
    except KeyError:
        return {}
    out = {}
    for attributes in re.findall(r"<Relationship ([^>]*)/>", text):
        found = dict(re.findall(r'(\w+)="([^"]*)"', attributes))
        target = found["Target"]
        out[found["Id"]] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target.removeprefix('../')}"
        )
    return out


def xlsx_charts(path: Path) -> list[list[tuple[str, list[tuple[str, str, str]]]]]:
    """Per sheet, in order, each scatter chart's anchor cell and its series (title, y, x references).

    Read from the package's XML (openpyxl's read-only mode skips charts): the floor builds
    the same charts over the same references.
    """
    import zipfile

    from openpyxl.utils import get_column_letter

    sheets = []
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        targets = _rels(archive, "xl/workbook.xml")
        for rid in re.findall(r'<sheet [^>]*r:id="([^"]+)"', book):
            charts: list[tuple[str, list[tuple[str, str, str]]]] = []
            for drawing in _rels(archive, targets[rid]).values():
                if "/drawings/" not in drawing:
                    continue
                parts = _rels(archive, drawing)
                text = archive.read(drawing).decode()
                anchors = re.findall(r"<from><col>(\d+)</col>.*?<row>(\d+)</row>.*?r:id=\"([^\"]+)\"", text)
                for col, row, chart_id in anchors:
                    xml = archive.read(parts[chart_id]).decode()
                    if "<scatterChart>" not in xml:
                        continue
                    series = re.findall(
                        r"<ser>.*?<tx><strRef><f>([^<]*)</f>.*?<xVal>.*?<f>([^<]*)</f>.*?<yVal>.*?<f>([^<]*)</f>",
                        xml,
                    )
                    anchor = f"{get_column_letter(int(col) + 1)}{int(row) + 1}"
                    charts.append((anchor, [(title, ys, xs) for title, xs, ys in series]))
            sheets.append(charts)
    return sheets


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Take every measurement and check the budgets; return what results.json holds."""
    sizes: list[int] = args.sizes
    corpus_root = BENCH / "corpus"
    cache_dir = corpus_root / ".cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    bench = Bench(cache_dir)
    small, large = args.repeat, args.repeat_large

    def repeats(size: int | None) -> int:
        return large if size is not None and size > 100 else small

    bench.log("generating corpora (kept under bench/corpus/ between runs) …")
    corpora = {n: ensure_corpus(n, corpus_root, args.seed) for n in sorted(set(sizes) | {1})}
    stats = {n: corpus_stats(path) for n, path in corpora.items()}
    bench.log("checking that a generated corpus validates: kpitool validate --strict (1 plan)")
    bench.run([*bench.kpitool, "validate", "--strict", "--no-cache", str(corpora[1])])

    bench.log("1. cold start")
    for _ in range(small * 2):  # cheap: more runs, interleaved so drift hits both alike
        bench.measure("import floor", None, [sys.executable, "-c", "import typer, pydantic, yaml"], 1)
        bench.measure("kpitool --help", None, [*bench.kpitool, "--help"], 1)
    bench.measure(
        "kpitool validate data (no cache)", None, [*bench.kpitool, "validate", "data", "--no-cache"], small
    )
    bench.run([*bench.kpitool, "validate", "data"])  # fills the cache
    before = bench.cache_entries()
    bench.measure(
        "kpitool validate data (warm cache)",
        None,
        [*bench.kpitool, "validate", "data"],
        small,
        check=lambda: bench.cache_entries() == before,
    )

    bench.log("2. load + validate")
    for size in sizes:
        corpus = str(corpora[size])
        for _ in range(repeats(size)):
            bench.measure("load floor", size, probe("floor-load-gc", corpus), 1)
            bench.measure("load floor (gc off)", size, probe("floor-load", corpus), 1)
            bench.measure(
                "kpitool validate (no cache)", size, probe("kpitool", "validate", corpus, "--no-cache"), 1
            )

    bench.log("3. evaluate all plans for one year, JSON to /dev/null")
    for size in sizes:
        argv = probe("kpitool", "evaluate", "--year", YEAR, "--format", "json", "--data", str(corpora[size]))
        bench.measure("kpitool evaluate (no cache)", size, [*argv, "--no-cache"], repeats(size))
        bench.measure("kpitool evaluate (first run, filling the cache)", size, argv, 1)
        entries = bench.cache_entries()
        bench.measure(
            "kpitool evaluate (warm cache)",
            size,
            argv,
            repeats(size),
            check=lambda entries=entries: bench.cache_entries() == entries,
        )

    xlsx_size = 100 if 100 in sizes else min(sizes)
    xlsx_note = ""
    if xlsx_size > 100:
        xlsx_note = "the xlsx stage runs on 100 plans (or fewer): add 100 to --sizes"
        bench.log(f"4. {xlsx_note}")
    elif report_available(bench):
        bench.log(f"4. xlsx report of {xlsx_size} plans")
        with tempfile.TemporaryDirectory() as tmp:
            out, floor_out, cells = (
                Path(tmp, "report.xlsx"),
                Path(tmp, "floor.xlsx"),
                Path(tmp, "cells.pickle"),
            )
            argv = probe(
                "kpitool", "report", "--year", YEAR, "--xlsx", str(out), "--data", str(corpora[xlsx_size])
            )
            bench.run(argv)  # its inputs are in the cache now; the measured runs are warm
            sheets, charts = xlsx_cells(out), xlsx_charts(out)
            cells.write_bytes(pickle.dumps((sheets, charts)))
            count = sum(1 for _, rows in sheets for row in rows for value in row if value is not None)
            drawn = sum(len(sheet) for sheet in charts)
            xlsx_note = f"{len(sheets)} sheets, {count} non-empty cells, {drawn} scatter charts"
            for _ in range(small):
                bench.measure("kpitool report --xlsx (warm cache)", xlsx_size, argv, 1, note=xlsx_note)
                bench.measure("xlsx floor", xlsx_size, probe("floor-xlsx", str(cells), str(floor_out)), 1)
                bench.measure(
                    "xlsx floor (cells only)",
                    xlsx_size,
                    probe("floor-xlsx-cells", str(cells), str(floor_out)),
                    1,
                )
    else:
        xlsx_note = "kpitool report is not available yet: stage 4 skipped (it runs once the command exists)"
        bench.log(f"4. {xlsx_note}")

    bench.log("5. interactive commands on the bundled data/ (bench/interactive.py)")
    interactive = measure_interactive(max(small, 5), bench.log)
    budgets, informations = check_budgets(bench, sizes, xlsx_size)
    budgets += [Budget(**b) for b in interactive["budgets"]]
    informations += [Budget(**b) for b in interactive["information"]]
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "versions": versions(),
        },
        "corpora": {str(n): s for n, s in stats.items()},
        "xlsx": xlsx_note,
        "measurements": [m.as_json() for m in bench.measurements.values()],
        "interactive": interactive["measurements"],
        "budgets": [{**asdict(b), "passed": b.passed} for b in budgets],
        "information": [asdict(b) for b in informations],
    }


def versions() -> dict[str, str]:
    """Versions of what is measured."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("kpitool", "pydantic", "pydantic-core", "PyYAML", "openpyxl", "typer", "rich", "lxml"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def check_budgets(bench: Bench, sizes: list[int], xlsx_size: int) -> tuple[list[Budget], list[Budget]]:
    """Every budget that the measurements taken allow checking, and the ratios printed as information."""
    budgets: list[Budget] = []
    informations: list[Budget] = []
    floor, helped = bench.get("import floor"), bench.get("kpitool --help")
    if floor and helped:
        budgets.append(
            Budget(
                "cold `kpitool --help` ≤ 1.5 × import floor",
                helped.wall / floor.wall,
                1.5,
                f"{helped.wall:.3f} s vs {floor.wall:.3f} s",
            )
        )
    for size in sizes:
        load_floor, validate = bench.get("load floor", size), bench.get("kpitool validate (no cache)", size)
        if size >= 100 and load_floor and validate:
            informations.append(
                Budget(
                    f"load + validate {size} plans / floor with gc on (round one: ≤ 2)",
                    validate.wall / load_floor.wall,
                    2.0,
                    f"{validate.wall:.2f} s vs {load_floor.wall:.2f} s",
                )
            )
        strict_floor = bench.get("load floor (gc off)", size)
        # Budgeted at national scale: at 100 plans start-up (~0.4 s) is a third of the parse.
        if strict_floor and validate:
            parse = strict_floor.phase("parse")
            (budgets if size >= 1000 else informations).append(
                Budget(
                    f"load + validate {size} plans ≤ 0.4 × CSafeLoader, gc off",
                    validate.wall / parse,
                    0.4,
                    f"{validate.wall:.2f} s vs CSafeLoader {parse:.2f} s",
                )
            )
        cold = bench.get("kpitool evaluate (no cache)", size)
        if size >= 1000 and cold:
            budgets.append(
                Budget(
                    f"cold evaluate {size} plans ≤ 10 s", cold.wall, 10.0, f"{cold.wall:.2f} s, whole process"
                )
            )
        if size >= 100 and cold:
            loading = cold.phase("load", "check")
            evaluating = cold.phase("evaluate", "render")
            budgets.append(
                Budget(
                    f"evaluate {size} plans ≤ 25% of their load",
                    evaluating / loading,
                    0.25,
                    f"rating + JSON {evaluating:.2f} s vs load + checks {loading:.2f} s",
                )
            )
        warm = bench.get("kpitool evaluate (warm cache)", size)
        # Budgeted at national scale only: below it, start-up alone (~0.3 s) is 10% of the floor.
        if size >= 1000 and warm and load_floor:
            budgets.append(
                Budget(
                    f"warm evaluate {size} plans ≤ 10% of the cold load floor",
                    warm.wall / load_floor.wall,
                    0.10,
                    f"{warm.wall:.2f} s vs {load_floor.wall:.2f} s",
                )
            )
    report, xlsx_floor = (
        bench.get("kpitool report --xlsx (warm cache)", xlsx_size),
        bench.get("xlsx floor", xlsx_size),
    )
    if report and xlsx_floor:
        writing = report.phase("rest")
        cells_floor = bench.get("xlsx floor (cells only)", xlsx_size)
        cells_only = cells_floor.phase("write") if cells_floor else float("nan")
        budgets.append(
            Budget(
                f"xlsx report {xlsx_size} plans ≤ 3 × floor",
                writing / xlsx_floor.phase("write"),
                3.0,
                f"report writing {writing:.2f} s vs openpyxl write_only {xlsx_floor.phase('write'):.2f} s "
                f"with the charts (cells only {cells_only:.2f} s; whole process {report.wall:.2f} s)",
            )
        )
    biggest = max(sizes)
    validate = bench.get("kpitool validate (no cache)", biggest)
    if validate and biggest >= 100:
        budgets.append(
            Budget(
                f"memory: validate {biggest} plans ≤ 1 GiB",
                validate.peak_rss / GB,
                1.0,
                f"peak RSS {validate.peak_rss / 2**20:.0f} MiB = {validate.peak_rss / GB:.2f} GiB",
            )
        )
    if 100 in sizes and biggest > 100:
        for name in (  # kpitool's stages (the load floor itself is superlinear: its gc never pauses)
            "kpitool validate (no cache)",
            "kpitool evaluate (no cache)",
            "kpitool evaluate (warm cache)",
        ):
            low, high = bench.get(name, 100), bench.get(name, biggest)
            if low and high:
                budgets.append(
                    Budget(
                        f"linear: {name} {biggest} ≤ 20 × 100",
                        high.wall / low.wall,
                        20.0,
                        f"{high.wall:.2f} s vs {low.wall:.2f} s",
                    )
                )
    return budgets, informations


def print_table(results: dict[str, Any]) -> None:
    """The measurements and budgets, for a terminal."""
    print(
        f"\nkpitool benchmark — {results['machine']['cpus']} CPUs, Python {results['machine']['python']}, "
        f"{results['created']}"
    )
    for size, stats in results["corpora"].items():
        print(
            f"  corpus {size:>5}: {stats['plans']} plans, {stats['kpis']} KPIs, {stats['actuals']} actuals, "
            f"{stats['bytes'] / 1e6:.1f} MB"
        )
    print()
    header = f"{'measurement':<52} {'plans':>5} {'median':>9} {'peak RSS':>9}  phases (median s)"
    print(header)
    print("-" * len(header))
    for m in results["measurements"]:
        size = "" if m["size"] is None else str(m["size"])
        phases = m["phases_s"]
        shown = ", ".join(
            f"{k} {phases[k]:.2f}"
            for k in ("import", "parse", "validate", "load", "check", "evaluate", "render", "rest", "write")
            if k in phases and (phases[k] > 0 or k in ("load", "write"))
        )
        print(f"{m['name']:<52} {size:>5} {m['wall_s']:>8.2f}s {m['peak_rss_mb']:>7.0f}MB  {shown}")
    if results["xlsx"]:
        print(f"\nxlsx: {results['xlsx']}")
    print("\nbudgets (ratios):")
    for b in results["budgets"]:
        verdict = "PASS" if b["passed"] else "FAIL"
        print(f"  {verdict}  {b['name']:<58} {b['value']:>7.3f} (limit {b['limit']:g})  {b['detail']}")
    if results.get("information"):
        print("\nfor information (not budgets):")
    for b in results.get("information", []):
        print(f"  INFO  {b['name']:<58} {b['value']:>7.3f} (was {b['limit']:g})  {b['detail']}")


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description="The kpitool benchmark (see the module docstring).")
    parser.add_argument("--sizes", default="1,100,1741", help="corpus sizes in plans (default 1,100,1741)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement, small sizes (default 5)")
    parser.add_argument(
        "--repeat-large", type=int, default=3, help="runs per measurement above 100 plans (default 3)"
    )
    parser.add_argument("--quick", action="store_true", help="sizes 1,100 and 3 runs: a fast check")
    parser.add_argument("--seed", type=int, default=20240401, help="corpus generator seed")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json", help="where to write the results")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = "1,100", min(args.repeat, 3)
    try:
        args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes: expected numbers like 1,100,1741, got {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1 or args.repeat < 1 or args.repeat_large < 1:
        parser.error("sizes and repeats must be positive")
    started = time.perf_counter()
    results = run_all(args)
    results["duration_s"] = time.perf_counter() - started
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(
        f"\n{len(results['measurements'])} measurements in {results['duration_s'] / 60:.1f} min; "
        f"written to {args.out}"
    )


if __name__ == "__main__":
    main()
