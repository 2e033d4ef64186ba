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
