"""What a source's quotes are matched against, for `sources show --text`: every passage in the order
quotes are searched, with its role (running text, headline, caption…), its ¶, pages and line."""

from __future__ import annotations

from ..read.sources import Source
from .match import BODY, CITABLE, NAMED


def matched_text(source: Source) -> list[dict]:
    """The passages a quote may match, running text first: {n, role, line, pages, text, note}."""
    rows = []
    for p in source.paragraphs:
        rows.append({"n": p.number, "role": p.role or "text", "line": p.line,
                     "pages": list(p.pages) if p.pages else None, "text": p.text,
                     "note": "repeats the article's words; not counted" if p.role == "pull-quote" else
                     "named in the footnote" if p.role in NAMED else None})
    rows.sort(key=lambda r: (0 if (None if r["role"] == "text" else r["role"]) in BODY else 1, r["line"]))
    for d in source.dropped:
        if d.rule in CITABLE:
            rows.append({"n": None, "role": d.rule, "line": d.line, "pages": None, "text": d.text,
                         "note": "set aside by cleaning; may be quoted, named in the footnote"})
    return rows


def format_row(row: dict) -> str:
    where = f"¶{row['n']}" if row["n"] is not None else f"line {row['line']}"
    pages = ""
    if row["pages"]:
        a, b = row["pages"]
        pages = f" p.{a}" if a == b else f" p.{a}-{b}"
    note = f"  ({row['note']})" if row["note"] else ""
    return f"{where} [{row['role']}{pages}]{note}  {row['text']}"
