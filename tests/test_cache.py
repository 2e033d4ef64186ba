"""The source cache (.briefgen-cache/) and the concurrent PDF+DOCX rendering: same results, never an error."""

from __future__ import annotations

import json
import shutil

import pytest

from briefgen.errors import Diagnostics, RenderError
from briefgen.project import cache
from briefgen.read.sources import read_sources
from briefgen.run import pipeline

from .conftest import SAMPLE_SOURCES


def _read(folder, store):
    diags = Diagnostics()
    return read_sources(folder, diags, cache=store), diags


def _shape(library):
    return {sid: ([(p.number, p.line, p.text, p.tokens) for p in s.paragraphs],
                  [(d.line, d.text, d.rule) for d in s.dropped], s.ref, s.suggested_date)
            for sid, s in library.sources.items()}


def test_cached_sources_equal_freshly_read_ones(tmp_path):
    folder = tmp_path / "sources"
    shutil.copytree(SAMPLE_SOURCES, folder)
    (folder / "ctl.txt").write_text("عنوان\n\nنص فيه\u200b محارف تحكم\u0007 كثيرة.\n", encoding="utf-8")
    fresh, fresh_diags = _read(folder, None)
    store = cache.Cache(tmp_path / ".briefgen-cache")
    first, first_diags = _read(folder, store)
    assert store.misses == len(fresh.sources) and store.hits == 0
    again, again_diags = _read(folder, store)
    assert store.hits == len(fresh.sources)
    assert _shape(fresh) == _shape(first) == _shape(again)
    assert [d.to_json() for d in fresh_diags.items] == [d.to_json() for d in again_diags.items]
    assert any(d.code.startswith("control") or "U+" in d.message for d in again_diags.items)


def test_an_edited_source_or_pattern_misses_the_cache(tmp_path):
    folder = tmp_path / "sources"
    shutil.copytree(SAMPLE_SOURCES, folder)
    store = cache.Cache(tmp_path / ".briefgen-cache")
    _read(folder, store)
    store.hits = store.misses = 0
    article = folder / "hafryat.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\n\nفقرة جديدة أضيفت في آخر المقال.\n", encoding="utf-8")
    library, _ = _read(folder, store)
    assert store.misses == 1
    assert _shape(library) == _shape(_read(folder, None)[0])
    registry = folder / "sources.yaml"
    text = registry.read_text(encoding="utf-8")
    pattern = "  - '^فقرة جديدة'"
    text = (text.replace("boilerplate:", "boilerplate:\n" + pattern, 1) if "boilerplate:" in text
            else text + "\nboilerplate:\n" + pattern + "\n")
    registry.write_text(text, encoding="utf-8")
    store.hits = store.misses = 0
    library, _ = _read(folder, store)
    assert store.hits == 0  # the patterns are part of every key
    assert _shape(library) == _shape(_read(folder, None)[0])


@pytest.mark.parametrize("damage", ["truncate", "garbage", "wrong-shape", "other-key", "directory"])
def test_a_corrupt_cache_entry_is_ignored_and_rewritten(tmp_path, damage):
    folder = tmp_path / "sources"
    shutil.copytree(SAMPLE_SOURCES, folder)
    store = cache.Cache(tmp_path / ".briefgen-cache")
    fresh, _ = _read(folder, store)
    entries = sorted((tmp_path / ".briefgen-cache" / "source").rglob("*.json"))
    assert len(entries) == len(fresh.sources)
    for entry in entries:
        if damage == "truncate":
            entry.write_bytes(entry.read_bytes()[:100])
        elif damage == "garbage":
            entry.write_bytes(b"\xff\x00not json")
        elif damage == "wrong-shape":
            data = json.loads(entry.read_bytes())
            data["data"]["paragraphs"] = [[1, 2, "x", ["a"], [0, 1], [1]]]
            entry.write_text(json.dumps(data), encoding="utf-8")
        elif damage == "other-key":
            data = json.loads(entry.read_bytes())
            data["key"] = "0" * 64
            entry.write_text(json.dumps(data), encoding="utf-8")
        else:
            entry.unlink()
            entry.mkdir()
    store = cache.Cache(tmp_path / ".briefgen-cache")
    again, diags = _read(folder, store)
    assert not diags.errors and store.hits == 0
    assert _shape(again) == _shape(fresh)
    if damage != "directory":
        store = cache.Cache(tmp_path / ".briefgen-cache")
        _read(folder, store)
        assert store.hits == len(fresh.sources)  # rewritten


def test_an_unwritable_cache_is_not_an_error(tmp_path):
    folder = tmp_path / "sources"
    shutil.copytree(SAMPLE_SOURCES, folder)
    (tmp_path / "blocker").write_text("a file where the cache folder would be", encoding="utf-8")
    library, diags = _read(folder, cache.Cache(tmp_path / "blocker"))
    assert library.sources and not diags.errors


def test_build_uses_the_project_cache_and_no_cache_turns_it_off(project, monkeypatch):
    outline = project("title: t\nsummary:\n  - text: نص\n    cite: [hafryat]\n")
    checked = pipeline.check(outline)
    assert checked.ok
    assert list((project.root / ".briefgen-cache" / "source").rglob("*.json"))
    assert (project.root / ".briefgen-cache" / ".gitignore").read_text(encoding="utf-8") == "*\n"
    shutil.rmtree(project.root / ".briefgen-cache")
    monkeypatch.setenv("BRIEFGEN_NO_CACHE", "1")
    assert pipeline.check(outline).ok
    assert not (project.root / ".briefgen-cache").exists()


def test_concurrent_pdf_and_docx_are_byte_identical_to_sequential(project, monkeypatch):
    outline = project("title: t\ndate: 2024-02-01\nsummary:\n  - text: نص\n    cite: [hafryat, monitor]\n")
    together = pipeline.build(outline, ["pdf", "docx"], pipeline.Options(out_dir=project.root / "a"))
    monkeypatch.setattr(pipeline, "CONCURRENT", False)
    apart = pipeline.build(outline, ["pdf", "docx"], pipeline.Options(out_dir=project.root / "b"))
    for fmt in ("pdf", "docx"):
        assert together.outputs[fmt].read_bytes() == apart.outputs[fmt].read_bytes()
    assert together.stats == apart.stats


@pytest.mark.parametrize("failing", ["docx", "pdf"])
def test_a_failure_in_either_renderer_writes_nothing(project, monkeypatch, failing):
    outline = project("title: t\nsummary:\n  - text: نص\n    cite: [hafryat]\n")
    out = project.root / "out"
    out.mkdir()
    (out / "outline.pdf").write_bytes(b"old pdf")
    (out / "outline.docx").write_bytes(b"old docx")
    real = pipeline.render

    def render(brief, fmt, *args, **kwargs):
        if fmt == failing:
            raise RenderError(f"{fmt} broke", code="broken")
        return real(brief, fmt, *args, **kwargs)

    monkeypatch.setattr(pipeline, "render", render)
    with pytest.raises(RenderError, match=f"{failing} broke"):
        pipeline.build(outline, ["pdf", "docx"], pipeline.Options(out_dir=out))
    assert (out / "outline.pdf").read_bytes() == b"old pdf"
    assert (out / "outline.docx").read_bytes() == b"old docx"
    assert sorted(p.name for p in out.iterdir()) == ["outline.docx", "outline.pdf"]  # no temporary left


def test_a_worker_that_dies_is_a_render_error(project, monkeypatch):
    import os

    outline = project("title: t\nsummary:\n  - text: نص\n    cite: [hafryat]\n")
    real = pipeline.render

    def render(brief, fmt, *args, **kwargs):
        if fmt == "docx":
            os._exit(9)  # only ever runs in the forked worker
        return real(brief, fmt, *args, **kwargs)

    monkeypatch.setattr(pipeline, "render", render)
    with pytest.raises(RenderError, match="worker process ended"):
        pipeline.build(outline, ["pdf", "docx"], pipeline.Options(out_dir=project.root / "out"))
    assert not (project.root / "out" / "outline.pdf").exists()
