"""SIGTERM and SIGHUP unwind like Ctrl-C: a write in progress removes its temporary file.

The whole command under a real signal is in the corpus (env-sigterm-mid-write,
env-sighup-mid-write, env-sigterm-mid-xlsx); here, the handler itself, in-process.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from kpitool.support.safe_write import atomic_path
from kpitool.support.signals import Terminated, terminate_on_signals

pytestmark = pytest.mark.durable  # the real os.fsync (tests/conftest.py: fast_fsync)


@pytest.fixture(autouse=True)
def restore_handlers() -> Iterator[None]:
    """Leave the test process's signal handlers as they were."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGHUP)}
    for signum in saved:
        signal.signal(signum, signal.SIG_DFL)
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_mid_write_removes_the_temporary_file(tmp_path: Path, signum: int, code: int) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    terminate_on_signals()

    def write_half_then_get_signalled() -> None:
        with atomic_path(target) as temp:
            temp.write_bytes(b"half")
            os.kill(os.getpid(), signum)

    with pytest.raises(Terminated) as info:
        write_half_then_get_signalled()
    assert (info.value.exit_code, info.value.name) == (code, signal.Signals(signum).name)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_a_second_signal_does_not_cut_the_clean_up_short() -> None:
    terminate_on_signals()
    with pytest.raises(Terminated):
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    os.kill(os.getpid(), signal.SIGHUP)  # ignored: nothing raised


def test_a_signal_ignored_at_start_stays_ignored() -> None:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup starts a program
    terminate_on_signals()
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL


def test_terminated_is_not_an_exception() -> None:
    """``except Exception`` blocks (a cache write, a renderer) must let it through."""
    assert not issubclass(Terminated, Exception)
