"""Standard streams: look-alikes for a legacy console, failed stdout writes as StreamError."""

from __future__ import annotations

import io

import pytest

from kpitool.cli.streams import LOOKALIKE_ERRORS, StreamError, _StdoutFile


@pytest.mark.parametrize(
    ("text", "cp932"),
    [
        ("—", "―"),  # EM DASH has no CP932 code; its dash 0x815C is U+2015
        ("−2.6", "－2.6"),
        ("R4〜R7", "R4～R7"),
        ("┡━╇━┩", "┝━┿━┥"),
        ("達成 ○ △ ×", "達成 ○ △ ×"),  # what CP932 has is kept
        ("😀", "?"),
    ],
)
def test_a_cp932_console_gets_look_alikes(text: str, cp932: str) -> None:
    assert text.encode("cp932", LOOKALIKE_ERRORS).decode("cp932") == cp932


def test_full_width_forms_come_from_nfkc() -> None:
    assert "Ⅻ".encode("ascii", LOOKALIKE_ERRORS) == b"XII"


def test_a_failed_write_to_stdout_is_a_stream_error() -> None:
    with open("/dev/full", "wb") as full:
        stream = io.TextIOWrapper(io.BufferedWriter(_StdoutFile(full.fileno(), "w", closefd=False)))
        stream.write("x")
        with pytest.raises(StreamError, match="No space left on device") as info:
            stream.flush()
        stream.buffer.raw.close()  # nothing more to flush when it is collected
    assert not info.value.broken_pipe
    assert info.value.exit_kind == 1
