"""Probe (issue 27, not part of the package): one line of Arabic that every reader reads right.

Usage: python docs/pdf-text-probe.py OUT_DIR
Writes OUT_DIR/a.pdf (WeasyPrint as is) and OUT_DIR/n.pdf (glyphs in logical order, a text object
per glyph, inline ActualText per line for poppler, named ActualText per word for PDFium), then
prints what pdfminer, pypdf, pdftotext -raw/-layout and pypdfium2 read from each. See docs/pdf-text.md.
"""

import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdfium2
import weasyprint
from pdfminer.high_level import extract_text
from pikepdf import Dictionary, Name, Operator, String
from pypdf import PdfReader

from briefgen.render import pdf_text as pt


def widths(font):
    d = font.DescendantFonts[0]
    w = {}
    a = list(d.W)
    i = 0
    while i < len(a):
        c = int(a[i])
        if isinstance(a[i + 1], pikepdf.Array):
            for k, v in enumerate(a[i + 1]):
                w[c + k] = float(v)
            i += 2
        else:
            for k in range(int(a[i]), int(a[i + 1]) + 1):
                w[k] = float(a[i + 2])
            i += 3
    return w, float(d.get("/DW", 1000))


def rewrite(src, dst):
    pdf = pikepdf.open(src)
    page = pdf.pages[0]
    font_res = page.Resources.Font
    props = Dictionary()
    page.Resources.Properties = props
    out = []
    tm = None
    font = size = None
    for ops, op in pikepdf.parse_content_stream(page):
        n = str(op)
        if n == "Tm":
            tm = [float(x) for x in ops]
        if n == "Tf":
            font, size = ops[0], float(ops[1])
        if n == "TJ":
            f = font_res[font]
            w, dw = widths(f)
            uni = pt.to_unicode(f)
            x = tm[4]
            glyphs = []
            for it in ops[0]:
                if isinstance(it, pikepdf.String):
                    b = bytes(it)
                    for k in range(0, len(b), 2):
                        c = int.from_bytes(b[k : k + 2], "big")
                        glyphs.append((x, b[k : k + 2], uni.get(c, "")))
                        x += w.get(c, dw) / 1000 * size
                else:
                    x -= float(it) / 1000 * size
            line = "".join(g[2][::-1] for g in glyphs)
            words = [[]]
            for g in glyphs[::-1]:
                if g[2].isspace():
                    words.append([g])
                    words.append([])
                else:
                    words[-1].append(g)
            out += [([], Operator("ET")), ([Name.Span, Dictionary(ActualText=String(line))], Operator("BDC"))]
            for wd in words:
                if not wd:
                    continue
                key = Name(f"/W{len(props)}")
                props[key] = Dictionary(ActualText=String("".join(g[2] for g in wd)[::-1]))
                out.append(([Name.Span, key], Operator("BDC")))
                for gx, code, _ in wd:
                    out += [
                        ([], Operator("BT")),
                        ([*tm[:4], gx, tm[5]], Operator("Tm")),
                        ([font, size], Operator("Tf")),
                        ([String(code)], Operator("Tj")),
                        ([], Operator("ET")),
                    ]
                out.append(([], Operator("EMC")))
            out += [([], Operator("EMC")), ([], Operator("BT"))]
            continue
        out.append((ops, op))
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    pdf.save(dst)


def read(p):
    print("  pdfminer:", extract_text(p).strip())
    print("  pypdf   :", PdfReader(p).pages[0].extract_text().strip())
    for mode in ("raw", "layout"):
        print(
            f"  {mode:8}:",
            subprocess.run(["pdftotext", f"-{mode}", p, "-"], capture_output=True, text=True).stdout.strip(),
        )
    d = pypdfium2.PdfDocument(p)
    print("  pdfium  :", d[0].get_textpage().get_text_bounded().strip())
    d.close()


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    html = (
        '<html lang="ar" dir="rtl"><body style="font-family:Amiri;font-size:20pt">'
        "<p>العراق لا يرغب بانسحاب عاجل</p></body></html>"
    )
    weasyprint.HTML(string=html).write_pdf(out / "a.pdf")
    rewrite(out / "a.pdf", out / "n.pdf")
    for name in ("a.pdf", "n.pdf"):
        print(name)
        read(str(out / name))
