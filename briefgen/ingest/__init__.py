"""Ingest stage: web pages, URLs and PDF articles -> plain article text plus the metadata they state.

The text is saved as a .txt beside the kept original and then read like any other article
(briefgen/sources.py): the same decoding, cleaning and ¶ numbering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
PDF_SUFFIXES = (".pdf",)
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


@dataclass
class Extracted:
    """What one original yields: article text (paragraphs separated by blank lines) and stated metadata."""

    text: str
    meta: dict[str, str]  # title, publisher, author, date (YYYY-MM-DD), url, lang: only what the original states
    kind: str  # "html" or "pdf"
    suffix: str  # of the kept original: ".html" or ".pdf"
    raw: bytes = b""  # the original's bytes, kept unchanged
    pages: list[int] | None = None  # PDF: the .txt line where each page starts
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (text, rule) left out by extraction
    accessed: str | None = None  # URL: the retrieval date, YYYY-MM-DD (UTC)
    fetched_from: str | None = None  # URL: the address finally fetched (after redirects)


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
