"""Sources reader: encodings, line endings, metadata from sources.yaml and front matter, inference."""

import codecs

import pytest

from briefgen.errors import Diagnostics, InputError
from briefgen.read.sources import read_sources

ARTICLE = "عنوان المقال\n\nقال المسؤول إن المحادثات ستبدأ الأسبوع المقبل في بغداد.\n\nنشر في 31/01/2024.\n"


def read(folder):
    diags = Diagnostics()
    return read_sources(folder, diags), diags


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE), ("cp1256", b""),
])
def test_encodings_are_detected(tmp_path, encoding, prefix):
    (tmp_path / "a.txt").write_bytes(prefix + ARTICLE.encode(encoding))
    library, diags = read(tmp_path)
    source = library.sources["a"]
    assert source.ref.title == "عنوان المقال"
    assert source.paragraphs[1].text == "قال المسؤول إن المحادثات ستبدأ الأسبوع المقبل في بغداد."
    assert not diags.items


def test_registry_encoding_overrides_detection(tmp_path):
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode("cp1256"))
    (tmp_path / "sources.yaml").write_text("sources:\n  - {file: a.txt, encoding: iso-8859-6}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read(tmp_path)
    assert "cannot decode a.txt as iso-8859-6" in info.value.message


def test_undecodable_file_is_an_error_naming_it(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"plain \xff\xfe\xfa latin bytes")
    with pytest.raises(InputError) as info:
        read(tmp_path)
    assert "cannot decode bad.txt" in info.value.message
    assert info.value.diagnostics[0].hint == "save it as UTF-8, or set `encoding:` for it in sources.yaml"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_endings(tmp_path, newline):
    (tmp_path / "a.txt").write_bytes(ARTICLE.replace("\n", newline).encode("utf-8"))
    library, _ = read(tmp_path)
    assert [p.text for p in library.sources["a"].paragraphs] == [
        "عنوان المقال", "قال المسؤول إن المحادثات ستبدأ الأسبوع المقبل في بغداد.", "نشر في 31/01/2024."]


def test_control_characters_are_reported_and_removed(tmp_path):
    (tmp_path / "a.txt").write_bytes("عنوان\n\nنص\x07 المقال.\n".encode())
    library, diags = read(tmp_path)
    assert library.sources["a"].paragraphs[1].text == "نص المقال."
    (d,) = diags.items
    assert (d.code, d.line, d.column) == ("control-character", 3, 3)


def test_registry_metadata_and_id(tmp_path):
    (tmp_path / "article-1.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - file: article-1.txt\n    id: reuters1\n    publisher: رويترز\n    date: 2024-01-31\n",
        encoding="utf-8")
    library, _ = read(tmp_path)
    ref = library.sources["reuters1"].ref
    assert (ref.publisher, ref.date, ref.title) == ("رويترز", "2024-01-31", "عنوان المقال")


def test_markdown_front_matter(tmp_path):
    (tmp_path / "b.md").write_text("---\ntitle: عنوان من الرأس\npublisher: إيلاف\n---\n" + ARTICLE, encoding="utf-8")
    library, _ = read(tmp_path)
    source = library.sources["b"]
    assert (source.ref.title, source.ref.publisher) == ("عنوان من الرأس", "إيلاف")
    assert source.paragraphs[0].text == "عنوان المقال"


def test_a_date_in_the_text_is_suggested_never_assumed(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    library, _ = read(tmp_path)
    source = library.sources["a"]
    assert source.ref.date is None
    assert source.suggested_date == "2024-01-31"


def test_sample_metadata_states_only_what_the_texts_support(library):
    # The only article that prints its own date is hafryat (31/01/2024).
    dated = {sid: s.ref.date for sid, s in library.sources.items() if s.ref.date}
    assert dated == {"hafryat": "2024-01-31"}
    assert all(s.ref.url is None for s in library.sources.values())  # no URL appears in any text


def test_sample_sources_are_verbatim_copies_of_the_seeds():
    from pathlib import Path

    from .conftest import ROOT

    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside the checkout")
    ours = sorted((ROOT / "sources").glob("*.txt"))
    theirs = sorted(Path(seeds).glob("*.txt"))
    assert sorted(p.read_bytes() for p in ours) == sorted(p.read_bytes() for p in theirs)
