"""DOCX styles stage: styles.xml (RTL named styles, Amiri) and numbering.xml (bullets, numbered lists)."""

from __future__ import annotations

from briefgen.render.ooxml import el, props, put, serialize

FONT = "Amiri"
BIDI_LANG = "ar-IQ"
TEXT_WIDTH = 11906 - 2 * 1134  # A4 width minus two 2 cm margins, in twips
# The PDF's body (brief.css): 11.5 pt Amiri, 1.6 line-height = 18.4 pt. Amiri's own line (its
# ascent + descent) is 1.71 em, so Word's "auto" spacing of 224/240 gives about the same pitch.
BODY_SIZE, BODY_LINE = 23, 224

_B = [("w:b", {}), ("w:bCs", {})]
_I = [("w:i", {}), ("w:iCs", {})]


def _size(half_points: int) -> list:
    return [("w:sz", {"w:val": str(half_points)}), ("w:szCs", {"w:val": str(half_points)})]


def _color(rgb: str) -> list:
    return [("w:color", {"w:val": rgb})]


def _heading(level: int, before: int, after: int) -> list:
    return [("w:keepNext", {}), ("w:keepLines", {}), ("w:spacing", {"w:before": str(before), "w:after": str(after)}),
            ("w:jc", {"w:val": "left"}), ("w:outlineLvl", {"w:val": str(level)})]


# (type, id, name, basedOn, pPr spec, rPr spec); specs are (tag, attrs) pairs.
# Word and LibreOffice read jc left/right as start/end of the paragraph's direction:
# "left" in a w:bidi paragraph is flush right, so the same value serves both languages.
STYLES: list[tuple[str, str, str, str | None, list, list]] = [
    ("paragraph", "Normal", "Normal", None,
     [("w:spacing", {"w:after": "120", "w:line": str(BODY_LINE), "w:lineRule": "auto"}), ("w:jc", {"w:val": "both"})],
     []),
    # The title block, as in the PDF: flush with the start margin, one accent rule under the block
    # (the three styles share the bottom border, so Word and LibreOffice draw it once, under the group).
    ("paragraph", "Title", "Title", "Normal",
     [("w:keepNext", {}), lambda: _title_rule(), ("w:spacing", {"w:before": "120", "w:after": "80"}),
      ("w:jc", {"w:val": "left"})],
     _B + _color("1F4E79") + _size(42)),
    ("paragraph", "Subtitle", "Subtitle", "Normal",
     [("w:keepNext", {}), lambda: _title_rule(), ("w:spacing", {"w:after": "80"}), ("w:jc", {"w:val": "left"})],
     _color("5A6470") + _size(26)),
    ("paragraph", "BriefMeta", "Brief Meta", "Normal",
     [lambda: _title_rule(), ("w:spacing", {"w:after": "40"}), ("w:jc", {"w:val": "left"})],
     _color("5A6470") + _size(20)),
    ("paragraph", "Heading1", "heading 1", "Normal", _heading(0, 360, 120), _B + _color("1F3864") + _size(30)),
    ("paragraph", "Heading2", "heading 2", "Normal", _heading(1, 240, 80), _B + _color("2F5496") + _size(28)),
    ("paragraph", "Heading3", "heading 3", "Normal", _heading(2, 200, 60), _B + _color("2F5496") + _size(24)),
    ("paragraph", "Quote", "Quote", "Normal",
     [("w:spacing", {"w:before": "120", "w:after": "120"}), ("w:ind", {"w:left": "567", "w:right": "567"}),
      ("w:jc", {"w:val": "left"})], _I + _color("404040")),
    ("paragraph", "ListParagraph", "List Paragraph", "Normal",
     [("w:spacing", {"w:after": "60"}), ("w:ind", {"w:left": "720"}), ("w:contextualSpacing", {})], []),
    ("paragraph", "TableText", "Table Text", "Normal",
     [("w:spacing", {"w:before": "40", "w:after": "40", "w:line": str(BODY_LINE), "w:lineRule": "auto"}),
      ("w:jc", {"w:val": "left"})], _size(21)),
    ("paragraph", "TableHeading", "Table Heading", "TableText", [("w:keepNext", {})], _B),
    ("paragraph", "Caption", "caption", "Normal",
     [("w:spacing", {"w:before": "60", "w:after": "200"}), ("w:jc", {"w:val": "left"})],
     _I + _color("44546A") + _size(20)),
    ("paragraph", "Bibliography", "Bibliography", "Normal",
     [("w:spacing", {"w:after": "80"}), ("w:ind", {"w:left": "567", "w:hanging": "567"}), ("w:jc", {"w:val": "left"})],
     _size(22)),
    # The contents heading is not a Heading 1/2 (outline level 9 = body text), so the TOC skips it.
    ("paragraph", "TOCHeading", "TOC Heading", "Normal",
     [("w:keepNext", {}), ("w:spacing", {"w:before": "240", "w:after": "120"}), ("w:jc", {"w:val": "left"}),
      ("w:outlineLvl", {"w:val": "9"})], _B + _color("1F3864") + _size(28)),
    ("paragraph", "TOC1", "toc 1", "Normal", [("w:spacing", {"w:after": "60"}), ("w:jc", {"w:val": "left"})], []),
    ("paragraph", "TOC2", "toc 2", "Normal",
     [("w:spacing", {"w:after": "60"}), ("w:ind", {"w:left": "284"}), ("w:jc", {"w:val": "left"})], []),
    ("paragraph", "FootnoteText", "footnote text", "Normal",
     [("w:spacing", {"w:after": "0", "w:line": "204", "w:lineRule": "auto"}), ("w:jc", {"w:val": "left"})],
     _size(17)),
    ("paragraph", "CommentText", "annotation text", "Normal",
     [("w:spacing", {"w:after": "0", "w:line": "240", "w:lineRule": "auto"}), ("w:jc", {"w:val": "left"})],
     _size(20)),
    ("paragraph", "Header", "header", "Normal",
     [("w:spacing", {"w:after": "0"}), ("w:jc", {"w:val": "center"})], _color("595959") + _size(18)),
    ("paragraph", "Footer", "footer", "Header", [], []),
    ("paragraph", "Classification", "Classification", "Header", [], _B + [("w:caps", {})] + _color("C00000")),
    ("character", "DefaultParagraphFont", "Default Paragraph Font", None, [], []),
    ("character", "FootnoteReference", "footnote reference", "DefaultParagraphFont", [],
     [("w:vertAlign", {"w:val": "superscript"})]),
    ("character", "CommentReference", "annotation reference", "DefaultParagraphFont", [], _size(16)),
    ("character", "Strong", "Strong", "DefaultParagraphFont", [], _B),
    ("character", "PlaceholderText", "Placeholder Text", "DefaultParagraphFont", [], _I + _color("808080")),
]


def _spec(items: list) -> list:
    return [el(*item) if isinstance(item, tuple) else item() if callable(item) else item for item in items]


def _title_rule():
    return _p_borders(bottom=_border("bottom", 16, 8, ACCENT))


# The PDF theme's colours (templates/brief.css): accent, card background, rule, muted text.
ACCENT, CARD, RULE, MUTED = "1F4E79", "F3F6F9", "C9D3DE", "5A6470"
# Risk bands low … very high (the PDF's .r1 … .r4): lightness steps that stay apart in greyscale print.
RATING_FILL = {1: "EEF5EA", 2: "FBE7A6", 3: "F0A35E", 4: "B8322A"}


def _border(side: str, size: int, space: int, color: str):
    return el(f"w:{side}", {"w:val": "single", "w:sz": str(size), "w:space": str(space), "w:color": color})


def _p_borders(**sides):
    """A w:pBdr with the given sides (top, left, bottom, right) in schema order."""
    return el("w:pBdr", children=[sides[s] for s in ("top", "left", "bottom", "right") if s in sides])


def _shading(fill: str):
    return el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill})


def analytic_styles(rtl: bool) -> list[tuple[str, str, str, str | None, list, list]]:
    """Named styles giving key judgments, the timeline and the risk matrix the PDF's look in Word terms.

    A key judgment is a card: its text (Key Judgment) and its likelihood/confidence line (Key
    Judgment Meta) share a shaded background and a thick accent bar on the start edge. The two
    styles' border sets differ (an invisible top line on the first, bottom on the second), so Word
    never groups the next card's paragraphs into the same box (ECMA-376 §17.3.1.24), yet the two
    halves of one card abut. Paragraph borders are physical (w:bidi does not mirror them): the
    start edge is w:right in a right-to-left brief. Timeline events share one start rule, which
    Word draws as a single line down the group; the date hangs before the event.
    """
    start = "right" if rtl else "left"

    def card_ppr():  # fresh elements for each style (an lxml element has one parent)
        return [_shading(CARD), ("w:ind", {"w:left": "240", "w:right": "160"}), ("w:jc", {"w:val": "both"})]

    styles = [
        ("paragraph", "KeyJudgment", "Key Judgment", "Normal",
         [("w:keepNext", {}), ("w:keepLines", {}),
          _p_borders(top=_border("top", 4, 4, CARD), **{start: _border(start, 24, 8, ACCENT)}),
          ("w:spacing", {"w:before": "120", "w:after": "0"}), *card_ppr()], []),
        ("paragraph", "KeyJudgmentMeta", "Key Judgment Meta", "KeyJudgment",
         [("w:keepNext", {"w:val": "0"}),
          _p_borders(bottom=_border("bottom", 4, 4, CARD), **{start: _border(start, 24, 8, ACCENT)}),
          ("w:spacing", {"w:before": "0", "w:after": "160"}), *card_ppr()], _color(MUTED) + _size(19)),
        ("paragraph", "TimelineEvent", "Timeline Event", "Normal",
         [("w:keepLines", {}), _p_borders(**{start: _border(start, 12, 1, RULE)}),
          el("w:tabs", children=[el("w:tab", {"w:val": "left", "w:pos": "1980"})]),
          ("w:spacing", {"w:after": "80"}), ("w:ind", {"w:left": "1980", "w:hanging": "1740"}),
          ("w:jc", {"w:val": "left"})], []),
        ("paragraph", "RiskMatrixCell", "Risk Matrix Cell", "TableText", [("w:jc", {"w:val": "center"})], _size(18)),
        ("paragraph", "RiskMatrixCaption", "Risk Matrix Caption", "Caption",
         [("w:keepNext", {}), ("w:jc", {"w:val": "center"})],
         [("w:i", {"w:val": "0"}), ("w:iCs", {"w:val": "0"}), *_size(17)]),
        ("paragraph", "PositionStance", "Position Stance", "TableText", [], [("w:b", {"w:val": "0"}),
                                                                              ("w:bCs", {"w:val": "0"}),
                                                                              *_color("333333"), *_size(20)]),
        ("character", "KeyJudgmentNumber", "Key Judgment Number", "Strong", [], _color(ACCENT)),
        ("character", "KeyJudgmentValue", "Key Judgment Value", "Strong", [], _color("111111")),
        ("character", "TimelineDate", "Timeline Date", "Strong", [], _color(ACCENT)),
        ("character", "TimelineDot", "Timeline Dot", "DefaultParagraphFont", [], _B + _color(ACCENT) + _size(28)),
        ("character", "RiskNumber", "Risk Number", "Strong",
         [], [el("w:bdr", {"w:val": "single", "w:sz": "6", "w:space": "0", "w:color": "111111"}),
              _shading("FFFFFF")] + _color("111111")),
    ]
    for rank, fill in RATING_FILL.items():
        styles.append(("character", f"RiskBand{rank}", f"Risk Band {rank}", "DefaultParagraphFont", [],
                       [_shading(fill), *_color("FFFFFF" if rank == 4 else "111111")]))
    return styles


def lang_rpr(rtl: bool) -> list:
    """The run properties every style carries: direction and languages (Arabic for complex script)."""
    return [el("w:rtl") if rtl else None,
            el("w:lang", {"w:val": "en-US", "w:eastAsia": "en-US", "w:bidi": BIDI_LANG})]


def default_fonts() -> dict[str, str]:
    return {"w:ascii": FONT, "w:hAnsi": FONT, "w:eastAsia": FONT, "w:cs": FONT}


def styles_root(rtl: bool, text_width: int = TEXT_WIDTH):
    """The w:styles element: doc defaults and the named styles, right-to-left throughout when rtl."""
    root = el("w:styles")
    root.append(el("w:docDefaults", children=[
        el("w:rPrDefault", children=[props("w:rPr", [
            el("w:rFonts", default_fonts()), *_spec(_size(BODY_SIZE)), *lang_rpr(rtl)])]),
        el("w:pPrDefault", children=[props("w:pPr", [el("w:spacing", {"w:after": "0"})])]),
    ]))
    for kind, style_id, name, based_on, ppr, rpr in STYLES + analytic_styles(rtl):
        attrs = {"w:type": kind, "w:styleId": style_id}
        if style_id in ("Normal", "DefaultParagraphFont"):
            attrs["w:default"] = "1"
        style = el("w:style", attrs, [el("w:name", {"w:val": name})])
        if based_on:
            put(style, el("w:basedOn", {"w:val": based_on}))
        put(style, el("w:qFormat"))
        if kind == "paragraph":
            ppr_items = _spec(ppr)
            if style_id.startswith("TOC") and style_id[-1].isdigit():  # page numbers at the end, dot leader
                ppr_items.append(el("w:tabs", children=[
                    el("w:tab", {"w:val": "right", "w:leader": "dot", "w:pos": str(text_width)})]))
            put(style, props("w:pPr", [*ppr_items, el("w:bidi") if rtl else None]))
        if style_id != "DefaultParagraphFont":
            rpr_items = _spec(rpr)
            if style_id == "Normal":
                rpr_items += [el("w:rFonts", default_fonts()), *_spec(_size(BODY_SIZE))]
            put(style, props("w:rPr", [*rpr_items, *lang_rpr(rtl)]))
        root.append(style)
    root.append(_table_style(rtl))
    root.append(_positions_style(rtl))
    root.append(el("w:style", {"w:type": "table", "w:default": "1", "w:styleId": "TableNormal"}, [
        el("w:name", {"w:val": "Normal Table"}), el("w:uiPriority", {"w:val": "99"}), el("w:semiHidden"),
        el("w:unhideWhenUsed"), props("w:tblPr", [
            el("w:tblInd", {"w:w": "0", "w:type": "dxa"}), _cell_margins()])]))
    root.append(el("w:style", {"w:type": "numbering", "w:default": "1", "w:styleId": "NoList"}, [
        el("w:name", {"w:val": "No List"}), el("w:uiPriority", {"w:val": "99"}), el("w:semiHidden"),
        el("w:unhideWhenUsed")]))
    return root


def styles_xml(rtl: bool, text_width: int = TEXT_WIDTH) -> str:
    """styles.xml of a brief with briefgen's own styles only."""
    return serialize(styles_root(rtl, text_width))


def _cell_margins():
    return el("w:tblCellMar", children=[
        el("w:top", {"w:w": "40", "w:type": "dxa"}), el("w:left", {"w:w": "100", "w:type": "dxa"}),
        el("w:bottom", {"w:w": "40", "w:type": "dxa"}), el("w:right", {"w:w": "100", "w:type": "dxa"})])


def _table_style(rtl: bool):
    line = {"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": RULE}  # the PDF's 0.5 pt rules
    borders = el("w:tblBorders", children=[el(f"w:{side}", line) for side in
                                            ("top", "left", "bottom", "right", "insideH", "insideV")])
    return el("w:style", {"w:type": "table", "w:styleId": "BriefTable"}, [
        el("w:name", {"w:val": "Brief Table"}), el("w:basedOn", {"w:val": "TableNormal"}),
        el("w:uiPriority", {"w:val": "59"}),
        props("w:pPr", [el("w:spacing", {"w:after": "0"}), el("w:bidi") if rtl else None]),
        props("w:rPr", lang_rpr(rtl)),
        props("w:tblPr", [el("w:bidiVisual") if rtl else None, borders, _cell_margins()]),
        el("w:tblStylePr", {"w:type": "firstRow"}, [
            props("w:rPr", [el("w:b"), el("w:bCs"), el("w:color", {"w:val": "FFFFFF"})]),
            el("w:trPr", children=[el("w:tblHeader")]),
            props("w:tcPr", [_shading(ACCENT)]),  # the PDF's header row: white on the accent colour
        ]),
    ])


def _positions_style(rtl: bool):
    """Positions side by side, as in the PDF: columns on the card ground, an accent rule over each
    actor's heading (accent text), column rules, no rules between rows."""
    rule = {"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": RULE}
    borders = el("w:tblBorders", children=[el("w:top", {"w:val": "nil"}), el("w:left", rule), el("w:bottom", rule),
                                            el("w:right", rule), el("w:insideH", {"w:val": "nil"}),
                                            el("w:insideV", rule)])
    accent_top = el("w:tcBorders", children=[
        el("w:top", {"w:val": "single", "w:sz": "16", "w:space": "0", "w:color": ACCENT})])
    return el("w:style", {"w:type": "table", "w:styleId": "PositionsTable"}, [
        el("w:name", {"w:val": "Positions Table"}), el("w:basedOn", {"w:val": "BriefTable"}),
        el("w:uiPriority", {"w:val": "59"}),
        props("w:pPr", [el("w:spacing", {"w:after": "0"}), el("w:bidi") if rtl else None]),
        props("w:rPr", lang_rpr(rtl)),
        props("w:tblPr", [el("w:bidiVisual") if rtl else None, borders, _cell_margins()]),
        props("w:tcPr", [_shading(CARD)]),
        el("w:tblStylePr", {"w:type": "wholeTable"}, [props("w:tcPr", [_shading(CARD)])]),
        el("w:tblStylePr", {"w:type": "firstRow"}, [
            props("w:rPr", [el("w:b"), el("w:bCs"), el("w:color", {"w:val": ACCENT})]),
            el("w:trPr", children=[el("w:tblHeader")]),
            props("w:tcPr", [accent_top, _shading(CARD)]),
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
    return serialize(root)
