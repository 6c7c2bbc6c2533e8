"""The cache of validated files: hits, misses on any change, corrupt entries, versions, --no-cache, races."""

from __future__ import annotations

import gc
import hashlib
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kpitool
from kpitool.checks import check_data
from kpitool.cli.app import app
from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import Plan
from kpitool.sources.tree import LoadedData, load_data
from kpitool.sources.yaml_strict import parse_yaml
from kpitool.support import fingerprint as fingerprint_module
from kpitool.support.cache import Cache, cache_directory, code_fingerprint, default_cache
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN

MakeData = Callable[..., Path]

# An actuals file with a KPI the plan lacks: a cross-file problem, found after the load.
UNKNOWN_KPI_ACTUALS = MINIMAL_ACTUALS + "  nope:\n    R5: {value: 1}\n"


@pytest.fixture
def root(data_dir: MakeData) -> Path:
    """A data tree with one plan and its actuals."""
    return data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    """An empty cache in a temporary directory, with a fixed code fingerprint."""
    return Cache(tmp_path / "cache", b"test-fingerprint")


def entries(cache: Cache) -> list[Path]:
    """Every entry file in a cache."""
    return sorted(cache.directory.rglob("*.pickle"))


def load(root: Path, cache: Cache | None) -> LoadedData:
    """Load and check, as the commands do."""
    loaded = load_data([root], cache=cache)
    loaded.problems = check_data(loaded)
    return loaded


def test_second_load_takes_every_file_from_the_cache(root: Path, cache: Cache) -> None:
    cold = load(root, cache)
    assert (cache.stats.hits, cache.stats.misses, cache.stats.writes) == (0, 2, 2)
    assert cache.directory.stat().st_mode & 0o777 == 0o700  # entries are pickles: private
    warm = load(root, cache)
    assert (cache.stats.hits, cache.stats.writes) == (2, 2)
    assert warm.plans["demo"].plan == cold.plans["demo"].plan
    assert warm.actuals["demo"].actuals == cold.actuals["demo"].actuals
    assert isinstance(warm.plans["demo"].plan, Plan)
    assert isinstance(warm.actuals["demo"].actuals, ActualsFile)


def test_cached_documents_still_locate_cross_file_problems(data_dir: MakeData, cache: Cache) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": UNKNOWN_KPI_ACTUALS})
    cold = [str(p) for p in load(root, cache).problems]
    warm = [str(p) for p in load(root, cache).problems]
    assert cache.stats.hits == 2
    assert warm == cold
    assert warm == [f"{root}/actuals/demo.yaml:5:3: actuals.nope: no KPI with id 'nope' in plan 'demo'"]


def test_a_cached_document_parses_its_bytes_again_on_demand(root: Path, cache: Cache) -> None:
    load_data([root], cache=cache)
    document = load_data([root], cache=cache).plans["demo"].document
    assert cache.stats.hits == 2
    path = root / "plans" / "demo.yaml"
    fresh = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert document.name == str(path)
    assert document.data == fresh.data
    assert document.source_map.marks == fresh.source_map.marks


def test_a_changed_file_misses_and_its_new_content_is_used(root: Path, cache: Cache) -> None:
    load_data([root], cache=cache)
    plan_file = root / "plans" / "demo.yaml"
    plan_file.write_text(MINIMAL_PLAN.replace("target: {value: 200", "target: {value: 250"), encoding="utf-8")
    loaded = load_data([root], cache=cache)
    assert (cache.stats.hits, cache.stats.misses) == (1, 3)  # the unchanged actuals hit
    kpi = next(k for k, _ in loaded.plans["demo"].plan.iter_kpis())
    assert str(kpi.target.value) == "250"
    assert len(entries(cache)) == 3


def test_same_bytes_under_another_name_report_that_name(root: Path, cache: Cache, tmp_path: Path) -> None:
    load_data([root], cache=cache)
    other = tmp_path / "elsewhere"
    (other / "plans").mkdir(parents=True)
    (other / "plans" / "copy.yaml").write_bytes((root / "plans" / "demo.yaml").read_bytes())
    loaded = load_data([other], cache=cache)
    assert cache.stats.hits == 1
    assert loaded.plans["demo"].document.name == str(other / "plans" / "copy.yaml")


def test_a_file_with_errors_is_never_cached(data_dir: MakeData, cache: Cache) -> None:
    broken = MINIMAL_PLAN.replace("direction: increase", "direction: upward")
    root = data_dir(plans={"demo.yaml": broken})
    for _ in range(2):
        loaded = load_data([root], cache=cache)
        assert [p.path for p in loaded.problems] == ["sections[0].kpis[0].direction"]
    assert entries(cache) == []
    assert cache.stats.hits == 0


def corrupt_truncated(blob: bytes) -> bytes:
    return blob[: len(blob) // 2]


def corrupt_flipped(blob: bytes) -> bytes:
    middle = len(blob) // 2
    return blob[:middle] + bytes([blob[middle] ^ 0x01]) + blob[middle + 1 :]


def corrupt_checksummed_garbage(blob: bytes) -> bytes:
    # A well-formed entry whose payload is not a pickle: the checksum passes, unpickling fails.
    payload = b"not a pickle"
    return blob[:8] + hashlib.sha256(payload).digest() + payload


def corrupt_wrong_type(blob: bytes) -> bytes:
    # A valid pickle of something that is not a model: ignored too.
    payload = pickle.dumps({"id": "demo"})
    return blob[:8] + hashlib.sha256(payload).digest() + payload


@pytest.mark.parametrize(
    "damage",
    [corrupt_truncated, corrupt_flipped, corrupt_checksummed_garbage, corrupt_wrong_type, lambda _: b""],
    ids=["truncated", "flipped-bit", "not-a-pickle", "wrong-type", "empty"],
)
def test_a_corrupt_entry_is_ignored_and_rewritten(
    root: Path, cache: Cache, damage: Callable[[bytes], bytes]
) -> None:
    expected = load_data([root], cache=cache).plans["demo"].plan
    for entry in entries(cache):
        entry.write_bytes(damage(entry.read_bytes()))
    loaded = load_data([root], cache=cache)
    assert loaded.problems == []
    assert loaded.plans["demo"].plan == expected
    assert cache.stats.hits == (2 if damage is corrupt_wrong_type else 0)  # a plain dict unpickles
    # wrong-type entries unpickle fine but are not models: the loader treats them as misses.
    assert cache.stats.writes == 4
    load_data([root], cache=cache)
    assert cache.stats.corrupt == (0 if damage is corrupt_wrong_type else 2)
    assert cache.stats.writes == 4  # rewritten entries are good again


def test_the_fingerprint_covers_every_module_of_the_package() -> None:
    """A change to model/ or sources/ (not only to the modules beside the cache) makes a new key."""
    package = Path(kpitool.__file__).resolve().parent
    covered = set(fingerprint_module._modules(str(package)))
    assert {"model/plan.py", "model/fields.py", "sources/documents.py", "values/periods.py"} <= covered
    assert "support/cache.py" in covered


def test_another_code_version_never_sees_old_entries(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code_fingerprint.cache_clear()
    before = code_fingerprint()
    monkeypatch.setattr(kpitool, "__version__", kpitool.__version__ + ".post1")
    code_fingerprint.cache_clear()
    after = code_fingerprint()
    code_fingerprint.cache_clear()
    assert before != after
    old, new = Cache(tmp_path / "c", before), Cache(tmp_path / "c", after)
    load_data([root], cache=old)
    load_data([root], cache=new)
    assert (new.stats.hits, new.stats.misses) == (0, 2)
    assert len(entries(new)) == 4


def test_the_fingerprint_covers_the_pydantic_version(monkeypatch: pytest.MonkeyPatch) -> None:
    import pydantic

    code_fingerprint.cache_clear()
    before = code_fingerprint()
    monkeypatch.setattr(pydantic, "VERSION", "0.0.0")
    code_fingerprint.cache_clear()
    try:
        assert code_fingerprint() != before
    finally:
        code_fingerprint.cache_clear()


def test_cache_directory_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KPITOOL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_directory() == tmp_path / "xdg" / "kpitool"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_directory() == tmp_path / "home" / ".cache" / "kpitool"
    monkeypatch.setenv("KPITOOL_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_directory() == tmp_path / "mine"
    monkeypatch.setenv("KPITOOL_NO_CACHE", "1")
    assert default_cache() is None
    monkeypatch.setenv("KPITOOL_NO_CACHE", "0")
    found = default_cache()
    assert found is not None
    assert found.directory == tmp_path / "mine"
    assert default_cache(disabled=True) is None


@pytest.mark.parametrize(
    ("args", "evaluations"),
    [
        (["validate", "{root}"], 0),
        (["evaluate", "--year", "R5", "--format", "json", "--data", "{root}"], 1),
        (["plans", "--data", "{root}"], 0),
        (["summary", "--years", "R5,R6", "--data", "{root}"], 2),
    ],
    ids=["validate", "evaluate", "plans", "summary"],
)
def test_commands_use_the_cache_unless_no_cache(
    runner: CliRunner, root: Path, cache_env: Path, args: list[str], evaluations: int
) -> None:
    argv = [a.format(root=root) for a in args]
    bypassed = runner.invoke(app, [*argv, "--no-cache"])
    assert bypassed.exit_code == 0, bypassed.output
    assert not cache_env.exists()
    cold = runner.invoke(app, argv)
    assert cold.exit_code == 0, cold.output
    written = sorted(cache_env.rglob("*.pickle"))
    # The two validated files, the checks of the plan and of its actuals, one evaluation per year.
    assert len(written) == 4 + evaluations
    warm = runner.invoke(app, argv)
    assert warm.stdout == cold.stdout == bypassed.stdout
    assert sorted(cache_env.rglob("*.pickle")) == written


def test_validate_caches_only_the_files_that_validate(
    runner: CliRunner, data_dir: MakeData, cache_env: Path
) -> None:
    root = data_dir(
        plans={"demo.yaml": MINIMAL_PLAN, "broken.yaml": "id: x\nid: y\n"},
        actuals={"demo.yaml": UNKNOWN_KPI_ACTUALS},
    )
    first = runner.invoke(app, ["validate", str(root)])
    second = runner.invoke(app, ["validate", str(root)])
    assert first.exit_code == second.exit_code == 1
    assert second.stdout == first.stdout
    assert f"{root}/plans/broken.yaml:2:1: id: duplicate key 'id' (first at line 1)" in second.stdout
    assert f"{root}/actuals/demo.yaml:5:3: actuals.nope: no KPI with id 'nope'" in second.stdout
    # The plan and the actuals and their two check results; never broken.yaml. The second run's
    # problems, lines included, came from the cached check results.
    assert len(list(cache_env.rglob("*.pickle"))) == 4


def test_an_unusable_cache_directory_never_fails_a_command(
    runner: CliRunner, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("KPITOOL_CACHE_DIR", str(blocker / "cache"))
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 plans")


def test_load_data_restores_the_garbage_collector(root: Path) -> None:
    assert gc.isenabled()
    load_data([root])
    assert gc.isenabled()
    gc.disable()
    try:
        load_data([root])
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        gc.enable()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kpitool.support.cache import Cache

    cache = Cache(Path(sys.argv[1]), b"race")
    value = {"writer": sys.argv[2], "payload": list(range(20000))}
    for _ in range(int(sys.argv[3])):
        assert cache.put("ab" * 32, value)
        seen = cache.get("ab" * 32)
        assert isinstance(seen, dict) and len(seen["payload"]) == 20000, seen
    print(cache.stats.corrupt, cache.stats.hits)
    """
)


@pytest.mark.slow  # starts real processes
def test_concurrent_writers_never_leave_a_torn_entry(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(directory), name, "150"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        corrupt, hits = map(int, out.split())
        assert (corrupt, hits) == (0, 150)
    assert sorted(p.name for p in directory.rglob("*")) == ["ab", "ab" * 32 + ".pickle"]  # no temp file left
    final = Cache(directory, b"race").get("ab" * 32)
    assert isinstance(final, dict)
    assert final["writer"] in ("one", "two")
