"""Commands for the people who keep plan data in git: ``schema`` and ``diff``.

``schema`` prints the JSON Schema editors use for completion and squiggles;
``diff`` shows what a change to the data does to targets, baselines and
actuals, for a reviewer or as a pull-request comment.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpitool.cli.common import (
    CommandFailed,
    DataOption,
    KpitoolCommand,
    WidthOption,
    print_problems,
    refuse_terminal_output,
    stderr,
    table_width,
    write_output,
)
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from kpitool.diff.changes import ChangeKind, DataDiff
    from kpitool.sources.tree import LoadedData

__all__ = ["register"]


class SchemaChoice(StrEnum):
    """Which schema ``kpitool schema`` prints."""

    PLAN = "plan"
    ACTUALS = "actuals"


class DiffFormat(StrEnum):
    """Output formats of ``diff``."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


FAIL_ON_ANY = "any"
FAIL_ON_ATTENTION = "attention"


def schema(
    kind: Annotated[
        SchemaChoice,
        typer.Argument(metavar="KIND", help="plan (data/plans/*.yaml) or actuals (data/actuals/*.yaml)."),
    ] = SchemaChoice.PLAN,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the schema here (atomically) instead of stdout."
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of plan or actuals files, for editors (yaml-language-server) and CI.

    The repository commits both under schemas/. A data file names its schema on its first line:

    # yaml-language-server: $schema=../../schemas/plan.schema.json
    """
    from kpitool.model.schema import SchemaKind, schema_text

    write_output(schema_text(SchemaKind(kind.value)), output)


def _fail_on_kinds(values: list[str]) -> set[str]:
    """The kinds named by ``--fail-on`` (repeatable, or comma-separated); usage error if unknown."""
    from kpitool.diff.changes import ChangeKind

    known = [kind.value for kind in ChangeKind]
    chosen: set[str] = set()
    for value in values:
        for item in value.split(","):
            name = item.strip()
            if not name:
                continue
            if name not in (*known, FAIL_ON_ANY, FAIL_ON_ATTENTION):
                raise UsageError(
                    f"--fail-on: unknown kind {name!r}; choose from {FAIL_ON_ANY}, {FAIL_ON_ATTENTION}, "
                    + ", ".join(known)
                )
            chosen.add(name)
    return chosen


def _matching(diff: DataDiff, kinds: set[str]) -> dict[ChangeKind, int]:
    """Counts of the changes that ``--fail-on`` names."""
    return {
        kind: n
        for kind, n in diff.counts().items()
        if FAIL_ON_ANY in kinds
        or kind.value in kinds
        or (FAIL_ON_ATTENTION in kinds and any(c.attention for c in diff.changes if c.kind is kind))
    }


def _readable(loaded: LoadedData, side: str) -> LoadedData:
    """Stop (exit 1) if files of one side cannot be read: a diff would show them as removed."""
    from kpitool.problems import Severity

    errors = [p for p in loaded.problems if p.severity is Severity.ERROR]
    if errors:
        print_problems(errors)
        raise CommandFailed(f"{len(errors)} error(s) in the {side} data; a diff needs both sides readable")
    return loaded


def _load_directory(path: Path, side: str) -> LoadedData:
    from kpitool.sources.tree import load_data

    if not path.exists():
        raise UsageError(f"{side}: no such file or directory: {path}")
    return _readable(load_data([path]), side)


def _load_revisions(spec: str, data: Path) -> tuple[LoadedData, LoadedData, str, str]:
    from kpitool.sources.git import GitError, load_revision, merge_base, parse_rev_range

    try:
        revisions = parse_rev_range(spec)
        old_rev = revisions.old
        if revisions.from_merge_base:
            assert revisions.new is not None
            old_rev = merge_base(revisions.old, revisions.new)
        old = load_revision(old_rev, data)
        if revisions.new is None:
            if not data.is_dir():
                raise UsageError(
                    f"--data {str(data)!r} is not a directory (the working tree side of --rev {spec})"
                )
            from kpitool.sources.tree import load_data

            new, new_label = load_data([data]), f"{data} (working tree)"
        else:
            new, new_label = load_revision(revisions.new, data), revisions.new
    except GitError as exc:  # the same error (and exit kind), naming the option
        raise type(exc)(f"--rev: {exc}") from None
    old_label = old_rev
    if revisions.from_merge_base:
        old_label = f"{old_rev[:10]} (merge base of {revisions.old} and {revisions.new})"
    if not old.plans and not old.actuals and not new.plans and not new.actuals:
        stderr().print(
            f"kpitool: warning: no plan data under {data} in either version (give it with --data DIR)",
            markup=False,
        )
    return _readable(old, old_label), _readable(new, new_label), old_label, new_label


def diff(
    old: Annotated[
        Path | None,
        typer.Argument(metavar="OLD", help="Old data directory (or use --rev).", show_default=False),
    ] = None,
    new: Annotated[
        Path | None, typer.Argument(metavar="NEW", help="New data directory.", show_default=False)
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option(
            "--rev",
            metavar="A..B",
            help="Compare git revisions instead of directories: A..B, A...B (B against its merge base "
            "with A, a pull request's own changes), or A (A against the working tree). Reads git "
            "objects; no checkout.",
            show_default=False,
        ),
    ] = None,
    data: DataOption = Path("data"),
    fmt: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", help="table, json, or markdown (a pull-request comment)."),
    ] = DiffFormat.TABLE,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="KIND",
            help="Exit 1 if changes of this kind are present (repeatable or comma-separated): e.g. "
            "target-change, baseline-change, past-actual-change, kpi-removed, grade-change (an "
            "official grade changed, or a computed grade flipped); 'attention' for every red flag, "
            "'any' for any change.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write json/markdown here (atomically) instead of stdout."
        ),
    ] = None,
    width: WidthOption = None,
) -> None:
    """Show what changed in the plan data: KPIs, targets (目標値), baselines, actuals, grades.

    Compares two data directories (OLD NEW) or two git revisions (--rev).

    Exit 0 whatever changed, unless --fail-on names a kind of change that is present (then 1).
    """
    kinds = _fail_on_kinds(fail_on or [])
    if rev is not None:
        if old is not None or new is not None:
            raise UsageError(
                "give either OLD NEW directories or --rev, not both (use --data to pick the directory)"
            )
        old_data, new_data, old_label, new_label = _load_revisions(rev, data)
    else:
        if old is None or new is None:
            raise UsageError("give two data directories (OLD NEW), or --rev A..B")
        old_data, new_data = _load_directory(old, "OLD"), _load_directory(new, "NEW")
        old_label, new_label = str(old), str(new)
    from kpitool.diff.compare import diff_data
    from kpitool.render.registry import DIFF

    refuse_terminal_output(output, fmt.value, DIFF)
    result = diff_data(old_data, new_data, old_label=old_label, new_label=new_label)
    write_output(DIFF[fmt.value](result, table_width(width)), output)
    matched = _matching(result, kinds)
    if matched:
        found = ", ".join(f"{n} {kind.value}" for kind, n in matched.items())
        raise CommandFailed(f"changes named by --fail-on are present: {found}")


def register(app: typer.Typer) -> None:
    """Add ``schema`` and ``diff`` to the app."""
    app.command("schema", cls=KpitoolCommand, short_help="Print the JSON Schema of the data files.")(schema)
    app.command("diff", cls=KpitoolCommand, short_help="Show what changed in the plan data.")(diff)
