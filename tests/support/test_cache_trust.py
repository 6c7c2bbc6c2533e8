"""Cache entries are pickles: only a folder and entries no one else can write are ever loaded.

Mode bits are checked as they are, so these tests hold as root; a foreign owner is
simulated by reporting another effective uid in-process (no chown needed).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kpitool.support.cache as cache_module
from kpitool.cli.app import app
from kpitool.support.cache import Cache, untrusted_reason
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN

MakeData = Callable[..., Path]
KEY = "ab" * 32


@pytest.fixture(autouse=True)
def fresh_warnings() -> Iterator[None]:
    """Each test sees its own first warning."""
    cache_module._WARNED.clear()
    yield
    cache_module._WARNED.clear()


@pytest.fixture
def root(data_dir: MakeData) -> Path:
    return data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})


class _Planted:
    """What an attacker would write: loading it runs code (here it only touches a marker file)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def plant(directory: Path, key: str, marker: Path) -> Path:
    """Write an entry with a valid checksum whose unpickling runs code."""
    payload = pickle.dumps(_Planted(marker))
    path = directory / key[:2] / f"{key}.pickle"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"KPITOOL\x01" + hashlib.sha256(payload).digest() + payload)
    return path


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_a_folder_others_may_write_is_ignored_with_one_warning(
    runner: CliRunner, root: Path, cache_env: Path, mode: int
) -> None:
    cache_env.mkdir()
    cache_env.chmod(mode)
    first = runner.invoke(app, ["evaluate", "--year", "R5", "--format", "json", "--data", str(root)])
    second = runner.invoke(app, ["evaluate", "--year", "R5", "--format", "json", "--data", str(root)])
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.stdout == second.stdout
    warning = (
        f"kpitool: warning: cache {cache_env} ignored: group or others may write it "
        f"(mode {mode:04o}; chmod go-w it); running uncached"
    )
    assert first.stderr.splitlines() == [warning]  # once per run, though the run makes several caches
    assert list(cache_env.rglob("*")) == []  # nothing written there either
    assert cache_env.stat().st_mode & 0o777 == mode  # and its mode left as the user set it


def test_a_planted_entry_in_a_writable_folder_never_runs(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir()
    marker = tmp_path / "code-ran"
    plant(directory, KEY, marker)
    directory.chmod(0o777)
    cache = Cache(directory, b"fp")
    assert cache.get(KEY) is None
    assert not marker.exists()
    assert cache.put(KEY, {"x": 1}) is False


def test_a_folder_of_another_owner_is_ignored(
    root: Path, cache_env: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    cache_env.mkdir(mode=0o700)
    mine = os.geteuid()
    monkeypatch.setattr(cache_module.os, "geteuid", lambda: mine + 1)
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"kpitool: warning: cache {cache_env} ignored: it is owned by uid {mine}, "
        f"not by you (uid {mine + 1}); running uncached"
    ]
    assert list(cache_env.rglob("*.pickle")) == []


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077, 0o777])
def test_the_folder_is_made_0700_and_entries_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    cache = Cache(tmp_path / "a" / "b" / "cache", b"fp")
    previous = os.umask(umask)
    try:
        assert cache.put(KEY, {"x": 1})
    finally:
        os.umask(previous)
    entry = cache.path(KEY)
    assert cache.directory.stat().st_mode & 0o777 == 0o700
    assert entry.parent.stat().st_mode & 0o777 == 0o700
    assert entry.stat().st_mode & 0o777 == 0o600
    assert Cache(cache.directory, b"fp").get(KEY) == {"x": 1}


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_an_entry_others_may_write_is_never_loaded_and_is_replaced(tmp_path: Path, mode: int) -> None:
    cache = Cache(tmp_path / "cache", b"fp")
    assert cache.put(KEY, {"x": 1})
    marker = tmp_path / "code-ran"
    plant(cache.directory, KEY, marker).chmod(mode)
    assert cache.get(KEY) is None
    assert not marker.exists()
    assert (cache.stats.untrusted, cache.stats.misses) == (1, 1)
    assert cache.put(KEY, {"x": 2})
    assert cache.path(KEY).stat().st_mode & 0o777 == 0o600
    assert cache.get(KEY) == {"x": 2}


def test_an_entry_of_another_owner_is_never_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path / "cache", b"fp")
    assert cache.put(KEY, {"x": 1})
    assert cache.usable()  # the folder was looked at while it was ours
    mine = os.geteuid()
    monkeypatch.setattr(cache_module.os, "geteuid", lambda: mine + 1)
    assert cache.get(KEY) is None
    assert cache.stats.untrusted == 1


def test_untrusted_reason(tmp_path: Path) -> None:
    assert untrusted_reason(tmp_path / "missing", directory=True) is None  # nothing to read from it
    (tmp_path / "file").write_text("x")
    assert untrusted_reason(tmp_path / "file", directory=True) == "it is not a directory"
    assert untrusted_reason(tmp_path / "file" / "below", directory=True) is None  # put() fails quietly
    (tmp_path / "ok").mkdir(mode=0o755)
    (tmp_path / "ok").chmod(0o755)
    assert untrusted_reason(tmp_path / "ok", directory=True) is None  # readable by others is fine
