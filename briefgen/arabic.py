"""Arabic-aware text matching: normalisation to word tokens that keep their source offsets.

A token's `norm` is its matching key: every fold below applied. The folds are grouped in
named tolerances (FOLDS) so that a verified quote can say which of them it needed: a fold
was needed when the quote and the source differ with that fold alone left out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Invisible format characters (Unicode Cf, soft hyphen included): not text, never a word boundary.
INVISIBLE = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
             "\u2066-\u206f\ufeff\ufff9-\ufffb")
INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
# Combining marks (tashkeel, Quranic annotation, superscript alef, other scripts' accents) and tatweel.
_MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06ed"
          "\u08d3-\u08e1\u08e3-\u08ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u0640")
# Quotation marks separate words but are not words: "بـ”تقييم" glues into one word (see GLUE).
QUOTES = "«»“”„‟\"'‹›‘’‚`"
# Marks no fold names (accents of other scripts): always ignored.
_OTHER_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u08d3-\u08e1\u08e3-\u08ff\u1ab0-\u1aff"
                          "\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(f"(?:[^\\W_]|[{_MARKS}{INVISIBLE}]|(?<=\\d)[,٬.٫](?=\\d))+")
_SPACE_OR_QUOTE = re.compile(f"[\\s{QUOTES}{INVISIBLE}]*")
_PUNCT = {"،": ",", "؛": ";", "؟": "?", "–": "-", "—": "-", "‒": "-", "−": "-", "٪": "%"}
# One-letter proclitics (and the article) that a tatweel or a quotation mark glues to the next word.
GLUE = {"ب", "ل", "ك", "و", "ف", "ال"}

# Each tolerance: the characters it folds (None deletes). "digits" also drops the thousands
# separators inside a number (2,500 = 2500 = ٢٬٥٠٠); a decimal point stays a point.
FOLDS: dict[str, dict[str, str | None]] = {
    "diacritics": {ch: None for ch in (
        [chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"]
        + [chr(c) for c in range(0x0610, 0x061B)] + [chr(c) for c in range(0x06D6, 0x06EE)])},
    "alef-forms": {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا"},
    "letter-forms": {"ى": "ي", "ی": "ي", "ة": "ه", "ۀ": "ه", "ک": "ك"},
    "hamza-seat": {"ئ": "ء", "ؤ": "ء"},
    "digits": {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)},
               ",": None, "٬": None, "٫": "."},
}
TOLERANCES = (*FOLDS, "invisible-chars", "glued-prefix", "leading-waw", "leading-fa", "punctuation",
              "omission", "omission-brackets")


@lru_cache(maxsize=16)
def _table(skip: frozenset[str] = frozenset()) -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for name, fold in FOLDS.items():
        if name not in skip:
            table.update({ord(k): v for k, v in fold.items()})
    table.update({ord(ch): None for ch in QUOTES + " \t\n\r\u00a0"})  # inside a glued word
    return table


def fold_word(raw: str, skip: frozenset[str] = frozenset()) -> str:
    """The matching key of one word's text: every fold except those in skip."""
    text = raw if raw.isascii() else _OTHER_MARKS.sub("", INVISIBLE_RE.sub("", raw))
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.translate(_table(skip)).lower()
    if "hamza-seat" not in skip and "ء" in text:
        text = _SEATED_HAMZA.sub("ء", text)  # شيء / شئ: hamza off or on its seat (all seats, so folding is idempotent)
    return text


_SEATED_HAMZA = re.compile("[يو]+ء")


@dataclass(frozen=True)
class Token:
    """A normalised word (or punctuation mark) and where it stands in the original text."""

    norm: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """Split text into normalised tokens, each knowing its original [start, end) span.

    Words are runs of letters, digits, marks and invisible characters (a number keeps its
    separators: 2,500 is one word); every other visible character but a quotation mark is a
    punctuation token of its own. A proclitic letter written with a tatweel or glued to a
    quotation mark joins the next word: "بـ”الانسحاب" is the one word بالانسحاب.
    """
    out: list[Token] = []
    pos = 0
    glue_from: int | None = None
    for m in _WORD.finditer(text):
        for i in range(pos, m.start()):  # punctuation between words
            ch = text[i]
            if not ch.isspace() and ch not in QUOTES and not INVISIBLE_RE.match(ch):
                ch = unicodedata.normalize("NFKC", ch)
                out.append(Token(_PUNCT.get(ch, ch), i, i + 1))
                glue_from = None
        pos = m.end()
        norm = fold_word(m.group())
        if not norm:
            continue
        if glue_from is not None and out and out[-1].start == glue_from:
            prev = out.pop()
            out.append(Token(prev.norm + norm, prev.start, m.end()))
            glue_from = None
            continue
        out.append(Token(norm, m.start(), m.end()))
        glue_from = m.start() if norm in GLUE and _glues(text, m.end()) else None
    for i in range(pos, len(text)):
        ch = text[i]
        if not ch.isspace() and ch not in QUOTES and not INVISIBLE_RE.match(ch):
            ch = unicodedata.normalize("NFKC", ch)
            out.append(Token(_PUNCT.get(ch, ch), i, i + 1))
    return out


def _glues(text: str, end: int) -> bool:
    """Whether the proclitic ending at `end` is glued on: it ends in a tatweel or touches a quotation mark."""
    last = end - 1
    while last > 0 and INVISIBLE_RE.match(text[last]):
        last -= 1
    if text[last] != "\u0640" and (end >= len(text) or text[end] not in QUOTES):
        return False
    gap = _SPACE_OR_QUOTE.match(text, end)
    return gap is not None and gap.end() < len(text) and bool(_WORD.match(text, gap.end()))


def is_word(token: Token) -> bool:
    return token.norm[0].isalnum()


def normalize(text: str) -> str:
    """The matching form of a text: normalised tokens joined by single spaces."""
    return " ".join(t.norm for t in tokens(text))


def words(text: str) -> list[str]:
    """Normalised tokens that are words (letters or digits), no punctuation."""
    return [t.norm for t in tokens(text) if t.norm[0].isalnum()]


# Bidi isolation. A run of Latin words, codes or names with the numbers after it ("B2 (1)",
# "Kataib Hezbollah"), or a fragile number (2023-10-07, 50-60%, 45%): inside right-to-left text
# such runs merge with their neighbours («B2 (1)، C2 (2)» becomes one left-to-right run, so a
# reader of Arabic meets the last item first). Renderers isolate each match: HTML with
# <bdi dir="ltr">, the DOCX with LRI … PDI.
_NUMBER = r"\d+(?:[.,]\d+)*"
_LATIN = r"[A-Za-z][A-Za-z0-9]*(?:[-.'’/&][A-Za-z0-9]+)*\.?"
LTR_RUN = re.compile(rf"{_LATIN}(?:[ \u00a0]+(?:{_LATIN}|\({_NUMBER}\)|{_NUMBER}))*"
                     rf"|{_NUMBER}(?:[-+]{_NUMBER})+%?|{_NUMBER}%")


def isolate_ltr(text: str) -> str:
    """Each left-to-right run of right-to-left text between LRI (U+2066) and PDI (U+2069)."""
    return LTR_RUN.sub(lambda m: f"\u2066{m.group()}\u2069", text)
