"""Quotes copied from a PDF viewer: the damage viewers do to Arabic text, undone for matching.

A viewer copies what the PDF's text layer holds in the order it was drawn: a lam-alef ligature comes
back as alef-lam («الواليات» for «الولايات», «األمريكية» for «الأمريكية»), a word is cut where a
positioned vowel mark stands («يُس ّمى»), and a line break falls inside the sentence. Matching
compares the words' keys with spaces taken out and every lam-alef written alef-lam on both sides,
at whole-word boundaries of the source; the footnote then quotes the source's own words.
"""

from __future__ import annotations

import re

MIN_CHARS = 8  # a shorter pasted piece could stand anywhere
MAX_PARTS = 4  # fragments a viewer may cut one word into
_PROCLITIC = {"ب", "ل", "ك", "و", "ف"}  # typed alone, a word of its own: glued on only in a visible viewer copy
_NUMBER = re.compile(r"\d")
_DIGITS_LETTERS = re.compile(r"(?<=\d)(?=[^\W\d])|(?<=[^\W\d])(?=\d)")
# What only a viewer's copy holds: the embedding controls poppler wraps each right-to-left line in
# (U+202A-U+202E), or a vowel mark cut from its letter, standing first in a word («ل ّلجنة», «رسميا ً»).
_VIEWER_MARK = re.compile("[\u202a-\u202e]|(?<!\\S)[\u064b-\u0652]")


def _key(norm: str) -> str:
    return norm.replace("لا", "ال")


def _split(norm: str) -> list[str]:
    """A viewer glues a number to the next word when the direction changes («2011وما»): cut them apart."""
    return [part for part in _DIGITS_LETTERS.split(norm) if part]


def marked(quote: str) -> bool:
    """Whether the quote as given (invisible characters and all) carries a viewer's own marks."""
    return bool(_VIEWER_MARK.search(quote))


def pasted_runs(pieces: list, text: str) -> list[list[str]]:
    """The quote's word keys per piece (the viewer's lam-alef turned round, numbers cut from words)."""
    return [[_key(part) for t in piece for part in _split(t.norm)] for piece in pieces]


def _consume(run: list[str], keys: list[str], at: int, proclitic: bool = False) -> int | None:
    """The index after the last source word if the run matches the source's words from `at` on, one source word
    being up to MAX_PARTS consecutive fragments of the quote (a lone proclitic only if `proclitic`); else None."""
    i, k = 0, at
    while i < len(run):
        if k >= len(keys):
            return None
        joined, m = "", 0
        while i + m < len(run) and m < MAX_PARTS and not (m == 1 and run[i] in _PROCLITIC and not proclitic) and \
                not (m and (_NUMBER.search(run[i + m]) or _NUMBER.search(run[i]))):  # «25 00» is not 2500
            joined += run[i + m]
            m += 1
            if joined == keys[k] or not keys[k].startswith(joined):
                break
        if joined != keys[k]:
            return None
        i, k = i + m, k + 1
    return k


def viewer_spans(runs: list[list[str]], words: list[str], marked: bool = False) -> list[tuple[int, int]] | None:
    """(first, last) source word index of each run (from pasted_runs), in order, on whole words; None if they are
    not all found or are too short to be told apart. marked: the quote carries a viewer's marks (see marked)."""
    if not runs or any(not r for r in runs) or sum(len(w) for r in runs for w in r) < MIN_CHARS:
        return None
    keys = [_key(w) for w in words]
    # a lone ب/ل/ك/و/ف is glued on only in a quote the viewer visibly cut up (a justified PDF's kashida) or
    # that carries a viewer's marks; typed with a space, it is a word of its own
    vocabulary = set(keys)
    fragments = sum(1 for run in runs for w in run if w not in vocabulary)
    tokens = sum(len(run) for run in runs)
    proclitic = marked or (fragments >= 3 and fragments >= tokens / 4)
    spans: list[tuple[int, int]] = []
    at = 0
    for run in runs:
        found = next(((first, end) for first in range(at, len(keys))
                      if (end := _consume(run, keys, first, proclitic))), None)
        if found is None:
            return None
        spans.append((found[0], found[1] - 1))
        at = found[1]
    return spans
