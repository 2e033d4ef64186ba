"""Quote verification end to end: a cache that cannot lie, diagnostics with hints, `check --json`
tolerances, footnotes of pull-quotes, and the citation stage's import order."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

from briefgen.arabic import tokens
from briefgen.model import note_text
from briefgen.project import cache
from briefgen.run import pipeline

FABRICATED = "واشنطن أعلنت انسحاب جميع قواتها من العراق فورا"  # in no source


def _outline(*quotes: tuple[str, str]) -> str:
    cites = ", ".join(f'{{source: {sid}, quote: "{q}"}}' for sid, q in quotes)
    return f"title: t\nsummary:\n  - text: نص\n    cite: [{cites}]\n"


def _entry(root: Path, name: str) -> Path:
    """The cache entry holding the article `name`."""
    for path in (root / ".briefgen-cache" / "source").rglob("*.json"):
        data = json.loads(path.read_bytes())
        if any(name in p[2] for p in data["data"]["paragraphs"]):
            return path
    raise AssertionError(f"no cache entry holds {name!r}")


def _codes(checked) -> list[str]:
    return [d.code for d in checked.diagnostics.items]


def test_a_paragraph_added_to_a_cache_entry_cannot_make_a_fabricated_quote_pass(project):
    outline = project(_outline(("hafryat", FABRICATED)))
    assert "quote-not-found" in _codes(pipeline.check(outline))  # fills the cache
    entry = _entry(project.root, "رئيس الوزراء قدم تعهداً")
    data = json.loads(entry.read_bytes())
    toks = tokens(FABRICATED)
    data["data"]["paragraphs"].append([99, 1, FABRICATED, [t.norm for t in toks], [t.start for t in toks],
                                       [t.end for t in toks]])
    entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    checked = pipeline.check(outline)
    assert not checked.ok and _codes(checked).count("cache-mismatch") == 1
    mismatch = next(d for d in checked.diagnostics.items if d.code == "cache-mismatch")
    assert mismatch.severity == "warning" and mismatch.file.endswith("hafryat.txt") and "rebuilt" in mismatch.message
    assert FABRICATED not in entry.read_text(encoding="utf-8")  # discarded and rewritten
    again = pipeline.check(outline)
    assert "cache-mismatch" not in _codes(again) and "quote-not-found" in _codes(again)


def test_tokens_edited_in_a_cache_entry_cannot_make_a_fabricated_quote_pass(project):
    outline = project(_outline(("hafryat", FABRICATED)))
    pipeline.check(outline)
    entry = _entry(project.root, "رئيس الوزراء قدم تعهداً")
    data = json.loads(entry.read_bytes())
    para = data["data"]["paragraphs"][3]
    keys = [t.norm for t in tokens(FABRICATED)]
    para[3][:len(keys)] = keys  # the real text, with matching keys that say something else
    entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    checked = pipeline.check(outline)
    assert "cache-mismatch" in _codes(checked) and "quote-not-found" in _codes(checked)


def test_a_pull_quote_edited_in_a_cache_entry_cannot_make_a_fabricated_quote_pass(project):
    outline = project(_outline(("hafryat", FABRICATED)))
    pipeline.check(outline)
    entry = _entry(project.root, "رئيس الوزراء قدم تعهداً")
    data = json.loads(entry.read_bytes())
    pull = next(d for d in data["data"]["dropped"] if d[2] == "pull-quote")
    pull[1] = "باسم العوادي: " + FABRICATED
    entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    checked = pipeline.check(outline)
    assert "cache-mismatch" in _codes(checked) and "quote-not-found" in _codes(checked)


def test_a_genuine_quote_from_a_sound_cache_is_confirmed_silently(project):
    outline = project(_outline(("hafryat", "رئيس الوزراء قدم تعهداً بأنّ مهمة التحالف")))
    assert pipeline.check(outline).ok
    assert list((project.root / ".briefgen-cache").rglob("*.json"))
    checked = pipeline.check(outline)
    assert checked.ok and "cache-mismatch" not in _codes(checked)


def test_a_cache_entry_belongs_to_the_files_content_not_its_size_and_date(tmp_path):
    from briefgen.errors import Diagnostics
    from briefgen.read.sources import read_sources

    folder = tmp_path / "sources"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text("عنوان\n\nقال المتحدث إن المحادثات انتهت.\n", encoding="utf-8")
    store = cache.Cache(tmp_path / ".briefgen-cache")
    read_sources(folder, Diagnostics(), cache=store)
    stat = article.stat()
    article.write_text("عنوان\n\nقال المتحدث إن المحادثات توقفت.\n", encoding="utf-8")  # same length in bytes
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert article.stat().st_size == stat.st_size and article.stat().st_mtime_ns == stat.st_mtime_ns
    store.hits = store.misses = 0
    library = read_sources(folder, Diagnostics(), cache=store)
    assert store.misses == 1 and "توقفت" in library.sources["a"].paragraphs[-1].text


def test_check_json_lists_each_verified_quote_with_the_tolerances_it_needed(project, cli):
    outline = project(_outline(("hassan", "يتواجد في العراق ما يقرب من ٢٬٥٠٠ جندي أميركي"),
                               ("hafryat", "مسئول عسكري أمريكي رفيع المستوى"),
                               ("hafryat", "السوداني قدّم تعهداً بأنّ مهمة التحالف ستنتهي"),
                               ("hassan", "ويتواجد في العراق ما يقرب من 2500 جندي أميركي")))
    result = cli("check", outline, "--json")
    data = json.loads(result.stdout)
    by_number = {q["citation"]: q for q in data["quotes"]}
    assert by_number[1]["tolerances"] == ["digits", "leading-waw"]
    assert by_number[1]["text"] == "ويتواجد في العراق ما يقرب من 2500 جندي أميركي"
    assert by_number[2]["tolerances"] == ["hamza-seat"]
    assert by_number[3]["located"] == "pull-quote" and by_number[3]["tolerances"] == []
    assert by_number[4]["tolerances"] == [] and by_number[4]["para"] == 10
    (a, b), = by_number[4]["spans"]
    assert b - a == len(by_number[4]["text"])


def test_refusals_are_errors_at_the_quote_with_their_hints(project, cli):
    outline = project(_outline(("hafryat", "العراق … يرغب بانسحاب عاجل"), ("hafryat", "…"),
                               ("hafryat", "لماذا يخسر التيار المدني في العراق"),
                               ("hafryat", "مسؤول عسكري أميركي رفيع المستوى")))
    result = cli("check", outline)
    assert result.exit_code == 1
    text = result.output
    assert "«لا», which holds a negation" in text and "quote the negation too" in text
    assert "the quote has no words: «…»" in text and "give para: N" in text
    assert "boilerplate (related-articles), line 90 of hafryat.txt" in text and "--dropped" in text
    assert "quote not found in source 'hafryat'" in text and "[-أمريكي-] {+أميركي+}" in text
    assert f"{outline}:4:" in text  # file:line:column of the cite
    data = json.loads(cli("check", outline, "--json").stdout)
    codes = [d["code"] for d in data["diagnostics"] if d["severity"] == "error"]
    assert codes == ["omission-drops-negation", "quote-no-words", "quote-in-boilerplate", "quote-not-found"]
    assert all(d["line"] == 4 for d in data["diagnostics"] if d["severity"] == "error")
    assert data["ok"] is False and data["quotes"] == []


def test_a_pull_quote_footnote_says_where_it_stands(project):
    outline = project(_outline(("hafryat", "السوداني قدّم تعهداً بأنّ مهمة التحالف ستنتهي")))
    checked = pipeline.check(outline)
    citation = checked.brief.citations[0]
    assert citation.located == "pull-quote"
    note = note_text(citation, checked.brief.labels)
    assert f"اقتباس بارز بعد ¶{citation.para}" in note


def test_the_citation_stage_reads_top_down():
    """resolve.py calls tradecraft.py; tradecraft.py never imports resolve.py (nor borrows its classes)."""
    path = Path(__file__).resolve().parent.parent / "briefgen" / "evidence" / "tradecraft.py"
    source = path.read_text(encoding="utf-8")
    imported = {node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)}
    assert "resolve" not in imported and "_Resolver" not in source


def test_the_evidence_annex_shows_what_each_quote_allowed_for(project):
    from docx import Document

    outline = project("title: t\ndate: 2024-02-01\nannex: evidence\nsummary:\n  - text: نص\n    cite: ["
                      '{source: hafryat, quote: "مسئول عسكري أمريكي رفيع المستوى"}, '
                      '{source: hafryat, quote: "السوداني قدّم تعهداً بأنّ مهمة التحالف"}]\n')
    built = pipeline.build(outline, ["html", "docx"], pipeline.Options(out_dir=project.root / "out"))
    html = built.outputs["html"].read_text(encoding="utf-8")
    assert '<span class="tolerances">(بمراعاة كرسي الهمزة)</span>' in html
    assert "مسؤول عسكري أمريكي رفيع المستوى" in html  # the source's own wording
    assert "اقتباس بارز بعد ¶18" in html  # the pull-quote's footnote and its annex entry
    cells = [c.text for t in Document(str(built.outputs["docx"])).tables for row in t.rows for c in row.cells]
    assert any("«مسؤول عسكري أمريكي رفيع المستوى» (بمراعاة كرسي الهمزة)" in c for c in cells)
    assert any("اقتباس بارز بعد ¶18" in c for c in cells)
