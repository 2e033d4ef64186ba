"""DOCX round trip: anchors and build record, `review` of edits made the way Word makes them, `--apply`."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from briefgen.edit import docx_read
from briefgen.edit import record as roundtrip
from briefgen.edit import review as reviewer
from briefgen.edit.apply import outline_text
from briefgen.run import pipeline
from tests.conftest import SAMPLE_OUTLINE, SAMPLE_SOURCES
from tests.word_edits import Editor

ITEM_KINDS = ("summary", "key_judgments", "assumptions", "background", "timeline", "actors", "positions", "risks",
              "open_questions")


def make_project(tmp: Path) -> Path:
    shutil.copytree(SAMPLE_SOURCES, tmp / "sources")
    shutil.copy(SAMPLE_OUTLINE, tmp / "outline.yaml")
    pipeline.build(tmp / "outline.yaml", ["docx"])
    return tmp


@pytest.fixture()
def proj(tmp_path) -> Path:
    return make_project(tmp_path)


def word_edits(data: bytes) -> bytes:
    """Edits of every kind Word writes, on the sample brief."""
    e = Editor(data)
    e.replace("summary[0]", "تتجه", "تمضي")  # tracked, runs split with their own rsids
    e.replace("background[2]", "أكثر من 150", "نحو 150", author=None)  # untracked
    e.split("key_judgments[1]", "ما دامت")  # a paragraph split in two
    e.move("timeline[5]", "اللجنة العسكرية العليا", "timeline[6]")  # a moved phrase
    e.comment("actors[1]", "هل هذا هو المسمى الرسمي؟", replies=[("Omar Analyst", "نعم، بحسب حفريات")])
    e.comment("open_questions[0]", "سؤال جيد", resolved=True)
    e.delete_note("positions[0].points[3]", 1, author="Layla Editor")  # a tracked footnote deletion
    e.edit_note(e.note_ids("risks[0]")[0], "ما يقارب من", "ما يزيد على")  # the verified quote altered
    e.add_paragraph("background[5]", "فقرة جديدة أضافها المحرر.")
    return e.save()


EXPECTED = {
    "summary[0]": ["tracked"],
    "key_judgments[1]": ["split"],
    "background[2]": ["untracked"],
    "timeline[5]": ["tracked"],
    "timeline[6]": ["tracked"],
    "actors[1]": [],
    "positions[0].points[3]": ["tracked", "citation-deleted"],
    "risks[0]": ["quote-edited"],
    "open_questions[0]": [],
}


def check_word_review(rv: reviewer.Review, threads: bool = True) -> None:
    """The review of word_edits(): exactly the edited items, with what Word recorded."""
    items = {i.path: i for i in rv.items}
    assert {p: i.flags for p, i in items.items()} == EXPECTED
    s0 = items["summary[0]"]
    assert s0.before.startswith("تتجه بغداد") and s0.after.startswith("تمضي بغداد")
    assert s0.after.endswith("[^1][^2][^3]")
    assert [(t["type"], t["author"], t["date"], t["text"]) for t in s0.tracked] == [
        ("delete", "Layla Editor", "2026-01-05T10:00:00Z", "تتجه"), ("insert", "Layla Editor", "2026-01-05T10:00:00Z",
                                                                     "تمضي")]
    assert s0.line == 19 and s0.file.endswith("outline.yaml")
    assert "أكثر من 150" in items["background[2]"].before and "نحو 150" in items["background[2]"].after
    assert items["background[2]"].tracked == []
    assert [(t["type"], t.get("to")) for t in items["timeline[5]"].tracked] == [("move-from", "timeline[6]")]
    assert [(t["type"], t.get("from")) for t in items["timeline[6]"].tracked] == [("move-to", "timeline[5]")]
    assert "اللجنة العسكرية العليا" in items["timeline[6]"].after
    assert items["positions[0].points[3]"].deleted_cites == [59]
    assert items["risks[0]"].quotes[0]["after"].startswith("هناك ما يزيد على")
    comments = items["actors[1]"].comments
    if threads:
        assert comments == [{"author": "Layla Editor", "date": "2026-01-05T10:00:00Z",
                             "text": "هل هذا هو المسمى الرسمي؟", "resolved": False,
                             "replies": [{"author": "Omar Analyst", "text": "نعم، بحسب حفريات",
                                          "date": "2026-01-05T10:00:00Z"}]}]
    else:  # LibreOffice 7.4 keeps both comments but not the reply's link to its parent
        assert sorted(c["text"] for c in comments) == sorted(["هل هذا هو المسمى الرسمي؟", "نعم، بحسب حفريات"])
    assert [(c["text"], c["resolved"]) for c in items["open_questions[0]"].comments] == [("سؤال جيد", True)]
    assert rv.added == [{"after": "background[5]", "text": "فقرة جديدة أضافها المحرر."}]
    assert rv.generated == [] and rv.conflicts == []


def test_every_outline_item_is_anchored(proj):
    data = (proj / "reports/outline.docx").read_bytes()
    doc = docx_read.read(data)
    paths = docx_read.anchored(doc)
    assert len(paths) == len(set(paths)) == 82
    assert {p.split("[")[0] for p in paths} == {*ITEM_KINDS, "title", "subtitle"}
    for must in ("summary[0]", "key_judgments[2]", "positions[1].points[0]", "positions[1].stance", "risks[3]",
                 "open_questions[1]", "actors[0]", "timeline[4]", "background[2]", "assumptions[1]"):
        assert must in paths
    assert all(n.startswith("_") and len(n) <= 40 and " " not in n for n in doc.bookmarks)
    record = roundtrip.load(proj, doc.properties[roundtrip.BUILD_PROP])
    assert record is not None and set(record["items"]) == set(paths)
    item = record["items"]["positions[0].points[3]"]
    assert item["line"] == 160 and item["key"] == "text"
    assert [(c["number"], c["origin"], c["index"]) for c in item["cites"]] == [(58, "cite", 0), (59, "cite", 1)]
    assert record["items"]["open_questions[1]"]["cites"][0]["marker"] == "[@hafryat]"
    assert record["items"]["key_judgments[0]"]["prefix"] == "1."


@pytest.mark.skipif(not shutil.which("git"), reason="git not installed")
def test_docx_names_its_build_and_stays_byte_identical(proj, tmp_path_factory):
    other = make_project(tmp_path_factory.mktemp("again"))
    first, second = (proj / "reports/outline.docx").read_bytes(), (other / "reports/outline.docx").read_bytes()
    assert first == second
    props = docx_read.read(first).properties
    git_hash = subprocess.run(["git", "hash-object", str(proj / "outline.yaml")], capture_output=True, text=True)
    assert props[roundtrip.VERSION_PROP] == git_hash.stdout.strip()
    assert props[roundtrip.OUTLINE_PROP] == "outline.yaml"
    assert (proj / roundtrip.FOLDER / f"{props[roundtrip.BUILD_PROP]}.json").is_file()
    with zipfile.ZipFile(proj / "reports/outline.docx") as zf:
        assert "docProps/custom.xml" in zf.namelist()
        assert b"custom-properties" in zf.read("_rels/.rels")


def test_unedited_docx_has_no_edits(proj, cli):
    result = cli("review", proj / "reports/outline.docx", "--outline", proj / "outline.yaml")
    assert result.exit_code == 0, result.output
    assert "no edits" in result.output


def test_word_edits_are_reviewed(proj, cli):
    edited = proj / "edited.docx"
    edited.write_bytes(word_edits((proj / "reports/outline.docx").read_bytes()))
    check_word_review(reviewer.review(edited, proj / "outline.yaml"))
    result = cli("review", edited, "--outline", proj / "outline.yaml", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) >= {"items", "added", "generated", "conflicts"}
    assert {i["path"] for i in data["items"]} == set(EXPECTED)
    assert set(data["items"][0]) >= {"path", "file", "line", "before", "after", "tracked", "comments", "flags"}
    text = cli("review", edited, "--outline", proj / "outline.yaml").stdout
    assert "[-تتجه-] {+تمضي+} بغداد" in text and "tracked delete by Layla Editor" in text
    assert "footnote 59 deleted" in text and "comment (resolved) Layla Editor: سؤال جيد" in text


def test_apply_writes_exactly_the_edited_items(proj, cli):
    outline = proj / "outline.yaml"
    original = outline.read_bytes()
    before = outline.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = proj / "edited.docx"
    edited.write_bytes(word_edits((proj / "reports/outline.docx").read_bytes()))
    # The altered quote no longer verifies: nothing is written without --force.
    result = cli("review", edited, "--outline", outline, "--apply")
    assert result.exit_code == 1
    assert outline.read_bytes() == original
    assert "the edited quote of footnote 61 (risks[0]) does not verify" in result.output, result.output
    assert "quote not found in source 'hafryat'" in result.output and "--force" in result.output
    # With --force every other change is written and that quote stays as built; the result checks.
    result = cli("review", edited, "--outline", outline, "--apply", "--force")
    assert result.exit_code == 0, result.output
    after = outline.read_text(encoding="utf-8").splitlines(keepends=True)
    import difflib

    changed = [line for line in difflib.unified_diff(before, after, n=0) if line[:1] in "+-" and line[:3] not in
               ("+++", "---")]
    assert changed == [
        "-" + before[18], "+" + before[18].replace("تتجه", "تمضي"),
        "-" + before[65], "+" + before[65].replace("أكثر من 150", "نحو 150"),
        "-" + before[98], '+    text: "الاتفاق على إطلاق حوار ."\n',
        "-" + before[101], '+    text: "هجمات 7 أكتوبر في إسرائيل تؤخر انطلاق الحوار. اللجنة العسكرية العليا"\n',
        "+  # review: Layla Editor: هل هذا هو المسمى الرسمي؟\n", "+  #   reply: Omar Analyst: نعم، بحسب حفريات\n",
        "-" + before[162],
    ]
    assert "removed cite entry 2" in result.output and "split" in result.output
    assert "kept the built quote of footnote 61" in result.output and "check: ok" in result.output


def test_apply_reject_keeps_tracked_before_text(proj, cli):
    outline = proj / "outline.yaml"
    original = outline.read_text(encoding="utf-8")
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.replace("summary[0]", "تتجه", "تمضي")
    e.replace("background[2]", "أكثر من 150", "نحو 150", author=None)
    edited = proj / "edited.docx"
    edited.write_bytes(e.save())
    result = cli("review", edited, "--outline", outline, "--apply", "--changes", "reject")
    assert result.exit_code == 0, result.output
    text = outline.read_text(encoding="utf-8")
    assert "تتجه بغداد" in text and "نحو 150" in text
    assert text == original.replace("أكثر من 150", "نحو 150", 1)


def test_conflict_is_reported_and_not_applied(proj, cli):
    outline = proj / "outline.yaml"
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.replace("timeline[6]", "تؤخر", "أخّرت", author=None)
    edited = proj / "edited.docx"
    edited.write_bytes(e.save())
    outline.write_text(outline.read_text(encoding="utf-8").replace("تؤخر انطلاق الحوار", "تؤجل انطلاق الحوار"),
                       encoding="utf-8")
    rv = reviewer.review(edited, outline)
    assert [(c["path"], c["line"]) for c in rv.conflicts] == [("timeline[6]", 102)]
    assert "تؤجل" in rv.conflicts[0]["outline_now"] and "أخّرت" in rv.conflicts[0]["docx"]
    before = outline.read_bytes()
    result = cli("review", edited, "--outline", outline, "--apply")
    assert result.exit_code == 1 and "timeline[6]: conflict, not applied" in result.output
    assert outline.read_bytes() == before


def test_record_missing_is_rebuilt_from_the_outline(proj):
    edited = proj / "edited.docx"
    edited.write_bytes(word_edits((proj / "reports/outline.docx").read_bytes()))
    shutil.rmtree(proj / ".briefgen-cache")
    check_word_review(reviewer.review(edited, proj / "outline.yaml"))


@pytest.mark.skipif(not shutil.which("git"), reason="git not installed")
def test_record_missing_outline_from_git_history(proj):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=proj, check=True)
    subprocess.run([*git, "add", "outline.yaml"], cwd=proj, check=True)
    subprocess.run([*git, "commit", "-qm", "outline"], cwd=proj, check=True)
    edited = proj / "edited.docx"
    edited.write_bytes(word_edits((proj / "reports/outline.docx").read_bytes()))
    shutil.rmtree(proj / ".briefgen-cache")
    outline = proj / "outline.yaml"
    outline.write_text(outline.read_text(encoding="utf-8").replace("الولايات المتحدة تقلّص", "واشنطن تقلّص"),
                       encoding="utf-8")
    check_word_review(reviewer.review(edited, outline))
    assert not list(proj.glob(".outline.*.yaml"))


def test_record_missing_and_outline_moved_on(proj, cli):
    edited = proj / "edited.docx"
    edited.write_bytes((proj / "reports/outline.docx").read_bytes())
    shutil.rmtree(proj / ".briefgen-cache")
    outline = proj / "outline.yaml"
    outline.write_text(outline.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    result = cli("review", edited, "--outline", outline)
    assert result.exit_code == 1
    assert "cannot review: the record of build" in result.output and "not at the version" in result.output
    assert "Traceback" not in result.output


def test_docx_briefgen_did_not_write(tmp_path, cli):
    plain = tmp_path / "letter.docx"
    document = docx.Document()
    document.add_paragraph("Dear editor")
    document.save(plain)
    result = cli("review", plain, "--outline", SAMPLE_OUTLINE)
    assert result.exit_code == 1
    assert "was not written by briefgen: found 0 bookmarks, none of them briefgen's anchors" in result.output
    text = tmp_path / "notes.docx"
    text.write_text("not a zip", encoding="utf-8")
    result = cli("review", text, "--outline", SAMPLE_OUTLINE)
    assert result.exit_code == 1 and "is not a Word document (.docx): found a file starting with" in result.output


def test_anchors_gone(proj, cli):
    data = (proj / "reports/outline.docx").read_bytes()
    e = Editor(data)
    for b in list(e.doc.iter(docx_read.w("bookmarkStart"))):
        b.getparent().remove(b)
    stripped = proj / "stripped.docx"
    stripped.write_bytes(e.save())
    result = cli("review", stripped, "--outline", proj / "outline.yaml")
    assert result.exit_code == 1 and "has lost what briefgen marked it with" in result.output


def test_outline_text_restores_markers_and_drops_cite_notes():
    cites = [{"number": 4, "origin": "marker", "marker": "[@monitor]", "space": " "},
             {"number": 5, "origin": "cite", "index": 0}]
    assert outline_text("المطالبة بجدول[^4]، وسلّمت.[^5]", cites) == "المطالبة بجدول [@monitor]، وسلّمت."
    assert reviewer.word_diff("أ ب ج", "أ د ج") == "أ [-ب-] {+د+} ج"


@pytest.mark.parametrize("accept", [True, False])
def test_anchors_survive_accepting_or_rejecting_all_changes(proj, accept):
    e = Editor(word_edits((proj / "reports/outline.docx").read_bytes()))
    e.settle(accept)
    settled = proj / "settled.docx"
    settled.write_bytes(e.save())
    doc = docx_read.read(settled.read_bytes())
    assert len(docx_read.anchored(doc)) == 82
    items = {i.path: i for i in reviewer.review(settled, proj / "outline.yaml").items}
    if accept:  # what was tracked is now plain text: untracked edits, the same after-text
        assert items["summary[0]"].flags == ["untracked"] and items["summary[0]"].after.startswith("تمضي")
        assert items["positions[0].points[3]"].deleted_cites == [59]
    else:  # rejected: those items are as built; the untracked edits remain
        assert "summary[0]" not in items and "positions[0].points[3]" not in items
        assert items["background[2]"].flags == ["untracked"]


def test_joined_paragraphs_keep_their_items_apart(proj):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.join("summary[1]")
    e.replace("summary[1]", "يتعثر", "يتباطأ", author=None)
    joined = proj / "joined.docx"
    joined.write_bytes(e.save())
    rv = reviewer.review(joined, proj / "outline.yaml")
    assert [(i.path, i.flags) for i in rv.items] == [("summary[0]", ["joined"]), ("summary[1]", ["untracked"])]
    assert rv.items[0].joined == {"with": "summary[1]", "tracked": None}
    assert rv.items[1].after.startswith("يتباطأ هذا المسار") and rv.added == []
    assert "joined with summary[1] into one paragraph (untracked)" in reviewer.format_text(rv)


def test_edits_of_generated_text_are_listed(proj):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.edit_anywhere("الملخّص التنفيذي", "الخلاصة")  # a section heading
    e.edit_anywhere("المونيتور، «الولايات المتحدة والعراق", "The Monitor، «الولايات المتحدة والعراق")  # bibliography
    edited = proj / "generated.docx"
    edited.write_bytes(e.save())
    rv = reviewer.review(edited, proj / "outline.yaml")
    assert rv.items == [] and rv.added == [] and rv.changed
    assert [(g["before"], g["after"]) for g in rv.generated][0] == ("1. الملخّص التنفيذي", "1. الخلاصة")
    assert any(g["after"].startswith("The Monitor") for g in rv.generated[1:])


def test_item_deleted_in_the_docx_is_reported_not_applied(proj, cli):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    para = e.para("background[5]")
    for run in [r for r in para if r.tag.endswith("}r")]:
        para.remove(run)
    edited = proj / "deleted.docx"
    edited.write_bytes(e.save())
    outline = proj / "outline.yaml"
    before = outline.read_bytes()
    rv = reviewer.review(edited, outline)
    assert [(i.path, "deleted" in i.flags) for i in rv.items] == [("background[5]", True)]
    result = cli("review", edited, "--outline", outline, "--apply")
    assert "background[5]: deleted in the DOCX" in result.output and outline.read_bytes() == before


def test_titles_names_and_stances_flow_back(proj, cli):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.replace("risks[1].title", "أوسع", "إقليمي", author="Layla Editor")
    e.replace("actors[3].name", "لويد أوستن", "لويد جيمس أوستن", author=None)
    e.replace("positions[2].actor", "الفصائل المسلحة", "الفصائل", author=None)
    edited = proj / "titles.docx"
    edited.write_bytes(e.save())
    outline = proj / "outline.yaml"
    original = outline.read_text(encoding="utf-8")
    rv = reviewer.review(edited, outline)
    assert [(i.path, i.flags) for i in rv.items] == [("actors[3].name", ["untracked"]),
                                                     ("positions[2].actor", ["untracked"]),
                                                     ("risks[1].title", ["tracked"])]
    assert rv.generated == []
    assert cli("review", edited, "--outline", outline, "--apply").exit_code == 0
    assert outline.read_text(encoding="utf-8") == (
        original.replace('"الانزلاق إلى تصعيد أوسع"', '"الانزلاق إلى تصعيد إقليمي"')
        .replace('"لويد أوستن"', '"لويد جيمس أوستن"').replace('"الفصائل المسلحة"', '"الفصائل"'))


def test_bad_changes_option_is_a_usage_error(proj, cli):
    result = cli("review", proj / "reports/outline.docx", "--apply", "--changes", "maybe")
    assert result.exit_code == 2 and "--changes must be accept or reject" in result.output


def test_comment_on_a_heading_is_listed_not_dropped(proj):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    heading = next(t.getparent().getparent() for t in e.doc.iter(docx_read.w("t")) if "الخلفية" in (t.text or ""))
    bookmark = e.doc.makeelement(docx_read.w("bookmarkStart"), {docx_read.w("id"): "999", docx_read.w("name"): "_x"})
    heading.insert(1, bookmark)  # the helper comments on the run after a bookmark
    start = e.start
    e.start = lambda path: bookmark if path == "heading" else start(path)
    e.comment("heading", "عنوان أقصر؟")
    edited = proj / "heading.docx"
    edited.write_bytes(e.save())
    rv = reviewer.review(edited, proj / "outline.yaml")
    assert rv.items == []
    assert [(g["part"], g["after_item"], g["text"]) for g in rv.generated] == [
        ("comment", "assumptions[2]", "عنوان أقصر؟")]


def test_apply_json(proj, cli):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.replace("summary[0]", "تتجه", "تمضي")
    edited = proj / "edited.docx"
    edited.write_bytes(e.save())
    result = cli("review", edited, "--outline", proj / "outline.yaml", "--apply", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["applied"]["changed"] == ["summary[0]"] and data["check"]["ok"] is True


def test_entities_in_a_hostile_docx_are_not_expanded(proj, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN", encoding="utf-8")
    with zipfile.ZipFile(proj / "reports/outline.docx") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    xml = members["word/document.xml"].decode("utf-8")
    rest = xml.split("?>", 1)[1]
    xml = f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{secret}">]>' + rest.replace(
        "تتجه بغداد", "&x; تتجه بغداد", 1)
    members["word/document.xml"] = xml.encode("utf-8")
    hostile = proj / "hostile.docx"
    with zipfile.ZipFile(hostile, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    rv = reviewer.review(hostile, proj / "outline.yaml")
    assert "TOP-SECRET-TOKEN" not in json.dumps(rv.to_json(), ensure_ascii=False)


def test_apply_keeps_plain_and_single_quoted_styles(proj, cli):
    outline = proj / "outline.yaml"
    text = outline.read_text(encoding="utf-8")
    text = text.replace('  - name: "باسم العوادي"', "  - name: باسم العوادي").replace(
        '    role: "الناطق باسم الحكومة العراقية"', "    role: 'الناطق باسم الحكومة العراقية'").replace(
        '    stance: "التحالف لا يمكن أن يبقى بلا نهاية"', "    stance: التحالف لا يمكن أن يبقى بلا نهاية")
    outline.write_text(text, encoding="utf-8")
    pipeline.build(outline, ["docx"])
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.replace("actors[1].name", "باسم العوادي", "باسم العوادي: الناطق", author=None)  # plain cannot hold ': '
    e.replace("actors[1]", "الناطق", "المتحدث", author=None)
    e.replace("actors[1].stance", "بلا نهاية", "دون نهاية", author=None)
    edited = proj / "styles.docx"
    edited.write_bytes(e.save())
    assert cli("review", edited, "--outline", outline, "--apply").exit_code == 0
    assert outline.read_text(encoding="utf-8") == text.replace(
        "  - name: باسم العوادي", '  - name: "باسم العوادي: الناطق"').replace(
        "'الناطق باسم الحكومة العراقية'", "'المتحدث باسم الحكومة العراقية'").replace(
        "يبقى بلا نهاية\n", "يبقى دون نهاية\n")


@pytest.mark.parametrize("changes", ["accept", "reject"])
def test_tracked_quote_edit_in_a_footnote(proj, cli, changes):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.edit_note(e.note_ids("risks[0]")[0], "ما يقارب من", "ما يزيد على", author="Layla Editor")
    edited = proj / "quote.docx"
    edited.write_bytes(e.save())
    outline = proj / "outline.yaml"
    original = outline.read_text(encoding="utf-8")
    rv = reviewer.review(edited, outline)
    [item] = rv.items
    assert item.path == "risks[0]" and item.flags == ["quote-edited", "tracked"]
    assert [(t["type"], t["author"], t["note"]) for t in item.tracked] == [("delete", "Layla Editor", 61),
                                                                          ("insert", "Layla Editor", 61)]
    assert item.quotes[0]["after"].startswith("هناك ما يزيد على")
    assert item.quotes[0]["rejected"] == item.quotes[0]["before"]
    result = cli("review", edited, "--outline", outline, "--apply", "--changes", changes)
    if changes == "accept":
        # The edited quote does not verify: shown, and nothing is written (the outline keeps its evidence).
        assert result.exit_code == 1 and "quote not found" in result.output and "nothing written" in result.output
        assert outline.read_text(encoding="utf-8") == original
    else:
        assert result.exit_code == 0 and outline.read_text(encoding="utf-8") == original


def test_review_of_a_fifo_or_folder_is_an_error_not_a_hang(tmp_path, cli):
    import os

    fifo = tmp_path / "sent-back.docx"
    os.mkfifo(fifo)
    result = cli("review", fifo)
    assert result.exit_code == 1 and "named pipe" in result.output and "Traceback" not in result.output
    result = cli("review", tmp_path)
    assert result.exit_code == 1 and "a folder" in result.output


def test_title_and_subtitle_flow_back(proj, cli):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.replace("title", "محادثات", "مفاوضات", author=None)
    e.replace("subtitle", "ضغط الفصائل", "ضغوط الفصائل")
    (proj / "t.docx").write_bytes(e.save())
    outline = proj / "outline.yaml"
    original = outline.read_text(encoding="utf-8")
    rv = reviewer.review(proj / "t.docx", outline)
    assert {i.path: (i.line, i.flags) for i in rv.items} == {"title": (12, ["untracked"]),
                                                            "subtitle": (13, ["tracked"])}
    assert rv.generated == []
    result = cli("review", proj / "t.docx", "--outline", outline, "--apply")
    assert result.exit_code == 0, result.output
    assert outline.read_text(encoding="utf-8") == original.replace(
        'title: "محادثات إنهاء', 'title: "مفاوضات إنهاء').replace("وضغط الفصائل", "وضغوط الفصائل")


def test_a_docx_whose_properties_were_dropped_is_matched_by_anchors_and_text(proj, cli):
    built = (proj / "reports/outline.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(built)) as z:
        members = {n: z.read(n) for n in z.namelist() if n != "docProps/custom.xml"}
    e = Editor(_zip(members))
    e.replace("summary[0]", "تتجه", "تمضي")
    stripped = proj / "reports/no-props.docx"
    stripped.write_bytes(e.save())
    assert roundtrip.BUILD_PROP not in docx_read.read(stripped.read_bytes()).properties
    result = cli("review", stripped, "--outline", proj / "outline.yaml")
    assert result.exit_code == 1
    assert "its build id is gone (the document properties were dropped on save); matched to build" in result.output
    assert "(81 of 82 items as built, 76 of 76 footnotes)" in result.output
    assert "summary[0]  [tracked]" in result.output


def _zip(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_tracked_edit_of_a_footnotes_reference_is_listed_with_its_author(proj):
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.edit_note(e.note_ids("summary[0]")[1], "المونيتور", "موقع المونيتور", author="Layla Editor")
    (proj / "ref.docx").write_bytes(e.save())
    rv = reviewer.review(proj / "ref.docx", proj / "outline.yaml")
    (g,) = [g for g in rv.generated if g["part"].startswith("footnote")]
    assert g["part"] == "footnote 2" and g["after"].startswith("موقع المونيتور")
    assert [(t["type"], t["author"], t["text"]) for t in g["tracked"]] == [
        ("delete", "Layla Editor", "المونيتور"), ("insert", "Layla Editor", "موقع المونيتور")]
    assert "tracked insert by Layla Editor" in reviewer.format_text(rv)
