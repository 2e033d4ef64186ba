"""DOCX evidence for the editor: each verified quote as a Word comment on the paragraph that cites it."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import docx
import pytest

from briefgen import model
from briefgen.render import docx as docx_render
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
    by_number = {c.number: c for c in brief.citations}
    comment_ids = [c.get(_w("id")) for c in part(blob, "word/comments.xml").findall("w:comment", NS)]
    anchored = []
    for p in doc.iter(_w("p")):
        children = list(p)
        for start in p.findall("w:commentRangeStart", NS):
            cid = start.get(_w("id"))
            # The range opens at the paragraph's start (only other range starts before it) ...
            assert all(c.tag in (_w("pPr"), _w("commentRangeStart")) for c in children[:children.index(start)])
            # ... and ends right after the footnote reference of the quoted citation, in the same paragraph.
            (end,) = p.findall(f"w:commentRangeEnd[@w:id='{cid}']", NS)
            note = end.getprevious().find("w:footnoteReference", NS)
            assert by_number[int(note.get(_w("id")))].quote
            (mark,) = p.findall(f"w:r/w:commentReference[@w:id='{cid}']", NS)
            rpr = mark.getparent().find("w:rPr", NS)
            assert rpr.find("w:rStyle", NS).get(_w("val")) == "CommentReference"
            assert rpr.find("w:rtl", NS) is not None
            # No footnote reference follows a comment mark (LibreOffice would shuffle the notes).
            assert not [r for r in mark.getparent().itersiblings() if r.find("w:footnoteReference", NS) is not None]
            anchored.append((cid, int(note.get(_w("id")))))
    assert sorted(cid for cid, _ in anchored) == sorted(comment_ids)
    assert [n for _, n in sorted(anchored)] == [c.number for c in brief.citations if c.quote]


def test_the_last_citation_of_a_paragraph_gets_the_range_end_and_mark_right_after_its_note(blob):
    doc = part(blob, "word/document.xml")
    list_item = next(p for p in doc.iter(_w("p")) if p.find("w:commentRangeStart", NS) is not None
                     and len(p.findall("w:r/w:footnoteReference", NS)) == 1)
    note_run = list_item.find("w:r/w:footnoteReference", NS).getparent()
    end, mark = note_run.getnext(), note_run.getnext().getnext()
    assert end.tag == _w("commentRangeEnd") and mark.find("w:commentReference", NS) is not None


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
