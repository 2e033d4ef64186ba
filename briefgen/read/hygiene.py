"""Text hygiene for readers: characters that must not reach the outputs, reported with positions.

Bidi controls (U+202A–202E, U+2066–2069) can reorder what a reader sees; they are reported,
and removed where unbalanced. Control characters that XML forbids are removed and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_OPENERS = set("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF U+202C
_ISOLATES = set("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI U+2069


@dataclass
class Finding:
    """A character that was reported (and maybe removed): its offset and what was done."""

    offset: int
    char: str
    removed: bool

    @property
    def name(self) -> str:
        return f"U+{ord(self.char):04X}"


def balanced(text: str) -> bool:
    """Whether every bidi embedding/override and isolate is closed, in order."""
    stack: list[str] = []
    for ch in BIDI.findall(text):
        if ch in _OPENERS or ch in _ISOLATES:
            stack.append(ch)
        elif ch == "\u202c":
            if not stack or stack[-1] not in _OPENERS:
                return False
            stack.pop()
        else:  # PDI
            if not stack or stack[-1] not in _ISOLATES:
                return False
            stack.pop()
    return not stack


def sanitize(text: str) -> tuple[str, list[Finding]]:
    """Text without forbidden characters and without unbalanced bidi controls, plus findings."""
    findings = [Finding(m.start(), m.group(), True) for m in FORBIDDEN.finditer(text)]
    text_out = FORBIDDEN.sub("", text) if findings else text
    bidi = list(BIDI.finditer(text))
    if bidi:
        keep = balanced(text_out)
        findings += [Finding(m.start(), m.group(), not keep) for m in bidi]
        if not keep:
            text_out = BIDI.sub("", text_out)
    findings.sort(key=lambda f: f.offset)
    return text_out, findings


def describe(finding: Finding) -> tuple[str, str]:
    """(code, message) for a finding."""
    if BIDI.match(finding.char):
        what = "removed (unbalanced)" if finding.removed else "kept (balanced)"
        return "bidi-control", f"bidi control character {finding.name} {what}; it can reorder what a reader sees"
    return "control-character", f"control character {finding.name} removed"


# Source ids and file names are shown in messages, notes and the bibliography: they must read as written.
ID = re.compile(r"^[A-Za-z0-9_.\-]+$")
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e"
                       "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]")


def _script(ch: str) -> str:
    import unicodedata

    return unicodedata.name(ch, "UNKNOWN").split()[0].title()


def name_problem(name: str) -> str | None:
    """Why a file name cannot be shown safely (a bidi, invisible or control character), or None."""
    m = INVISIBLE.search(name) or FORBIDDEN.search(name)
    if m:
        return f"has the invisible or bidi character U+{ord(m.group()):04X} at character {m.start() + 1}"
    return None


def id_problem(text: str) -> str | None:
    """Why text cannot be a source id (the verdict `sources add` gives), or None."""
    if ID.match(text):
        return None
    bad = name_problem(text)
    if bad:
        return bad
    letters = [ch for ch in text if ch.isalpha()]
    scripts = list(dict.fromkeys(_script(ch) for ch in letters))
    if len(scripts) > 1:
        odd = next((i, ch) for i, ch in enumerate(text) if ch.isalpha() and _script(ch) != scripts[0])
        return (f"mixes {' and '.join(scripts)} letters (U+{ord(odd[1]):04X} at character {odd[0] + 1} "
                "looks like another letter)")
    return "may hold only Latin letters, digits, '_', '.' and '-'"
