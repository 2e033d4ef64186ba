"""DOCX fonts stage: the faces the document names, subset and embedded obfuscated as Word does (ECMA-376 §17.8)."""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from lxml import etree

from briefgen.render import fonts
from briefgen.render.ooxml import W_NS, el, put, qn

FONT_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
OBFUSCATED_CT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
# What an editor is likely to type besides the document's own characters: Basic Latin, Latin-1
# (« » ¶ …), the Arabic block (letters, Arabic-Indic digits, ، ؛ ؟), general punctuation (dashes,
# quotes, ZWJ/ZWNJ, direction marks), ornate parentheses and the dotted circle shapers show marks on.
EDITOR_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x600, 0x6FF), (0x2000, 0x206F), (0xFD3E, 0xFD3F), (0x25CC, 0x25CC))
# The scripts a brief is set in: Latin (ascii, hAnsi) and Arabic (cs). East Asian slots are not embedded.
_SLOTS = ("ascii", "hAnsi", "cs")
_THEME_SLOT = {"asciiTheme": "ascii", "hAnsiTheme": "hAnsi", "cstheme": "cs"}
_FONT_ORDER = tuple("altName panose1 charset family notTrueType pitch sig embedRegular embedBold embedItalic "
                    "embedBoldItalic".split())
_SETTINGS_FLAGS = ("w:embedTrueTypeFonts", "w:saveSubsetFonts")


@dataclass(frozen=True)
class Face:
    """One font file to embed: the family name Word knows it by, regular or bold, where it is."""

    family: str
    bold: bool
    path: Path
    index: int = 0  # the face inside a TrueType collection


# -- which fonts ----------------------------------------------------------------------------------
def theme_fonts(theme_blob: bytes | None) -> dict[str, str]:
    """Theme font slots (majorHAnsi, minorBidi, ...) -> typeface, from a theme part's XML."""
    if not theme_blob:
        return {}
    root = etree.fromstring(theme_blob)
    out = {}
    for kind in ("major", "minor"):
        scheme = root.find(f".//{{{A_NS}}}{kind}Font")
        if scheme is None:
            continue
        latin, cs = scheme.find(f"{{{A_NS}}}latin"), scheme.find(f"{{{A_NS}}}cs")
        arab = scheme.find(f"{{{A_NS}}}font[@script='Arab']")
        latin_face = latin.get("typeface", "") if latin is not None else ""
        cs_face = (cs.get("typeface", "") if cs is not None else "") or (
            arab.get("typeface", "") if arab is not None else "")
        out.update({f"{kind}HAnsi": latin_face, f"{kind}Ascii": latin_face, f"{kind}Bidi": cs_face})
    return out


def font_names(roots, theme: dict[str, str]) -> list[str]:
    """The families named for Latin and Arabic text in the given XML trees, first use first."""
    names: dict[str, None] = {}
    for root in roots:
        for rfonts in root.iter(qn("w:rFonts")):
            for slot in _SLOTS:
                name = rfonts.get(qn(f"w:{slot}"))
                for attr, theme_slot in _THEME_SLOT.items():
                    if theme_slot == slot and rfonts.get(qn(f"w:{attr}")):
                        name = theme.get(rfonts.get(qn(f"w:{attr}")), name)  # a theme font wins over a name
                if name:
                    names.setdefault(name.strip())
    return [n for n in names if n]


def _fc_match(family: str, bold: bool) -> tuple[list[str], int, Path, int] | None:
    if not shutil.which("fc-match"):
        return None
    escaped = "".join("\\" + c if c in "\\-:,=" else c for c in family)  # fontconfig pattern syntax
    pattern = f"{escaped}:weight={200 if bold else 80}"
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\t%{weight}\t%{index}\t%{file}", pattern],
                             capture_output=True, text=True, timeout=20, check=True).stdout
        families, weight, index, file = out.split("\t", 3)
        return [f.strip() for f in families.split(",")], int(float(weight)), Path(file), int(index or 0)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def locate(family: str, bold: bool) -> Face | None:
    """The file of a family's regular or bold face: Amiri from briefgen's package, others from fontconfig."""
    if family.casefold() == fonts.FAMILY.casefold():
        return Face(fonts.FAMILY, bold, fonts.font_files()[700 if bold else 400])
    found = _fc_match(family, bold)
    if found is None:
        return None
    families, weight, path, index = found
    if family.casefold() not in {f.casefold() for f in families} or path.suffix.lower() not in (".ttf", ".otf", ".ttc"):
        return None  # fontconfig substituted another family (or a format Word cannot embed)
    if bold and weight < 180:
        return None  # no bold face: Word emboldens the regular one
    return Face(family, bold, path, index)


def _os2(data_or_path: bytes | Path, index: int = 0) -> bytes:
    """The font's OS/2 table (empty if it has none), read by HarfBuzz."""
    import uharfbuzz as hb

    blob = hb.Blob(data_or_path) if isinstance(data_or_path, bytes) else hb.Blob.from_file_path(str(data_or_path))
    return bytes(hb.Face(blob, index).reference_table("OS/2").data)


def _restricted(face: Face) -> bool:
    """True when the font's licence forbids embedding its outlines (OS/2 fsType: restricted, or bitmaps only)."""
    os2 = _os2(face.path, face.index)
    fs_type = struct.unpack(">H", os2[8:10])[0] if len(os2) >= 10 else 0
    return fs_type & 0x000F == 0x0002 or bool(fs_type & 0x0200)


def plan(names: list[str]) -> tuple[list[Face], list[str]]:
    """The faces to embed for these families (Amiri always), and a warning for each that cannot be."""
    faces, warnings = [], []
    ordered = [fonts.FAMILY, *(n for n in names if n.casefold() != fonts.FAMILY.casefold())]
    for family in ordered:
        regular = locate(family, False)
        if regular is None:
            warnings.append(f"font “{family}” named by the reference DOCX is not installed here, so it is not "
                            "embedded; Word shows a substitute on machines without it")
            continue
        if _restricted(regular):
            warnings.append(f"font “{family}” does not allow embedding (its licence), so it is not embedded")
            continue
        faces.append(regular)
        bold = locate(family, True)
        if bold is not None and bold.path != regular.path and not _restricted(bold):
            faces.append(bold)
    return faces, warnings


def reference_warnings(reference_docx: Path | None) -> list[str]:
    """Warnings about fonts a reference DOCX names that cannot be embedded (checked before rendering)."""
    if reference_docx is None:
        return []
    import docx

    from briefgen.render import docx_reference

    ref = docx_reference.load(reference_docx)
    styles = docx_reference._user_styles(ref)
    theme = theme_fonts(docx.Document().part.part_related_by(RT.THEME).blob)
    return plan(font_names([styles] if styles is not None else [], theme))[1]


# -- subsetting and obfuscation --------------------------------------------------------------------
def editor_chars() -> set[int]:
    return {c for lo, hi in EDITOR_RANGES for c in range(lo, hi + 1)}


@lru_cache(maxsize=16)
def subset(path: Path, index: int, codepoints: frozenset[int]) -> bytes:
    """The font cut down to these characters by HarfBuzz (in milliseconds; fontTools takes seconds),
    keeping every GSUB/GPOS feature (Arabic joining forms, marks, ligatures, stylistic sets), the
    glyphs they reach and all names. Byte-identical for identical inputs."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    request = hb.SubsetInput()
    request.unicode_set.update(codepoints)
    for kind in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.NAME_ID,
                 hb.SubsetInputSets.NAME_LANG_ID):
        keep = request.sets(kind)
        keep.clear()
        keep.invert()  # the empty set inverted: all of them
    result = hb.subset(face, request)
    if result is None:
        raise ValueError(f"HarfBuzz could not subset {path}")
    return bytes(result.blob.data)


def font_key(data: bytes) -> str:
    """A GUID derived from the font's bytes: '{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}'."""
    h = hashlib.sha256(data).hexdigest()[:32].upper()
    return "{" + f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the GUID's bytes in reverse order (§17.8.1); its own inverse."""
    guid = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ guid[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


# -- the package ---------------------------------------------------------------------------------
def _used_chars(package) -> set[int]:
    chars: set[int] = set()
    for part in package.iter_parts():
        if isinstance(part, XmlPart):
            chars.update(map(ord, etree.tostring(part.element, method="text", encoding="unicode")))
    return {c for c in chars if c >= 0x20}


def _signature(data: bytes) -> dict[str, str] | None:
    """w:sig from the OS/2 table: the Unicode ranges and code pages the font covers."""
    os2 = _os2(data)
    if len(os2) < 58:
        return None
    values = [*struct.unpack(">4L", os2[42:58]), *(struct.unpack(">2L", os2[78:86]) if len(os2) >= 86 else (0, 0))]
    names = ["w:usb0", "w:usb1", "w:usb2", "w:usb3", "w:csb0", "w:csb1"]
    return {n: f"{v:08X}" for n, v in zip(names, values, strict=True)}


def _font_entry(root, family: str):
    for font in root.findall(qn("w:font")):
        if font.get(qn("w:name")) == family:
            root.remove(font)
    entry = el("w:font", {"w:name": family})
    root.append(entry)
    return entry


def embed(document, extra_names: list[str] | None = None) -> list[Face]:
    """Embed the faces the document's styles name (and extra_names) in its package; returns them.

    Settings get w:embedTrueTypeFonts and w:saveSubsetFonts; each family gets a w:font entry in
    fontTable.xml with w:embedRegular / w:embedBold naming an obfuscated /word/fonts/fontN.odttf.
    The subsets are not marked w:subsetted: they hold the whole Arabic and Latin basic ranges, so
    an editor can type with them (LibreOffice refuses sparse subsetted fonts for editing).
    """
    part = document.part
    package = part.package
    theme = theme_fonts(part.part_related_by(RT.THEME).blob)
    roots = [part._styles_part.element, part.numbering_part.element, part.element]
    faces, _ = plan(font_names(roots, theme) + list(extra_names or []))
    codepoints = frozenset(_used_chars(package) | editor_chars())
    table_part = part.part_related_by(RT.FONT_TABLE)
    table = etree.fromstring(table_part.blob)
    entries: dict[str, object] = {}
    for number, face in enumerate(faces, 1):
        data = subset(face.path, face.index, codepoints)
        key = font_key(data)
        font_part = Part(PackURI(f"/word/fonts/font{number}.odttf"), OBFUSCATED_CT, obfuscate(data, key), package)
        rid = table_part.relate_to(font_part, FONT_RT)
        entry = entries.get(face.family)
        if entry is None:
            entry = entries[face.family] = _font_entry(table, face.family)
            put(entry, el("w:charset", {"w:val": "00"}), _FONT_ORDER)
            put(entry, el("w:family", {"w:val": "auto"}), _FONT_ORDER)
            put(entry, el("w:pitch", {"w:val": "variable"}), _FONT_ORDER)
            sig = _signature(data)
            if sig:
                put(entry, el("w:sig", sig), _FONT_ORDER)
        tag = "w:embedBold" if face.bold else "w:embedRegular"
        put(entry, el(tag, {"r:id": rid, "w:fontKey": key}), _FONT_ORDER)
    table_part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)
    if faces:
        settings = document.settings.element
        for flag in _SETTINGS_FLAGS:
            put(settings, el(flag))
    return faces


def embedded_fonts(docx_bytes: bytes) -> dict[tuple[str, str], bytes]:
    """(family, 'Regular'|'Bold'|...) -> de-obfuscated font bytes, read back from a .docx (for tests and tools)."""
    import zipfile

    rel_ns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    out = {}
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        names = set(z.namelist())
        if "word/_rels/fontTable.xml.rels" not in names:
            return {}
        rels = {r.get("Id"): r.get("Target") for r in
                etree.fromstring(z.read("word/_rels/fontTable.xml.rels")).iter(f"{rel_ns}Relationship")}
        table = etree.fromstring(z.read("word/fontTable.xml"))
        r_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        for font in table.iter(f"{{{W_NS}}}font"):
            for embed_el in font:
                kind = etree.QName(embed_el).localname
                if not kind.startswith("embed") or embed_el.get(r_id) not in rels:
                    continue
                target = rels[embed_el.get(r_id)]
                member = target.lstrip("/") if target.startswith("/") else f"word/{target}"
                data = z.read(member)
                out[(font.get(f"{{{W_NS}}}name"), kind[len("embed"):])] = obfuscate(
                    data, embed_el.get(f"{{{W_NS}}}fontKey"))
    return out
