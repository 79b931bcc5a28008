"""Saving a .docx so that the same content always gives the same bytes.

An issued document is frozen: its SHA-256 is recorded when it is issued, and re-printing it must
give that very file (see `recommendations.render_again`). python-docx alone does not: every zip
entry carries the clock time of the save, and a package without core properties gets the save
time as its 修改时间. Here the package is written again with everything that varies fixed:

- core properties: created and modified are the issue date at 00:00 China time (stored as UTC,
  as OOXML wants), revision 1 — the document's date, not the machine's;
- zip entries: `[Content_Types].xml` first (as Office writes it), then the other parts by name;
  each with the issue date as its time, DEFLATE at one fixed level and fixed attributes.

What is left to change the bytes is the content, the wording and the code that lays them out
(this program and python-docx): the same release renders the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from docx.document import Document

CHINA = ZoneInfo("Asia/Shanghai")

CONTENT_TYPES = "[Content_Types].xml"

COMPRESS_LEVEL = 6
"""zlib's default; fixed so that a changed default elsewhere cannot change the bytes."""


def issue_instant(issued_on: dt.date) -> dt.datetime:
    """00:00 of the issue date in China, in UTC (2026-03-03 → 2026-03-02T16:00:00Z)."""
    midnight = dt.datetime.combine(issued_on, dt.time(), tzinfo=CHINA)
    return midnight.astimezone(dt.UTC)


def save_docx(doc: Document, out: Path, issued_on: dt.date) -> Path:
    """Write `doc` to `out` so that the same document and date give byte-identical files."""
    props = doc.core_properties
    instant = issue_instant(issued_on)
    # python-docx writes the value as given with a "Z": give it the UTC instant, without zone.
    props.created = instant.replace(tzinfo=None)
    props.modified = instant.replace(tzinfo=None)
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    out.write_bytes(repack(raw.getvalue(), issued_on))
    return out


def repack(package: bytes, issued_on: dt.date) -> bytes:
    """The zip `package` rewritten with its entries in a fixed order, time and compression."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    order = sorted(parts, key=lambda name: (name != CONTENT_TYPES, name))
    stamp = (issued_on.year, issued_on.month, issued_on.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # as on any platform: the default differs by OS
            info.external_attr = 0
            target.writestr(info, parts[name], compresslevel=COMPRESS_LEVEL)
    return out.getvalue()
