"""DOCX renderer, analytic blocks: key judgments, timeline, risk matrix, evidence annex (model -> OOXML)."""

from __future__ import annotations

from dataclasses import replace

from briefgen import model
from briefgen.render.docx_styles import CARD, RATING_FILL, TEXT_WIDTH
from briefgen.render.ooxml import el, props


def block(d, blk) -> list | None:
    """OOXML elements for an analytic block, or None if the block is not one of them."""
    if isinstance(blk, model.KeyJudgments):
        return key_judgments(d, blk)
    if isinstance(blk, model.Timeline):
        return timeline(d, blk)
    if isinstance(blk, model.RiskMatrix):
        return risk_matrix(d, blk)
    if isinstance(blk, model.EvidenceAnnex):
        return annex(d, blk)
    return None


def key_judgments(d, blk: model.KeyJudgments) -> list:
    """Numbered cards (styles Key Judgment, Key Judgment Meta): the judgment, then its own line,
    likelihood (term, band) · confidence, on the same shaded ground with the accent bar."""
    out = []
    for n, j in enumerate(blk.judgments, 1):
        # Between LRMs: otherwise LibreOffice draws a tatweel between the number and its dot («1ـ.»).
        number = f"\u200e{n}.\u200e " if d.rtl else f"{n}. "
        out.append(d.para("KeyJudgment", [*d.runs(number, "KeyJudgmentNumber"), *d.inline_runs(j.inlines)]))
        meta = []
        if j.likelihood:
            meta += d.runs(f"{d.label('likelihood')}: ")
            meta += d.runs(j.likelihood, "KeyJudgmentValue")
            if j.band:
                meta += d.runs(f" ({j.band})")
        if j.confidence:
            if meta:
                meta.append(_tab_run(d))
            meta += d.runs(f"{d.label('confidence')}: ")
            meta += d.runs(j.confidence, "KeyJudgmentValue")
        if meta:
            out.append(d.para("KeyJudgmentMeta", meta))
    return out


def _tab_run(d):
    return el("w:r", children=[props("w:rPr", [el("w:rtl") if d.rtl else None]), el("w:tab")])


def timeline(d, blk: model.Timeline) -> list:
    """One Timeline Event paragraph per event: a dot against the rule (Timeline Dot), the date
    (Timeline Date), a tab, the event; the paragraphs' shared start border is the PDF's rule."""
    return [d.para("TimelineEvent", [*d.runs("\u2022 ", "TimelineDot"), *d.runs(ev.date, "TimelineDate"), _tab_run(d),
                                     *d.inline_runs(ev.inlines)])
            for ev in blk.events]


def risk_matrix(d, blk: model.RiskMatrix) -> list:
    """Likelihood (rows, highest first) × impact (columns); shaded cells hold the risk numbers."""
    widths = [1700] + [1100] * 5  # about the PDF's 52 pt cells, centred
    tbl = el("w:tbl", children=[
        props("w:tblPr", [el("w:tblStyle", {"w:val": "BriefTable"}), el("w:bidiVisual") if d.rtl else None,
                          el("w:tblW", {"w:w": str(sum(widths)), "w:type": "dxa"}),
                          el("w:jc", {"w:val": "center"}), el("w:tblLayout", {"w:type": "fixed"}),
                          el("w:tblLook", {"w:val": "0000", "w:firstRow": "0", "w:lastRow": "0", "w:firstColumn": "0",
                                           "w:lastColumn": "0", "w:noHBand": "1", "w:noVBand": "1"})]),
        el("w:tblGrid", children=[el("w:gridCol", {"w:w": str(w)}) for w in widths]),
    ])
    header = [f"{d.label('likelihood')} \\ {d.label('impact')}", *blk.impact_labels]
    # The scales' labels on the card ground, as in the PDF (not the tables' dark header row).
    tbl.append(_row(d, widths, [(d.text_para("RiskMatrixCell", t), CARD) for t in header], header=True))
    for likelihood in range(5, 0, -1):
        cells = [(d.text_para("TableText", blk.likelihood_labels[likelihood - 1]), CARD)]
        for impact in range(1, 6):
            runs = []
            for risk in blk.cell(likelihood, impact):
                runs += ([*d.runs("  ")] if runs else []) + d.runs(str(risk.number), "RiskNumber")
            rating = blk.cell_rating(likelihood, impact)
            cells.append((d.para("RiskMatrixCell", runs), RATING_FILL[rating]))
        tbl.append(_row(d, widths, cells))
    legend = []
    for rank, label in enumerate(blk.rating_labels, 1):
        legend += ([*d.runs(" ")] if legend else []) + d.runs(f" {label} ", f"RiskBand{rank}")
    caption = d.runs(f"{d.label('risk_matrix')}: {d.label('matrix_caption')}. ")
    # An empty paragraph first: a table right after the risks table would merge with it (Word, LibreOffice).
    return [d.para("RiskMatrixCaption", []), tbl, d.para("RiskMatrixCaption", caption + legend)]


def _row(d, widths, cells, header: bool = False):
    tr = el("w:tr")
    if header:
        tr.append(el("w:trPr", children=[el("w:cantSplit"), el("w:tblHeader")]))
    for width, (para, fill) in zip(widths, cells, strict=True):
        tc_pr = props("w:tcPr", [el("w:tcW", {"w:w": str(width), "w:type": "dxa"}),
                                 el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill}) if fill else None,
                                 el("w:vAlign", {"w:val": "center"})])
        tr.append(el("w:tc", children=[tc_pr, para]))
    return tr


def annex(d, blk: model.EvidenceAnnex) -> list:
    """Per section: a heading and a table of claims and their evidence (footnote number, ¶, quote)."""
    out = []
    for group in blk.groups:
        out.append(d.text_para("Heading2", group.title))
        rows = []
        for claim in group.claims:
            evidence = []
            for c in claim.citations:
                short = model.note_text(replace(c, quote=None, first=False), d.labels)
                text = f"[{c.number}] {short}" + (f" «{c.quote}»" if c.quote and d.rtl else
                                                   f" “{c.quote}”" if c.quote else "")
                text += f" {model.tolerance_text(c, d.labels)}" if c.tolerances else ""
                evidence.append(d.text_para("TableText", text))
            rows.append([[d.text_para("TableText", claim.text)], evidence or [d.text_para("TableText", "")]])
        header = d.heading_cells(d.label("claim"), d.label("evidence"))
        out.append(d.table([_text_width(d) * 2 // 5, _text_width(d) - _text_width(d) * 2 // 5], header, rows))
    return out


def _text_width(d) -> int:
    return TEXT_WIDTH


def risk_extras(d, risk: model.Risk) -> list:
    """Paragraphs under a risk's description in the risks table: rating and indicators."""
    out = []
    if risk.rating:
        band = f"RiskBand{risk.rating_rank}" if risk.rating_rank in RATING_FILL else "Strong"
        out.append(d.para("TableText", d.runs(f"{d.label('rating')}: ") + d.runs(f" {risk.rating} ", band)))
    if risk.indicators:
        out.append(d.para("TableText", d.runs(d.label("indicators"), "Strong")))
        out.extend(d.item_list(risk.indicators, False, "TableText", in_table=True))
    return out
