"""Odd environments and odd bytes: a missing font package is a clear input error; a NUL byte anywhere in the
outline is reported at its line and column."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from .conftest import SAMPLE_SOURCES

BLOCK = textwrap.dedent("""\
    # The font package is not installed: its import fails, as in an environment without it.
    import sys
    BLOCKED = {blocked!r}
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None
    sys.meta_path.insert(0, Block())
    """)

OUTLINE = """\
title: "محادثات إنهاء مهمة التحالف"
background:
  - text: "تنشر الولايات المتحدة 2500 عسكري في العراق."
    cite: [{source: hafryat, quote: "تنشر الولايات المتحدة (2500) عسكري في العراق"}]
"""


@pytest.fixture()
def folder(tmp_path):
    import shutil

    shutil.copytree(SAMPLE_SOURCES, tmp_path / "sources")
    (tmp_path / "outline.yaml").write_text(OUTLINE, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("blocked", [("fontpkg_amiri",), ("fontpkg", "fontpkg_amiri")])
@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_a_missing_font_package_is_an_input_error_naming_it(folder, tmp_path, blocked, fmt):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(BLOCK.format(blocked=blocked), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), *sys.path])}
    done = subprocess.run([sys.executable, "-m", "briefgen", "build", "outline.yaml", "--format", fmt], cwd=folder,
                          capture_output=True, text=True, env=env, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "error: the Amiri font is not installed" in out and "pip install fontpkg-amiri" in out
    assert "Traceback" not in out and "internal error" not in out.lower()
    assert not (folder / "reports").exists() or not list((folder / "reports").iterdir())


@pytest.mark.parametrize("where,line,column", [
    ("title: \"محادثات\x00 إنهاء\"\n", 1, 16),  # inside a quoted value
    ("title: محادثات\x00\n", 1, 15),  # a plain value
    ("\x00title: t\n", 1, 1),  # the very first byte
    ("title: t\n# تعليق\x00\n", 2, 8),  # inside a comment
    ("title: t\nsub\x00title: s\n", 2, 4),  # inside a key
    ("title: \"محادثات إنهاء مهمة التحالف\"\nsubtitle: \"بين الجدول الزمني وضغط الفصائل\"\n# x\x00\n", 3, 4),
])
def test_a_nul_byte_in_the_outline_is_reported_at_its_line_and_column(folder, cli, where, line, column):
    body = OUTLINE.split("\n", 1)[1]
    (folder / "outline.yaml").write_text(where + body, encoding="utf-8")
    result = cli("check", folder / "outline.yaml")
    assert result.exit_code == 1, result.output
    assert f"outline.yaml:{line}:{column}: error: character U+0000 is not allowed" in result.output, result.output
    assert "Traceback" not in result.output
