"""Data at a git revision: --rev ranges, kpitool diff between revisions, git's errors as usage errors."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.render.diff import MARKDOWN_MARKER
from kpitool.sources.git import GitError, parse_rev_range
from tests.diff.test_compare import ACTUALS, OTHER_PLAN, PLAN, TARGET_MOVED, write_tree


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("main..feature", ("main", "feature", False)),
        ("main...feature", ("main", "feature", True)),
        ("origin/main..", ("origin/main", "HEAD", False)),
        ("HEAD~1", ("HEAD~1", None, False)),
    ],
)
def test_parse_rev_range(spec: str, expected: tuple[str, str | None, bool]) -> None:
    parsed = parse_rev_range(spec)
    assert (parsed.old, parsed.new, parsed.from_merge_base) == expected


@pytest.mark.parametrize("spec", ["", " ", "--output=x..HEAD", "HEAD..-x", "-x"])
def test_parse_rev_range_refuses_empty_and_option_like_revisions(spec: str) -> None:
    with pytest.raises(GitError):
        parse_rev_range(spec)


GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(repo)}  # no user config leaks in
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def hostile_commit(
    repo: Path, parts: list[str], mode: str = "100644", content: str = "id: pwned\n", branch: str = "evil"
) -> str:
    """A commit on HEAD, on ``branch``, whose ``data/`` tree gains ``data/<parts…>``, built with git's plumbing.

    ``mktree`` takes names a checkout never makes (``..``, ``.git``) and any mode: a
    symlink (120000, ``content`` is the link's target) or a submodule (160000).
    """
    if mode == "160000":
        kind, oid = "commit", git(repo, "rev-parse", "HEAD")
    else:
        kind, oid = "blob", git(repo, "hash-object", "-w", "--stdin", stdin=content)
    entry = f"{mode} {kind} {oid}\t{parts[-1]}"
    for name in reversed(parts[:-1]):
        entry = f"040000 tree {git(repo, 'mktree', stdin=entry + chr(10))}\t{name}"
    data = git(repo, "mktree", stdin=git(repo, "ls-tree", "HEAD:data") + "\n" + entry + "\n")
    others = [line for line in git(repo, "ls-tree", "HEAD").splitlines() if not line.endswith("\tdata")]
    root = git(repo, "mktree", stdin="\n".join([*others, f"040000 tree {data}\tdata"]) + "\n")
    commit = git(repo, "commit-tree", root, "-p", "HEAD", "-m", "hostile tree")
    git(repo, "branch", "-f", branch, commit)
    return commit


def make_repo(base: Path) -> Path:
    """A repository: commit 1 holds PLAN and ACTUALS; commit 2 moves a target, adds a plan, fixes R4."""
    root = base / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    data = root / "data"
    write_tree(data, {"demo.yaml": PLAN}, {"demo.yaml": ACTUALS})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "plan data")
    write_tree(
        data,
        {"demo.yaml": TARGET_MOVED, "other.yaml": OTHER_PLAN},
        {"demo.yaml": ACTUALS.replace("R4: {value: 120", "R4: {value: 121")},
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "move a target")
    return root


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """:func:`make_repo` in ``tmp_path``, the working directory."""
    root = make_repo(tmp_path)
    monkeypatch.chdir(root)
    return root


@pytest.mark.slow  # runs git
def test_diff_of_two_git_revisions(runner: CliRunner, repo: Path) -> None:
    result = runner.invoke(app, ["diff", "--rev", "HEAD~1..HEAD", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["old"], document["new"]) == ("HEAD~1", "HEAD")
    assert document["counts"] == {"plan-added": 1, "target-change": 1, "past-actual-change": 1}
    assert git(repo, "status", "--porcelain") == ""  # nothing checked out or written


@pytest.mark.slow  # runs git
def test_diff_of_a_revision_against_the_working_tree(runner: CliRunner, repo: Path) -> None:
    (repo / "data" / "plans" / "other.yaml").unlink()
    result = runner.invoke(app, ["diff", "--rev", "HEAD", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["new"] == "data (working tree)"
    assert document["counts"] == {"plan-removed": 1}


@pytest.mark.slow  # runs git
def test_diff_from_the_merge_base_shows_only_the_branch(runner: CliRunner, repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature", "HEAD~1")
    branch_plan = PLAN.replace(
        "baseline: {value: 100, period: R1年度}", "baseline: {value: 90, period: R1年度}"
    )
    write_tree(repo / "data", {"demo.yaml": branch_plan}, {"demo.yaml": ACTUALS})
    git(repo, "commit", "-q", "-am", "rebase a baseline")
    both = json.loads(runner.invoke(app, ["diff", "--rev", "main..feature", "-f", "json"]).stdout)
    own = json.loads(runner.invoke(app, ["diff", "--rev", "main...feature", "-f", "json"]).stdout)
    assert "target-change" in both["counts"]  # main's own change shows, reversed
    assert own["counts"] == {"baseline-change": 1}
    assert "merge base of main and feature" in own["old"]


@pytest.mark.slow  # runs git
def test_markdown_of_git_revisions_and_fail_on(runner: CliRunner, repo: Path) -> None:
    result = runner.invoke(
        app, ["diff", "--rev", "HEAD~1..HEAD", "-f", "markdown", "--fail-on", "past-actual-change"]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith(MARKDOWN_MARKER)
    assert "`HEAD~1` → `HEAD`" in result.stdout
    assert (
        "| ⚠️ | **過去の実績値の変更** | ① 労働者数 `workers` | R4 実績値 | 120 | **121** |" in result.stdout
    )


@pytest.mark.slow  # runs git
def test_data_option_picks_the_directory_in_git(runner: CliRunner, repo: Path) -> None:
    (repo / "plans-elsewhere").mkdir()
    result = runner.invoke(app, ["diff", "--rev", "HEAD~1..HEAD", "--data", "plans-elsewhere"])
    assert result.exit_code == 0
    assert "no plan data under plans-elsewhere" in result.stderr


@pytest.mark.slow  # runs git
def test_broken_file_in_a_revision_is_named_by_revision(runner: CliRunner, repo: Path) -> None:
    (repo / "data" / "plans" / "demo.yaml").write_text("id: demo\nid: again\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "break it")
    result = runner.invoke(app, ["diff", "--rev", "HEAD~1..HEAD"])
    assert result.exit_code == 1
    assert "HEAD:data/plans/demo.yaml:2:1: id: duplicate key 'id'" in result.stderr


@pytest.mark.parametrize(
    ("rev", "message"),
    [("nope..HEAD", "unknown git revision 'nope'"), ("-x", "cannot start with '-'")],
)
@pytest.mark.slow  # runs git
def test_bad_revisions_are_usage_errors(runner: CliRunner, repo: Path, rev: str, message: str) -> None:
    result = runner.invoke(app, ["diff", f"--rev={rev}"])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.slow  # runs git
def test_outside_a_repository_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "plain"
    write_tree(outside / "data", {"demo.yaml": PLAN})
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = runner.invoke(app, ["diff", "--rev", "HEAD~1..HEAD"])
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow  # runs git
def test_an_unreadable_object_of_a_real_revision_is_bad_data(runner: CliRunner, repo: Path) -> None:
    # The revision exists, but its file cannot be read (a damaged repository): exit 1, not 2.
    blob = git(repo, "rev-parse", "HEAD:data/plans/other.yaml")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    result = runner.invoke(app, ["diff", "--rev", "HEAD~1..HEAD"])
    assert result.exit_code == 1
    assert result.stderr.startswith("kpitool: error: --rev: ")
    assert "Traceback" not in result.output


HOSTILE = [
    (["..", "..", "escaped.yaml"], "100644", "holds an entry named '..'"),
    (["plans", "..", "..", "..", "escaped.yaml"], "100644", "holds an entry named '..'"),
    ([".git", "hooks.yaml"], "100644", "holds an entry named '.git'"),
    (["plans", ".", "x.yaml"], "100644", "holds an entry named '.'"),
    (["plans", "link.yaml"], "120000", "is a symbolic link in git"),
    (["vendor"], "160000", "is a submodule"),
]
"""Each hostile entry of a data tree: its path, its git mode, what the refusal says."""


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`make_repo` with a branch ``evil-<n>`` for each of :data:`HOSTILE`, made once (git is slow)."""
    root = make_repo(tmp_path_factory.mktemp("hostile"))
    for number, (parts, mode, _) in enumerate(HOSTILE):
        content = "../../../../etc/passwd" if mode == "120000" else "id: x\n"
        hostile_commit(root, parts, mode, content, branch=f"evil-{number}")
    return root


@pytest.mark.parametrize("number", range(len(HOSTILE)), ids=[f"{h[2]}-{h[1]}" for h in HOSTILE])
def test_a_hostile_tree_is_refused_and_nothing_is_written_outside(
    runner: CliRunner, hostile_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    parts, _, message = HOSTILE[number]
    # The scratch copy lives in tmp_path/scratch/kpitool-diff-XXXX: `../../escaped.yaml` from
    # the data directory would land at tmp_path/escaped.yaml.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    monkeypatch.chdir(hostile_repo)
    result = runner.invoke(app, ["diff", "--rev", f"HEAD..evil-{number}"])
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stderr.startswith(f"kpitool: error: --rev: evil-{number}:data/{'/'.join(parts)}: ")
    assert not [*tmp_path.rglob("escaped.yaml"), *hostile_repo.parent.rglob("escaped.yaml")]
    assert list(scratch.iterdir()) == []  # the scratch copy is gone too
