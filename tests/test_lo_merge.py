"""Several reviewers' copies, each edited in the real office suite (LibreOffice through UNO), merged.

Three reviewers edit the same build with change tracking on, under their own names; a fourth edits a
copy of an older build. `briefgen review A B C` merges them item by item: edits to different items
merge, the same sentence edited two ways is a conflict shown with both names, applied only with
--take, and otherwise left above the item as a comment.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.lo_session import Office, have_office
from tests.test_roundtrip import make_project

REASON = have_office()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

LAYLA = [{"op": "replace", "find": "تتجه بغداد", "text": "تمضي بغداد"}]  # summary[0]
OMAR = [{"op": "replace", "find": "أساساً في دور استشاري", "text": "في دور استشاري أساساً"}]  # background[0]
HUDA = [{"op": "replace", "find": "تتجه بغداد", "text": "تسعى بغداد"}]  # summary[0], another way
# two citations of summary[0] shortened, one by each reviewer; each shorter quote is still verbatim
SAMI = [{"op": "edit_footnote", "index": 0, "find": "عليها أولا", "text": "عليها"}]
RANA = [{"op": "edit_footnote", "index": 1, "find": "القوات الأمريكية من العراق", "text": "القوات الأمريكية"}]


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """The sample built once, and each reviewer's copy after one LibreOffice session."""
    office = Office(tmp_path_factory.mktemp("office"))
    built = make_project(tmp_path_factory.mktemp("sample") / "p")
    folder = tmp_path_factory.mktemp("copies")
    saved = {}
    try:
        for name, edits in (("Layla", LAYLA), ("Omar", OMAR), ("Huda", HUDA), ("Sami", SAMI), ("Rana", RANA)):
            report = office.session(built / "reports/outline.docx", folder / f"{name.lower()}.docx", edits=edits,
                                    track=True, author=name)
            saved[name] = Path(report[-1]["saved"])
    finally:
        office.stop()
    return built, saved


@pytest.fixture()
def proj(copies, tmp_path):
    built, saved = copies
    target = tmp_path / "p"
    shutil.copytree(built, target)
    return target, saved


def _value(outline: Path, start: str) -> str:
    line = next(x for x in outline.read_text(encoding="utf-8").splitlines() if start in x)
    return line


def test_two_reviewers_on_different_items_merge(proj, cli):
    project, saved = proj
    outline = project / "outline.yaml"
    result = cli("review", saved["Layla"], saved["Omar"], "--outline", outline)
    assert result.exit_code == 1, result.output
    assert "reviewed by Layla" in result.output and "reviewed by Omar" in result.output
    assert "conflict in" not in result.output
    result = cli("review", saved["Layla"], saved["Omar"], "--outline", outline, "--apply")
    assert result.exit_code == 0, result.output
    text = outline.read_text(encoding="utf-8")
    assert "تمضي بغداد" in text and "في دور استشاري أساساً" in text and "تتجه بغداد" not in text


def test_the_same_sentence_edited_two_ways_is_a_conflict_never_applied_without_a_choice(proj, cli):
    project, saved = proj
    outline = project / "outline.yaml"
    args = ["review", saved["Layla"], saved["Omar"], saved["Huda"], "--outline", outline]
    shown = cli(*args)
    assert "conflict in summary[0], text:" in shown.output
    assert "Layla: «تمضي بغداد" in shown.output and "Huda: «تسعى بغداد" in shown.output
    result = cli(*args, "--apply")
    assert result.exit_code == 1, result.output  # a conflict is left for the analyst
    text = outline.read_text(encoding="utf-8")
    assert "تتجه بغداد" in text and "تمضي بغداد" not in _value(outline, "- text: \"تتجه")  # neither side applied
    assert "# review: briefgen: conflict in the text, not applied: Layla:" in text and "Huda: «تسعى" in text
    assert "في دور استشاري أساساً" in text  # Omar's edit, on another item, merged
    assert cli("check", outline).exit_code == 0


def test_take_chooses_one_reviewers_side(proj, cli):
    project, saved = proj
    outline = project / "outline.yaml"
    wrong = cli("review", saved["Layla"], saved["Huda"], "--outline", outline, "--take", "Nobody")
    assert wrong.exit_code == 2 and "reviewers: Layla, Huda" in wrong.output
    result = cli("review", saved["Layla"], saved["Huda"], "--outline", outline, "--apply", "--take", "Huda")
    assert result.exit_code == 0, result.output
    text = outline.read_text(encoding="utf-8")
    assert "تسعى بغداد" in text and "تمضي بغداد" not in text and "تتجه بغداد" not in text


def test_a_copy_of_an_older_build_is_carried_to_the_current_outline(proj, cli):
    """Layla edited the first build; the outline has changed since (another item) and been rebuilt."""
    from briefgen.run import pipeline

    project, saved = proj
    outline = project / "outline.yaml"
    text = outline.read_text(encoding="utf-8")
    outline.write_text(text.replace("في دور استشاري للقادة العراقيين", "في دور استشاري لقادة العراق", 1),
                       encoding="utf-8")
    pipeline.build(outline, ["docx"], pipeline.Options(overwrite=True))  # build 2: Omar's item changed since
    result = cli("review", saved["Layla"], saved["Omar"], "--outline", outline, "--apply")
    text = outline.read_text(encoding="utf-8")
    assert "تمضي بغداد" in text  # Layla's edit, made on build 1, lands: its item did not change since
    assert "لقادة العراق" in text and "في دور استشاري أساساً" not in text  # Omar's meets a changed item
    assert "background[0]: conflict, not applied" in result.output
    assert result.exit_code == 1, result.output  # a conflict was left unapplied


def test_two_reviewers_on_different_citations_of_one_item_merge_and_each_quote_is_verified(proj, cli):
    project, saved = proj
    outline = project / "outline.yaml"
    shown = cli("review", saved["Sami"], saved["Rana"], "--outline", outline)
    assert "reviewed by Sami" in shown.output and "reviewed by Rana" in shown.output
    assert "conflict in" not in shown.output
    result = cli("review", saved["Sami"], saved["Rana"], "--outline", outline, "--apply")
    assert result.exit_code == 0, result.output
    text = outline.read_text(encoding="utf-8")
    assert 'مدعومة من إيران الهجمات عليها"}' in text  # Sami's quote
    assert 'quote: "لم يتم اتخاذ أي قرار بسحب القوات الأمريكية"}' in text  # Rana's quote
    assert "check: ok" in result.output  # each merged quote verified against its source
