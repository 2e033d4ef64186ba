"""Outline reader and `check`: every error names file:line:column and, where it helps, a hint."""

import json

import pytest

from briefgen.errors import InputError
from briefgen.read.outline import read_outline

GOOD_QUOTE = "لا يمكن لهذا التحالف أن يبقى إلى ما لا نهاية"

THREE_ERRORS = f"""\
title: "اختبار"
background:
  - text: "نقطة أولى."
    cite:
      - source: hafryat
        quote: "لا يمكن لهذا التحالف أن يبقى إلى الأبد"
  - text: "نقطة ثانية."
    cite: [hafryatt]
  - text: "نقطة ثالثة."
    cite: [{{source: hafryat, quote: "{GOOD_QUOTE}"}}]
    note: "a key the schema does not know"
"""


def test_check_json_reports_exactly_the_three_errors_with_lines(project, cli):
    path = project(THREE_ERRORS)
    result = cli("check", path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert [(d["code"], d["line"]) for d in errors] == [
        ("quote-not-found", 6), ("unknown-source", 8), ("unknown-key", 11)]
    by_code = {d["code"]: d for d in errors}
    assert by_code["unknown-source"]["hint"] == "did you mean 'hafryat'?"
    assert by_code["unknown-key"]["column"] == 5
    assert "يبقى إلى [-ما-] {+الأبد+}" in by_code["quote-not-found"]["hint"]  # closest passage, diff marked
    assert all(d["file"] == str(path) for d in errors)


def test_check_is_clean_on_a_valid_outline(project, cli):
    path = project(f'title: t\nbackground:\n  - text: "x"\n    cite: [{{source: hafryat, quote: "{GOOD_QUOTE}"}}]\n')
    result = cli("check", path, "--json")
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert [d for d in report["diagnostics"] if d["severity"] == "error"] == []
    # a one-point outline is warned about what a brief lacks, but not failed
    assert {d["code"] for d in report["diagnostics"]} == {"structure", "source-uncited"}


@pytest.mark.parametrize("text,code,line,column,hint", [
    ("title: [unclosed\n", "yaml-syntax", 2, 1, None),
    ("title: a: b\n", "yaml-syntax", 1, 9, "quoted"),
    ("titel: x\n", "unknown-key", 1, 1, "did you mean 'title'?"),
    ("subtitle: x\n", "missing-key", 1, 1, "add `title:`"),
    ("title: x\nactors:\n  - name: a\n    rol: b\n", "unknown-key", 4, 5, "did you mean 'role'?"),
    ("title: x\nlang: fr\n", "bad-value", 2, 7, None),
    ("title: x\nbackground: {a: 1}\n", "bad-value", 2, 13, None),
    ("title: x\ntitle: y\n", "yaml-duplicate-key", 2, 1, "last value"),
    ("- a\n- b\n", "outline-type", 1, 1, None),
    ("", "outline-empty", 1, 1, "title"),
])
def test_outline_errors_have_positions_and_hints(tmp_path, text, code, line, column, hint):
    path = tmp_path / "o.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_outline(path)
    d = info.value.diagnostics[0]
    assert (d.code, d.line, d.column) == (code, line, column)
    assert d.file == str(path)
    if hint:
        assert hint in (d.hint or "")


def test_strings_and_single_citations_are_accepted(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text("title: x\nsummary: 'one point [@a]'\nbackground:\n  - text: t\n    cite: a\n", encoding="utf-8")
    outline = read_outline(path).outline
    assert outline.summary[0].text == "one point [@a]"
    assert outline.background[0].cite[0].source == "a"


def test_quote_in_another_source_names_that_source(project, cli):
    path = project(f'title: t\nbackground:\n  - text: x\n    cite: [{{source: monitor, quote: "{GOOD_QUOTE}"}}]\n')
    result = cli("check", path, "--json")
    (d,) = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert d["code"] == "quote-wrong-source"
    assert "'hafryat'" in d["message"] and d["line"] == 4


def test_inline_markers_are_citations(project):
    from briefgen.run import pipeline

    path = project("title: t\nbackground:\n  - 'أولاً [@hafryat, ¶8] ثم [@monitor].'\n")
    checked = pipeline.check(path)
    assert checked.ok, [d.format() for d in checked.diagnostics.items]
    cites = checked.brief.citations
    assert [(c.number, c.source.id, c.para) for c in cites] == [(1, "hafryat", 8), (2, "monitor", None)]


def test_unknown_marker_source_is_an_error_at_the_text(project):
    from briefgen.run import pipeline

    path = project("title: t\nbackground:\n  - 'نص [@nosuch].'\n")
    checked = pipeline.check(path)
    (d,) = checked.diagnostics.errors
    assert (d.code, d.line) == ("unknown-source", 3)
