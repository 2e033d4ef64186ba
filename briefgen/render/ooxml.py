"""OOXML helpers for the DOCX renderer: element builders, schema child order, parts, deterministic zip."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from copy import deepcopy

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# Child order required by the WordprocessingML schema (ECMA-376 transitional), local names.
ORDER: dict[str, tuple[str, ...]] = {
    "pPr": tuple((
        "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
        "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
        "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
        "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ).split()),
    "rPr": tuple((
        "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
        "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
        "vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
    ).split()),
    "sectPr": tuple((
        "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
        "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid "
        "printerSettings sectPrChange"
    ).split()),
    "tblPr": tuple((
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
        "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
    ).split()),
    "tcPr": tuple((
        "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign "
        "hideMark"
    ).split()),
    "style": tuple((
        "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat "
        "locked personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr"
    ).split()),
    "tblStylePr": tuple("pPr rPr tblPr trPr tcPr".split()),
    "lvl": tuple("start numFmt lvlRestart pStyle isLgl suff lvlText lvlPicBulletId legacy lvlJc pPr rPr".split()),
    "settings": tuple((
        "writeProtection view zoom removePersonalInformation removeDateAndTime doNotDisplayPageBoundaries "
        "displayBackgroundShape printPostScriptOverText printFractionalCharacterWidth printFormsData "
        "embedTrueTypeFonts embedSystemFonts saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
        "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors "
        "hideGrammaticalErrors activeWritingStyle proofState formsDesign attachedTemplate linkStyles "
        "stylePaneFormatFilter stylePaneSortMethod documentType mailMerge revisionView trackRevisions "
        "doNotTrackMoves doNotTrackFormatting documentProtection autoFormatOverride styleLockTheme "
        "styleLockQFSet defaultTabStop autoHyphenation consecutiveHyphenLimit hyphenationZone "
        "doNotHyphenateCaps showEnvelope summaryLength clickAndTypeStyle defaultTableStyle evenAndOddHeaders "
        "bookFoldRevPrinting bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing "
        "drawingGridVerticalSpacing displayHorizontalDrawingGridEvery displayVerticalDrawingGridEvery "
        "doNotUseMarginsForDrawingGridOrigin drawingGridHorizontalOrigin drawingGridVerticalOrigin "
        "doNotShadeFormData noPunctuationKerning characterSpacingControl printTwoOnOne "
        "strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore savePreviewPicture "
        "doNotValidateAgainstSchema saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText "
        "doNotDemarcateInvalidXml saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags "
        "alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids "
        "mathPr attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats "
        "doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType schemaLibrary "
        "shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
    ).split()),
}

# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, surrogates, U+FFFE/U+FFFF).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (escaping itself is lxml's job)."""
    return _FORBIDDEN.sub("", text)


def local(element) -> str:
    """The local name of an element's tag ('{ns}pPr' -> 'pPr')."""
    return element.tag.rsplit("}", 1)[-1]


def el(tag: str, attrs: dict[str, str] | None = None, children: Iterable = ()):
    """A new w: element ('w:bidi', {'w:val': 'x'}) with the given children appended in order."""
    element = OxmlElement(tag)
    for name, value in (attrs or {}).items():
        element.set(qn(name), str(value))
    for child in children:
        if child is not None:
            element.append(child)
    return element


def put(parent, child, order: tuple[str, ...] | None = None):
    """Insert child into parent at its schema position, replacing a same-named child.

    Children not named in the order keep their place; repeatable children (tblStylePr,
    headerReference, ...) go after their existing siblings.
    """
    order = order or ORDER[local(parent)]
    name = local(child)
    if name not in order:
        raise ValueError(f"{name} is not a child of {local(parent)}")
    repeatable = name in ("tblStylePr", "headerReference", "footerReference", "activeWritingStyle")
    if not repeatable:
        for old in parent.findall(child.tag):
            parent.remove(old)
    rank = order.index(name)
    for i, sibling in enumerate(parent):
        other = local(sibling)
        if other in order and order.index(other) > rank:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def props(tag: str, children: Iterable):
    """A property element (pPr, rPr, tblPr, ...) holding children in schema order."""
    parent = OxmlElement(tag)
    for child in children:
        if child is not None:
            put(parent, child)
    return parent


def order_errors(root) -> list[str]:
    """Elements under root whose known children are out of schema order (empty when valid)."""
    errors = []
    for parent in root.iter():
        if not isinstance(parent.tag, str) or not parent.tag.startswith("{" + W_NS):
            continue
        order = ORDER.get(local(parent))
        if order is None:
            continue
        ranks = [order.index(local(c)) for c in parent if isinstance(c.tag, str) and local(c) in order]
        if ranks != sorted(ranks):
            errors.append(f"{local(parent)}: {[local(c) for c in parent]}")
    return errors


def text_run(text: str, rpr_children: Iterable = ()):
    """A w:r holding text; tabs and newlines become w:tab / w:br."""
    run = el("w:r")
    rpr = props("w:rPr", rpr_children)
    if len(rpr):
        run.append(rpr)
    for i, line in enumerate(clean_text(text).split("\n")):
        if i:
            run.append(el("w:br"))
        for j, chunk in enumerate(line.split("\t")):
            if j:
                run.append(el("w:tab"))
            if chunk:
                t = el("w:t")
                t.text = chunk
                if chunk != chunk.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                run.append(t)
    return run


def field_runs(instr: str, placeholder: str, rpr_children: Iterable = ()) -> list:
    """The runs of a complex field (begin, instruction, separate, cached result, end)."""
    rpr_children = list(rpr_children)

    def run_with(*children):
        run = el("w:r")
        rpr = props("w:rPr", [deepcopy(c) for c in rpr_children])
        if len(rpr):
            run.append(rpr)
        for child in children:
            run.append(child)
        return run

    instr_el = el("w:instrText")
    instr_el.text = f" {instr} "
    instr_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    result = el("w:t")
    result.text = placeholder
    return [
        run_with(el("w:fldChar", {"w:fldCharType": "begin"})),
        run_with(instr_el),
        run_with(el("w:fldChar", {"w:fldCharType": "separate"})),
        run_with(result),
        run_with(el("w:fldChar", {"w:fldCharType": "end"})),
    ]


def new_xml_part(package, partname: str, content_type: str, root_tag: str):
    """An empty XML part (root element in the w: namespace) in the package."""
    element = parse_xml(f"<{root_tag} {nsdecls('w', 'r')}/>")
    return XmlPart(PackURI(partname), content_type, element, package)


def add_footnotes_part(document_part):
    """Create /word/footnotes.xml with the separator notes, related from the document part."""
    part = new_xml_part(document_part.package, "/word/footnotes.xml", FOOTNOTES_CT, "w:footnotes")
    root = part.element
    for note_id, kind, mark in (("-1", "separator", "w:separator"), ("0", "continuationSeparator",
                                                                      "w:continuationSeparator")):
        para = el("w:p", children=[
            props("w:pPr", [el("w:spacing", {"w:after": "0", "w:line": "240", "w:lineRule": "auto"})]),
            el("w:r", children=[el(mark)]),
        ])
        root.append(el("w:footnote", {"w:type": kind, "w:id": note_id}, [para]))
    document_part.relate_to(part, RT.FOOTNOTES)
    return part


def replace_part_element(part, xml: str) -> None:
    """Replace an XML part's whole tree (styles, numbering) with the given XML."""
    part._element = parse_xml(xml)


def deterministic_zip(blob: bytes) -> bytes:
    """Re-pack a zip with fixed timestamps and a stable member order (content types first)."""
    with zipfile.ZipFile(io.BytesIO(blob)) as src:
        members = {info.filename: src.read(info.filename) for info in src.infolist()}
    first = ["[Content_Types].xml", "_rels/.rels"]
    names = [n for n in first if n in members] + sorted(n for n in members if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            dst.writestr(info, members[name])
    return out.getvalue()


def serialize(root) -> str:
    """An element tree as an XML string (no declaration), for parts replaced wholesale."""
    from lxml import etree

    return etree.tostring(root, encoding="unicode")
