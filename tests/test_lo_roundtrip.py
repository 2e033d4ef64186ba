"""The round trip through LibreOffice itself: the sample DOCX opened, edited, saved, closed and reopened
in the office suite (driven through UNO, tests/lo_session.py), then reviewed and applied.

Every test checks what the suite shows after reopening (the footnote texts of its own model), not only
the XML. One soffice serves the whole module.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefgen.edit import docx_read
from tests.lo_session import Office, have_office
from tests.test_roundtrip import make_project

REASON = have_office()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    o = Office(tmp_path_factory.mktemp("office"))
    yield o
    o.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("sample") / "p")


@pytest.fixture()
def proj(built, tmp_path) -> Path:
    """A copy of the built sample project (outline, sources, DOCX and its build record) to edit."""
    target = tmp_path / "p"
    shutil.copytree(built, target)
    return target


def shown_notes(docx: Path) -> list[str]:
    """The footnote texts of a DOCX in reference order, as a reader of the file sees them."""
    doc = docx_read.read(docx.read_bytes())
    order = list(dict.fromkeys(p.value for p in doc.pieces if p.kind == "note"))
    return [doc.footnotes[fid][0] for fid in order]


def same(a: str, b: str) -> bool:
    return docx_read.normalize(a) == docx_read.normalize(b)


def test_two_sessions_keep_every_footnote_bookmark_and_review_clean(office, proj, cli):
    docx = proj / "reports/outline.docx"
    built_notes = shown_notes(docx)
    anchors = docx_read.anchored(docx_read.read(docx.read_bytes()))
    assert len(built_notes) == 76 and len(anchors) == 82
    sessions = office.session(docx, proj / "reports/twice.docx", sessions=2)
    for s in sessions:  # what LibreOffice shows after reopening its own save, session by session
        assert len(s["footnotes"]) == 76
        assert [n for n, (a, b) in enumerate(zip(s["footnotes"], built_notes, strict=True), 1) if not same(a, b)] == []
        assert {"_bg_" + p.replace("[", "_").replace("]", "").replace(".", "_") for p in anchors} <= set(
            s["bookmarks"])
    result = cli("review", proj / "reports/twice.docx", "--outline", proj / "outline.yaml")
    assert result.exit_code == 0, result.output
    assert "no edits" in result.output


def _comment_mark_between_first_notes(data: bytes) -> bytes:
    """The DOCX with one comment's end and mark moved between its first two footnote references
    (where briefgen's earlier builds and LibreOffice's own export put one)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    doc = etree.fromstring(members["word/document.xml"])
    q = lambda t: f"{{{W}}}{t}"  # noqa: E731
    first = next(r for r in doc.iter(q("r")) if r.find(q("footnoteReference")) is not None)
    end = next(doc.iter(q("commentRangeEnd")))
    mark = next(r for r in doc.iter(q("r")) if r.find(q("commentReference")) is not None
                and r.find(q("commentReference")).get(q("id")) == end.get(q("id")))
    first.addnext(mark)
    first.addnext(end)
    members["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    return out.getvalue()


def test_notes_emptied_or_shifted_by_the_suite_are_recognised_and_apply_writes_nothing(office, proj, cli):
    damaged = proj / "reports/damaged.docx"
    damaged.write_bytes(_comment_mark_between_first_notes((proj / "reports/outline.docx").read_bytes()))
    once, twice = office.session(damaged, proj / "reports/emptied.docx", sessions=2)
    built_notes = shown_notes(proj / "reports/outline.docx")
    # What the suite shows: after one session most notes hold other notes' texts, after two none has any.
    assert sum(not same(a, b) for a, b in zip(once["footnotes"], built_notes, strict=True)) > 38
    assert len(twice["footnotes"]) == 76 and not any(t.strip() for t in twice["footnotes"])
    outline = (proj / "outline.yaml").read_bytes()
    for saved, words in ((once["saved"], "footnotes hold the text of a note that belongs to another item"),
                         (twice["saved"], "76 of the DOCX's 76 footnotes are empty")):
        result = cli("review", saved, "--outline", proj / "outline.yaml")
        assert result.exit_code == 1
        lines = [x for x in result.output.splitlines() if x.strip()]
        assert len(lines) == 1 and words in lines[0] and "comment mark" in lines[0], result.output
        result = cli("review", saved, "--outline", proj / "outline.yaml", "--apply")
        assert result.exit_code == 1
        assert (proj / "outline.yaml").read_bytes() == outline
