"""The same outline, sources and theme give the same PDF and DOCX, byte for byte, wherever the project lives.

This is how issue 22's "outputs byte-identical" was checked (before/after digests of the sample);
kept as a test it catches any absolute path, time or random id leaking into an output.
"""

from __future__ import annotations

import hashlib
import shutil

from .conftest import ROOT


def _copy_sample(folder):
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "outline.yaml", folder / "outline.yaml")
    shutil.copytree(ROOT / "sources", folder / "sources")
    shutil.copytree(ROOT / "templates", folder / "templates")
    return folder / "outline.yaml"


def test_the_sample_builds_to_the_same_bytes_in_two_places(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_NO_CACHE", "1")
    digests = []
    for folder in (tmp_path / "a", tmp_path / "somewhere" / "much" / "deeper"):
        outline = _copy_sample(folder)
        assert cli("build", outline, "--format", "pdf,docx", "--quiet").exit_code == 0
        digests.append({ext: hashlib.sha256((folder / "reports" / f"outline.{ext}").read_bytes()).hexdigest()
                        for ext in ("pdf", "docx")})
    assert digests[0] == digests[1]
    assert digests[0]["pdf"] != digests[0]["docx"]
