"""The one place errors become exit codes: a domain error's kind, a bug's 3, Ctrl-C's 130."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from kpitool.cli import app as cli_app
from kpitool.cli.app import KpitoolGroup
from kpitool.cli.common import CommandFailed
from kpitool.errors import KpitoolError, UsageError


def _app_raising(error: BaseException) -> typer.Typer:
    app = typer.Typer(cls=KpitoolGroup)

    @app.command()
    def fails() -> None:
        raise error

    @app.command()
    def other() -> None:  # two commands, so the app is a group as kpitool's is
        pass

    return app


@pytest.mark.parametrize(
    ("error", "code", "stderr"),
    [
        (UsageError("no such plan"), 2, "kpitool: error: no such plan\n"),
        (CommandFailed("2 error(s)"), 1, "kpitool: error: 2 error(s)\n"),
        (KpitoolError("[bold]kept[/] as written"), 1, "kpitool: error: [bold]kept[/] as written\n"),
        (CommandFailed(), 1, ""),
    ],
)
def test_a_domain_error_exits_with_its_kind(error: KpitoolError, code: int, stderr: str) -> None:
    result = CliRunner().invoke(_app_raising(error), ["fails"])
    assert (result.exit_code, result.stderr, result.stdout) == (code, stderr, "")


def test_any_other_exception_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_app, "app", _app_raising(ZeroDivisionError("oops")))
    monkeypatch.setattr("sys.argv", ["kpitool", "fails"])
    monkeypatch.delenv("KPITOOL_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli_app.main()
    assert exited.value.code == 3
    assert capsys.readouterr().err.startswith("kpitool: internal error: ZeroDivisionError: oops\n")
