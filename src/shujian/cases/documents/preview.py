"""PDF and PNG previews of a rendered .docx, through LibreOffice and poppler's pdftoppm.

* Fonts: the official fonts are not on a Debian machine. LibreOffice runs with `FONTCONFIG_FILE`
  pointing to `fonts.conf`, which aliases them to Noto CJK.
* Profiles: each conversion gets its own, fresh LibreOffice profile (`-env:UserInstallation`);
  two soffice processes sharing a profile block or fail, which parallel test workers and web
  requests would otherwise do.
* Character grid: GB/T 9704's 28 characters a line make the grid cell (15.8 pt) narrower than
  the 16 pt font. Word and WPS squeeze each character into its cell; LibreOffice (7.4) gives a
  character wider than a cell two cells, so the page comes out at 14 characters a line. The
  preview therefore converts a copy whose grid is lines only and whose text is condensed by the
  cell's shortfall (0.25 pt): the same 28 × 22 page Word shows.
* Hanging punctuation: LibreOffice reads `w:overflowPunct` inverted (0 turns hanging on, see
  writerfilter's DomainMapper), and drops some hanging commas from the PDF. The copy flips the
  value, so that LibreOffice, like Word with the document's own value, keeps punctuation inside
  the type area.

The .docx itself is never changed.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx as python_docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

FONTS_CONF = Path(__file__).with_name("fonts.conf")
TIMEOUT_SECONDS = 180


class PreviewError(RuntimeError):
    """A converter is installed but failed on this file."""


def libreoffice() -> str | None:
    """Path of soffice/libreoffice if installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise PreviewError(f"{Path(cmd[0]).name} timed out after {TIMEOUT_SECONDS} s") from e


def _libreoffice_copy(source: Path, folder: Path) -> Path:
    """A copy of `source` whose character grid LibreOffice lays out as Word does (see above)."""
    doc = python_docx.Document(str(source))
    for part in (doc.styles.element, doc.element.body):
        for el in part.iter(qn("w:overflowPunct")):
            el.set(qn("w:val"), "0" if el.get(qn("w:val"), "1") in ("1", "true", "on") else "1")
    condense = 0
    for section in doc.sections:
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None or grid.get(qn("w:type")) not in ("linesAndChars", "snapToChars"):
            continue
        # charSpace: the cell's excess over the default font size, in 1/4096 pt; condensing is
        # in 1/20 pt, rounded down so that a character never exceeds its cell.
        condense = min(condense, math.floor(int(grid.get(qn("w:charSpace"), "0")) * 20 / 4096))
        grid.set(qn("w:type"), "lines")
    if condense < 0:
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        spacing = rpr.find(qn("w:spacing"))
        if spacing is None:
            spacing = OxmlElement("w:spacing")
            rpr.insert_element_before(spacing, *_RPR_AFTER_SPACING)
        spacing.set(qn("w:val"), str(condense))
    copy = folder / source.name
    doc.save(str(copy))
    return copy


# Children of w:rPr after w:spacing (schema order).
_RPR_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def to_pdf(docx: Path, out_dir: Path) -> Path | None:
    """Convert `docx` to `out_dir/<stem>.pdf`; None when LibreOffice is absent.

    Raises:
        PreviewError: LibreOffice ran but wrote no PDF.
    """
    soffice = libreoffice()
    if soffice is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / f"{docx.stem}.pdf"
    pdf.unlink(missing_ok=True)  # never mistake an old preview for this one
    env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
    with tempfile.TemporaryDirectory(prefix="shujian-soffice-") as work:
        profile = Path(work) / "profile"
        try:
            source = _libreoffice_copy(docx, Path(work))
        except Exception as e:  # python-docx raises several kinds on a damaged file
            raise PreviewError(f"cannot open {docx} as a .docx: {e}") from e
        proc = _run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(source),
            ],
            env,
        )
    if proc.returncode != 0 or not pdf.is_file():
        raise PreviewError(
            f"LibreOffice did not convert {docx} (exit {proc.returncode}): "
            f"{(proc.stderr or proc.stdout).strip()}"
        )
    return pdf


def to_png(pdf: Path, out_dir: Path, dpi: int = 80) -> list[Path]:
    """One PNG per page (`<stem>-1.png`, …) in page order; [] when pdftoppm is absent.

    Raises:
        PreviewError: pdftoppm ran but failed.
    """
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    # pdftoppm pads page numbers to the page count's width (-1 or -01): match either.
    page = re.compile(rf"^{re.escape(pdf.stem)}-(\d+)\.png$")
    for old in out_dir.iterdir():
        if page.match(old.name):
            old.unlink()
    proc = _run([pdftoppm, "-r", str(dpi), "-png", str(pdf), str(out_dir / pdf.stem)])
    if proc.returncode != 0:
        raise PreviewError(f"pdftoppm failed on {pdf}: {proc.stderr.strip()}")
    pages = [(int(m.group(1)), p) for p in out_dir.iterdir() if (m := page.match(p.name))]
    return [p for _, p in sorted(pages)]
