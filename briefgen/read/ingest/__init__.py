"""Ingest stage (reading): web pages, URLs and PDF articles -> plain article text plus the metadata they state.

The text is saved as a .txt beside the kept original and then read like any other article
(briefgen/read/sources.py): the same decoding, cleaning and ¶ numbering.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import InputError
from .extracted import Extracted

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
PDF_SUFFIXES = (".pdf",)
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def is_url(text: str) -> bool:
    return bool(URL.match(text))


def page_folder(path: Path) -> Path:
    """A folder saved with a page (or holding one): its single .html page."""
    pages = sorted(p for p in path.iterdir() if p.suffix.lower() in PAGE_SUFFIXES and p.is_file())
    index = [p for p in pages if p.stem.lower() == "index"]
    if len(pages) == 1 or index:
        return (index or pages)[0]
    raise InputError(f"{path} holds {len(pages)} web pages, expected one", code="page-folder", file=str(path),
                     hint="give the .html file itself")


def extract_file(path: Path) -> Extracted:
    """A saved page or a PDF, by its extension; the original's bytes come along."""
    from .page import extract_page
    from .pdf import extract_pdf

    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in PAGE_SUFFIXES:
        result = extract_page(raw, str(path))
    elif suffix in PDF_SUFFIXES:
        result = extract_pdf(raw, str(path))
    else:
        raise InputError(f"{path.name}: not a page or a PDF", code="bad-extension", file=str(path))
    result.raw = raw
    return result


def extract_original(raw: bytes, suffix: str, name: str) -> Extracted:
    """Extract again from a kept original (to list what extraction left out, or to compare versions)."""
    from .page import extract_page
    from .pdf import extract_pdf

    result = extract_pdf(raw, name) if suffix.lower() in PDF_SUFFIXES else extract_page(raw, name)
    result.raw = raw
    return result


def left_out(original: Path) -> list[tuple[str, str]]:
    """What extraction left out of a kept original (navigation, share bars, running heads…)."""
    return extract_original(original.read_bytes(), original.suffix, str(original)).dropped


def check_original(original: Path | None, recorded: str | None) -> str:
    """Where a source's original is and whether it still has the recorded hash."""
    import hashlib

    if original is None:
        return "no original: the article was added as text"
    if not original.is_file():
        return f"{original}: missing (sources.yaml records it, but the file is gone)"
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    if recorded is None:
        return f"{original} (sha256 {digest}; none recorded)"
    state = "unchanged" if digest == recorded else f"CHANGED since it was added (recorded sha256 {recorded})"
    return f"{original} (sha256 {digest}, {state})"


__all__ = ["PAGE_SUFFIXES", "PDF_SUFFIXES", "Extracted", "check_original", "extract_file", "extract_original",
           "is_url", "left_out", "page_folder"]
