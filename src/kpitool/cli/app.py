"""The command line: the Typer app, its command groups, and the one place errors become exit codes.

Exit codes: 0 fine, 1 bad data (or a failed write), 2 bad usage, 3 a bug, 130
interrupted. Commands and their helpers raise domain errors
(:class:`~kpitool.errors.KpitoolError`); :class:`KpitoolGroup` prints their
message on stderr and exits with their :attr:`~kpitool.errors.KpitoolError.exit_kind`,
and :func:`main` turns anything else into an internal error. Reports go to
stdout (or ``--output``), diagnostics to stderr. The command modules import
only typer and the standard library at the top, so ``kpitool --help`` stays
fast, and only the invoked command's module is imported and built
(:mod:`kpitool.cli.commands`).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from kpitool.cli.streams import StreamError, discard_stdout, prepare_streams
from kpitool.errors import ExitKind, KpitoolError
from kpitool.support.signals import Terminated, terminate_on_signals

__all__ = ["KpitoolGroup", "app", "main"]


class KpitoolGroup(TyperGroup):
    """The app's command group: runs a command and maps a domain error to its exit code.

    Its commands are built when first asked for (:class:`~kpitool.cli.commands.LazyCommands`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kpitool.cli.commands import LazyCommands

        if not self.commands:  # kpitool's app registers none itself; a test's group keeps its own
            self.commands = LazyCommands(kwargs.get("rich_markup_mode"))

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, ``--help`` among them (made here), each with its lean converter."""
        from kpitool.cli.coercion import lean_parameters

        params: list[Any] = super().get_params(ctx)
        lean_parameters(params)
        return params

    def invoke(self, ctx: Any) -> Any:
        """Run the command; on a :class:`KpitoolError` print ``kpitool: error: …`` and exit with its kind.

        An error without a message was reported already (``validate`` lists its problems).
        A failed write to stdout goes on to :func:`main`, which also sees the last flush.
        """
        try:
            return super().invoke(ctx)
        except typer.BadParameter as exc:
            # Typer checks choices with pydantic, whose wording ("Value error, …") is not ours.
            exc.message = exc.message.removeprefix("Value error, ")
            raise
        except StreamError:
            raise
        except KpitoolError as exc:
            message = str(exc)
            if message:
                from kpitool.cli.common import stderr

                stderr().print(f"kpitool: error: {message}", markup=False)
            raise typer.Exit(int(exc.exit_kind)) from None


app = typer.Typer(
    name="kpitool",
    cls=KpitoolGroup,
    help="Evaluate the KPIs of Japanese municipal plans (総合計画・総合戦略・連携中枢都市圏ビジョン) "
    "from YAML kept in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: typer's rich panels import rich's markdown, syntax and
    # traceback machinery and would make `kpitool --help` 1.6x the import floor (see
    # docs/performance.md); plain text is also what CI logs and Windows consoles show best.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 72},
)


def _print_version(value: bool) -> None:
    if value:
        from kpitool import __version__

        typer.echo(f"kpitool {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print kpitool's version and exit."
        ),
    ] = False,
) -> None:
    """The options before the command (``kpitool --version``)."""


def main() -> None:
    """Console entry point: run the app; never show a traceback for an expected failure.

    A write to stdout that fails (full, closed, a reader gone: :mod:`kpitool.cli.streams`)
    is exit 1 with one line, or silently for a broken pipe; another OSError (the file
    system refused something no check foresaw) is exit 1 naming the file and the reason.
    Ctrl-C is exit 130; SIGTERM and SIGHUP unwind the same way (143, 129).
    """
    prepare_streams()
    terminate_on_signals()
    try:
        try:
            app()
        finally:
            sys.stdout.flush()  # inside the try: a report still buffered can fail here
    except StreamError as exc:
        discard_stdout()
        if not exc.broken_pipe:
            sys.stderr.write(f"kpitool: error: {exc}\n")
        sys.exit(ExitKind.DATA)
    except KeyboardInterrupt:
        sys.stderr.write("kpitool: interrupted\n")
        sys.exit(130)
    except Terminated as exc:
        sys.stderr.write(f"kpitool: terminated by {exc.name}\n")
        sys.exit(exc.exit_code)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"kpitool: error: {where}{exc.strerror or exc}\n")
        sys.exit(ExitKind.DATA)
    except Exception as exc:  # a bug: say so plainly, show the traceback only on request
        if os.environ.get("KPITOOL_DEBUG"):
            raise
        sys.stderr.write(
            f"kpitool: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in kpitool; rerun with KPITOOL_DEBUG=1 for details and report it.\n"
        )
        sys.exit(ExitKind.INTERNAL)
