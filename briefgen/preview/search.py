"""Preview stage: search the brief's sources the way quotes are matched (Arabic folded: hamza seats,
diacritics, tatweel, glued prefixes), the last word of the query matching as a prefix while typing."""

from __future__ import annotations

from ..arabic import tokens

MAX_HITS = 200
SNIPPET = 90  # characters of context on each side of a hit


def query_words(query: str) -> list[str]:
    return [t.norm for t in tokens(query[:300]) if t.norm[:1].isalnum()]


def find(words: list[str], toks) -> list[tuple[int, int]]:
    """(start, end) of each run of `toks` matching `words`: equal words, the last one as a prefix."""
    toks = [t for t in toks if t.norm[:1].isalnum()]
    out, n = [], len(words)
    for i in range(len(toks) - n + 1):
        if all(toks[i + j].norm == words[j] for j in range(n - 1)) and toks[i + n - 1].norm.startswith(words[-1]):
            out.append((toks[i].start, toks[i + n - 1].end))
    return out


def search_sources(library, query: str) -> dict:
    """Every paragraph of every source holding the query: its source, ¶, a snippet and the hit's offsets in it."""
    words = query_words(query)
    hits: list[dict] = []
    total = 0
    if not words or library is None:
        return {"query": query, "hits": hits, "total": 0}
    for source in library.sources.values():
        for p in source.paragraphs:
            for a, b in find(words, p.tokens):
                total += 1
                if len(hits) >= MAX_HITS:
                    continue
                start, end = max(0, a - SNIPPET), min(len(p.text), b + SNIPPET)
                hits.append({"source": source.ref.id, "title": source.ref.title, "para": p.number,
                             "snippet": p.text[start:end], "hit": [a - start, b - start],
                             "before": start > 0, "after": end < len(p.text)})
    return {"query": query, "hits": hits, "total": total}
