"""Word markup corpus (tests/wordml): patterns Word writes, read as Word means them.

Each fixture is a document.xml (and, for notes, a footnotes.xml) written for these tests from the
OOXML spec (ECMA-376 Part 1, §17.13 revisions, §17.16 fields, §17.5 structured document tags,
§17.3.3 run content), after studying how Word writes them in public test documents (pandoc's
test/docx). The expectations below are the text with every tracked change accepted and with every
one rejected, and the tracked changes found. pandoc reads the same packages as a second reader
where it handles the pattern.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefgen.edit import docx_read

CORPUS = Path(__file__).parent / "wordml"
A = ("Layla Editor", "2026-01-05T10:00:00Z")
B = ("Omar Analyst", "2026-01-06T09:30:00Z")

# name: (accepted, rejected, {(kind, author, date, text)} tracked changes in the body)
EXPECTED = {
    "del_inside_insertion_same_author": ("Talks begin next week today.", "Talks begin today.",
                                         {("insert", *A, "next week"), ("delete", *A, "in Baghdad")}),
    "del_inside_insertion_other_author": ("Talks begin next week today.", "Talks begin today.",
                                          {("insert", *A, "next week"), ("delete", *B, "in Baghdad")}),
    "del_inside_move_destination": ("First paragraph.\nSecond paragraph. The committee met.",
                                    "The committee met. First paragraph.\nSecond paragraph.",
                                    {("move-from", *A, "The committee met."), ("move-to", *A, "The committee met."),
                                     ("delete", *B, "finally")}),
    "move_between_paragraphs": ("Moved sentence.\nStays here.\n", "\nStays here.\nMoved sentence.",
                                {("move-to", *A, "Moved sentence."), ("move-from", *A, "Moved sentence.")}),
    "run_formatting_change": ("Only the look changed.", "Only the look changed.", {("format", *A, "look")}),
    "paragraph_formatting_change": ("Centred now.", "Centred now.", {("format", *B, "")}),
    "soft_hyphen_inserted": ("inter\u00adnational", "international", {("insert", *A, "\u00ad")}),
    "no_break_hyphen": ("2024\u201101", "2024\u201101", set()),
    "symbol_characters": ("\u2022 \u03b1 \u2713 \u2192 \ufffd", "\u2022 \u03b1 \u2713 \u2192 \ufffd", set()),
    "simple_field": ("Page 3 of the brief.", "Page 3 of the brief.", set()),
    "complex_field_nested": ("See the draft and its source.", "See the draft and its source.", set()),
    "content_controls_and_smart_tags": ("In a block control.\nInline 31 January, Baghdad.",
                                        "In a block control.\nInline 31 January, Baghdad.", set()),
    "custom_xml": ("A tagged block.\nTalks in Washington.", "A tagged block.\nTalks in Washington.", set()),
    "tabs_and_breaks": ("Date Event next line", "Date Event next line", set()),
    "tracked_change_in_footnote": ("A cited claim.\ue0001\ue001", "A cited claim.\ue0001\ue001", set()),
}

# What pandoc (a second reader) shows of the same packages, where it reads the pattern.
# (Not read by pandoc 2.17: a w:fldSimple's result, w:customXml's content.)
PANDOC = ("del_inside_insertion_same_author", "del_inside_insertion_other_author", "soft_hyphen_inserted",
          "no_break_hyphen", "content_controls_and_smart_tags", "run_formatting_change")

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'wordprocessingml.document.main+xml"/>{notes}</Types>')
NOTES_CT = ('<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.footnotes+xml"/>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>')
DOC_REL = ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'officeDocument" Target="word/document.xml"/>')
NOTES_REL = ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'footnotes" Target="footnotes.xml"/>')


def package(name: str) -> bytes:
    """The fixture as a .docx: its document.xml (and footnotes.xml), the content types and relationships."""
    document = (CORPUS / f"{name}.xml").read_bytes()
    notes = CORPUS / f"{name}.footnotes.xml"
    etree.fromstring(document)  # well-formed, or the test says so here
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(notes=NOTES_CT if notes.exists() else ""))
        z.writestr("_rels/.rels", RELS.format(DOC_REL))
        z.writestr("word/document.xml", document)
        if notes.exists():
            etree.fromstring(notes.read_bytes())
            z.writestr("word/footnotes.xml", notes.read_bytes())
            z.writestr("word/_rels/document.xml.rels", RELS.format(NOTES_REL))
    return out.getvalue()


def views(data: bytes) -> tuple[str, str, set]:
    doc = docx_read.read(data)
    pieces = doc.pieces
    accepted, rejected = (docx_read.view(pieces, a).strip("\n") for a in (True, False))
    tracked = set()
    for p in pieces:
        for c in (*p.chain, p.fmt) if p.kind != "para" else (p.change, p.fmt):
            if c is not None:
                tracked.add((c.kind, c.author, c.date, docx_read.normalize(c.text)))
    return _tidy(accepted), _tidy(rejected), tracked


def _tidy(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def test_the_corpus_is_complete():
    assert sorted(p.name.split(".")[0] for p in CORPUS.glob("*.xml") if ".footnotes." not in p.name) == sorted(
        EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pattern_reads_as_word_means_it(name):
    accepted, rejected, tracked = EXPECTED[name]
    got = views(package(name))
    assert got[0] == _tidy(accepted).strip("\n")
    assert got[1] == _tidy(rejected).strip("\n")
    assert got[2] == tracked


def test_moves_pair_source_and_target_by_name():
    doc = docx_read.read(package("move_between_paragraphs"))
    moves = {c.kind: c.name for p in doc.pieces for c in p.chain if c.kind.startswith("move")}
    assert moves == {"move-from": "move7", "move-to": "move7"}


def test_tracked_change_inside_a_footnote_has_author_and_date():
    doc = docx_read.read(package("tracked_change_in_footnote"))
    assert doc.footnotes["1"] == ("Reuters, ¶3. “there are more than 1000 fighters”.",
                                  "Reuters, ¶3. “there are about 1000 fighters”.")
    assert {(c.kind, c.author, c.date, c.text.strip()) for c in doc.note_changes["1"]} == {
        ("delete", *A, "about"), ("insert", *A, "more than")}


def _pandoc(data: bytes, changes: str, tmp: Path) -> str:
    src = tmp / "case.docx"
    src.write_bytes(data)
    done = subprocess.run(["pandoc", "-f", "docx", "-t", "plain", "--wrap=none", f"--track-changes={changes}",
                           str(src)], capture_output=True, text=True, timeout=60, check=True)
    return " ".join(done.stdout.split())


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc not installed")
@pytest.mark.parametrize("name", PANDOC)
def test_pandoc_reads_the_same_text(name, tmp_path):
    data = package(name)
    accepted, rejected, _ = EXPECTED[name]  # what Word means, written by hand: pandoc is a second reader
    assert _pandoc(data, "accept", tmp_path) == " ".join(accepted.split())
    assert _pandoc(data, "reject", tmp_path) == " ".join(rejected.split())
