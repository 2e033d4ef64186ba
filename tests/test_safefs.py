"""Safe reading (regular files only, capped, never blocking), one verdict on source ids, missing fonts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from briefgen.errors import InputError
from briefgen.project import safefs
from tests.test_bad_inputs import BASE

from .conftest import ROOT, SAMPLE_OUTLINE


def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    start = time.monotonic()
    with pytest.raises(InputError) as info:
        safefs.read_file(tmp_path / "pipe", 100, "outline")
    assert "is a named pipe (FIFO)" in info.value.message
    assert time.monotonic() - start < 5


def test_a_device_is_refused_before_any_byte_is_read(tmp_path):
    os.symlink("/dev/zero", tmp_path / "zero")
    with pytest.raises(InputError, match="is a device"):
        safefs.read_file(tmp_path / "zero", 100)


def test_a_file_above_the_cap_is_refused_and_one_at_the_cap_is_read(tmp_path):
    (tmp_path / "f").write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="101 bytes, above the 100-byte limit"):
        safefs.read_file(tmp_path / "f", 100)
    assert safefs.read_file(tmp_path / "f", 101) == b"x" * 101


def test_inside_follows_links_and_survives_loops(tmp_path):
    (tmp_path / "proj").mkdir()
    os.symlink("/etc", tmp_path / "proj" / "etc")
    os.symlink(tmp_path / "proj" / "loop", tmp_path / "proj" / "loop")
    assert not safefs.inside(tmp_path / "proj" / "etc" / "passwd", [tmp_path / "proj"])
    assert safefs.inside(tmp_path / "proj" / "loop", [tmp_path / "proj"])


def test_shorten_keeps_the_length():
    assert safefs.shorten("x" * 1000, 10) == "xxxxxxxxxx… (1,000 characters)"


@pytest.mark.parametrize("name,says", [
    ("note\u202etxt.txt", "invisible or bidi character U+202E"),
    ("mon\u200bitor.txt", "invisible or bidi character U+200B"),
])
def test_sources_add_and_build_give_one_verdict_on_unsafe_file_names(tmp_path, cli, fresh, name, says):
    article = tmp_path / name
    shutil.copyfile(ROOT / "sources" / "monitor.txt", article)
    added = cli("sources", "add", article, "--id", "ok-id")
    assert added.exit_code == 1 and says in added.output
    assert not (fresh / "sources" / name).exists()
    shutil.copyfile(article, fresh / "sources" / name)  # copied by hand instead
    result = cli("check", fresh / "outline.yaml")
    assert says in result.output and result.exit_code == 1


def test_sources_add_and_build_give_one_verdict_on_a_mixed_script_id(tmp_path, cli, fresh):
    article = tmp_path / "hafry\u0430t.txt"  # a Cyrillic а among Latin letters
    shutil.copyfile(ROOT / "sources" / "hafryat.txt", article)
    added = cli("sources", "add", article)
    assert added.exit_code == 1 and "mixes Latin and Cyrillic letters" in added.output
    shutil.copyfile(article, fresh / "sources" / article.name)
    result = cli("check", fresh / "outline.yaml")
    assert result.exit_code == 1 and "mixes Latin and Cyrillic letters" in result.output
    assert "give it an id in sources.yaml" in result.output


def test_a_missing_font_package_is_an_input_error_with_the_install_hint(tmp_path):
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    (tmp_path / "outline.yaml").write_text(BASE, encoding="utf-8")
    program = ("import sys; sys.modules['fontpkg'] = None  # as if fontpkg-amiri were not installed\n"
               "from briefgen.cli import run; sys.argv = ['briefgen', *sys.argv[1:]]; run()")
    done = subprocess.run([sys.executable, "-c", program, "build", str(tmp_path / "outline.yaml"), "--format", "pdf"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "the Amiri font is not installed" in done.stderr
    assert "pip install fontpkg-amiri" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "reports" / "outline.pdf").exists()


def test_sources_add_refuses_a_registry_that_is_a_fifo_without_blocking(tmp_path, cli, fresh):
    os.unlink(fresh / "sources" / "sources.yaml")
    os.mkfifo(fresh / "sources" / "sources.yaml")
    result = cli("sources", "add", ROOT / "sources" / "monitor.txt")
    assert result.exit_code == 1 and "sources.yaml is a named pipe (FIFO)" in result.output
    assert not (fresh / "sources" / "monitor.txt").exists()


def test_a_bug_in_briefgen_called_from_a_theme_stays_an_internal_error(tmp_path, monkeypatch):
    """Only what the theme itself gets wrong becomes an input error; briefgen's own failures are not hidden."""
    from briefgen.render import html
    from briefgen.run import pipeline

    checked = pipeline.check(SAMPLE_OUTLINE)

    def broken(*args, **kwargs):
        raise KeyError("a bug in briefgen")

    monkeypatch.setattr(html, "note_text", broken)
    with pytest.raises(KeyError):
        html.render(checked.brief, SAMPLE_OUTLINE.parent / "templates")


def test_sources_add_never_writes_through_a_dangling_link_in_the_sources_folder(tmp_path, cli, fresh):
    os.symlink(tmp_path / "outside.txt", fresh / "sources" / "monitor.txt")
    result = cli("sources", "add", ROOT / "sources" / "monitor.txt")
    assert result.exit_code == 1 and "already exists" in result.output
    assert not (tmp_path / "outside.txt").exists()
