"""PDF inspection (render stage, read side): how a briefgen PDF reads in real readers, its tags and XMP.

`briefgen inspect PDF` prints, for any PDF: the share of its Arabic words that each installed
reader gives back whole (poppler's pdftotext in raw and layout modes, PDFium through pypdfium2,
pdfminer), the tagged structure (header cells with /Scope, footnotes as linked /Note, figures
with alternative text) and the metadata (/Info, XMP). The reference words are the document's own:
the glyphs of each text object, in reading order, with the text their ToUnicode map gives.
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from . import pdf_glyphs, pdf_tags

_FORMAT = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WORD = re.compile("(?:[^\\W\\d_]|[\u064b-\u065f\u0670\u0640\u06d6-\u06ed])+")
_ARABIC = re.compile("[\u0621-\u064a]")


def words(text: str) -> list[str]:
    """The Arabic words of a text, exactly (NFC), marks included; digits and bidi controls apart."""
    text = unicodedata.normalize("NFC", _FORMAT.sub(" ", text))
    return [w for w in _WORD.findall(text) if _ARABIC.search(w)]


def reader_texts(path: Path) -> dict[str, str]:
    """The text of the PDF as each installed reader extracts it."""
    out: dict[str, str] = {}
    if shutil.which("pdftotext"):
        for mode in ("raw", "layout"):
            run = subprocess.run(["pdftotext", "-enc", "UTF-8", f"-{mode}", str(path), "-"],
                                 capture_output=True, text=True, timeout=120)
            if run.returncode == 0:
                out[f"poppler {mode}"] = run.stdout
    try:
        import pypdfium2
    except ImportError:
        pass
    else:
        doc = pypdfium2.PdfDocument(str(path))
        try:  # the text Chrome copies and searches (FPDFText_GetText over the page's characters)
            out["PDFium"] = "\n".join(page.get_textpage().get_text_range() for page in doc)
        finally:
            doc.close()
    try:
        from pdfminer.high_level import extract_text
    except ImportError:
        pass
    else:
        out["pdfminer"] = extract_text(str(path))
    try:
        from pypdf import PdfReader
    except ImportError:
        pass
    else:
        out["pypdf"] = "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
    return out


def reference_words(pdf: pikepdf.Pdf) -> list[str]:
    """The document's own Arabic words, from its glyphs and their ToUnicode text: a text object as
    WeasyPrint writes it holds a line in visual order; a line render/pdf_text.py rewrote (marked
    content with an inline /ActualText around one text object per glyph) is in reading order."""
    out: list[str] = []
    for page in pdf.pages:
        fonts = {str(n): pdf_glyphs.to_unicode(f) for n, f in page.Resources.get("/Font", {}).items()}
        font, line, depth, logical = None, [], 0, None  # logical: the depth of a rewritten line's span

        def flush(reading_order: bool, line: list = line) -> None:
            texts = [g.text for g in line]
            if not reading_order:
                texts = [texts[i] for i in pdf_glyphs.logical_order(texts)]
            out.extend(words("".join(texts)))
            line.clear()

        for operands, op in pikepdf.parse_content_stream(page):
            name = str(op)
            if name in ("BDC", "BMC"):
                depth += 1
                props = operands[1] if name == "BDC" and len(operands) > 1 else None
                if logical is None and isinstance(props, pikepdf.Dictionary) and "/ActualText" in props:
                    logical = depth
            elif name == "EMC":
                if depth == logical:
                    flush(True)
                    logical = None
                depth -= 1
            elif name == "Tf":
                font = str(operands[0])
            elif name in ("TJ", "Tj") and font in fonts:
                for item in operands[0] if name == "TJ" else [operands[0]]:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        line.extend(pdf_glyphs.Glyph(b"", fonts[font].get(int.from_bytes(raw[k:k + 2], "big"), ""))
                                    for k in range(0, len(raw), 2))
            elif name == "ET" and logical is None:
                flush(False)
    return out


@dataclass
class Inspection:
    words: int = 0
    readers: dict[str, tuple[int, list[str]]] = field(default_factory=dict)  # name -> (whole, missed)
    tags: dict[str, str] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)
    xmp: dict[str, str] = field(default_factory=dict)


def _structure(pdf: pikepdf.Pdf) -> dict[str, str]:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return {"tagged": "no"}
    counts: collections.Counter = collections.Counter()
    for doc in pdf_tags.kids(root):
        for elem, _ in pdf_tags.elements(doc):
            kind = str(elem.S)
            counts[kind] += 1
            attrs = elem.get("/A")
            if kind == "/TH" and isinstance(attrs, pikepdf.Dictionary) and "/Scope" in attrs:
                counts["TH with /Scope"] += 1
            if kind == "/Note" and "/ID" in elem:
                counts["Note with /ID"] += 1
                if "/Ref" in elem:
                    counts["Note linked to its call"] += 1
            if kind == "/Figure" and "/Alt" in elem:
                counts["Figure with /Alt"] += 1
            if kind == "/Table":
                counts["tables with /Summary"] += isinstance(attrs, pikepdf.Dictionary) and "/Summary" in attrs
    headings = sum(counts[f"/H{n}"] for n in range(1, 7))
    return {
        "tagged": "yes", "language": str(pdf.Root.get("/Lang", "none")), "headings": str(headings),
        "header cells with /Scope": f"{counts['TH with /Scope']} of {counts['/TH']}",
        "footnotes as /Note, linked": f"{counts['Note linked to its call']} of {counts['/Note']}",
        "figures with alternative text": f"{counts['Figure with /Alt']} of {counts['/Figure']}",
        "tables with a /Summary": f"{counts['tables with /Summary']} of {counts['/Table']}",
    }


def inspect(path: Path) -> Inspection:
    ins = Inspection()
    with pikepdf.open(path) as pdf:
        reference = collections.Counter(reference_words(pdf))
        ins.tags = _structure(pdf)
        ins.info = {str(k)[1:]: str(v) for k, v in pdf.docinfo.items()}
        meta = pdf.open_metadata()
        for key in ("dc:title", "dc:language", "xmp:CreatorTool", "pdf:Producer", "pdfuaid:part"):
            value = meta.get(key)
            if value:
                ins.xmp[key] = ", ".join(sorted(value)) if isinstance(value, set | list) else str(value)
    ins.words = sum(reference.values())
    for name, text in reader_texts(path).items():
        got = collections.Counter(words(re.sub(r"(\d+)", r" \1 ", text)))
        whole = sum(min(n, got[w]) for w, n in reference.items())
        ins.readers[name] = (whole, [w for w, n in reference.items() if got[w] < n])
    return ins


def report(ins: Inspection) -> list[str]:
    """The inspection as lines for the terminal."""
    lines = [f"words: {ins.words} Arabic words in the document's own text"]
    for name, (whole, missed) in ins.readers.items():
        share = whole / ins.words if ins.words else 1.0
        shown = " ".join(missed[:6]) + (" …" if len(missed) > 6 else "")
        lines.append(f"  {name:15} {share:7.2%} whole ({whole}/{ins.words})" + (f"; broken: {shown}" if missed else ""))
    lines.append("structure:")
    lines += [f"  {k}: {v}" for k, v in ins.tags.items()]
    lines.append("XMP: " + ("; ".join(f"{k} = {v}" for k, v in ins.xmp.items()) if ins.xmp else "none"))
    lines.append("Info: " + "; ".join(f"{k} = {v[:60]}" for k, v in ins.info.items()))
    return lines
