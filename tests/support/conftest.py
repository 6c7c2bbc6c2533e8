"""Fixtures shared by the tests of kpitool.support."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def cache_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """KPITOOL_CACHE_DIR pointing at an empty temporary directory."""
    directory = tmp_path / "user-cache"
    monkeypatch.setenv("KPITOOL_CACHE_DIR", str(directory))
    monkeypatch.delenv("KPITOOL_NO_CACHE", raising=False)
    return directory
