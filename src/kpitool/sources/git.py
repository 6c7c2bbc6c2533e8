"""Data at a git revision (版): read straight from the object database, no checkout.

``kpitool diff --rev`` compares two versions of the data; :func:`load_revision` loads a
data directory as it was at a revision (``git ls-tree`` and ``git cat-file`` into a private
scratch directory, the working tree is never touched; every path of the commit's tree is
checked before anything is copied, so a crafted tree cannot write outside it),
:func:`parse_rev_range` reads ``A..B`` / ``A...B`` / ``A`` and :func:`merge_base` finds
where a branch forked.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kpitool.errors import ExitKind, KpitoolError
from kpitool.problems import Problem
from kpitool.sources.safe_read import MAX_FILE_BYTES, MAX_FILE_MIB
from kpitool.sources.tree import LoadedData, load_data

__all__ = ["GitError", "GitReadError", "RevisionRange", "load_revision", "merge_base", "parse_rev_range"]


class GitError(KpitoolError):
    """git is missing, the directory is not in a repository, or a revision does not exist."""

    exit_kind = ExitKind.USAGE


class GitReadError(GitError):
    """git cannot read the files of a commit that exists (a damaged repository, a missing object).

    Bad data rather than bad usage: the revision named is right, its contents are unreadable.
    """

    exit_kind = ExitKind.DATA


@dataclass(frozen=True)
class RevisionRange:
    """Two versions to compare, as given to ``--rev``."""

    old: str
    new: str | None
    """None: the working tree (``--rev A`` compares A with the files on disk)."""
    from_merge_base: bool = False
    """``A...B``: compare B with the point where it forked from A (a pull request's own changes)."""


def _check_rev(rev: str, spec: str) -> str:
    rev = rev.strip()
    if not rev:
        raise GitError(f"--rev {spec!r}: empty revision; write A..B, A...B or A")
    if rev.startswith("-"):
        # Never let a revision be read as an option of git.
        raise GitError(f"--rev {spec!r}: a revision cannot start with '-'")
    return rev


def parse_rev_range(spec: str) -> RevisionRange:
    """``A..B`` (A to B), ``A...B`` (merge base of A and B to B), ``A`` (A to the working tree).

    As in git, an empty side of ``..`` means HEAD: ``origin/main..`` is ``origin/main..HEAD``.
    """
    for separator, from_base in (("...", True), ("..", False)):
        if separator in spec:
            left, right = spec.split(separator, 1)
            old = _check_rev(left or "HEAD", spec)
            new = _check_rev(right or "HEAD", spec)
            return RevisionRange(old, new, from_base)
    return RevisionRange(_check_rev(spec, spec), None)


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except NotADirectoryError:
        raise GitError(f"{cwd} is not a directory") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed ({done.returncode})")
    return done.stdout


def _commit(rev: str, cwd: Path) -> str:
    try:
        _git(["rev-parse", "--git-dir"], cwd)
    except GitError:
        raise GitError(f"{cwd.resolve()} is not in a git repository") from None
    try:
        out = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd)
    except GitError:
        raise GitError(f"unknown git revision {rev!r}") from None
    return out.decode().strip()


def merge_base(a: str, b: str, cwd: Path = Path()) -> str:
    """The commit where ``b`` forked from ``a`` (``git merge-base``)."""
    try:
        out = _git(["merge-base", "--end-of-options", _commit(a, cwd), _commit(b, cwd)], cwd)
    except GitError as exc:
        raise GitError(f"no common ancestor of {a!r} and {b!r}: {exc}") from None
    return out.decode().strip()


@dataclass(frozen=True)
class _Entry:
    path: str
    oid: str
    size: int


def _read_objects(args: list[str], top: Path) -> bytes:
    """``git args`` on the objects of a resolved commit; a failure there is bad data."""
    try:
        return _git(args, top)
    except GitError as exc:
        raise GitReadError(str(exc)) from None


def _refuse_unsafe(rev: str, path: str, mode: str) -> None:
    """Refuse a tree entry that could write outside the scratch copy, or that is not a plain file.

    git's plumbing (``mktree``) lets a commit hold names a checkout never would: ``..``,
    ``.git``, an empty or absolute path. A symlink (mode 120000) or a submodule (160000)
    under the data directory is refused too: a revision's data is read as plain files only.
    """
    parts = path.split("/")
    odd = next((part for part in parts if part in ("", ".", "..") or part.casefold() == ".git"), None)
    if odd is not None:
        what = "an absolute path" if path.startswith("/") else f"an entry named {odd!r}"
        raise GitReadError(f"{rev}:{path}: the commit's tree holds {what}; refusing to read it")
    if mode == "120000" and PurePosixPath(path).suffix in (".yaml", ".yml"):
        raise GitReadError(f"{rev}:{path}: is a symbolic link in git; a revision's data files must be files")
    if mode == "160000":
        raise GitReadError(f"{rev}:{path}: is a submodule; the data directory must hold its files itself")


def _list_tree(commit: str, rev: str, prefix: str, top: Path) -> list[_Entry]:
    """The YAML files under ``prefix`` at ``commit``, every entry checked before any is read."""
    # -z: paths verbatim (no quoting of Japanese names); -l: sizes, to refuse huge blobs unread.
    out = _read_objects(["ls-tree", "-r", "-l", "-z", "--full-name", commit, "--", prefix or "."], top)
    entries = []
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, kind, oid, size = meta.split()
        _refuse_unsafe(rev, path, mode)
        # Blobs only: mode 120000 is a symlink (its blob is the link text), gitlinks are commits.
        if kind == "blob" and mode != "120000" and PurePosixPath(path).suffix in (".yaml", ".yml"):
            if not size.isdigit():  # git lists a missing object's size as "BAD"
                raise GitReadError(f"{commit[:10]}:{path}: the file's object {oid} cannot be read")
            entries.append(_Entry(path, oid, int(size)))
    return entries


def load_revision(rev: str, data_dir: Path, *, cwd: Path = Path()) -> LoadedData:
    """Load ``data_dir`` as it was at git revision ``rev``, without a checkout.

    The files are read from the object database into a private temporary
    directory and loaded with :func:`~kpitool.sources.tree.load_data`; file names in
    documents and problems read ``REV:path/in/repo.yaml``. Raises
    :class:`GitError` if git, the repository or the revision is missing, and
    :class:`GitReadError` if the revision's files cannot be read.
    """
    commit = _commit(rev, cwd)
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    target = (cwd / data_dir).resolve()
    try:
        prefix = target.relative_to(top.resolve()).as_posix()
    except ValueError:
        raise GitError(f"{data_dir} is outside the git repository at {top}") from None
    prefix = "" if prefix == "." else prefix
    names: dict[str, str] = {}
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="kpitool-diff-") as scratch:
        root = Path(scratch)
        for entry in _list_tree(commit, rev, prefix, top):
            label = f"{rev}:{entry.path}"
            if entry.size > MAX_FILE_BYTES:
                problems.append(Problem(label, None, None, "", f"file is over the {MAX_FILE_MIB} MiB limit"))
                continue
            relative = PurePosixPath(entry.path).relative_to(prefix) if prefix else PurePosixPath(entry.path)
            dest = root.joinpath(*relative.parts)
            if not dest.resolve().is_relative_to(root.resolve()):  # _refuse_unsafe already saw to it
                raise GitReadError(f"{label}: the path leaves the data directory; refusing to read it")
            blob = _read_objects(["cat-file", "blob", entry.oid], top)
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                # A private scratch copy, deleted below: no user file is written, so no atomic write.
                dest.write_bytes(blob)
            except OSError as exc:  # a name both a file and a folder, or too long for this system
                raise GitReadError(f"{label}: cannot copy it out of git: {exc.strerror or exc}") from None
            names[str(dest)] = label
        loaded = load_data([root])
    _relabel(loaded, problems, lambda name: names.get(name, name))
    return loaded


def _relabel(loaded: LoadedData, extra: Iterable[Problem], rename: Callable[[str], str]) -> None:
    """Name the documents and problems after their place in git rather than the scratch copy."""
    documents = [d.document for d in loaded.plans.values()] + [d.document for d in loaded.actuals.values()]
    for document in documents:
        document.path = Path(rename(document.name))
    loaded.problems = [
        Problem(rename(p.file), p.line, p.column, p.path, p.message, p.severity, p.code)
        for p in [*loaded.problems, *extra]
    ]
