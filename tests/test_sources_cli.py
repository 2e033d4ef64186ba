"""`briefgen sources list | show | search`: inspecting the evidence from the terminal."""

import json

import pytest

from .conftest import SAMPLE_SOURCES


def test_sources_list_json(cli):
    result = cli("sources", "list", SAMPLE_SOURCES, "--json")
    assert result.exit_code == 0
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert sorted(rows) == ["elaph", "hafryat", "hassan", "monitor", "phases"]
    assert rows["hafryat"]["publisher"] == "حفريات" and rows["hafryat"]["date"] == "2024-01-31"
    assert rows["hafryat"]["paragraphs"] == 32 and rows["hafryat"]["dropped"] == 13
    assert rows["phases"]["dropped"] == 0 and rows["phases"]["words"] > 600


def test_sources_list_table(cli):
    result = cli("sources", "list", SAMPLE_SOURCES)
    assert result.exit_code == 0
    for sid in ("elaph", "hafryat", "hassan", "monitor", "phases"):
        assert sid in result.stdout


def test_sources_show_numbers_paragraphs_and_lists_dropped_lines(cli):
    result = cli("sources", "show", "hafryat", "--dir", SAMPLE_SOURCES, "--dropped")
    assert result.exit_code == 0
    assert "¶8  تنشر الولايات المتحدة (2500) عسكري في العراق" in result.stdout
    assert "dropped line 97 [contribute]: انشر مقالك" in result.stdout
    data = json.loads(cli("sources", "show", "hafryat", "--dir", SAMPLE_SOURCES, "--json", "--dropped").stdout)
    assert data["paragraphs"][7]["n"] == 8 and data["paragraphs"][7]["line"] == 20
    assert {"line": 86, "rule": "related-articles", "text": "مواضيع ذات صلة:"} in data["dropped"]


def test_sources_show_unknown_id_suggests(cli):
    result = cli("sources", "show", "hafryt", "--dir", SAMPLE_SOURCES)
    assert result.exit_code == 1
    assert "unknown source id 'hafryt'" in result.output and "did you mean 'hafryat'?" in result.output


def test_sources_search_matches_like_quotes_and_prints_a_cite_entry(cli):
    # typed without hamza, tashkeel or quotation marks: still found, on whole words
    result = cli("sources", "search", "جدول زمني محدد", SAMPLE_SOURCES, "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert [(h["source"], h["para"]) for h in hits] == [("hassan", 6), ("hassan", 8)]
    assert hits[0]["match"] == "جدول زمني محدد"
    text = cli("sources", "search", "جدول زمني محدد", SAMPLE_SOURCES).stdout
    assert 'cite: [{source: hassan, quote: "جدول زمني محدد"}]' in text


def test_sources_search_without_hits_exits_1(cli):
    result = cli("sources", "search", "حالف الدولي", SAMPLE_SOURCES, "--json")  # inside a word only
    assert result.exit_code == 1 and json.loads(result.stdout) == []


@pytest.mark.parametrize("page", [b"", b"<!-- only a comment -->", b"<html><body></body></html>"])
def test_a_saved_page_with_no_article_is_refused_with_a_hint(cli, tmp_path, page):
    """lxml cannot parse an empty page or one of comments only: the analyst gets an error, not a crash."""
    saved = tmp_path / "saved.html"
    saved.write_bytes(page)
    (tmp_path / "p" / "sources").mkdir(parents=True)
    result = cli("sources", "add", saved, "--dir", tmp_path / "p" / "sources")
    assert result.exit_code == 1, result.output
    assert "no article text found in the page" in result.output and "hint:" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert list((tmp_path / "p" / "sources").iterdir()) == []  # nothing was registered
