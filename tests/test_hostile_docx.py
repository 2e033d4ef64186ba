"""Hostile DOCX files given to `briefgen review --apply`: each is refused or made harmless with a clear message,
never an internal error (exit 70), with peak memory measured, and the outline stays loadable and within its limit."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from briefgen.edit import untrusted
from briefgen.read.outline import MAX_OUTLINE_BYTES

from . import hostile_docx as h
from .test_roundtrip import make_project
from .word_edits import Editor

BIDI_OPEN, BIDI_CLOSE = "\u202a\u202b\u202d\u202e\u2066\u2067\u2068", "\u202c\u2069"
PEAK_MIB = 1024


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("hostile") / "p")


@pytest.fixture()
def proj(built, tmp_path) -> Path:
    shutil.copytree(built, tmp_path / "p", symlinks=True)
    return tmp_path / "p"


def docx_of(proj: Path) -> bytes:
    return (proj / "reports" / "outline.docx").read_bytes()


def review(proj: Path, data: bytes, *more: str) -> tuple[int, str, int]:
    edited = proj / "edited.docx"
    edited.write_bytes(data)
    return h.run_measured(["review", str(edited), "--outline", str(proj / "outline.yaml"), *more], proj)


def loads(proj: Path) -> dict:
    return yaml.safe_load((proj / "outline.yaml").read_text(encoding="utf-8"))


def balanced(line: str) -> bool:
    return untrusted.balance_bidi(line) == line


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085"])
def test_line_breaks_in_a_comment_author_or_text_stay_in_one_comment_line(proj, brk):
    before = loads(proj)
    e = Editor(docx_of(proj))
    e.comment("summary[0]", f"نص{brk}- injected: 1{brk}title: x", author=f"Eve{brk}  - injected: 1{brk}#")
    code, out, peak = review(proj, e.save(), "--apply")
    assert code == 0, out
    assert "Traceback" not in out and peak < PEAK_MIB
    assert loads(proj) == before  # a YAML comment only: no key, no list item injected
    text = (proj / "outline.yaml").read_text(encoding="utf-8")
    [line] = [x for x in text.splitlines() if "# review:" in x]
    assert "Eve - injected: 1 #: نص - injected: 1 title: x" in line


def test_bidi_overrides_from_a_comment_are_balanced_in_the_outline(proj):
    e = Editor(docx_of(proj))
    e.comment("summary[0]", "safe \u202e txt.exe \u2067 open", author="Eve\u202d")
    code, out, _ = review(proj, e.save(), "--apply")
    assert code == 0, out
    [line] = [x for x in (proj / "outline.yaml").read_text(encoding="utf-8").splitlines() if "# review:" in x]
    assert balanced(line) and "\u202e" in line
    assert sum(line.count(c) for c in BIDI_OPEN) == sum(line.count(c) for c in BIDI_CLOSE)


def test_a_huge_comment_is_cut_with_a_marker(proj):
    size = (proj / "outline.yaml").stat().st_size
    e = Editor(docx_of(proj))
    e.comment("summary[0]", "كلام طويل " * 300_000)  # 3 million characters, under the zip cap
    code, out, peak = review(proj, e.save(), "--apply")
    assert code == 0, out
    grown = (proj / "outline.yaml").stat().st_size - size
    assert grown < 3 * untrusted.MAX_COMMENT * 2 and peak < PEAK_MIB
    assert "[cut by briefgen: 2,999,999 characters in the DOCX]" in (proj / "outline.yaml").read_text(encoding="utf-8")


def test_clean_makes_one_line_without_controls():
    assert untrusted.clean("a\u2028b\x85c\r\nd\x00e\x1bf\tg") == "a b c def g"
    assert untrusted.clean("\u202eabc") == "\u202eabc\u202c"
    assert untrusted.clean("\u202cabc\u2069") == "abc"  # closers with nothing open are dropped
    assert untrusted.clean("\u2067a\u202bb\u2069c") == "\u2067a\u202bb\u202c\u2069c"
    assert untrusted.clean("x" * 50, limit=10).startswith("xxxxxxxxxx … [cut by briefgen: 50 characters")


@pytest.mark.parametrize("damage", ["crossed", "unclosed", "colliding"])
def test_damaged_bookmarks_are_reported_never_turned_into_removed_citations(proj, damage):
    data = docx_of(proj)
    if damage == "crossed":
        data = h.cross_bookmarks(data, "summary[0]", "summary[1]")
    elif damage == "unclosed":
        data = h.unclose_bookmark(data, "background[0]")
    else:
        data = h.collide_bookmarks(data, "summary[0]", "background[1]")
    outline = (proj / "outline.yaml").read_bytes()
    code, out, _ = review(proj, data, "--apply")
    assert code == 1, out
    assert "error: " in out and "bookmarks were changed" in out and "Traceback" not in out
    assert {"crossed": "cross", "unclosed": "never closed", "colliding": "two bookmarks mark summary[0]"}[damage] in out
    assert (proj / "outline.yaml").read_bytes() == outline  # nothing applied, no citation removed


def test_a_build_record_of_the_wrong_shape_is_rebuilt_from_the_outline(proj):
    [record] = (proj / ".briefgen-cache" / "builds").glob("*.json")
    good = json.loads(record.read_text(encoding="utf-8"))
    assert untrusted.valid_record(good)  # a record briefgen wrote is used as it is, never rebuilt
    for bad in ({"format": 1, "items": [1, 2]}, {**good, "items": {"summary[0]": {"text": 5}}},
                {**good, "footnotes": None}, {**good, "generated": [None]}):
        record.write_text(json.dumps(bad), encoding="utf-8")
        code, out, _ = review(proj, docx_of(proj))
        assert code == 0, out
        assert "no edits" in out and "Traceback" not in out


@pytest.mark.parametrize("prop,value", [("briefgen-outline", "x" * 10_000 + ".yaml"),
                                        ("briefgen-outline", "../../etc/passwd"), ("briefgen-build", "zz" * 5000),
                                        ("briefgen-outline-version", "\u202e" * 50)])
def test_document_properties_are_checked_before_use(proj, prop, value):
    e = Editor(docx_of(proj))
    custom = e.members["docProps/custom.xml"].decode("utf-8")
    custom = re.sub(f'(name="{prop}"[^>]*>\\s*<vt:lpwstr>)[^<]*', lambda m: m.group(1) + value, custom)
    e.members["docProps/custom.xml"] = custom.encode("utf-8")
    edited = proj / "reports" / "edited.docx"
    edited.write_bytes(e.save())
    code, out, _ = h.run_measured(["review", str(edited)], proj)
    assert code in (0, 1) and "Traceback" not in out and "internal error" not in out.lower(), out
    if prop == "briefgen-build":
        assert "its build id is gone" in out  # the garbage id is dropped: the build is found by content


@pytest.mark.parametrize("kind", ["inflates-120-MiB", "lying-sizes", "dense-under-the-cap", "duplicate-member",
                                  "encrypted-member", "ole", "truncated", "empty"])
def test_hostile_zip_streams(proj, kind):
    data = docx_of(proj)
    says = {"inflates-120-MiB": "inflates to more than 10 MB of XML", "lying-sizes": "inflates to more than 10 MB",
            "duplicate-member": "two zip members named 'word/document.xml'", "encrypted-member": "is encrypted",
            "ole": "OLE compound file", "truncated": "not a Word document", "empty": "found an empty file",
            "dense-under-the-cap": "paragraphs added"}[kind]
    if kind == "inflates-120-MiB":
        data = h.inflated_body(data, 120 * 2**20)
        assert len(data) < 2 * 2**20
    elif kind == "lying-sizes":
        data = h.lying_sizes(h.inflated_body(data, 120 * 2**20))
    elif kind == "dense-under-the-cap":  # the most a DOCX may inflate to, in the XML costliest to parse
        data = h.inflated_body(data, untrusted.MAX_INFLATED - 400_000)
    elif kind == "duplicate-member":
        data = h.duplicate_member(data)
    elif kind == "encrypted-member":
        data = h.encrypted_flag(data)
    elif kind == "ole":
        data = h.ole_file()
    elif kind == "truncated":
        data = data[: len(data) // 2]
    else:
        data = b""
    code, out, peak = review(proj, data)
    print(f"{kind}: exit {code}, peak {peak} MiB")
    assert code == 1 and "Traceback" not in out, out
    assert says in out, out
    assert peak < PEAK_MIB, f"{kind}: {peak} MiB"


def test_the_outline_never_grows_past_its_limit(proj):
    e = Editor(docx_of(proj))
    for i in range(40):  # many open comments, each at the comment limit
        e.comment("summary[0]", f"{i} " + "ملاحظة " * 1000)
    outline = proj / "outline.yaml"  # 100 KB under the limit: the comments would take it past
    outline.write_bytes(outline.read_bytes() + b"#" + b"x" * (MAX_OUTLINE_BYTES - outline.stat().st_size - 100_000)
                        + b"\n")
    before = outline.read_bytes()
    code, out, _ = review(proj, e.save(), "--apply")
    assert code == 1, out
    assert f"above the {MAX_OUTLINE_BYTES:,}-byte limit" in out and "Traceback" not in out
    assert outline.read_bytes() == before


def test_a_real_ole_file_from_libreoffice_is_named(proj, tmp_path):
    """The brief saved by LibreOffice as Word 97 (.doc: an OLE compound file, as password-protected Word files are),
    then given to the review as a .docx."""
    import subprocess

    from .conftest import require

    require("soffice")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    "doc:MS Word 97", "--outdir", str(tmp_path / "lo"), str(proj / "reports" / "outline.docx")],
                   check=True, capture_output=True, timeout=180)
    data = (tmp_path / "lo" / "outline.doc").read_bytes()
    assert data.startswith(untrusted.OLE)
    code, out, peak = review(proj, data)
    assert code == 1 and "Traceback" not in out, out
    assert "is an OLE compound file, not a .docx" in out and "remove the password" in out
    assert peak < PEAK_MIB
