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


# -- styles.xml and numbering.xml -------------------------------------------------------------
FONT = "Amiri"
BIDI_LANG = "ar-IQ"

# (type, id, name, basedOn, pPr spec, rPr spec); specs are (tag, attrs) pairs.
STYLES: list[tuple[str, str, str, str | None, list, list]] = [
    ("paragraph", "Normal", "Normal", None,
     [("w:spacing", {"w:after": "120", "w:line": "300", "w:lineRule": "auto"}), ("w:jc", {"w:val": "both"})], []),
    ("paragraph", "Title", "Title", "Normal",
     [("w:keepNext", {}), ("w:spacing", {"w:before": "240", "w:after": "120"}), ("w:jc", {"w:val": "center"})],
     [("w:b", {}), ("w:bCs", {}), ("w:color", {"w:val": "1F3864"}), ("w:sz", {"w:val": "44"}),
      ("w:szCs", {"w:val": "44"})]),
    ("paragraph", "Subtitle", "Subtitle", "Normal",
     [("w:keepNext", {}), ("w:spacing", {"w:after": "120"}), ("w:jc", {"w:val": "center"})],
     [("w:color", {"w:val": "44546A"}), ("w:sz", {"w:val": "30"}), ("w:szCs", {"w:val": "30"})]),
    ("paragraph", "BriefMeta", "Brief Meta", "Normal",
     [("w:spacing", {"w:after": "40"}), ("w:jc", {"w:val": "center"})],
     [("w:color", {"w:val": "44546A"}), ("w:sz", {"w:val": "22"}), ("w:szCs", {"w:val": "22"})]),
    ("paragraph", "Heading1", "heading 1", "Normal",
     [("w:keepNext", {}), ("w:keepLines", {}), ("w:spacing", {"w:before": "360", "w:after": "120"}),
      ("w:jc", {"w:val": "left"}), ("w:outlineLvl", {"w:val": "0"})],
     [("w:b", {}), ("w:bCs", {}), ("w:color", {"w:val": "1F3864"}), ("w:sz", {"w:val": "32"}),
      ("w:szCs", {"w:val": "32"})]),
    ("paragraph", "Heading2", "heading 2", "Normal",
     [("w:keepNext", {}), ("w:keepLines", {}), ("w:spacing", {"w:before": "240", "w:after": "80"}),
      ("w:jc", {"w:val": "left"}), ("w:outlineLvl", {"w:val": "1"})],
     [("w:b", {}), ("w:bCs", {}), ("w:color", {"w:val": "2F5496"}), ("w:sz", {"w:val": "28"}),
      ("w:szCs", {"w:val": "28"})]),
    ("paragraph", "ListParagraph", "List Paragraph", "Normal",
     [("w:spacing", {"w:after": "60"}), ("w:ind", {"w:left": "720"}), ("w:contextualSpacing", {})], []),
    ("paragraph", "TableText", "Table Text", "Normal",
     [("w:spacing", {"w:before": "40", "w:after": "40", "w:line": "260", "w:lineRule": "auto"}),
      ("w:jc", {"w:val": "left"})],
     [("w:sz", {"w:val": "22"}), ("w:szCs", {"w:val": "22"})]),
    ("paragraph", "TableHeading", "Table Heading", "TableText", [("w:keepNext", {})],
     [("w:b", {}), ("w:bCs", {})]),
    ("paragraph", "Bibliography", "Bibliography", "Normal",
     [("w:spacing", {"w:after": "80"}), ("w:ind", {"w:left": "567", "w:hanging": "567"}), ("w:jc", {"w:val": "left"})],
     [("w:sz", {"w:val": "22"}), ("w:szCs", {"w:val": "22"})]),
    ("paragraph", "FootnoteText", "footnote text", "Normal",
     [("w:spacing", {"w:after": "0", "w:line": "240", "w:lineRule": "auto"}), ("w:jc", {"w:val": "left"})],
     [("w:sz", {"w:val": "20"}), ("w:szCs", {"w:val": "20"})]),
    ("paragraph", "Header", "header", "Normal",
     [("w:spacing", {"w:after": "0"}), ("w:jc", {"w:val": "center"})],
     [("w:color", {"w:val": "595959"}), ("w:sz", {"w:val": "18"}), ("w:szCs", {"w:val": "18"})]),
    ("paragraph", "Footer", "footer", "Header", [], []),
    ("paragraph", "Classification", "Classification", "Header", [],
     [("w:b", {}), ("w:bCs", {}), ("w:caps", {}), ("w:color", {"w:val": "C00000"})]),
    ("character", "DefaultParagraphFont", "Default Paragraph Font", None, [], []),
    ("character", "FootnoteReference", "footnote reference", "DefaultParagraphFont", [],
     [("w:vertAlign", {"w:val": "superscript"})]),
    ("character", "Strong", "Strong", "DefaultParagraphFont", [], [("w:b", {}), ("w:bCs", {})]),
]


def _spec(items: list) -> list:
    return [el(tag, attrs) for tag, attrs in items]


def _lang_rpr(rtl: bool) -> list:
    return [el("w:rtl") if rtl else None,
            el("w:lang", {"w:val": "en-US", "w:eastAsia": "en-US", "w:bidi": BIDI_LANG})]


def styles_xml(rtl: bool) -> str:
    """styles.xml: doc defaults and the named styles, right-to-left throughout when rtl."""
    fonts = {"w:ascii": FONT, "w:hAnsi": FONT, "w:eastAsia": FONT, "w:cs": FONT}
    root = el("w:styles")
    root.append(el("w:docDefaults", children=[
        el("w:rPrDefault", children=[props("w:rPr", [
            el("w:rFonts", fonts), el("w:sz", {"w:val": "24"}), el("w:szCs", {"w:val": "24"}), *_lang_rpr(rtl)])]),
        el("w:pPrDefault", children=[props("w:pPr", [el("w:spacing", {"w:after": "0"})])]),
    ]))
    for kind, style_id, name, based_on, ppr, rpr in STYLES:
        attrs = {"w:type": kind, "w:styleId": style_id}
        if style_id in ("Normal", "DefaultParagraphFont"):
            attrs["w:default"] = "1"
        style = el("w:style", attrs, [el("w:name", {"w:val": name})])
        if based_on:
            put(style, el("w:basedOn", {"w:val": based_on}))
        put(style, el("w:qFormat"))
        if kind == "paragraph":
            # Word and LibreOffice read jc left/right as start/end of the paragraph's direction:
            # "left" in a w:bidi paragraph is flush right, so the same value serves both languages.
            put(style, props("w:pPr", [*_spec(ppr), el("w:bidi") if rtl else None]))
        if style_id != "DefaultParagraphFont":
            rpr_items = _spec(rpr)
            if style_id == "Normal":
                rpr_items += [el("w:rFonts", fonts), el("w:sz", {"w:val": "24"}), el("w:szCs", {"w:val": "24"})]
            put(style, props("w:rPr", [*rpr_items, *_lang_rpr(rtl)]))
        root.append(style)
    root.append(_table_style(rtl))
    root.append(el("w:style", {"w:type": "table", "w:default": "1", "w:styleId": "TableNormal"}, [
        el("w:name", {"w:val": "Normal Table"}), el("w:uiPriority", {"w:val": "99"}), el("w:semiHidden"),
        el("w:unhideWhenUsed"), props("w:tblPr", [
            el("w:tblInd", {"w:w": "0", "w:type": "dxa"}), _cell_margins()])]))
    root.append(el("w:style", {"w:type": "numbering", "w:default": "1", "w:styleId": "NoList"}, [
        el("w:name", {"w:val": "No List"}), el("w:uiPriority", {"w:val": "99"}), el("w:semiHidden"),
        el("w:unhideWhenUsed")]))
    return _serialize(root)


def _cell_margins():
    return el("w:tblCellMar", children=[
        el("w:top", {"w:w": "40", "w:type": "dxa"}), el("w:left", {"w:w": "100", "w:type": "dxa"}),
        el("w:bottom", {"w:w": "40", "w:type": "dxa"}), el("w:right", {"w:w": "100", "w:type": "dxa"})])


def _table_style(rtl: bool):
    line = {"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": "8EAADB"}
    borders = el("w:tblBorders", children=[el(f"w:{side}", line) for side in
                                            ("top", "left", "bottom", "right", "insideH", "insideV")])
    return el("w:style", {"w:type": "table", "w:styleId": "BriefTable"}, [
        el("w:name", {"w:val": "Brief Table"}), el("w:basedOn", {"w:val": "TableNormal"}),
        el("w:uiPriority", {"w:val": "59"}),
        props("w:pPr", [el("w:spacing", {"w:after": "0"}), el("w:bidi") if rtl else None]),
        props("w:rPr", _lang_rpr(rtl)),
        props("w:tblPr", [el("w:bidiVisual") if rtl else None, borders, _cell_margins()]),
        el("w:tblStylePr", {"w:type": "firstRow"}, [
            props("w:rPr", [el("w:b"), el("w:bCs")]),
            el("w:trPr", children=[el("w:tblHeader")]),
            props("w:tcPr", [el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": "D9E2F3"})]),
        ]),
    ])


def numbering_xml(rtl: bool, ordered_lists: int = 0) -> str:
    """numbering.xml: bullets (1), bullets in table cells (2), numbered lists (3..) restarting at 1."""
    root = el("w:numbering")
    kinds = ((0, "bullet", "•", 720), (1, "bullet", "•", 284), (2, "decimal", "%1.", 720))
    for abstract_id, fmt, text, indent in kinds:
        lvl = el("w:lvl", {"w:ilvl": "0"}, [
            el("w:start", {"w:val": "1"}), el("w:numFmt", {"w:val": fmt}),
            el("w:suff", {"w:val": "space"}) if abstract_id == 1 else None, el("w:lvlText", {"w:val": text}),
            el("w:lvlJc", {"w:val": "left"}),
            props("w:pPr", [el("w:ind", {"w:left": str(indent), "w:hanging": str(min(indent - 84, 360))}),
                            el("w:bidi") if rtl else None]),
            props("w:rPr", [el("w:rFonts", {"w:ascii": FONT, "w:hAnsi": FONT, "w:cs": FONT}),
                            el("w:rtl") if rtl else None]),
        ])
        root.append(el("w:abstractNum", {"w:abstractNumId": str(abstract_id)}, [
            el("w:multiLevelType", {"w:val": "singleLevel"}), lvl]))
    nums = [(1, 0), (2, 1)] + [(3 + i, 2) for i in range(ordered_lists)]
    for num_id, abstract_id in nums:
        num = el("w:num", {"w:numId": str(num_id)}, [el("w:abstractNumId", {"w:val": str(abstract_id)})])
        if abstract_id == 2:
            num.append(el("w:lvlOverride", {"w:ilvl": "0"}, [el("w:startOverride", {"w:val": "1"})]))
        root.append(num)
    return _serialize(root)


def _serialize(root) -> str:
    from lxml import etree

    return etree.tostring(root, encoding="unicode")
