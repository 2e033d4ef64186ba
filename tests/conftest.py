"""Shared fixtures: the repository's own sample project and a CLI runner."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from typer.testing import CliRunner

from briefgen.errors import Diagnostics
from briefgen.read.sources import read_sources
from briefgen.run import pipeline

ROOT = Path(__file__).resolve().parent.parent
settings.register_profile("briefgen", database=None)  # no .hypothesis/ example database in the checkout,
settings.load_profile("briefgen")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="briefgen-hypothesis-")  # nor its character tables
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)


def _sample_copy() -> Path:
    """The sample project copied out of the checkout: a build writes its cache and records into the
    project, and tests never write into the checkout (see checkout_unchanged)."""
    folder = Path(tempfile.mkdtemp(prefix="briefgen-sample-")) / "sample"
    folder.mkdir()
    shutil.copy(ROOT / "outline.yaml", folder / "outline.yaml")
    for name in ("sources", "templates"):
        shutil.copytree(ROOT / name, folder / name)
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    return folder


SAMPLE = _sample_copy()
SAMPLE_OUTLINE = SAMPLE / "outline.yaml"
SAMPLE_SOURCES = SAMPLE / "sources"
_SCRATCH = ("__pycache__", ".pytest_cache", ".venv", ".egg-info", ".ruff_cache")  # tools' own caches


def checkout_state(root: Path = ROOT) -> list[str] | None:
    """What git sees of the checkout (ignored files included) and the size and time of every ignored file
    outside Python's own caches; None outside a git checkout."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--ignored", "--untracked-files=all"],
                                capture_output=True, text=True, timeout=60, check=True).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None
    state = []
    for line in listed:
        if any(part in line for part in _SCRATCH):
            continue
        state.append(line)
        path = root / line[3:]
        if line.startswith("!!") and path.is_file():
            info = path.stat()
            state.append(f"   {info.st_size} {info.st_mtime_ns}")
    return state


@pytest.fixture(scope="session", autouse=True)
def checkout_unchanged():
    """The suite fails if any test wrote into the checkout (a project's cache, a record, a report)."""
    before = checkout_state()
    yield
    after = checkout_state()
    if before is not None and after is not None and before != after and not os.environ.get("BRIEFGEN_TEST_DIRTY"):
        gone, new = sorted(set(before) - set(after)), sorted(set(after) - set(before))
        pytest.fail(f"tests changed the checkout {ROOT}: before {gone[:10]}, after {new[:10]}", pytrace=False)


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


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (its own browser download cannot reach the internet here)."""
    from . import preview_support

    api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    if not shutil.which("chromium"):
        pytest.skip("chromium is not installed (apt-get install chromium); the browser tests drive it")
    with api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=preview_support.CHROMIUM, headless=True, args=preview_support.ARGS)
        yield b
        b.close()
