"""The one bounded read: regular files only, at most MAX_FILE_BYTES, each refusal with its reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kpitool.problems import DataError
from kpitool.sources.documents import read_document
from kpitool.sources.safe_read import MAX_FILE_BYTES, FileRefused, Refusal, read_bounded
from kpitool.sources.table_file import TableError, read_csv_rows
from kpitool.sources.workbook import WorkbookError, open_workbook


def _refusal(path: Path) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        read_bounded(path)
    return info.value


def test_reads_a_file_whole_or_its_head(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"0123456789")
    assert read_bounded(path) == b"0123456789"
    assert read_bounded(path, head=4) == b"0123"


def test_a_directory_is_refused_in_the_readers_words(tmp_path: Path) -> None:
    refused = _refusal(tmp_path)
    assert refused.reason is Refusal.DIRECTORY
    assert refused.describe() == "is a directory, not a file"
    assert refused.describe("workbook") == "is a directory, not a workbook"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    refused = _refusal(path)  # opening it would block until a writer came
    assert (refused.reason, refused.describe()) == (Refusal.NOT_REGULAR, "is not a regular file")


def test_a_missing_file_is_unreadable_with_the_systems_reason(tmp_path: Path) -> None:
    refused = _refusal(tmp_path / "missing.yaml")
    assert refused.reason is Refusal.UNREADABLE
    assert refused.describe() == "cannot read: No such file or directory"


def test_a_file_over_the_cap_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse
    refused = _refusal(path)
    assert (refused.reason, refused.size, refused.while_read) == (
        Refusal.TOO_LARGE,
        MAX_FILE_BYTES + 1,
        False,
    )
    assert refused.describe() == "file is 20 MiB, over the 20 MiB limit"
    assert (
        FileRefused(Refusal.TOO_LARGE, size=1, while_read=True).describe() == "file is over the 20 MiB limit"
    )


def test_every_reader_uses_it(tmp_path: Path) -> None:
    path = tmp_path / "big"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(TableError, match=r"big: file is 20 MiB, over the 20 MiB limit$"):
        read_csv_rows(path)
    with pytest.raises(WorkbookError, match=r"big: file is 20 MiB, over the 20 MiB limit$"):
        open_workbook(path)
    with pytest.raises(DataError) as info:
        read_document(path)
    (problem,) = info.value.problems
    assert (problem.code, problem.message) == (
        "size",
        "file is 20.0 MiB, over the 20 MiB limit for a plan data file (plans are well under 1 MiB)",
    )
