"""Shared fixtures: the repository's own sample project and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.errors import Diagnostics
from briefgen.read.sources import read_sources
from briefgen.run import pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_OUTLINE = ROOT / "outline.yaml"
SAMPLE_SOURCES = ROOT / "sources"


@pytest.fixture(scope="session")
def library():
    """The five sample articles, read and cleaned."""
    diags = Diagnostics()
    lib = read_sources(SAMPLE_SOURCES, diags)
    assert not diags.errors
    return lib


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The sample brief built once for the session in all three formats."""
    out = tmp_path_factory.mktemp("reports")
    return pipeline.build(SAMPLE_OUTLINE, ["pdf", "docx", "html"], pipeline.Options(out_dir=out))


@pytest.fixture()
def project(tmp_path):
    """A scratch project: copies of the sample sources, and a helper to write an outline."""
    shutil.copytree(SAMPLE_SOURCES, tmp_path / "sources")

    def write(text: str, name: str = "outline.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    write.root = tmp_path  # type: ignore[attr-defined]
    return write


@pytest.fixture()
def cli():
    from briefgen.cli import app

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


def require(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install {'poppler-utils' if tool.startswith('pdf') else tool})")


@pytest.fixture()
def preview(tmp_path):
    """A `briefgen preview` server of its own over a scratch copy of the sample, for tests that save files."""
    from .preview_support import Preview

    p = Preview(tmp_path / "project")
    yield p
    p.http.close()
    p.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One `briefgen preview` server per test module, for the tests that only read."""
    from .preview_support import Preview

    p = Preview(tmp_path_factory.mktemp("shared") / "project")
    yield p
    p.http.close()
    p.stop()


@pytest.fixture()
def fresh(tmp_path, cli, monkeypatch):
    """A new project from `briefgen init`, as the working directory."""
    cli("init", tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    return tmp_path / "p"
