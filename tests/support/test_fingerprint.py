"""The code's fingerprint for kept answers: every module, the installed distributions, no imports."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import kpitool
from kpitool.support import fingerprint


@pytest.fixture
def fresh() -> Iterator[None]:
    fingerprint.installed_digest.cache_clear()
    yield
    fingerprint.installed_digest.cache_clear()


def test_every_module_of_the_package_is_hashed() -> None:
    package = Path(kpitool.__file__).resolve().parent
    covered = set(fingerprint._modules(str(package)))
    assert {"model/plan.py", "cli/replay.py", "render/xlsx/council.py", "support/fingerprint.py"} <= covered
    assert "render/html/templates/plan.html.j2" in covered  # what the code reads counts as code
    assert len(covered) == len(
        [p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    )
    assert len(fingerprint.source_digest()) == 32


def test_an_upgraded_library_changes_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None
) -> None:
    (tmp_path / "fakelib").mkdir()
    (tmp_path / "fakelib" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "fakelib-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(fingerprint, "LIBRARIES", ("fakelib",))
    before = fingerprint.installed_digest()
    fingerprint.installed_digest.cache_clear()
    (tmp_path / "fakelib-1.0.dist-info").rename(tmp_path / "fakelib-1.1.dist-info")
    assert fingerprint.installed_digest() != before
    assert "fakelib" not in sys.modules  # found, not imported


def test_a_missing_library_is_named_as_missing(monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    monkeypatch.setattr(fingerprint, "LIBRARIES", ("no_such_library_here",))
    missing = fingerprint.installed_digest()
    monkeypatch.setattr(fingerprint, "LIBRARIES", ("yaml",))
    fingerprint.installed_digest.cache_clear()
    assert fingerprint.installed_digest() != missing


@pytest.mark.slow
def test_the_digests_import_none_of_the_libraries() -> None:
    probe = (
        "import sys; from kpitool.support.fingerprint import installed_digest, source_digest, LIBRARIES; "
        "installed_digest(); source_digest(); print(sorted(set(LIBRARIES) & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
