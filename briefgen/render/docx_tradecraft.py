"""DOCX renderer, analytic blocks: key judgments, timeline, risk matrix, evidence annex (model -> OOXML)."""

from __future__ import annotations

from dataclasses import replace

from briefgen import model
from briefgen.render.ooxml import el, props

# Risk-matrix bands (low … very high): lightness steps that stay apart in greyscale print.
RATING_FILL = {1: "EEF5EA", 2: "FBE7A6", 3: "F0A35E", 4: "B8322A"}


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
    """Numbered judgments, each followed by its own line: likelihood (term, band) · confidence."""
    out = []
    for n, j in enumerate(blk.judgments, 1):
        out.append(d.para("Normal", [*d.runs(f"{n}. ", "Strong"), *d.inline_runs(j.inlines)]))
        meta = []
        if j.likelihood:
            meta += d.runs(f"{d.label('likelihood')}: ")
            meta += d.runs(j.likelihood, "Strong")
            if j.band:
                meta += d.runs(f" ({j.band})")
        if j.confidence:
            meta += d.runs(("    " if meta else "") + f"{d.label('confidence')}: ")
            meta += d.runs(j.confidence, "Strong")
        if meta:
            out.append(d.para("TableText", meta))
    return out


def timeline(d, blk: model.Timeline) -> list:
    """A two-column table: date, event."""
    rows = [[[d.para("TableText", d.runs(ev.date, "Strong"))], [d.para("TableText", d.inline_runs(ev.inlines))]]
            for ev in blk.events]
    header = d.heading_cells(d.label("date"), d.label("event"))
    return [d.table([2200, _text_width(d) - 2200], header, rows)]


def risk_matrix(d, blk: model.RiskMatrix) -> list:
    """Likelihood (rows, highest first) × impact (columns); shaded cells hold the risk numbers."""
    widths = [1800] + [(_text_width(d) - 1800) // 5] * 5
    tbl = el("w:tbl", children=[
        props("w:tblPr", [el("w:tblStyle", {"w:val": "BriefTable"}), el("w:bidiVisual") if d.rtl else None,
                          el("w:tblW", {"w:w": str(sum(widths)), "w:type": "dxa"}),
                          el("w:jc", {"w:val": "center"}), el("w:tblLayout", {"w:type": "fixed"})]),
        el("w:tblGrid", children=[el("w:gridCol", {"w:w": str(w)}) for w in widths]),
    ])
    header = [f"{d.label('likelihood')} \\ {d.label('impact')}", *blk.impact_labels]
    tbl.append(_row(d, widths, [(d.text_para("TableHeading", t), None) for t in header], header=True))
    for likelihood in range(5, 0, -1):
        cells = [(d.text_para("TableText", blk.likelihood_labels[likelihood - 1]), None)]
        for impact in range(1, 6):
            numbers = "  ".join(str(r.number) for r in blk.cell(likelihood, impact))
            rating = blk.cell_rating(likelihood, impact)
            cells.append((d.para("TableHeading", d.runs(numbers) if numbers else []), RATING_FILL[rating]))
        tbl.append(_row(d, widths, cells))
    legend = "  ·  ".join(blk.rating_labels)
    caption = f"{d.label('risk_matrix')}: {d.label('matrix_caption')}. {legend}"
    return [tbl, d.text_para("TableText", caption)]


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
    from briefgen.render.docx import TEXT_WIDTH

    return TEXT_WIDTH


def risk_extras(d, risk: model.Risk) -> list:
    """Paragraphs under a risk's description in the risks table: rating and indicators."""
    out = []
    if risk.rating:
        out.append(d.para("TableText", d.runs(f"{d.label('rating')}: ") + d.runs(risk.rating, "Strong")))
    if risk.indicators:
        out.append(d.para("TableText", d.runs(d.label("indicators"), "Strong")))
        out.extend(d.item_list(risk.indicators, False, "TableText", in_table=True))
    return out
