"""Quotes copied from a PDF viewer: the damage viewers do to Arabic text, undone for matching.

A viewer copies what the PDF's text layer holds in the order it was drawn: a lam-alef ligature comes
back as alef-lam («الواليات» for «الولايات», «األمريكية» for «الأمريكية»), a word is cut where a
positioned vowel mark stands («يُس ّمى»), and a line break falls inside the sentence. Matching
compares the words' keys with spaces taken out and every lam-alef written alef-lam on both sides,
at whole-word boundaries of the source; the footnote then quotes the source's own words.
"""

from __future__ import annotations

import unicodedata

MIN_CHARS = 8  # a shorter pasted piece could stand anywhere


def _key(norm: str) -> str:
    return norm.replace("لا", "ال")


def pasted_runs(pieces: list, text: str) -> list[list[str]]:
    """The quote's word keys per piece, a fragment that opens with a vowel mark (a word the viewer cut at the
    mark) joined to the word before it."""
    runs = []
    for piece in pieces:
        run: list[str] = []
        for t in piece:
            raw = text[t.start:t.end]
            if run and raw and unicodedata.combining(raw[0]):
                run[-1] += t.norm
            else:
                run.append(t.norm)
        runs.append([_key(n) for n in run])
    return runs


def viewer_spans(runs: list[list[str]], words: list[str]) -> list[tuple[int, int]] | None:
    """(first, last) source word index of each run (from pasted_runs), in order, whole words, lam-alef read as
    alef-lam on both sides; None if they are not all found or too short to be told apart."""
    if not runs or any(not r for r in runs) or sum(len(w) for r in runs for w in r) < MIN_CHARS:
        return None
    keys = [_key(w) for w in words]
    spans: list[tuple[int, int]] = []
    at = 0
    for run in runs:
        n = len(run)
        first = next((i for i in range(at, len(keys) - n + 1) if keys[i:i + n] == run), None)
        if first is None:
            return None
        spans.append((first, first + n - 1))
        at = first + n
    return spans
