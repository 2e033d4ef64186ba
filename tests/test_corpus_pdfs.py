"""Evidence over PDFs as publishers make them (tests/corpus_pdfs.py): WeasyPrint in one and two columns with
running heads, «صفحة N من M» footers, footnotes and a pull-quote box; LibreOffice from a DOCX in Amiri
justified (kashida) and DejaVu in two columns. Every part comes out whole, no glyph junk gets in, and quotes
copied from the viewer's text (pdftotext) verify; running heads and other non-article text do not.
"""

from __future__ import annotations

import re
import shutil

import pytest

from briefgen.errors import Diagnostics
from briefgen.evidence import match as evidence
from briefgen.read.ingest.pdf import extract_pdf
from briefgen.read.sources import read_sources

from . import corpus_pdfs
from .corpus_articles import _pull_quotes, articles

ARTICLES = articles()
_pull_quotes(ARTICLES)
LIBREOFFICE = shutil.which("soffice") is not None
NAMES = ["weasy-hafryat-1col", "weasy-monitor-2col", "weasy-phases-amiri", "lo-hafryat-amiri", "lo-monitor-dejavu2",
         "lo-elaph-amiri"]
JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffc\ufffd]|\(cid:\d+\)|[%<*](?=[\u0621-\u064a])")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The six PDFs (LibreOffice runs once), each added to one project with `sources add`."""
    from typer.testing import CliRunner

    from briefgen.cli import app

    root = tmp_path_factory.mktemp("pdfs")
    made = corpus_pdfs.build_all(root, libreoffice=LIBREOFFICE)
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root / "p")]).exit_code == 0
    for name, (raw, _) in made.items():
        (root / f"{name}.pdf").write_bytes(raw)
        result = runner.invoke(app, ["sources", "add", str(root / f"{name}.pdf"), "--dir", str(root / "p" / "sources"),
                                     "--date", "none", "--publisher", "x"])
        assert result.exit_code == 0, result.output
    diags = Diagnostics()
    library = read_sources(root / "p" / "sources", diags)
    assert not diags.items, [d.format() for d in diags.items]  # add never writes a source its check refuses
    return root, made, library


def _words(text: str) -> list[str]:
    from briefgen.arabic import words

    return words(text)


def _need(name: str) -> None:
    if name.startswith("lo-") and not LIBREOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")


def norm(text: str) -> str:
    """Text as quotes are matched (vowel marks and letter forms folded): a lost vowel mark is reported, not junk."""
    from briefgen.arabic import normalize

    return normalize(text)


@pytest.mark.parametrize("name", NAMES)
def test_every_part_whole_with_its_role_and_no_glyph_junk(corpus, name):
    _need(name)
    _, made, _ = corpus
    raw, art = made[name]
    got = extract_pdf(raw, f"{name}.pdf")
    assert not JUNK.search(got.text)
    lines = got.text.split("\n")
    paragraphs, roles = [], {}
    for i, line in enumerate(lines, 1):  # a paragraph's part on the next page is on the next line
        if line and i > 1 and lines[i - 2]:
            paragraphs[-1] += " " + line
        elif line:
            paragraphs.append(line)
            roles[norm(line)] = got.roles.get(i, "body")
    paragraphs = [norm(p) for p in paragraphs]
    roles = {p: next((r for k, r in roles.items() if p.startswith(k)), "body") for p in paragraphs}
    article = ARTICLES[art]
    missing = [p for p in article.parts if norm(p.text) not in paragraphs]
    # WeasyPrint with Amiri maps the damma of «أُ» to «أُ» (pdftotext shows «ُأأعلن»): read once all the same
    assert not missing, [(p.role, p.text[:50]) for p in missing]
    for part in article.parts:
        if norm(part.text) in paragraphs and part.role in ("headline", "caption"):
            assert roles[norm(part.text)] == part.role, (part.role, part.text)
    extra = {norm(p.text) for p in article.parts}
    if name == "weasy-hafryat-1col":
        notes = [norm(n) for _, n in corpus_pdfs.FOOTNOTES.values()]
        assert [p for p in paragraphs if roles[p] == "footnote"] == notes  # the call's number gone from both
        assert roles[norm(corpus_pdfs.PULL_BOX[1])] == "pull-quote"
        extra |= set(notes) | {norm(corpus_pdfs.PULL_BOX[1])}
    assert not [p for p in paragraphs if p not in extra]  # nothing but the article
    rules = {rule.split(" ")[0] for _, rule in got.dropped}
    assert {"running-header", "page-number"} <= rules
    if name.startswith("lo-"):
        kashida = sum(int(t.split()[0]) for t, r in got.dropped if r.startswith("kashida"))
        assert kashida > 50  # LibreOffice justified the Arabic with kashida: counted, not written as "7" or "<"
    if name == "weasy-hafryat-1col":
        assert {"running-footer", "footnote-call"} <= rules
        assert [t for t, r in got.dropped if r.startswith("running-footer")][0] == corpus_pdfs.FOOTER


@pytest.mark.parametrize("name", NAMES)
def test_quotes_copied_from_the_viewer_verify_and_notes_quote_the_source(corpus, name):
    _need(name)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    root, made, library = corpus
    quotes = corpus_pdfs.copied_quotes(root / f"{name}.pdf", ARTICLES[made[name][1]])
    assert len(quotes) >= 20
    source = library.sources[name]
    failed = [q for q in quotes if not isinstance(evidence.verify(q, source), evidence.Match)]
    # LibreOffice's kashida splits words after a lone proclitic («ب دون», «ل ّلجنة»): glued on, the quote carrying
    # the viewer's marks (poppler's embedding controls, a vowel mark cut from its letter)
    assert not failed, failed
    for q in [q for q in quotes if "..." not in q and "…" not in q][:15]:  # altered copies are flagged
        words = [w for w in q.split() if _words(w)]
        if len(words) < 6:
            continue
        i = len(words) // 2
        swapped = " ".join(words[:i] + [words[i + 1], words[i]] + words[i + 2:])
        if _words(swapped) != _words(q):  # two words swapped
            assert isinstance(evidence.verify(swapped, source), evidence.Refusal), swapped
        left_out = " ".join(words[:i] + words[i + 1:])  # a word left out without an omission mark
        assert isinstance(evidence.verify(left_out, source), evidence.Refusal), left_out
    damaged = [q for q in quotes if isinstance(m := evidence.verify(q, source), evidence.Match)
               and m.tolerances == ("viewer-copy",)]
    assert damaged  # pdftotext gave lam-alef back as alef-lam: verified, and the note quotes the source's words
    for q in damaged[:5]:
        m = evidence.verify(q, source)
        assert any(m.text in p.text for p in source.paragraphs) and m.text != q


def test_a_quote_across_a_page_break_the_footnote_call_and_the_footnote(corpus):
    _, _, library = corpus
    source = library.sources["weasy-hafryat-1col"]
    # the footnote call stood after «السوداني» in mid-phrase
    m = evidence.verify("رئيس الحكومة محمد شياع السوداني إرضاء الجانب الإيراني", source)
    assert isinstance(m, evidence.Match) and m.located is None
    note = evidence.verify("تنظيم الدولة الإسلامية", source)
    assert isinstance(note, evidence.Match) and note.located in ("footnote", None)
    spanning = [p for p in source.paragraphs if p.pages and p.pages[0] != p.pages[1] and p.role is None]
    assert spanning  # some paragraph runs over a page break with the running footer between
    words = spanning[0].text.split()
    quote = " ".join(words[len(words) // 2 - 6:len(words) // 2 + 6])
    assert isinstance(evidence.verify(quote, source), evidence.Match)


def test_running_heads_footer_sentences_and_quotes_across_two_parts_are_refused(corpus):
    _, _, library = corpus
    for source in library.sources.values():
        for head in (corpus_pdfs.FOOTER, "صفحة 2 من 6"):
            assert isinstance(evidence.verify(head, source), evidence.Refusal), (source.id, head)
    for name in [n for n in library.sources if "hafryat" in n]:  # a subheading glued to the paragraph under it
        source = library.sources[name]
        assert isinstance(evidence.verify("فحوى المفاوضات الجارية", source), evidence.Match)
        assert isinstance(evidence.verify("فحوى المفاوضات الجارية تنشر الولايات المتحدة", source), evidence.Refusal)


def test_show_text_and_dropped_for_a_pdf(corpus, cli):
    root, _, _ = corpus
    folder = root / "p" / "sources"
    shown = cli("sources", "show", "weasy-hafryat-1col", "--dir", folder, "--text").output
    assert "[headline p.1]" in shown and "[footnote" in shown and "[pull-quote" in shown
    dropped = cli("sources", "show", "weasy-hafryat-1col", "--dir", folder, "--dropped").output
    assert f"[running-footer (page 2)]: {corpus_pdfs.FOOTER}" in dropped
    assert "[footnote-call (page 1)]: 1" in dropped


def test_a_pdf_whose_glyphs_map_to_nul_says_what_was_lost(corpus, tmp_path, cli):
    """Some producers map glyphs to U+0000: nothing of it reaches the text, each page says how many were lost,
    and `sources add` writes a source its own check accepts."""
    import io

    import pypdf

    _, made, _ = corpus
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(made["weasy-monitor-2col"][0])))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            cmap = ref.get_object().get("/ToUnicode")
            if cmap is not None:
                cmap = cmap.get_object()
                cmap.set_data(re.sub(rb"<(\w+)> <0645>", rb"<\1> <0000>", cmap.get_data()))  # every meem
    raw = io.BytesIO()
    writer.write(raw)
    got = extract_pdf(raw.getvalue(), "nul.pdf")
    assert "\x00" not in got.text and not JUNK.search(got.text)
    lost = [(t, r) for t, r in got.dropped if r.startswith("lost-glyphs")]
    assert [r for _, r in lost] == ["lost-glyphs (page 1)", "lost-glyphs (page 2)"]
    meems = sum(p.text.count("م") for p in ARTICLES["monitor"].parts) + 2 * "المونيتور".count("م")  # + 2 heads
    assert sum(int(t.split()[0]) for t, _ in lost) == meems
    (tmp_path / "nul.pdf").write_bytes(raw.getvalue())
    cli("init", tmp_path / "p")
    assert cli("sources", "add", tmp_path / "nul.pdf", "--dir", tmp_path / "p" / "sources").exit_code == 0
    diags = Diagnostics()
    read_sources(tmp_path / "p" / "sources", diags)
    assert not diags.items


def test_paragraphs_marked_by_an_indent_alone_stay_apart():
    """A layout with no space between paragraphs, only a first-line indent (books, some think tanks)."""
    from weasyprint import HTML

    body = ARTICLES["monitor"].body[:8]
    doc = ("<html lang='ar' dir='rtl'><head><meta charset='utf-8'><style>@page{size:A5;margin:2cm}"
           "p{margin:0;text-indent:2em;text-align:justify;line-height:1.4}</style></head><body>"
           + "".join(f"<p>{p}</p>" for p in body) + "</body></html>")
    got = extract_pdf(HTML(string=doc).write_pdf(), "indent.pdf")
    lines = got.text.split("\n")
    paragraphs = []
    for i, line in enumerate(lines):
        if line and i and lines[i - 1]:
            paragraphs[-1] += " " + line
        elif line:
            paragraphs.append(line)
    assert [norm(p) for p in paragraphs] == [norm(p) for p in body]
