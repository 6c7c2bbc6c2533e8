"""A cache of validated plan and actuals files, keyed by what they were built from.

Parsing and validating YAML is the wall at national scale (1,741 plans ≈ 73 MB
of YAML take ~40 s); unpickling the validated models takes about 20 times less.
So :func:`kpitool.sources.tree.load_data` stores each file's validated model here and,
on the next run, takes it back when the file's bytes are the same.

**Never stale by construction.** An entry's key is the SHA-256 of

- the file's bytes (not its name, size or mtime);
- a fingerprint of the code that built the entry: the cache format, the
  versions of kpitool, pydantic, pydantic-core, PyYAML and Python, and the
  SHA-256 of every file of the package (``src/kpitool/**``, its templates too). The source hash
  covers the model's schema *and* its validators' behaviour (a JSON Schema
  hash would miss a changed validator) and an edited checkout that keeps its
  version number.

So an entry can only ever be found again by the very input and the very code
that made it; there is nothing to invalidate. Old entries are merely unused
(a few KB each); delete the directory to reclaim the space.

**What an entry holds.** The validated model (:class:`~kpitool.model.plan.Plan` or
:class:`~kpitool.model.actuals.ActualsFile`), pickled. Not the YAML values nor the
source map: the loader keeps each file's bytes and re-parses them only when a
cross-file check needs a line number (the same bytes give the same marks), so
a warm run neither reads nor keeps millions of marks.

**Safe against corrupt and concurrent entries.** An entry is written to a
temporary file in its directory and renamed over its name (``os.replace``,
atomic on POSIX and Windows), so a reader sees a whole entry or none; two
writers of one key write the same bytes, and the last rename wins. Entries
carry the SHA-256 of their payload: a truncated or bit-flipped entry, or one
that does not unpickle, is ignored (a miss) and rewritten. Entries are not
fsynced: a cache may lose an entry in a crash, and the checksum catches a torn
one. Every cache failure (unwritable directory, full disk) degrades to a miss;
the cache never fails a command.

**Trust.** Entries are pickles, which can run code when loaded, so a cache is
used only where no one else can write, as ssh treats ``~/.ssh``: a cache
directory that is not owned by the current user, or that group or others may
write, is ignored with a one-line warning on stderr and the command runs
uncached; so is any entry file not owned by the user or writable by group or
others (a miss, rewritten). kpitool creates the directory 0700 and entries
0600 whatever the umask. Only the directory itself is checked, not its parents.

Where: ``$KPITOOL_CACHE_DIR``, else ``$XDG_CACHE_HOME/kpitool``, else
``~/.cache/kpitool`` (``%LOCALAPPDATA%\\kpitool\\cache`` on Windows).
``KPITOOL_NO_CACHE=1`` (or a command's ``--no-cache``) bypasses it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import marshal
import os
import pickle
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kpitool.support.fingerprint import source_digest

__all__ = [
    "CACHE_FORMAT",
    "Cache",
    "CacheStats",
    "cache_directory",
    "code_fingerprint",
    "default_cache",
]

CACHE_FORMAT = 3
"""Bump when what an entry holds changes shape; it is part of every key."""

_MAGIC = b"KPITOOL\x01"
_DIGEST_SIZE = 32  # SHA-256
_HEADER_SIZE = len(_MAGIC) + _DIGEST_SIZE


@functools.cache
def code_fingerprint() -> bytes:
    """A digest of everything besides a file's bytes that shapes its validated model.

    Computed once per process: the cache format; kpitool, pydantic, pydantic-core,
    PyYAML and Python versions; whether PyYAML has its C parser; and the source
    of every module of the package. Raises OSError if a core source file cannot be read.
    """
    import pydantic
    import pydantic_core
    import yaml

    from kpitool import __version__

    digest = hashlib.sha256()
    for part in (
        f"format={CACHE_FORMAT}",
        f"kpitool={__version__}",
        f"pydantic={pydantic.VERSION}",
        f"pydantic-core={pydantic_core.__version__}",
        f"pyyaml={yaml.__version__} libyaml={yaml.__with_libyaml__}",
        f"python={sys.implementation.cache_tag} {sys.version}",
    ):
        digest.update(part.encode() + b"\0")
    digest.update(source_digest())  # every module of the package, every subpackage
    return digest.digest()


def cache_directory() -> Path:
    """Where entries live: ``$KPITOOL_CACHE_DIR``, the XDG cache directory, or ``~/.cache/kpitool``."""
    explicit = os.environ.get("KPITOOL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative path is to be ignored
        return Path(xdg) / "kpitool"
    local = os.environ.get("LOCALAPPDATA")
    if os.name == "nt" and local:
        return Path(local) / "kpitool" / "cache"
    return Path.home() / ".cache" / "kpitool"


@dataclass
class CacheStats:
    """What a cache did in this process (for tests, the benchmark and curious users)."""

    hits: int = 0
    """Entries read back intact."""
    misses: int = 0
    """Entries absent or unusable."""
    writes: int = 0
    corrupt: int = 0
    """Entries found but unusable (truncated, wrong checksum, not unpicklable): ignored, rewritten."""
    untrusted: int = 0
    """Entries others could have written (another owner, group or other write bits): never loaded."""
    errors: int = 0
    """Entries that could not be written (unwritable directory, full disk …)."""


@dataclass
class Cache:
    """A directory of pickled values, each under the SHA-256 of its input and the code."""

    directory: Path
    fingerprint: bytes = field(default_factory=code_fingerprint)
    stats: CacheStats = field(default_factory=CacheStats)
    refusal: str | None = field(default=None, init=False)
    """Why the directory is not used (see :func:`untrusted_reason`), once it has been looked at."""
    _checked: bool = field(default=False, init=False, repr=False)

    def usable(self) -> bool:
        """Whether the directory may hold entries we load; warns once (on stderr) when not."""
        if not self._checked:
            self._checked = True
            # Created here, before it is examined: no one can slip in a folder between the two.
            with contextlib.suppress(OSError):  # unwritable: every put() then fails quietly
                _make_private(self.directory)
            self.refusal = untrusted_reason(self.directory, directory=True)
            if self.refusal is not None:
                _warn_once(
                    f"kpitool: warning: cache {self.directory} ignored: {self.refusal}; running uncached"
                )
        return self.refusal is None

    def key(self, content: bytes, kind: str = "document") -> str:
        """The key of ``content`` for entries of ``kind``: hex SHA-256 of fingerprint, kind, content."""
        digest = hashlib.sha256(self.fingerprint)
        digest.update(kind.encode() + b"\0")
        digest.update(content)
        return digest.hexdigest()

    def path(self, key: str, suffix: str = ".pickle") -> Path:
        """The file of an entry (two-level, so no directory holds more than a few thousand)."""
        return self.directory / key[:2] / f"{key}{suffix}"

    def get(self, key: str) -> object | None:
        """The value stored under ``key``, or None (absent, unreadable, untrusted or corrupt)."""
        payload = self._payload(key, ".pickle")
        if payload is None:
            return None
        try:
            # The entry is ours: owned by us and writable by no one else, in a directory
            # of ours that no one else can write, and its checksum matched.
            value: object = pickle.loads(payload)  # noqa: S301
        except Exception:  # any unpickling failure means a bad entry, never a crash
            self._corrupt()
            return None
        self.stats.hits += 1
        return value

    def get_plain(self, key: str) -> object | None:
        """Plain data (``marshal``: str, bytes, numbers, tuples, lists, dicts) stored under ``key``, or None.

        For answers read without importing the models (:mod:`kpitool.cli.replay`); the same
        trust, checksum and atomicity rules as :meth:`get`. marshal runs no code when loading.
        """
        payload = self._payload(key, ".marshal")
        if payload is None:
            return None
        try:
            value: object = marshal.loads(payload)  # noqa: S302 - ours (as above); marshal runs no code
        except Exception:  # a bad entry, never a crash
            self._corrupt()
            return None
        self.stats.hits += 1
        return value

    def _payload(self, key: str, suffix: str) -> bytes | None:
        """An entry's checked payload, or None (a miss: absent, unreadable, untrusted or corrupt)."""
        if not self.usable():
            self.stats.misses += 1
            return None
        try:
            with open(self.path(key, suffix), "rb") as stream:
                if untrusted_reason(os.fstat(stream.fileno())) is not None:
                    self.stats.untrusted += 1
                    self.stats.misses += 1
                    return None
                blob = stream.read()
        except OSError:
            self.stats.misses += 1
            return None
        payload = blob[_HEADER_SIZE:]
        if (
            len(blob) < _HEADER_SIZE
            or not blob.startswith(_MAGIC)
            or hashlib.sha256(payload).digest() != blob[len(_MAGIC) : _HEADER_SIZE]
        ):
            self._corrupt()
            return None
        return payload

    def _corrupt(self) -> None:
        self.stats.corrupt += 1
        self.stats.misses += 1

    def put(self, key: str, value: object) -> bool:
        """Store ``value`` under ``key`` atomically; False (and nothing written) if it cannot be."""
        if not self.usable():
            return False
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            self.stats.errors += 1
            return False
        return self._store(key, ".pickle", payload)

    def put_plain(self, key: str, value: object) -> bool:
        """Store plain data (see :meth:`get_plain`) under ``key`` atomically; False if it cannot be."""
        if not self.usable():
            return False
        try:
            payload = marshal.dumps(value)  # type: ignore[arg-type]  # plain data, or ValueError
        except ValueError:  # not plain data
            self.stats.errors += 1
            return False
        return self._store(key, ".marshal", payload)

    def _store(self, key: str, suffix: str, payload: bytes) -> bool:
        """Write one entry: a temporary file beside it, renamed over it."""
        import tempfile

        target = self.path(key, suffix)
        temp: str | None = None
        try:
            _make_private(self.directory)
            _make_private(target.parent)
            handle, temp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(handle, "wb") as stream:
                os.fchmod(handle, 0o600)  # mkstemp's 0600, minus nothing: a umask cannot lock us out
                stream.write(_MAGIC)
                stream.write(hashlib.sha256(payload).digest())
                stream.write(payload)
            os.replace(temp, target)
            temp = None
        except OSError:  # a cache never fails a command
            self.stats.errors += 1
            return False
        finally:  # whatever happened (Ctrl-C included), no temporary file is left behind
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
        self.stats.writes += 1
        return True


def untrusted_reason(path: Path | os.stat_result, *, directory: bool = False) -> str | None:
    """Why entries under ``path`` (a cache directory, or an entry's stat) cannot be trusted; None if they can.

    Trusted: owned by the current user and not writable by group or others. A
    directory that does not exist yet is trusted: kpitool creates it private.
    """
    if isinstance(path, os.stat_result):
        info = path
    else:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:  # e.g. a file where the directory should be: put() will fail quietly
            return None if exc.errno == errno.ENOTDIR else f"cannot be examined ({exc.strerror or exc})"
    if directory and not stat.S_ISDIR(info.st_mode):
        return "it is not a directory"
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return f"it is owned by uid {info.st_uid}, not by you (uid {os.geteuid()})"
    if info.st_mode & 0o022:
        return f"group or others may write it (mode {stat.S_IMODE(info.st_mode):04o}; chmod go-w it)"
    return None


def _make_private(directory: Path) -> None:
    """Create ``directory`` 0700 whatever the umask; leave an existing one as it is."""
    try:
        directory.mkdir(mode=0o700)
    except FileExistsError:
        return
    except FileNotFoundError:  # the parents get the usual permissions, as ``mkdir -p`` gives them
        directory.parent.mkdir(parents=True, exist_ok=True)
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            return
    os.chmod(directory, 0o700)


_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    # Several caches of one directory are made in a run (loading, then rating): one warning.
    if message not in _WARNED:
        _WARNED.add(message)
        sys.stderr.write(message + "\n")


def default_cache(*, disabled: bool = False) -> Cache | None:
    """The user's cache, or None when ``disabled``, ``KPITOOL_NO_CACHE`` is set, or it is unusable.

    Unusable means the core's source cannot be read to fingerprint it (a
    zipped or frozen install): without a fingerprint no entry could be trusted.
    """
    if disabled or os.environ.get("KPITOOL_NO_CACHE", "") not in ("", "0"):
        return None
    try:
        fingerprint = code_fingerprint()
    except OSError:
        return None
    return Cache(cache_directory(), fingerprint)
