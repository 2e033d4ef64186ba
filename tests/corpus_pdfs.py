"""PDFs of the sample articles as publishers make them: WeasyPrint (one and two columns, running header and
footer with page numbers, footnotes, a pull-quote box) and LibreOffice (a DOCX in Amiri, justified, so
kashida appears; DejaVu in two columns; page-number fields in the header and footer)."""

from __future__ import annotations

import html
import os
import subprocess
from pathlib import Path

e = html.escape


def weasy(article, *, columns: int = 1, size: str = "A5", amiri: bool = False, footer_sentence: str | None = None,
          header: str | None = None, numbers: str = "page-of", footnotes: dict[int, tuple[str, str]] | None = None,
          pull: tuple[int, str] | None = None) -> bytes:
    """numbers: 'page-of' («صفحة N من M»), 'dash' («- N -»), 'indic' (Arabic-Indic N), 'plain' (N).
    footnotes: body index -> (word after which the call stands, footnote text). pull: (body index, text)."""
    from weasyprint import HTML

    counter = {"page-of": '"صفحة " counter(page) " من " counter(pages)', "dash": '"- " counter(page) " -"',
               "indic": "counter(page, arabic-indic)", "plain": "counter(page)"}[numbers]
    css = [f"@page{{size:{size};margin:2cm 1.8cm;"
           + (f'@top-center{{content:"{header}";font-size:8pt}}' if header else "")
           + f"@bottom-left{{content:{counter};font-size:8pt}}"
           + (f'@bottom-right{{content:"{footer_sentence}";font-size:8pt}}' if footer_sentence else "") + "}",
           "body{font-size:11pt;line-height:1.5}p{margin:0 0 .6em;text-align:justify}"
           "h1{font-size:16pt}h2.standfirst{font-size:12pt;font-weight:normal}h3{font-size:12pt}"
           ".pull{border:1.5pt solid #555;padding:6pt;margin:8pt 0;font-size:13pt;font-weight:bold}"
           ".fn{float:footnote;font-size:8pt}::footnote-call{content:counter(footnote);vertical-align:super;"
           "font-size:7pt}::footnote-marker{content:counter(footnote) '. '}figcaption{font-size:9pt;font-style:italic}"]
    if amiri:
        from briefgen.render.fonts import FAMILY, font_face_css

        css.append(f'{font_face_css()}body{{font-family:"{FAMILY}",serif}}')
    if columns > 1:
        css.append(f".cols{{column-count:{columns};column-gap:1cm}}")
    out = []
    body_i = 0
    for part in article.parts:
        t = e(part.text)
        if part.role == "headline":
            out.append(f"<h1>{t}</h1>")
        elif part.role == "standfirst":
            out.append(f"<h2 class='standfirst'>{t}</h2>")
        elif part.role == "subheading":
            out.append(f"<h3>{t}</h3>")
        elif part.role == "caption":
            out.append(f"<figure><div style='height:1.5cm;background:#ddd'></div><figcaption>{t}</figcaption></figure>")
        else:
            if footnotes and body_i in footnotes:
                word, note = footnotes[body_i]
                t = t.replace(e(word), e(word) + f"<span class='fn'>{e(note)}</span>", 1)
            out.append(f"<p>{t}</p>")
            if pull and pull[0] == body_i:
                out.append(f"<div class='pull'>{e(pull[1])}</div>")
            body_i += 1
    head = [x for x in out if x.startswith(("<h1", "<h2 class"))]
    rest = [x for x in out if x not in head]
    doc = (f"<html lang='ar' dir='rtl'><head><meta charset='utf-8'><style>{''.join(css)}</style></head><body>"
           + "".join(head) + f"<div class='cols'>{''.join(rest)}</div></body></html>")
    return HTML(string=doc).write_pdf()


def docx(article, path: Path, *, font: str, columns: int = 1, justify: bool = True, header: str | None = None,
         numbers: bool = True) -> None:
    """A Word document as a publisher writes one: right-to-left paragraphs in one font, justified, a header
    line and a «صفحة N من M» footer made of PAGE/NUMPAGES fields, optionally two columns."""
    import docx as python_docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = python_docx.Document()
    style = doc.styles["Normal"]
    style.font.name = font
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), font)
    szcs = OxmlElement("w:szCs")
    szcs.set(qn("w:val"), "24")
    rpr.append(szcs)

    def rtl(p, size: int | None = None, bold: bool = False):
        ppr = p._p.get_or_add_pPr()
        bidi = OxmlElement("w:bidi")
        ppr.insert(0, bidi)
        for r in p.runs:
            rpr = r._r.get_or_add_rPr()
            if bold:
                rpr.append(OxmlElement("w:bCs"))
            if size:
                cs = OxmlElement("w:szCs")
                cs.set(qn("w:val"), str(2 * size))
                rpr.append(cs)
            rpr.append(OxmlElement("w:rtl"))

    for part in article.parts:
        if part.role == "headline":
            p = doc.add_paragraph()
            run = p.add_run(part.text)
            run.bold = True
            run.font.size = Pt(18)
            rtl(p, 18, True)
        elif part.role in ("subheading", "standfirst"):
            p = doc.add_paragraph()
            run = p.add_run(part.text)
            run.bold = True
            rtl(p, 14 if part.role == "standfirst" else 13, True)
        elif part.role == "caption":  # Word's Caption style: smaller, italic
            p = doc.add_paragraph()
            run = p.add_run(part.text)
            run.italic = True
            run.font.size = Pt(10)
            rtl(p, 10)
        else:
            p = doc.add_paragraph(part.text)
            if justify:
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            rtl(p)
    section = doc.sections[0]
    section._sectPr.append(OxmlElement("w:bidi"))  # an Arabic document: columns run right to left
    if columns > 1:
        cols = OxmlElement("w:cols")
        cols.set(qn("w:num"), str(columns))
        cols.set(qn("w:space"), "567")
        section._sectPr.append(cols)
    if header:
        hp = section.header.paragraphs[0]
        hp.text = header
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        rtl(hp)
    if numbers:
        fp = section.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER

        def field(code):
            for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
                r = OxmlElement("w:r")
                if kind:
                    fc = OxmlElement("w:fldChar")
                    fc.set(qn("w:fldCharType"), kind)
                    r.append(fc)
                elif text == code:
                    it = OxmlElement("w:instrText")
                    it.set(qn("xml:space"), "preserve")
                    it.text = f" {code} "
                    r.append(it)
                else:
                    t = OxmlElement("w:t")
                    t.text = text
                    r.append(t)
                fp._p.append(r)

        fp.add_run("صفحة ")
        field("PAGE")
        fp.add_run(" من ")
        field("NUMPAGES")
        rtl(fp)
    doc.save(str(path))


def libreoffice_pdfs(docs: dict[str, Path], workdir: Path, fonts: list[Path]) -> dict[str, bytes]:
    """One soffice run converting every DOCX to PDF, its own profile, the given font folders visible."""
    conf = workdir / "fonts.conf"
    conf.write_text("<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
                    "<include ignore_missing='yes'>/etc/fonts/fonts.conf</include>"
                    + "".join(f"<dir>{d}</dir>" for d in fonts) + f"<cachedir>{workdir}/fc-cache</cachedir>"
                    "</fontconfig>")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    subprocess.run(["soffice", f"-env:UserInstallation=file://{workdir}/lo-profile", "--headless", "--norestore",
                    "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(workdir), *map(str, docs.values())],
                   check=True, capture_output=True, timeout=240, env=env)
    return {name: (workdir / (p.stem + ".pdf")).read_bytes() for name, p in docs.items()}


FOOTER = "جميع الحقوق محفوظة لموقع حفريات"  # a running footer sentence (site furniture, no fact)
FOOTNOTES = {1: ("السوداني", "رئيس الحكومة العراقية"), 5: ("داعش", "تنظيم الدولة الإسلامية")}  # words of the text
PULL_BOX = (2, "ويقف العراق عاجزاً إزاء الرد على الهجمات المتبادلة")
HEADS = ["حفريات", "المونيتور", "إيلاف", "هل تسحب واشنطن قواتها من العراق وسورية؟", FOOTER]


def build_all(workdir: Path, libreoffice: bool = True) -> dict[str, tuple[bytes, str]]:
    """The corpus PDFs: name -> (bytes, sample article). Three typeset by WeasyPrint, three exported by
    LibreOffice from a DOCX (one soffice run)."""
    from briefgen.render.fonts import font_dirs

    from .corpus_articles import _pull_quotes, articles

    arts = articles()
    _pull_quotes(arts)
    out = {
        "weasy-hafryat-1col": (weasy(arts["hafryat"], footer_sentence=FOOTER, header="حفريات", numbers="page-of",
                                     footnotes=FOOTNOTES, pull=PULL_BOX), "hafryat"),
        "weasy-monitor-2col": (weasy(arts["monitor"], columns=2, size="A4", numbers="dash", header="المونيتور"),
                               "monitor"),
        "weasy-phases-amiri": (weasy(arts["phases"], amiri=True, numbers="indic", header=arts["phases"].parts[0].text),
                               "phases"),
    }
    if libreoffice:
        docs = {"lo-hafryat-amiri": ("hafryat", dict(font="Amiri", header="حفريات")),
                "lo-monitor-dejavu2": ("monitor", dict(font="DejaVu Sans", columns=2, header="المونيتور")),
                "lo-elaph-amiri": ("elaph", dict(font="Amiri", header="إيلاف"))}
        paths = {}
        for name, (art, kw) in docs.items():
            paths[name] = workdir / f"{name}.docx"
            docx(arts[art], paths[name], **kw)
        made = libreoffice_pdfs(paths, workdir, font_dirs())
        out.update({name: (made[name], docs[name][0]) for name in docs})
    return out


def _loose(text: str) -> str:
    """A comparison key independent of briefgen's matcher: letters only, marks, tatweel and spaces out,
    alef forms, ta marbuta and alef maqsura folded, lam-alef and alef-lam alike."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if not unicodedata.combining(c) and c != "\u0640")
    text = re.sub(r"[^\w]", "", text)
    return re.sub("[أإآ]", "ا", text).replace("لا", "ال").replace("ة", "ه").replace("ى", "ي")


def copied_quotes(pdf: Path, article, size: int = 10, step: int = 7) -> list[str]:
    """Quotes as an analyst copies them from a viewer: runs of `size` words of `pdftotext` output (line breaks
    and the viewer's damage included, running heads and page numbers left out), each standing whole-word in
    one part of the article (checked on the sample's own text, not on briefgen's)."""
    import re

    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    heads = {_loose(h) for h in HEADS}
    lines = [ln.strip() for ln in raw.replace("\f", "\n").split("\n")]
    digits = r"[\d٠-٩\s\u202a-\u202e]+"
    number = re.compile(rf"^[\-–\s\u202a-\u202e]*(صفحة\s*)?{digits}(من\s*{digits})?[\-–\s]*$")
    lines = [ln for ln in lines if ln and _loose(ln) not in heads and not number.match(ln)]
    words = " \n ".join(lines).split(" ")
    words = [w for w in words if w]
    parts = []
    for part in article.parts:
        keys = [_loose(w) for w in part.text.split()]
        bounds, at = {0}, 0
        for k in keys:
            at += len(k)
            bounds.add(at)
        parts.append(("".join(keys), bounds))
    out = []
    for start in range(0, max(0, len(words) - size), step):
        quote = " ".join(words[start:start + size]).replace(" \n ", "\n")
        key = _loose(quote)
        if len(key) < 20 or quote.rstrip("\u202a\u202b\u202c\n ").endswith("\u0640"):  # «لـ» glues on the next word
            continue
        for text, bounds in parts:
            at = text.find(key)
            while at >= 0 and not (at in bounds and at + len(key) in bounds):
                at = text.find(key, at + 1)
            if at >= 0:
                out.append(quote)
                break
    return out
