"""Arabic-aware text matching: normalisation to word tokens that keep their source offsets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Marks ignored for matching: tashkeel (064B–065F), superscript alef (0670), Quranic
# annotation marks (0610–061A, 06D6–06ED) and tatweel (0640).
_IGNORED = set(range(0x064B, 0x0660)) | {0x0670, 0x0640} | set(range(0x0610, 0x061B)) | set(range(0x06D6, 0x06EE))
_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ة": "ه", "ۀ": "ه", "ؤ": "و", "ئ": "ي", "ک": "ك",
}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
# Quotation marks separate words but are not words: "بـ”تقييم" reads as "ب تقييم".
QUOTES = set("«»“”„‟\"'‹›‘’‚`")
_PUNCT = {"،": ",", "؛": ";", "؟": "?", "–": "-", "—": "-", "‒": "-", "−": "-", "ـ": ""}
ELLIPSIS = re.compile(r"…|\.\.\.+")


def _fold_char(ch: str) -> str:
    """Normalised form of one (already NFKC) character; '' drops it, ' ' separates."""
    code = ord(ch)
    if code in _IGNORED or unicodedata.category(ch) == "Mn":
        return ""
    if ch in QUOTES or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs"):
        return " "
    ch = _LETTERS.get(ch, _DIGITS.get(ch, _PUNCT.get(ch, ch)))
    if ch and not ch.isalnum():
        return f" {ch} "  # punctuation is a token of its own
    return ch.lower()


@dataclass(frozen=True)
class Token:
    """A normalised word (or punctuation mark) and where it stands in the original text."""

    norm: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """Split text into normalised tokens, each knowing its original [start, end) span."""
    out: list[Token] = []
    buf: list[str] = []
    start = end = 0

    def flush() -> None:
        if buf:
            out.append(Token("".join(buf), start, end))
            buf.clear()

    for i, raw in enumerate(text):
        for ch in unicodedata.normalize("NFKC", raw):
            folded = _fold_char(ch)
            if folded == "":  # an ignored mark stays inside the word it decorates
                end = i + 1 if buf else end
                continue
            for j, part in enumerate(folded.split(" ")):
                if j:
                    flush()
                if part:
                    start = i if not buf else start
                    buf.append(part)
                    end = i + 1
            if folded.endswith(" "):
                flush()
    flush()
    return out


def normalize(text: str) -> str:
    """The matching form of a text: normalised tokens joined by single spaces."""
    return " ".join(t.norm for t in tokens(text))


def words(text: str) -> list[str]:
    """Normalised tokens that are words (letters or digits), no punctuation."""
    return [t.norm for t in tokens(text) if t.norm[0].isalnum()]
