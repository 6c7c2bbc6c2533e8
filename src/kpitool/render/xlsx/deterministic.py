"""Byte-identical .xlsx files: the same inputs give the same bytes, so reports can be committed and diffed.

openpyxl stamps the save time twice: into ``docProps/core.xml`` (created /
modified) and into the date of every zip entry. :func:`deterministic_xlsx`
rewrites the saved zip with one fixed time everywhere, fixed entry attributes
and a fixed compression level; everything else openpyxl writes is already in a
stable order.

The fixed time is ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds
convention: seconds since 1970 UTC, e.g. ``$(git log -1 --format=%ct)``), else
1980-01-01 00:00:00 UTC, the earliest time a zip entry can hold. Identity holds
for the same kpitool, openpyxl and zlib versions.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kpitool.errors import ExitKind, KpitoolError

__all__ = ["DEFAULT_EPOCH", "EpochError", "deterministic_xlsx", "fixed_time", "saved_uncompressed"]

DEFAULT_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
"""The time stamped when ``SOURCE_DATE_EPOCH`` is not set: the zip format's earliest date."""

_ZIP_MIN = datetime(1980, 1, 1, tzinfo=UTC)
_ZIP_MAX = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)
_CORE = "docProps/core.xml"
_CORE_DATE = re.compile(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


class EpochError(KpitoolError, ValueError):
    """``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds in range (a usage error)."""

    exit_kind = ExitKind.USAGE


def fixed_time(environ: Mapping[str, str]) -> datetime:
    """The time to stamp: ``SOURCE_DATE_EPOCH`` from ``environ`` if set, else :data:`DEFAULT_EPOCH`.

    Raises :class:`EpochError` for a value that is not a plain integer or lies
    outside the dates a zip file can hold (1980–2107).
    """
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return DEFAULT_EPOCH
    if not raw.isdigit():
        raise EpochError(f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds since 1970")
    try:
        when = datetime.fromtimestamp(int(raw), tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise EpochError(f"SOURCE_DATE_EPOCH={raw!r} is out of range") from None
    if not _ZIP_MIN <= when <= _ZIP_MAX:
        raise EpochError(f"SOURCE_DATE_EPOCH={raw!r} lies outside 1980–2107, the dates a zip file can hold")
    return when


def _core_xml(data: bytes, when: datetime) -> bytes:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = data.decode("utf-8")
    return _CORE_DATE.sub(lambda m: f"{m.group(1)}{stamp}{m.group(3)}", text).encode("utf-8")


def deterministic_xlsx(
    raw: bytes, when: datetime = DEFAULT_EPOCH, parts: Mapping[str, bytes] | None = None
) -> bytes:
    """Rewrite a saved workbook so that nothing in it depends on the time it was written.

    Entries keep their order and content (but those named in ``parts``, which get the bytes
    given: :func:`kpitool.render.xlsx.prewritten.deferred`); each gets the date ``when``, MS-DOS
    attributes and deflate level 6; ``dcterms:created`` and ``dcterms:modified``
    in ``docProps/core.xml`` become ``when``.
    """
    when = max(_ZIP_MIN, min(when.astimezone(UTC), _ZIP_MAX))
    date_time = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target,
    ):
        for item in source.infolist():
            data = parts[item.filename] if parts and item.filename in parts else source.read(item)
            if item.filename == _CORE:
                data = _core_xml(data, when)
            info = zipfile.ZipInfo(item.filename, date_time)
            info.create_system = 0  # the default follows the platform; fix it
            info.external_attr = 0
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=6)
    return out.getvalue()


def saved_uncompressed(workbook: Any) -> bytes:
    """What ``workbook.save`` writes, its entries stored rather than deflated.

    :func:`deterministic_xlsx` deflates every entry again anyway: compressing them here too
    cost ~10 ms of a cold ``report`` (issue 18). The same steps as openpyxl's ``save`` (a
    write-only workbook without sheets gets one; the modified time is set, then fixed).
    """
    from openpyxl.writer.excel import ExcelWriter

    if workbook.read_only:
        raise TypeError("Workbook is read-only")  # as openpyxl's save; kpitool saves none
    if workbook.write_only and not workbook.worksheets:
        workbook.create_sheet()
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True)
    workbook.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
    ExcelWriter(workbook, archive).save()
    return buffer.getvalue()
