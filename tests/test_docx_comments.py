"""DOCX evidence for the editor: each verified quote as a Word comment on the paragraph that cites it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import docx
import pytest

from briefgen import model
from briefgen.render import docx as docx_render
from briefgen.run import pipeline
from tests.test_docx_render import NS, _w, make_brief, part, plain

COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"


@pytest.fixture(scope="module")
def brief() -> model.Brief:
    brief = make_brief("ar")
    brief.citations[1].quote = "جدول الانسحاب"  # two quoted citations in one paragraph
    return brief


@pytest.fixture(scope="module")
def blob(brief) -> bytes:
    return docx_render.render(brief)


def test_one_comment_per_quoted_citation(brief, blob):
    comments = part(blob, "word/comments.xml").findall("w:comment", NS)
    quoted = [c for c in brief.citations if c.quote]
    assert len(comments) == len(quoted) == 3
    for comment, citation in zip(comments, quoted, strict=True):
        assert comment.get(_w("author")) == "briefgen" and comment.get(_w("initials")) == "BG"
        assert comment.get(_w("date")) == "2024-03-10T00:00:00Z"  # the brief's date, not now
        text = plain("".join(comment.itertext()))
        short = model.Citation(citation.number, citation.source, citation.para, None, first=False)
        assert text == f"«{citation.quote}» — {model.note_text(short, brief.labels)}"
        (p,) = comment.findall("w:p", NS)
        assert p.find("w:pPr/w:pStyle", NS).get(_w("val")) == "CommentText"
        assert p.find("w:pPr/w:bidi", NS) is not None
        assert p.find("w:r/w:annotationRef", NS) is not None


def test_comments_anchored_in_the_paragraph_citing_them(brief, blob):
    doc = part(blob, "word/document.xml")
    comment_ids = [c.get(_w("id")) for c in part(blob, "word/comments.xml").findall("w:comment", NS)]
    anchored = []
    for p in doc.iter(_w("p")):
        children = list(p)
        starts = p.findall("w:commentRangeStart", NS)
        if not starts:
            continue
        notes = [int(r.get(_w("id"))) for r in p.findall("w:r/w:footnoteReference", NS)]
        quoted = [n for n in notes if any(c.number == n and c.quote for c in brief.citations)]
        assert len(starts) == len(quoted)
        for start, number in zip(starts, quoted, strict=True):
            cid = start.get(_w("id"))
            # The range opens at the paragraph's start (only other range starts before it) ...
            assert all(c.tag in (_w("pPr"), _w("commentRangeStart")) for c in children[:children.index(start)])
            # ... and ends with the paragraph, after its note marks, its comment mark right after the end.
            (end,) = p.findall(f"w:commentRangeEnd[@w:id='{cid}']", NS)
            mark = end.getnext()
            assert mark.find("w:commentReference", NS).get(_w("id")) == cid
            rpr = mark.find("w:rPr", NS)
            assert rpr.find("w:rStyle", NS).get(_w("val")) == "CommentReference"
            assert rpr.find("w:rtl", NS) is not None
            first_note = p.find("w:r/w:footnoteReference", NS).getparent()
            assert children.index(end) > children.index(first_note) or _first_notes_paragraph(doc, p)
            anchored.append((cid, number))
    assert sorted(cid for cid, _ in anchored) == sorted(comment_ids)
    assert [n for _, n in sorted(anchored, key=lambda x: int(x[0]))] == [c.number for c in brief.citations
                                                                        if c.quote]


def _first_notes_paragraph(doc, p) -> bool:
    """p holds the document's first footnote reference."""
    return next(r for r in doc.iter(_w("r")) if r.find("w:footnoteReference", NS) is not None).getparent() is p


def _runs_between_the_first_two_notes(doc) -> list:
    nodes = list(doc.iter(_w("r"), _w("commentRangeEnd")))
    first, second = [i for i, r in enumerate(nodes) if r.find("w:footnoteReference", NS) is not None][:2]
    return nodes[first + 1:second]


def test_no_comment_mark_nor_range_end_between_the_first_two_notes(blob):
    """LibreOffice 7.4 loses the notes' texts when a comment mark comes between the first two notes, and its
    export writes each mark right after its range's end, so no range may end there either."""
    between = _runs_between_the_first_two_notes(part(blob, "word/document.xml"))
    assert not [r for r in between if r.tag == _w("commentRangeEnd")
                or r.find("w:commentReference", NS) is not None]


@pytest.mark.parametrize("outline", ["single", "sample"])
def test_the_first_noted_paragraph_has_its_comments_as_points_at_its_start(project, tmp_path, outline):
    """Whatever the editor does to that paragraph's notes, no comment mark can come after its first note."""
    from tests.conftest import SAMPLE_OUTLINE

    path = project(NOTES_OUTLINE) if outline == "single" else project(SAMPLE_OUTLINE.read_text(encoding="utf-8"))
    result = pipeline.build(path, ["docx"], pipeline.Options(out_dir=tmp_path / "out"))
    doc = part(result.outputs["docx"].read_bytes(), "word/document.xml")
    first = next(r for r in doc.iter(_w("r")) if r.find("w:footnoteReference", NS) is not None)
    p = first.getparent()
    kids = list(p)
    starts = p.findall("w:commentRangeStart", NS)
    assert starts
    after_starts = kids[kids.index(starts[-1]) + 1:]
    for k in range(len(starts)):  # starts, then end + mark per range: each empty, before the first text run
        end, mark = after_starts[2 * k], after_starts[2 * k + 1]
        assert end.tag == _w("commentRangeEnd") and mark.find("w:commentReference", NS) is not None
        assert end.get(_w("id")) == mark.find("w:commentReference", NS).get(_w("id"))
    text_runs = [r for r in kids if r.tag == _w("r") and r.find("w:t", NS) is not None]
    assert kids.index(after_starts[2 * len(starts) - 1]) < kids.index(text_runs[0])
    assert not [r for r in _runs_between_the_first_two_notes(doc) if r.tag == _w("commentRangeEnd")
                or r.find("w:commentReference", NS) is not None]


def test_comments_part_is_wired_into_the_package(blob):
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert 'PartName="/word/comments.xml"' in types and COMMENTS_CT in types
    assert 'relationships/comments" Target="comments.xml"' in rels


def test_no_comments_drops_part_relationship_and_content_type(brief):
    blob = docx_render.render(brief, comments=False)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert "word/comments.xml" not in z.namelist()
        assert "comments" not in z.read("[Content_Types].xml").decode()
        assert "relationships/comments" not in z.read("word/_rels/document.xml.rels").decode()
        doc = z.read("word/document.xml").decode()
    assert "commentRange" not in doc and "commentReference" not in doc


def test_no_quotes_no_comments_part():
    brief = make_brief("ar")
    for c in brief.citations:
        c.quote = None
    with zipfile.ZipFile(io.BytesIO(docx_render.render(brief))) as z:
        assert "word/comments.xml" not in z.namelist()


def test_english_comment_uses_english_quotes():
    brief = make_brief("en")
    comment = part(docx_render.render(brief), "word/comments.xml").find("w:comment", NS)
    assert plain("".join(comment.itertext())) == "“2,500 troops will remain” — Reuters, ¶3."
    assert comment.find("w:p/w:pPr/w:bidi", NS) is None


def test_comments_rebuild_byte_identical(brief, blob):
    assert docx_render.render(brief) == blob


def test_python_docx_reads_the_comments(blob):
    document = docx.Document(io.BytesIO(blob))
    comments = list(document.comments)
    assert [c.author for c in comments] == ["briefgen"] * 3
    assert "2,500 troops will remain" in comments[0].text


def test_cli_no_comments(sample_build, tmp_path, cli):
    from tests.conftest import SAMPLE_OUTLINE

    with zipfile.ZipFile(sample_build.outputs["docx"]) as z:
        assert "word/comments.xml" in z.namelist()
    result = cli("build", SAMPLE_OUTLINE, "-f", "docx", "-o", tmp_path, "--no-comments")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "outline.docx") as z:
        assert "word/comments.xml" not in z.namelist()
        assert "comments" not in z.read("[Content_Types].xml").decode()


def test_sample_has_a_comment_for_each_quoted_citation(sample_build):
    comments = part(sample_build.outputs["docx"].read_bytes(), "word/comments.xml").findall("w:comment", NS)
    assert len(comments) == sum(1 for c in sample_build.brief.citations if c.quote)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_libreoffice_imports_comments_and_keeps_notes_in_place(blob, tmp_path):
    src = tmp_path / "brief.docx"
    src.write_bytes(blob)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "odt", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "brief.odt") as z:
        content = z.read("content.xml").decode()
    assert content.count("<office:annotation ") == 3 and content.count("<office:annotation-end ") == 3
    assert "<dc:creator>briefgen</dc:creator>" in content
    # Each note keeps its own text: note 1 is Reuters, note 2 al-Jazeera (not shuffled by the comments).
    notes = content.split('text:note-class="footnote"')[1:]
    assert "Reuters" in notes[0] and "الجزيرة" in notes[1] and "شفق" in notes[2]


# -- LibreOffice: every footnote keeps its own text beside the comments ------------------------------

NOTES_OUTLINE = """\
title: "اختبار الحواشي"
summary:
  - text: "نقطة أولى."
    cite: [{source: hafryat, quote: "تنشر الولايات المتحدة (2500) عسكري في العراق"}]
  - text: "نقطة ثانية."
    cite: [monitor, {source: hafryat, quote: "خشية إنعاش تنظيم داعش من جديد"}]
  - text: "نقطة ثالثة."
    cite: [hassan, phases]
"""


def _words(text: str) -> str:
    """Letters and digits only: pdftotext moves punctuation around in Arabic lines and splits words at marks."""
    return "".join(re.findall(r"[^\W_]+", text))


def _libreoffice(docx_path, tmp_path, fmt: str):
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", fmt, "--outdir", str(tmp_path / "lo"), str(docx_path)],
                   check=True, capture_output=True, timeout=300)
    return tmp_path / "lo" / f"{docx_path.stem}.{fmt}"


def _footnote_area_lines(pdf, size: float) -> list[str]:
    """pdftotext -layout lines of each page's footnote area: from the first character in the note text's size down."""
    import pdfplumber

    lines = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            tops = [c["top"] for c in page.chars if abs(c["size"] - size) < 0.05]
            if not tops:
                continue
            top = int(min(tops)) - 1
            text = subprocess.run(
                ["pdftotext", "-layout", "-f", str(number), "-l", str(number), "-x", "0", "-y", str(top),
                 "-W", str(int(page.width) + 1), "-H", str(int(page.height) - top + 1), str(pdf), "-"],
                check=True, capture_output=True, text=True, timeout=60).stdout
            lines.extend(_words(line) for line in text.splitlines())
    return lines


def _notes(blob: bytes) -> dict[int, str]:
    return {int(f.get(_w("id"))): plain("".join(f.itertext())).strip()
            for f in part(blob, "word/footnotes.xml").findall("w:footnote", NS) if int(f.get(_w("id"))) > 0}


def _notes_with_wrong_text_in_pdf(blob: bytes, pdf) -> list[int]:
    """The footnotes whose number LibreOffice's PDF does not show with the start of their own text."""
    style = part(blob, "word/styles.xml").find("w:style[@w:styleId='FootnoteText']", NS)
    size = int(style.find("w:rPr/w:sz", NS).get(_w("val"))) / 2
    lines = _footnote_area_lines(pdf, size)
    return [n for n, text in _notes(blob).items()
            if not any(re.search(rf"(?<!\d){n}{re.escape(_words(text)[:12])}", line) for line in lines)]


def _notes_with_wrong_text_in_odt(blob: bytes, odt) -> list[int]:
    with zipfile.ZipFile(odt) as z:
        content = z.read("content.xml").decode()
    shown = {int(m[0]): re.sub(r"<[^>]+>", "", m[1]) for m in re.findall(
        r'<text:note [^>]*text:note-class="footnote"[^>]*><text:note-citation[^>]*>(\d+)</text:note-citation>'
        r"<text:note-body>(.*?)</text:note-body>", content, re.S)}
    notes = _notes(blob)
    assert sorted(shown) == sorted(notes)
    return [n for n, text in notes.items() if _words(shown[n]) != _words(text)]


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) or poppler (pdftotext) not installed")
def test_libreoffice_shows_each_footnote_with_its_own_text_beside_comments(project, tmp_path):
    """A quote comment on the first note and one on the third: LibreOffice 7.4 once gave notes 1, 2 and 5
    the third note's text (and the third none) when a comment mark came between the first two notes."""
    out = tmp_path / "out"
    result = pipeline.build(project(NOTES_OUTLINE), ["docx"], pipeline.Options(out_dir=out))
    blob = result.outputs["docx"].read_bytes()
    assert len(part(blob, "word/comments.xml").findall("w:comment", NS)) == 2 and len(_notes(blob)) == 5
    pdf = _libreoffice(result.outputs["docx"], tmp_path, "pdf")
    assert _notes_with_wrong_text_in_pdf(blob, pdf) == []


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) or poppler (pdftotext) not installed")
def test_libreoffice_shows_every_sample_footnote_with_its_own_text(sample_build, tmp_path):
    docx_path = sample_build.outputs["docx"]
    blob = docx_path.read_bytes()
    assert part(blob, "word/comments.xml").findall("w:comment", NS)
    assert _notes_with_wrong_text_in_pdf(blob, _libreoffice(docx_path, tmp_path, "pdf")) == []
    # The PDF check reads the first letters of each note; the ODT holds every note's whole text.
    assert _notes_with_wrong_text_in_odt(blob, _libreoffice(docx_path, tmp_path, "odt")) == []
