"""Digests of the code a cached answer was made by, computed without importing that code.

:func:`source_digest` hashes every file of the kpitool package, its modules and the templates
beside them (the SHA-256 of each file's bytes, by its path in the package);
:func:`installed_digest` names the installed distributions beside the libraries whose
behaviour shows in kpitool's output (pydantic, PyYAML, rich, openpyxl, typer, jinja2 …): the
names of the ``*.dist-info`` and ``*.egg-info`` entries of each folder that holds one of them,
so installing, upgrading or removing any package there changes the digest; and the Python
version. Finding those folders imports none of the libraries (``importlib.util.find_spec`` of
a top-level name only locates it): a warm run answered from the cache never pays for
importing pydantic (docs/performance.md "Interactive commands").
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from pathlib import Path

__all__ = ["installed_digest", "source_digest"]

LIBRARIES = (
    "pydantic",
    "pydantic_core",
    "yaml",
    "rich",
    "openpyxl",
    "typer",
    "jinja2",
    "et_xmlfile",
    "pyarrow",
)
"""Top-level modules whose version can change what kpitool prints or writes."""


@functools.cache
def source_digest() -> bytes:
    """SHA-256 over every file of the kpitool package but its byte code: path and bytes' SHA-256.

    Raises OSError if a source file cannot be read (a zipped or frozen install).
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for source in sorted(_modules(str(package))):
        with open(os.path.join(package, source), "rb") as stream:
            content = stream.read()
        digest.update(source.encode() + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.digest()


def _modules(package: str) -> list[str]:
    """Every file under ``package`` but byte code, as POSIX paths relative to it."""
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        relative = os.path.relpath(folder, package)
        for name in files:
            if not name.endswith((".pyc", ".pyo")):
                path = name if relative == "." else f"{relative}/{name}"
                found.append(path.replace(os.sep, "/"))
    return found


@functools.cache
def installed_digest() -> bytes:
    """SHA-256 of the Python version and the distributions installed beside :data:`LIBRARIES`."""
    digest = hashlib.sha256(f"python={sys.implementation.cache_tag} {sys.version}\0".encode())
    folders: set[str] = set()
    for name in LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        digest.update(f"{name}={origin}\0".encode())
        if origin:
            folders.add(os.path.dirname(os.path.dirname(origin)))
            if name == "yaml":  # with or without libyaml (the C parser) for the same version
                digest.update("\0".join(sorted(os.listdir(os.path.dirname(origin)))).encode())
    for folder in sorted(folders):
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            names = ["(unreadable)"]
        digest.update(folder.encode() + b"\0" + "\0".join(names).encode() + b"\0")
    return digest.digest()
