"""Review stage, Word's inline markup read as Word means it (used by docx_read).

- w:sym: a character of a symbol font (w:font, w:char as hex; Word writes codes of the font's
  own encoding, often offset by F000) mapped to Unicode for Symbol and Wingdings where the
  character has one (unknown characters read as U+FFFD, never dropped); the same for private-use
  characters typed in those fonts (how LibreOffice saves a w:sym);
- w:softHyphen (U+00AD), w:noBreakHyphen (U+2011);
- complex fields (w:fldChar begin/separate/end, nested) read by their result: the field code and
  a nested field inside a code are not text;
- move ranges (w:moveFromRangeStart/w:moveToRangeStart) give moves a name that pairs source and target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REPLACEMENT = "\ufffd"

# Symbol font (Adobe Symbol encoding), the characters Word's Insert › Symbol offers most.
_SYMBOL = {
    0x20: " ", 0x21: "!", 0x22: "\u2200", 0x23: "#", 0x24: "\u2203", 0x25: "%", 0x26: "&", 0x27: "\u220b",
    0x28: "(", 0x29: ")", 0x2A: "\u2217", 0x2B: "+", 0x2C: ",", 0x2D: "\u2212", 0x2E: ".", 0x2F: "/",
    0x3A: ":", 0x3B: ";", 0x3C: "<", 0x3D: "=", 0x3E: ">", 0x3F: "?", 0x40: "\u2245",
    0x41: "\u0391", 0x42: "\u0392", 0x43: "\u03a7", 0x44: "\u0394", 0x45: "\u0395", 0x46: "\u03a6",
    0x47: "\u0393", 0x48: "\u0397", 0x49: "\u0399", 0x4A: "\u03d1", 0x4B: "\u039a", 0x4C: "\u039b",
    0x4D: "\u039c", 0x4E: "\u039d", 0x4F: "\u039f", 0x50: "\u03a0", 0x51: "\u0398", 0x52: "\u03a1",
    0x53: "\u03a3", 0x54: "\u03a4", 0x55: "\u03a5", 0x56: "\u03c2", 0x57: "\u03a9", 0x58: "\u039e",
    0x59: "\u03a8", 0x5A: "\u0396", 0x5B: "[", 0x5C: "\u2234", 0x5D: "]", 0x5E: "\u22a5", 0x5F: "_",
    0x61: "\u03b1", 0x62: "\u03b2", 0x63: "\u03c7", 0x64: "\u03b4", 0x65: "\u03b5", 0x66: "\u03c6",
    0x67: "\u03b3", 0x68: "\u03b7", 0x69: "\u03b9", 0x6A: "\u03d5", 0x6B: "\u03ba", 0x6C: "\u03bb",
    0x6D: "\u03bc", 0x6E: "\u03bd", 0x6F: "\u03bf", 0x70: "\u03c0", 0x71: "\u03b8", 0x72: "\u03c1",
    0x73: "\u03c3", 0x74: "\u03c4", 0x75: "\u03c5", 0x76: "\u03d6", 0x77: "\u03c9", 0x78: "\u03be",
    0x79: "\u03c8", 0x7A: "\u03b6", 0x7B: "{", 0x7C: "|", 0x7D: "}", 0x7E: "\u223c",
    0xA3: "\u2264", 0xA5: "\u221e", 0xAB: "\u2194", 0xAC: "\u2190", 0xAD: "\u2191", 0xAE: "\u2192",
    0xAF: "\u2193", 0xB0: "\u00b0", 0xB1: "\u00b1", 0xB3: "\u2265", 0xB4: "\u00d7", 0xB5: "\u221d",
    0xB6: "\u2202", 0xB7: "\u2022", 0xB8: "\u00f7", 0xB9: "\u2260", 0xBA: "\u2261", 0xBB: "\u2248",
    0xBC: "\u2026", 0xC5: "\u2295", 0xC6: "\u2205", 0xC7: "\u2229", 0xC8: "\u222a", 0xCE: "\u2208",
    0xD6: "\u221a", 0xD7: "\u22c5", 0xD8: "\u00ac", 0xD9: "\u2227", 0xDA: "\u2228", 0xDB: "\u21d4",
    0xDC: "\u21d0", 0xDE: "\u21d2", 0xE0: "\u25ca", 0xE5: "\u2211", 0xF2: "\u222b",
}

# Wingdings: the characters with a Unicode counterpart (Unicode 7's Wingdings additions and older ones).
_WINGDINGS = {
    0x21: "\U0001f589", 0x22: "\u2702", 0x23: "\u2701", 0x28: "\u260e", 0x29: "\u2706", 0x2A: "\u2709",
    0x36: "\u231b", 0x37: "\u2328", 0x3E: "\u2707", 0x3F: "\u270d", 0x41: "\u270c", 0x43: "\U0001f44d",
    0x44: "\U0001f44e", 0x45: "\u261c", 0x46: "\u261e", 0x47: "\u261d", 0x48: "\u261f", 0x4A: "\u263a",
    0x4B: "\U0001f610", 0x4C: "\u2639", 0x4E: "\u2620", 0x51: "\u2708", 0x52: "\u263c", 0x54: "\u2744",
    0x56: "\u271e", 0x58: "\u2720", 0x59: "\u2721", 0x5A: "\u262a", 0x5B: "\u262f", 0x5C: "\u0950",
    0x5D: "\u2638", 0x5E: "\u2648", 0x6C: "\u25cf", 0x6E: "\u25a0", 0x6F: "\u25a1", 0x71: "\u2751",
    0x72: "\u2752", 0x75: "\u25c6", 0x76: "\u2756", 0x77: "\u2b25", 0x7B: "\u2740", 0x7C: "\u273f",
    0x7D: "\u275d", 0x7E: "\u275e", 0x9F: "\u2022", 0xA1: "\u25cb", 0xA7: "\u25aa", 0xA8: "\u25fb",
    0xAB: "\u2605", 0xD8: "\u27a2", 0xDF: "\u2190", 0xE0: "\u2192", 0xE1: "\u2191", 0xE2: "\u2193",
    0xE8: "\u2794", 0xEF: "\u21e6", 0xF0: "\u21e8", 0xF1: "\u21e7", 0xF2: "\u21e9", 0xFB: "\u2717",
    0xFC: "\u2713", 0xFD: "\u2612", 0xFE: "\u2611",
}

FONTS = {"symbol": _SYMBOL, "wingdings": _WINGDINGS}


def symbol(font: str, code: str) -> str:
    """The Unicode text of a w:sym (font name, hex code); U+FFFD when the font or character is unknown."""
    try:
        value = int(code, 16)
    except (TypeError, ValueError):
        return REPLACEMENT
    table = FONTS.get((font or "").strip().lower())
    if table is None:
        # Not a symbol font: a code outside the private-use area is the character itself.
        return chr(value) if 0x20 <= value < 0xE000 or 0xF900 <= value <= 0x10FFFF else REPLACEMENT
    if 0xF000 <= value <= 0xF0FF:
        value -= 0xF000
    return table.get(value, REPLACEMENT)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PUA = range(0xF000, 0xF100)


def symbol_text(text: str, rpr) -> str:
    """Text typed in a symbol font (LibreOffice saves a w:sym as such: private-use characters in a run whose
    w:rFonts names Symbol or Wingdings), mapped like w:sym; any other text unchanged."""
    if not text or rpr is None or not any(ord(ch) in _PUA for ch in text):
        return text
    fonts = rpr.find(f"{{{W}}}rFonts")
    font = next((fonts.get(f"{{{W}}}{k}") for k in ("ascii", "hAnsi", "cs") if fonts is not None
                 and fonts.get(f"{{{W}}}{k}")), "")
    if font.strip().lower() not in FONTS:
        return text
    return "".join(symbol(font, f"{ord(ch):04X}") if ord(ch) in _PUA else ch for ch in text)


@dataclass
class Story:
    """Reading state across the runs of one story (the body, a footnote, a comment)."""

    fields: list[str] = field(default_factory=list)  # open complex fields: "code" until separate, then "result"
    moves: dict[str, str] = field(default_factory=dict)  # open move range id -> its name
    move_name: str = ""  # the name of the innermost open move range

    @property
    def in_code(self) -> bool:
        return any(state == "code" for state in self.fields)

    def fld_char(self, kind: str) -> None:
        if kind == "begin":
            self.fields.append("code")
        elif kind == "separate" and self.fields:
            self.fields[-1] = "result"
        elif kind == "end" and self.fields:
            self.fields.pop()

    def move_start(self, ident: str, name: str) -> None:
        self.moves[ident] = name
        self.move_name = name

    def move_end(self, ident: str) -> None:
        self.moves.pop(ident, None)
        self.move_name = next(reversed(self.moves.values()), "")
