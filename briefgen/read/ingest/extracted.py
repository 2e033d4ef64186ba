"""What extraction yields from one original: its text, the metadata it states, what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    roles: dict[int, str] = field(default_factory=dict)  # .txt line -> role of a paragraph that is not body text
