"""DOCX reference stage: a user's Word file lends styles, page setup, header and footer (pandoc's convention)."""

from __future__ import annotations

import errno
import os
import re
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part

from briefgen.errors import InputError
from briefgen.project import safefs
from briefgen.render import ooxml
from briefgen.render.docx_styles import FONT, TEXT_WIDTH, lang_rpr
from briefgen.render.ooxml import el, put, qn

R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
HINT = "pass a .docx saved from Word or LibreOffice (Save As › Word Document), e.g. --reference-docx house-style.docx"
MAX_REFERENCE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
_MIRROR = {"b": "bCs", "i": "iCs", "sz": "szCs"}  # Latin run property -> its complex-script twin


@dataclass
class Reference:
    """The user's reference document, opened and checked."""

    path: Path
    document: object  # docx.document.Document

    @property
    def sect_pr(self):
        return self.document.sections[-1]._sectPr


def load(path: Path | None) -> Reference | None:
    """Open the reference document, or explain (InputError) why it cannot serve as one."""
    if path is None:
        return None
    path = Path(path)
    try:
        other = safefs.kind(os.stat(path).st_mode)
    except OSError as exc:
        other = "a symlink loop" if exc.errno == errno.ELOOP else None
        if other is None:
            raise InputError(f"reference DOCX not found: {path}", code="reference-docx", hint=HINT) from None
    if other:  # a FIFO would block the zip reader; a device never ends
        raise InputError(f"reference DOCX {path} is {other}, not a file", code="reference-docx", hint=HINT)
    _check_size(path)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx, zipfile and lxml each raise their own kinds
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InputError(f"reference DOCX {path} is not a Word document (.docx): {reason}",
                         code="reference-docx", hint=HINT) from None
    return Reference(path, document)


def _check_size(path: Path) -> None:
    """A reference is a style sheet: refuse one whose file or unpacked parts are implausibly large (a zip bomb)."""
    import zipfile

    size = os.stat(path).st_size
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # docx.Document explains what is wrong with it
    if size > MAX_REFERENCE_BYTES or unpacked > MAX_UNPACKED_BYTES:
        raise InputError(f"reference DOCX {path} is too large to be a style reference ({size:,} bytes, "
                         f"{unpacked:,} unpacked; limits {MAX_REFERENCE_BYTES:,} and {MAX_UNPACKED_BYTES:,})",
                         code="reference-docx", hint=HINT)


def text_width(ref: Reference | None) -> int:
    """The width between the margins of the reference's page (briefgen's A4 one without a reference)."""
    if ref is None:
        return TEXT_WIDTH
    size, margins = ref.sect_pr.find(qn("w:pgSz")), ref.sect_pr.find(qn("w:pgMar"))
    try:
        width = int(size.get(qn("w:w")))
        width -= sum(int(margins.get(qn(f"w:{k}"), "0")) for k in ("left", "right", "gutter"))
    except (AttributeError, TypeError, ValueError):
        return TEXT_WIDTH
    return width if width > 1440 else TEXT_WIDTH


def _user_styles(ref: Reference):
    try:
        return ref.document.part.part_related_by(RT.STYLES).element
    except KeyError:
        return None


def merge_styles(ours, ref: Reference, rtl: bool) -> str:
    """The user's styles.xml, their definitions winning; briefgen's styles added where theirs lack them.

    Styles match by id, else by name (a localised Word names "heading 1" "berschrift1": that id is
    renamed to briefgen's). Matched user styles keep their formatting but get what RTL Arabic
    needs and they lack: w:bidi, w:rtl, the Arabic language, bCs/iCs/szCs mirroring b/i/sz.
    """
    theirs = _user_styles(ref)
    if theirs is None:
        return ooxml.serialize(ours)
    merged = deepcopy(theirs)
    _complete_defaults(merged, ours)
    by_id = {s.get(qn("w:styleId")): s for s in merged.findall(qn("w:style"))}
    by_name = {(s.get(qn("w:type")), _name(s)): s for s in merged.findall(qn("w:style"))}
    defaults = {s.get(qn("w:type")) for s in merged.findall(qn("w:style")) if s.get(qn("w:default")) in ("1", "true")}
    for style in ours.findall(qn("w:style")):
        kind, style_id = style.get(qn("w:type")), style.get(qn("w:styleId"))
        user = by_id.get(style_id)
        if user is None or user.get(qn("w:type")) != kind:
            user = by_name.get((kind, _name(style)))
        if user is None:
            added = deepcopy(style)
            if kind in defaults:
                added.attrib.pop(qn("w:default"), None)
            merged.append(added)
            continue
        if user.get(qn("w:styleId")) != style_id:
            _rename(merged, user.get(qn("w:styleId")), style_id)
        if kind in ("paragraph", "character"):
            _complete_rtl(user, kind, rtl)
    return ooxml.serialize(merged)


def _name(style) -> str:
    name = style.find(qn("w:name"))
    return (name.get(qn("w:val")) or "").lower() if name is not None else ""


def _rename(root, old: str, new: str) -> None:
    for element in root.iter(qn("w:style"), qn("w:basedOn"), qn("w:next"), qn("w:link")):
        for attr in (qn("w:styleId"), qn("w:val")):
            if element.get(attr) == old:
                element.set(attr, new)


def _complete_rpr(rpr, rtl: bool) -> None:
    for latin, twin in _MIRROR.items():
        source = rpr.find(qn(f"w:{latin}"))
        if source is not None and rpr.find(qn(f"w:{twin}")) is None:
            put(rpr, el(f"w:{twin}", dict((k.replace(f"{{{ooxml.W_NS}}}", "w:"), v) for k, v in source.attrib.items())))
    rtl_el, lang = lang_rpr(rtl)
    if rtl_el is not None and rpr.find(qn("w:rtl")) is None:
        put(rpr, rtl_el)
    user_lang = rpr.find(qn("w:lang"))
    if user_lang is None:
        put(rpr, lang)
    elif user_lang.get(qn("w:bidi")) is None:
        user_lang.set(qn("w:bidi"), lang.get(qn("w:bidi")))


def _complete_rtl(style, kind: str, rtl: bool) -> None:
    if kind == "paragraph" and rtl:
        ppr = style.find(qn("w:pPr"))
        if ppr is None:
            ppr = put(style, el("w:pPr"))
        if ppr.find(qn("w:bidi")) is None:
            put(ppr, el("w:bidi"))
    rpr = style.find(qn("w:rPr"))
    if rpr is None:
        rpr = put(style, el("w:rPr"))
    _complete_rpr(rpr, rtl)


def _complete_defaults(merged, ours) -> None:
    """The user's document defaults, with Amiri for Arabic script unless they name a font for it."""
    defaults = merged.find(qn("w:docDefaults"))
    if defaults is None:
        merged.insert(0, deepcopy(ours.find(qn("w:docDefaults"))))
        return
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        defaults.insert(0, deepcopy(ours.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")))
        return
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        rpr_default.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = put(rpr, el("w:rFonts"))
    if fonts.get(qn("w:cs")) is None:
        fonts.attrib.pop(qn("w:cstheme"), None)
        fonts.set(qn("w:cs"), FONT)
    _complete_rpr(rpr, rtl=False)


def apply(document, ref: Reference | None, d) -> None:
    """Page size and margins, header and footer (with their images) from the reference document."""
    if ref is None:
        return
    sect_pr = document.sections[0]._sectPr
    for name in ("w:pgSz", "w:pgMar"):
        user = ref.sect_pr.find(qn(name))
        if user is not None:
            put(sect_pr, deepcopy(user))
    width = text_width(ref)
    if width != TEXT_WIDTH:
        scale_tables(document.element.body, width)
    user_section, section = ref.document.sections[-1], document.sections[0]
    copied: dict[str, Part] = {}
    classification = d.brief.meta.classification
    for user_story, story in ((user_section.header, section.header), (user_section.footer, section.footer)):
        if user_story.is_linked_to_previous:  # the reference has none: keep briefgen's
            continue
        root = _copy_story(user_story.part, story.part, copied)
        if classification:  # a security marking never disappears with a house header
            root.append(d.text_para("Classification", classification))


def _copy_story(source, target, copied: dict[str, Part]):
    """Replace target's XML with a copy of source's, relating (and copying) what it refers to."""
    rids: dict[str, str] = {}
    dropped: set[str] = set()
    for rid, rel in sorted(source.rels.items()):
        if rel.is_external:  # a linked picture or a hyperlink: Word would fetch or offer it in every brief
            dropped.add(rid)
            continue
        original = rel.target_part
        if original.partname not in copied:
            ext = original.partname.ext or "bin"
            stem = original.partname.rsplit("/", 1)[0]
            name = target.package.next_partname(f"{stem}/ref%d.{ext}")
            copied[original.partname] = Part(name, original.content_type, original.blob, target.package)
        rids[rid] = target.relate_to(copied[original.partname], rel.reltype)
    root = deepcopy(source.element)
    for element in root.iter():
        for attr, value in list(element.attrib.items()):
            if attr.startswith(R_NS) and value in dropped:
                del element.attrib[attr]
            elif attr.startswith(R_NS) and value in rids:
                element.set(attr, rids[value])
    _drop_fetching_fields(root)
    target._element = root
    return root


_FETCHING = re.compile(r"^\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT)\b", re.I)


def _drop_fetching_fields(root) -> None:
    """Field codes that make Word fetch a file or URL when the brief is opened lose their instruction."""
    for simple in list(root.iter(qn("w:fldSimple"))):
        if _FETCHING.match(simple.get(qn("w:instr"), "")):
            simple.set(qn("w:instr"), "")
    for instr in root.iter(qn("w:instrText")):
        if _FETCHING.match(instr.text or ""):
            instr.text = ""


def external_links(path: Path | None) -> list[str]:
    """What briefgen drops from a reference DOCX: external targets and fetching fields of its header/footer."""
    ref = load(path)
    if ref is None:
        return []
    found: list[str] = []
    section = ref.document.sections[-1]
    for story in (section.header, section.footer):
        if story.is_linked_to_previous:
            continue
        found += [rel.target_ref for rel in story.part.rels.values() if rel.is_external]
        for simple in story.part.element.iter(qn("w:fldSimple")):
            if _FETCHING.match(simple.get(qn("w:instr"), "")):
                found.append(simple.get(qn("w:instr")).strip())
        for instr in story.part.element.iter(qn("w:instrText")):
            if _FETCHING.match(instr.text or ""):
                found.append((instr.text or "").strip())
    return list(dict.fromkeys(found))


def scale_tables(body, width: int) -> None:
    """Fit tables laid out for briefgen's A4 text width to another width (fixed layout, in twips)."""
    for tag in ("w:tblW", "w:gridCol", "w:tcW"):
        for element in body.iter(qn(tag)):
            if tag == "w:gridCol" or element.get(qn("w:type")) == "dxa":
                element.set(qn("w:w"), str(int(element.get(qn("w:w"))) * width // TEXT_WIDTH))
