"""Issued versions and what changed between them: `briefgen issue`, `versions`, `diff`.

Each test issues the real sample brief in its own folder, edits the outline as an analyst would
(text, a likelihood, a quote, an item inserted or removed), and checks the change list against
the edits it made, not against what the code printed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile

import pytest

from .conftest import ROOT


@pytest.fixture()
def sample(tmp_path):
    for name in ("outline.yaml",):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def _edit(outline, old, new, count=1):
    text = outline.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    outline.write_text(text.replace(old, new, count), encoding="utf-8")


def _diff_json(cli, outline, *labels):
    result = cli("diff", *labels, "--outline", outline, "--json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_issue_keeps_the_version_and_shows_it_in_both_files(sample, cli):
    outline = sample / "outline.yaml"
    result = cli("issue", outline, "--to", "مكتب الوزير", "--date", "2024-02-05", "--note", "first")
    assert result.exit_code == 0, result.output
    kept = sample / "versions" / "outline" / "v1"
    record = json.loads((kept / "version.json").read_text(encoding="utf-8"))
    assert record["number"] == 1 and record["date"] == "2024-02-05" and record["to"] == ["مكتب الوزير"]
    for name, digest in record["outputs"].items():  # the hashes are those of the files that went out
        assert hashlib.sha256((sample / "reports" / name).read_bytes()).hexdigest() == digest
    assert sorted(record["outputs"]) == ["outline.docx", "outline.pdf"]
    assert (kept / "outline.yaml").read_bytes() == outline.read_bytes()
    names = sorted(p.name for p in (sample / "sources").iterdir())
    assert sorted(p.name for p in (kept / "sources").iterdir()) == names
    first_page = subprocess.run(["pdftotext", "-l", "1", sample / "reports" / "outline.pdf", "-"],
                                capture_output=True, text=True, check=True).stdout
    assert "الإصدار" in first_page and "فبراير" in first_page
    info = subprocess.run(["pdfinfo", sample / "reports" / "outline.pdf"], capture_output=True, text=True).stdout
    assert "briefgen-version:1" in info
    with zipfile.ZipFile(sample / "reports" / "outline.docx") as z:
        core = z.read("docProps/core.xml").decode()
        body = z.read("word/document.xml").decode()
    assert "<cp:version>1</cp:version>" in core
    assert "الإصدار 1، 5 فبراير 2024" in body
    assert cli("issue", outline, "--date", "2024-02-06").exit_code == 0
    listed = cli("versions", outline, "--json")
    assert [v["number"] for v in json.loads(listed.stdout)] == [1, 2]


def test_an_ordinary_build_says_no_version(sample, cli):
    outline = sample / "outline.yaml"
    assert cli("build", outline, "--format", "docx").exit_code == 0
    with zipfile.ZipFile(sample / "reports" / "outline.docx") as z:
        assert "الإصدار" not in z.read("word/document.xml").decode()
        assert "cp:version" not in z.read("docProps/core.xml").decode()


@pytest.fixture()
def issued(sample, cli):
    outline = sample / "outline.yaml"
    assert cli("issue", outline, "--date", "2024-02-05").exit_code == 0
    return outline


def test_diff_names_each_edit_and_nothing_else(issued, cli):
    outline = issued
    _edit(outline, "    likelihood: likely\n", "    likelihood: very likely\n")  # key_judgments[0]
    _edit(outline, "ما يرجّح مساراً تدريجياً قد يستغرق سنوات.", "ما يرجّح مساراً تدريجياً قد يستغرق أعواماً.")
    _edit(outline, '      - {source: hafryat, quote: "خشية إنعاش تنظيم داعش من جديد"}\n', "")
    code, data = _diff_json(cli, outline, "v1")
    assert code == 1
    got = {(c["kind"], c["path"]) for c in data["changes"]}
    assert got == {("likelihood", "key_judgments[0]"), ("edited", "summary[1]"), ("quote-removed", "summary[1]")}
    likelihood = next(c for c in data["changes"] if c["kind"] == "likelihood")
    assert (likelihood["before"], likelihood["after"]) == ("مرجّح", "مرجّح جداً")
    text = cli("diff", "v1", "--outline", outline).stdout
    assert text.startswith("ما الذي تغيّر منذ الإصدار 1:")
    assert "«… تدريجياً قد يستغرق سنوات.» ← «… تدريجياً قد يستغرق أعواماً.»" in text


def test_an_inserted_point_is_one_addition_not_a_cascade(issued, cli):
    outline = issued
    new_point = ('  - text: "نقطة جديدة عن تقييم خطر داعش."\n'
                 '    cite: [{source: hafryat, quote: "خشية إنعاش تنظيم داعش من جديد"}]\n')
    _edit(outline, "\nbackground:\n", "\nbackground:\n" + new_point)
    code, data = _diff_json(cli, outline, "v1")
    assert code == 1
    assert [(c["kind"], c["section"], c["path"]) for c in data["changes"]] == [("added", "background",
                                                                                  "background[0]")]


def test_a_removed_point_is_one_removal(issued, cli):
    outline = issued
    text = outline.read_text(encoding="utf-8")
    start = text.index("\nbackground:\n") + len("\nbackground:\n")
    end = text.index("  - text:", start + 1)
    removed = text[start:end]
    outline.write_text(text[:start] + text[end:], encoding="utf-8")
    code, data = _diff_json(cli, outline, "v1")
    assert code == 1
    kinds = [(c["kind"], c["section"]) for c in data["changes"]]
    assert kinds == [("removed", "background")]  # the later points did not "change"
    assert data["changes"][0]["before"].startswith("شكّلت واشنطن التحالف الدولي")
    assert "شكّلت واشنطن" in removed


def test_a_source_graded_anew_is_its_own_change(issued, cli):
    registry = issued.parent / "sources" / "sources.yaml"
    _edit(registry, "    reliability: D\n    credibility: 3\n", "    reliability: B\n    credibility: 2\n")
    code, data = _diff_json(cli, issued, "v1")
    assert code == 1
    assert [(c["kind"], c["path"], c["before"], c["after"]) for c in data["changes"]] == [
        ("grade", "hassan", "D3", "B2")]


def test_two_versions_compared_and_no_change(issued, cli):
    outline = issued
    code, data = _diff_json(cli, outline, "v1")
    assert code == 0 and data["changes"] == []
    assert cli("diff", "v1", "--outline", outline).stdout.startswith("لا تغيير منذ الإصدار 1")
    _edit(outline, "    likelihood: likely\n", "    likelihood: very likely\n")
    assert cli("issue", outline, "--date", "2024-02-09").exit_code == 0
    _edit(outline, "    likelihood: very likely\n", "    likelihood: likely\n")  # the working copy goes back
    code, data = _diff_json(cli, outline, "v1", "v2")
    assert [c["kind"] for c in data["changes"]] == ["likelihood"]
    code, data = _diff_json(cli, outline, "latest")
    assert [(c["before"], c["after"]) for c in data["changes"]] == [("مرجّح جداً", "مرجّح")]
    kept = outline.parent / "versions" / "outline"
    assert not list(kept.rglob(".briefgen-cache"))  # comparing never writes into a kept version


def test_an_unknown_version_is_a_clear_error(issued, cli):
    result = cli("diff", "v7", "--outline", issued)
    assert result.exit_code == 1
    assert "no issued version 'v7' of outline (recorded: v1)" in result.output
    assert "Traceback" not in result.output


def test_a_version_number_is_never_taken_twice(issued):
    from briefgen.errors import RenderError
    from briefgen.project import versions

    project = issued.parent
    before = (project / "versions" / "outline" / "v1" / "version.json").read_bytes()
    with pytest.raises(RenderError) as caught:
        versions.record(project, issued, project / "sources", versions.Version(1, "2024-03-01", "", ""))
    assert caught.value.diagnostics[0].code == "version-taken"
    assert (project / "versions" / "outline" / "v1" / "version.json").read_bytes() == before
    assert [p.name for p in (project / "versions" / "outline").iterdir()] == ["v1"]  # no temporary folder left


NEW_POINT = "نقطة جديدة عن تقييم خطر داعش."
OLD_QUESTION = "هل تنجح المفاوضات إذا استمرت الحرب على غزة، وهي الدافع المعلن لهجمات الفصائل؟"


def _three_edits(outline):
    """An edited sentence, an added point, a removed question: the analyst's work between two versions."""
    _edit(outline, "ما يرجّح مساراً تدريجياً قد يستغرق سنوات.", "ما يرجّح مساراً تدريجياً قد يستغرق أعواماً.")
    _edit(outline, "\nbackground:\n", "\nbackground:\n" + f'  - text: "{NEW_POINT}"\n'
          '    cite: [{source: hafryat, quote: "خشية إنعاش تنظيم داعش من جديد"}]\n')
    text = outline.read_text(encoding="utf-8")
    start = text.index(f'  - text: "{OLD_QUESTION}"')
    end = text.index("\n  - ", start) + 1  # the next question, at the list's own indent
    outline.write_text(text[:start] + text[end:], encoding="utf-8")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_changes_since_adds_the_annex_to_the_pdf(issued, cli):
    outline = issued
    _three_edits(outline)
    _, data = _diff_json(cli, outline, "v1")
    assert sorted(c["kind"] for c in data["changes"]) == ["added", "edited", "removed"]
    result = cli("build", outline, "--changes-since", "v1", "--format", "pdf,docx,html")
    assert result.exit_code == 0, result.output
    html = (outline.parent / "reports" / "outline.html").read_text(encoding="utf-8")
    annex = html[html.index('<section class="section section-changes"'):]
    annex = annex[:annex.index("</section>")]
    assert "ما الذي تغيّر منذ الإصدار 1" in annex
    items = annex.split("<li>")[1:]
    assert len(items) == 3  # exactly the changed items
    assert [i.split("،")[0] for i in items] == ["الملخّص التنفيذي", "الخلفية", "أسئلة مفتوحة"]
    assert "أُضيف" in items[1] and NEW_POINT in items[1] and "حُذف" in items[2]
    pdf = subprocess.run(["pdftotext", outline.parent / "reports" / "outline.pdf", "-"],
                         capture_output=True, text=True, check=True).stdout
    pdf = _flat(re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", pdf))  # poppler's bidi marks
    assert "منذ الإصدار 1" in pdf and "عن تقييم خطر داعش" in pdf  # the annex is in the PDF too
    assert (outline.parent / "reports" / "outline.since-v1.docx").is_file()


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pandoc")), reason="LibreOffice or pandoc missing")
def test_the_redline_is_real_tracked_changes_in_libreoffice_and_pandoc(issued, cli, tmp_path):
    outline = issued
    _three_edits(outline)
    redline = tmp_path / "redline.docx"
    assert cli("diff", "v1", "--outline", outline, "--docx", redline).exit_code == 1
    report = tmp_path / "lo.json"
    subprocess.run(["/usr/bin/python3", ROOT / "tests" / "lo_redline.py", tmp_path / "profile", report, redline],
                   check=True, timeout=240)
    seen = json.loads(report.read_text(encoding="utf-8"))[str(redline)]
    assert seen["authors"] == ["briefgen"] and seen["types"] == ["Delete", "Insert"]
    assert seen["redlines"] >= 4  # the edited sentence (a deletion, an insertion), the new point, the removed question
    accepted, rejected = _flat(seen["accepted"]), _flat(seen["rejected"])
    assert seen["accepted_left"] == 0 and seen["rejected_left"] == 0
    assert "قد يستغرق أعواماً." in accepted and "قد يستغرق سنوات." not in accepted
    assert "قد يستغرق سنوات." in rejected and "قد يستغرق أعواماً." not in rejected
    assert NEW_POINT in accepted and NEW_POINT not in rejected
    assert OLD_QUESTION in rejected and OLD_QUESTION not in accepted
    pandoc = subprocess.run(["pandoc", "--track-changes=all", "-t", "json", redline], capture_output=True, text=True,
                            check=True).stdout
    assert pandoc.count('"insertion"') >= 2 and pandoc.count('"deletion"') >= 2
    accept = subprocess.run(["pandoc", "--track-changes=accept", "-t", "plain", "--wrap=none", redline],
                            capture_output=True, text=True, check=True).stdout
    assert NEW_POINT in accept and OLD_QUESTION not in _flat(accept)


@pytest.mark.parametrize("date,says", [("5 Feb 2024", "must be YYYY-MM-DD"), ("2024-02-30", "is not a real date")])
def test_issue_refuses_a_date_that_is_not_a_day(sample, cli, date, says):
    outline = sample / "outline.yaml"
    result = cli("issue", outline, "--date", date)
    assert result.exit_code == 2, result.output
    assert says in result.output and "hint:" in result.output
    assert not (sample / "versions").exists() and not (sample / "reports").exists()  # nothing built or kept


def test_issue_refuses_a_versions_folder_that_leads_outside_and_makes_nothing_there(sample, cli, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (sample / "versions").symlink_to(outside, target_is_directory=True)
    result = cli("issue", sample / "outline.yaml", "--date", "2024-02-05")
    assert result.exit_code == 1, result.output
    assert "leads outside the project" in result.output and "Traceback" not in result.output
    assert list(outside.iterdir()) == []  # no folder made through the link
