"""DOCX round trip through LibreOffice (which rewrites all the XML) and the whole loop on the sample:
build, edit ten items, review, apply, check, rebuild."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from briefgen.edit import docx_read
from briefgen.edit import record as roundtrip
from briefgen.edit import review as reviewer
from tests.test_roundtrip import check_word_review, make_project, word_edits
from tests.word_edits import Editor

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) not installed")


def resave(path: Path, tmp: Path) -> Path:
    """The DOCX opened and saved again by LibreOffice headless (`--convert-to docx`)."""
    out = tmp / "lo"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp / 'profile'}", "--headless", "--convert-to", "docx",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    return out / path.name


@needs_office
def test_libreoffice_save_keeps_every_anchor_and_the_build_id(tmp_path, cli):
    proj = make_project(tmp_path / "p")
    built = proj / "reports/outline.docx"
    saved = resave(built, tmp_path)
    before, after = docx_read.read(built.read_bytes()), docx_read.read(saved.read_bytes())
    assert saved.read_bytes() != built.read_bytes()
    assert docx_read.anchored(after) == docx_read.anchored(before) and len(docx_read.anchored(after)) == 82
    for key in (roundtrip.BUILD_PROP, roundtrip.VERSION_PROP, roundtrip.OUTLINE_PROP):
        assert after.properties[key] == before.properties[key]
    result = cli("review", saved, "--outline", proj / "outline.yaml")
    assert result.exit_code == 0, result.output  # conversion noise is not an edit


@needs_office
def test_word_edits_survive_a_libreoffice_save(tmp_path):
    proj = make_project(tmp_path / "p")
    edited = proj / "edited.docx"
    edited.write_bytes(word_edits((proj / "reports/outline.docx").read_bytes()))
    saved = resave(edited, tmp_path)
    check_word_review(reviewer.review(saved, proj / "outline.yaml"), threads=False)


def ten_edits(data: bytes) -> bytes:
    e = Editor(data)
    e.replace("summary[0]", "تتجه", "تمضي")
    e.split("key_judgments[1]", "ما دامت")
    e.replace("assumptions[1]", "محدوداً", "محدوداً نسبياً")
    e.replace("background[2]", "أكثر من 150", "نحو 150", author=None)
    e.replace("timeline[6]", "تؤخر", "أخّرت", author=None)  # the analyst changes it in the outline too
    e.comment("actors[1]", "هل هذا هو المسمى الرسمي؟")
    e.replace("positions[1].stance", "لا انسحاب مقرر", "لا انسحاباً مقرراً", author=None)
    e.delete_note("positions[0].points[3]", 1)
    e.edit_note(e.note_ids("risks[0]")[0], "ما يقارب من", "ما يزيد على")
    e.replace("open_questions[2]", "ما شكل", "ما طبيعة", author=None)
    return e.save()


TEN = {"summary[0]": 19, "key_judgments[1]": 38, "assumptions[1]": 54, "background[2]": 66, "timeline[6]": 102,
       "actors[1]": 116, "positions[1].stance": 165, "positions[0].points[3]": 160, "risks[0]": 202,
       "open_questions[2]": 246}


def test_whole_loop_on_the_sample(tmp_path, cli):
    proj = make_project(tmp_path)
    outline = proj / "outline.yaml"
    report = proj / "reports/outline.docx"
    original = outline.read_text(encoding="utf-8")
    report.write_bytes(ten_edits(report.read_bytes()))  # the editor's copy comes back in its place
    outline.write_text(original.replace("تؤخر انطلاق الحوار", "تؤجل انطلاق الحوار"), encoding="utf-8")
    result = cli("review", report, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {i["path"]: i["line"] for i in data["items"]} == TEN
    assert {i["path"]: i["flags"] for i in data["items"]} == {
        "summary[0]": ["tracked"], "key_judgments[1]": ["split"], "assumptions[1]": ["tracked"],
        "background[2]": ["untracked"], "timeline[6]": ["untracked", "conflict"], "actors[1]": [],
        "positions[1].stance": ["untracked"], "positions[0].points[3]": ["untracked", "citation-deleted"],
        "risks[0]": ["quote-edited"], "open_questions[2]": ["untracked"]}
    assert [c["path"] for c in data["conflicts"]] == ["timeline[6]"]
    assert data["added"] == [] and data["generated"] == []

    analyst = outline.read_bytes()
    result = cli("review", report, "--apply")
    assert result.exit_code == 1
    assert "quote not found in source 'hafryat'" in result.output  # check verifies the edited quote first
    assert "nothing written" in result.output and outline.read_bytes() == analyst
    result = cli("review", report, "--apply", "--force")  # the rest goes in, the unverified quote stays as built
    assert result.exit_code == 1 and "timeline[6]: conflict, not applied" in result.output
    assert "kept the built quote of footnote 61" in result.output and "check: ok" in result.output
    expected = (original.replace("تؤخر انطلاق الحوار", "تؤجل انطلاق الحوار")
                .replace("تتجه بغداد", "تمضي بغداد")
                .replace("محدوداً بما", "محدوداً نسبياً بما")
                .replace("إيران أكثر من 150", "إيران نحو 150")
                .replace("لا انسحاب مقرر", "لا انسحاباً مقرراً")
                .replace('          - {source: hafryat, quote: "العراق لا يرغب بانسحاب عاجل للقوات الأمريكية"}\n', "")
                .replace("ما شكل العلاقة", "ما طبيعة العلاقة")
                .replace('  - name: "باسم العوادي"', '  # review: Layla Editor: هل هذا هو المسمى الرسمي؟\n'
                                                   '  - name: "باسم العوادي"'))
    assert outline.read_text(encoding="utf-8") == expected  # exactly those items; every other byte kept

    assert cli("check", outline).exit_code == 0
    edited_bytes = report.read_bytes()
    assert cli("build", outline, "-f", "docx").exit_code == 3  # the edited DOCX is never silently replaced
    assert report.read_bytes() == edited_bytes
    result = cli("build", outline, "-f", "docx", "--overwrite")
    assert result.exit_code == 0, result.output
    assert any(p.read_bytes() == edited_bytes for p in (proj / "reports").glob("*.docx") if p != report)
    rebuilt = docx_read.read(report.read_bytes())
    record = roundtrip.load(proj, rebuilt.properties[roundtrip.BUILD_PROP])
    texts = {path: item["text"] for path, item in record["items"].items()}
    assert texts["summary[0]"].startswith("تمضي بغداد")
    assert "محدوداً نسبياً" in texts["assumptions[1]"] and "نحو 150" in texts["background[2]"]
    assert "تؤجل انطلاق" in texts["timeline[6]"]  # the conflict kept the outline's version
    assert texts["positions[1].stance"].endswith("لا انسحاباً مقرراً")
    assert texts["positions[0].points[3]"].count("[^") == 1
    assert texts["open_questions[2]"].startswith("ما طبيعة العلاقة")
    assert cli("review", report).exit_code == 0


MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub EditBrief(src As String, dst As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;Hidden&quot;
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(src), &quot;_blank&quot;, 0, args())
  doc.RecordChanges = True
  rd = doc.createReplaceDescriptor()
  rd.SearchString = &quot;تتجه بغداد&quot;
  rd.ReplaceString = &quot;تمضي بغداد&quot;
  doc.replaceAll(rd)
  sd = doc.createSearchDescriptor()
  sd.SearchString = &quot;الناطق باسم الحكومة&quot;
  found = doc.findFirst(sd)
  ann = doc.createInstance(&quot;com.sun.star.text.textfield.Annotation&quot;)
  ann.Author = &quot;LibreOffice Editor&quot;
  ann.Content = &quot;تعليق من ليبر أوفيس&quot;
  found.getText().insertTextContent(found, ann, True)
  doc.RecordChanges = False
  rd2 = doc.createReplaceDescriptor()
  rd2.SearchString = &quot;شنّت فصائل&quot;
  rd2.ReplaceString = &quot;شنّت جماعات&quot;
  doc.replaceAll(rd2)
  Dim sargs(0) As New com.sun.star.beans.PropertyValue
  sargs(0).Name = &quot;FilterName&quot;
  sargs(0).Value = &quot;MS Word 2007 XML&quot;
  doc.storeToURL(ConvertToURL(dst), sargs())
  doc.close(True)
End Sub
</script:module>
"""


@needs_office
def test_edits_made_in_libreoffice_itself(tmp_path):
    """LibreOffice's own markup: a tracked replace (Find & Replace with Record Changes on), a comment on a
    phrase, an untracked replace; Find & Replace also hits the annex's copies (generated text)."""
    proj = make_project(tmp_path / "p")
    profile = tmp_path / "profile"
    office = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless"]
    subprocess.run([*office, "--terminate_after_init"], check=True, capture_output=True, timeout=180)
    module = profile / "user/basic/Standard/Module1.xba"
    if not module.is_file():
        pytest.skip("this LibreOffice has no Basic library in its profile")
    module.write_text(MACRO, encoding="utf-8")
    dst = tmp_path / "edited-in-libreoffice.docx"
    call = f'macro:///Standard.Module1.EditBrief("{proj / "reports/outline.docx"}","{dst}")'
    for attempt in range(4):  # a profile still held by the previous start refuses a call now and then
        subprocess.run([*office, call], capture_output=True, timeout=180)
        if dst.is_file():
            break
        time.sleep(1 + attempt)
    assert dst.is_file(), "LibreOffice did not run the editing macro"
    from briefgen.render import docx_fonts  # issue #18: an edit made in LibreOffice keeps the embedded fonts

    assert {("Amiri", "Regular"), ("Amiri", "Bold")} <= set(docx_fonts.embedded_fonts(dst.read_bytes()))
    rv = reviewer.review(dst, proj / "outline.yaml")
    items = {i.path: i for i in rv.items}
    assert {p: i.flags for p, i in items.items()} == {"summary[0]": ["tracked"], "background[2]": ["untracked"],
                                                      "actors[1]": []}
    assert [t["type"] for t in items["summary[0]"].tracked] == ["delete", "insert"]
    assert items["summary[0]"].after.startswith("تمضي بغداد")
    assert "شنّت جماعات" in items["background[2]"].after
    assert [(c["author"], c["text"]) for c in items["actors[1]"].comments] == [
        ("LibreOffice Editor", "تعليق من ليبر أوفيس")]
    assert len(rv.generated) == 2 and all(g["part"] == "text" for g in rv.generated)  # the annex's copies
