"""`review --apply` never destroys evidence silently: no empty quote, many removals need --force,
nothing is written when the result would fail check."""

from __future__ import annotations

import re

from tests.test_roundtrip import proj  # noqa: F401 - the fixture
from tests.word_edits import Editor


def _quote_of(e: Editor, path: str) -> str:
    note = e.notes.find(f"{{{e.notes.nsmap['w']}}}footnote[@{{{e.notes.nsmap['w']}}}id='{e.note_ids(path)[0]}']")
    text = "".join(note.itertext())
    return re.search(r"«([^«»]*)»\s*\.?$", text).group(1)


def test_an_emptied_quote_is_never_written(proj, cli):  # noqa: F811
    outline = proj / "outline.yaml"
    original = outline.read_bytes()
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.edit_note(e.note_ids("risks[0]")[0], _quote_of(e, "risks[0]"), "")
    (proj / "empty.docx").write_bytes(e.save())
    result = cli("review", proj / "empty.docx", "--outline", outline, "--apply", "--force")
    assert "would leave the quote of footnote 61 empty" in result.output, result.output
    assert result.exit_code == 0 and outline.read_bytes() == original  # nothing else to apply


def test_many_citations_removed_at_once_need_force(proj, cli):  # noqa: F811
    outline = proj / "outline.yaml"
    original = outline.read_bytes()
    e = Editor((proj / "reports/outline.docx").read_bytes())
    for path in ("summary[1]", "key_judgments[0]", "key_judgments[2]", "background[0]"):
        e.delete_note(path, 0)
    (proj / "cut.docx").write_bytes(e.save())
    result = cli("review", proj / "cut.docx", "--outline", outline, "--apply")
    assert result.exit_code == 1 and outline.read_bytes() == original
    assert "4 citations would be removed at once" in result.output and "--force" in result.output
    result = cli("review", proj / "cut.docx", "--outline", outline, "--apply", "--force")
    assert result.exit_code == 0, result.output
    text = outline.read_text(encoding="utf-8")
    assert text.count("\n      - ") < original.decode("utf-8").count("\n      - ")
    assert "check: ok" in result.output


def test_a_few_removals_are_applied_without_force(proj, cli):  # noqa: F811
    outline = proj / "outline.yaml"
    original = outline.read_bytes()
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.delete_note("summary[1]", 0)
    (proj / "cut.docx").write_bytes(e.save())
    result = cli("review", proj / "cut.docx", "--outline", outline, "--apply")
    assert result.exit_code == 0, result.output
    assert outline.read_bytes() != original and "removed cite entry 1" in result.output


def test_a_result_that_fails_check_is_not_written(proj, cli):  # noqa: F811
    outline = proj / "outline.yaml"
    e = Editor((proj / "reports/outline.docx").read_bytes())
    e.replace("summary[0]", "تتجه", "تمضي")
    (proj / "edit.docx").write_bytes(e.save())
    # The sources change under the outline: the applied outline would not check, so nothing is written.
    (proj / "sources/hafryat.txt").write_text("نص آخر لا يحوي الاقتباسات.\n", encoding="utf-8")
    original = outline.read_bytes()
    result = cli("review", proj / "edit.docx", "--outline", outline, "--apply")
    assert result.exit_code == 1 and outline.read_bytes() == original
    assert "nothing written: the outline with these changes fails check" in result.output
    assert not list(proj.glob(".outline.apply-*"))  # the scratch copy is gone
