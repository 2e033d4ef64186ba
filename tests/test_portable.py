"""Portable projects: moved, copied without the cache and cloned, a project rebuilds over its own outputs
silently; an output another program changed stays protected wherever it is (seals, briefgen.project.seal)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest

from briefgen.project import outputs, seal

from .conftest import SAMPLE, checkout_state, require
from .test_outputs import edit_docx

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def sample_project(folder):
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE / "outline.yaml", folder / "outline.yaml")
    shutil.copytree(SAMPLE / "sources", folder / "sources")
    return folder / "outline.yaml"


def build(cli, outline, *more):
    return cli("build", outline, "--format", "pdf,docx,html", *more)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample project built once (PDF, DOCX, HTML), to be moved and copied by each test."""
    from typer.testing import CliRunner

    from briefgen.cli import app

    outline = sample_project(tmp_path_factory.mktemp("built") / "p")
    result = CliRunner().invoke(app, ["build", str(outline), "--format", "pdf,docx,html", "-q"])
    assert result.exit_code == 0, result.output
    return outline.parent


def test_a_moved_project_rebuilds_over_its_own_outputs(built, tmp_path, cli):
    moved = tmp_path / "elsewhere" / "p"
    shutil.copytree(built, moved, symlinks=True)  # the same files, cache included, at another path
    before = {p.name: p.read_bytes() for p in (moved / "reports").iterdir()}
    result = build(cli, moved / "outline.yaml")
    assert result.exit_code == 0, result.output
    assert "changed since" not in result.output and ": warning:" not in result.output
    assert {p.name: p.read_bytes() for p in (moved / "reports").iterdir()} == before  # same inputs, same bytes
    ledger = (moved / ".briefgen-cache" / "written.json").read_text(encoding="utf-8")
    assert str(built) not in ledger and str(moved) not in ledger and '"reports/outline.pdf"' in ledger


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_a_copy_without_the_cache_rebuilds_silently(built, tmp_path, cli, fmt):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy, ignore=shutil.ignore_patterns(".briefgen-cache"))
    (copy / "outline.yaml").write_text((copy / "outline.yaml").read_text(encoding="utf-8").replace(
        "محادثات إنهاء مهمة", "محادثات إنهاء دور", 1), encoding="utf-8")  # the new build differs
    result = cli("build", copy / "outline.yaml", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "changed since" not in result.output
    assert not list((copy / "reports").glob("*.edited-*"))


def test_a_clone_rebuilds_over_committed_outputs(built, tmp_path, cli):
    require("git")
    repo = tmp_path / "repo"
    shutil.copytree(built, repo, ignore=shutil.ignore_patterns(".briefgen-cache"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "-A", "-f"], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-q", "-m", "brief"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    assert (clone / "reports" / "outline.pdf").is_file() and not (clone / ".briefgen-cache").exists()
    result = build(cli, clone / "outline.yaml")
    assert result.exit_code == 0, result.output
    assert "changed since" not in result.output


def qpdf_rewrite(path):
    """The PDF saved again by another program (qpdf rewrites every object, as an editor's Save As does)."""
    out = path.with_name("rewritten.pdf")
    subprocess.run(["qpdf", str(path), str(out)], check=True)
    out.replace(path)


def append_update(path):
    """The PDF with an incremental update appended, as Acrobat's Save writes an added note."""
    data = path.read_bytes()
    path.write_bytes(data + b"\n% edited\n" + data[data.rfind(b"startxref"):])


@pytest.mark.parametrize("edit", ["docx-saved-again", "pdf-rewritten", "pdf-updated", "html-hand-edited"])
def test_an_edited_output_stays_protected_after_a_move_without_the_cache(built, tmp_path, cli, edit):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy, ignore=shutil.ignore_patterns(".briefgen-cache"))
    reports = copy / "reports"
    if edit == "docx-saved-again":
        target = reports / "outline.docx"
        edit_docx(target)
    elif edit == "pdf-rewritten":
        require("qpdf")
        target = reports / "outline.pdf"
        qpdf_rewrite(target)
    elif edit == "pdf-updated":
        target = reports / "outline.pdf"
        append_update(target)
    else:
        target = reports / "outline.html"
        target.write_text(target.read_text(encoding="utf-8").replace("<body", "<body data-x='1'", 1),
                          encoding="utf-8")
    edited = target.read_bytes()
    result = cli("build", copy / "outline.yaml", "--format", target.suffix[1:])
    assert result.exit_code == 3, result.output
    assert f"{target.name}: error: changed since briefgen wrote it" in result.output
    assert "Traceback" not in result.output and target.read_bytes() == edited


def test_a_docx_saved_by_libreoffice_stays_protected(built, tmp_path, cli):
    require("soffice")
    copy = tmp_path / "copy"
    shutil.copytree(built, copy, ignore=shutil.ignore_patterns(".briefgen-cache"))
    docx = copy / "reports" / "outline.docx"
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(docx)],
                   check=True, capture_output=True, timeout=180)
    shutil.copy(out / "outline.docx", docx)  # opened and saved by LibreOffice, no change by hand
    result = cli("build", copy / "outline.yaml", "--format", "docx")
    assert result.exit_code == 3, result.output
    assert "outline.docx: error: changed since briefgen wrote it" in result.output


def test_sealed_outputs_stay_valid_for_their_readers(built):
    pdf, docx = built / "reports" / "outline.pdf", built / "reports" / "outline.docx"
    assert seal.sealed(".pdf", pdf.read_bytes()) and seal.sealed(".docx", docx.read_bytes())
    assert seal.sealed(".html", (built / "reports" / "outline.html").read_bytes())
    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    assert len(doc) > 1 and "محادثات" in doc.get_metadata_dict()["Title"]
    doc.close()
    with zipfile.ZipFile(docx) as z:
        assert z.testzip() is None and z.comment.startswith(b"briefgen-seal ")
    if shutil.which("pandoc"):
        text = subprocess.run(["pandoc", "-f", "docx", "-t", "plain", str(docx)], capture_output=True, text=True,
                              check=True).stdout
        assert "التحالف" in text


@pytest.mark.parametrize("suffix,data,sealable", [
    (".pdf", b"%PDF-1.7\nno trailer", False),  # no trailer: no place for a seal
    (".docx", b"PK\x05\x06" + b"\0" * 18, True), (".html", b"<html></html>", True),
    (".eml", b"Subject: x\n\nbody", True)])
def test_a_seal_is_broken_by_any_change(suffix, data, sealable):
    sealed = seal.seal(suffix, data)
    assert (sealed != data) == sealable
    if not sealable:  # never taken for briefgen's own
        assert not seal.sealed(suffix, data)
        return
    assert seal.sealed(suffix, sealed) and not seal.sealed(suffix, data)
    for at in range(0, len(sealed), max(1, len(sealed) // 40)):
        flipped = bytearray(sealed)
        flipped[at] ^= 0x01
        assert not seal.sealed(suffix, bytes(flipped)), at


def test_outputs_outside_the_project_leave_its_cache_alone(built, tmp_path):
    project = tmp_path / "p"
    (project / ".briefgen-cache").mkdir(parents=True)
    elsewhere = tmp_path / "out" / "x.html"
    elsewhere.parent.mkdir()
    outputs.publish({elsewhere: b"<html></html>"}, project / ".briefgen-cache")
    assert list((project / ".briefgen-cache").iterdir()) == []  # no ledger, no lock: nothing recorded there
    assert seal.sealed(".html", elsewhere.read_bytes())
    outputs.publish({elsewhere: b"<html>2</html>"}, project / ".briefgen-cache")  # still its own: replaced
    assert seal.sealed(".html", elsewhere.read_bytes()) and b"<html>2</html>" in elsewhere.read_bytes()


def test_the_checkout_guard_sees_a_write_into_an_ignored_cache(tmp_path):
    require("git")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text(".briefgen-cache/\n")
    (tmp_path / ".briefgen-cache").mkdir()
    before = checkout_state(tmp_path)
    (tmp_path / ".briefgen-cache" / "written.json").write_text("{}")
    assert checkout_state(tmp_path) != before


@pytest.mark.parametrize("layout", ["--linearize", "--object-streams=disable"])
def test_a_seal_never_moves_an_object(built, tmp_path, layout):
    """A PDF laid out another way (linearized: objects after the last trailer; a classic xref table) is sealed
    only where inserting the seal moves no object, and stays valid."""
    require("qpdf")
    plain, other = tmp_path / "plain.pdf", tmp_path / "other.pdf"
    plain.write_bytes(re.sub(rb"/BriefgenSeal \([0-9a-f]{64}\)", b"", (built / "reports" / "outline.pdf").read_bytes()))
    subprocess.run(["qpdf", layout, str(plain), str(other)], check=True)
    data = other.read_bytes()
    sealed = seal.seal(".pdf", data)
    if layout == "--linearize":
        assert sealed == data and not seal.sealed(".pdf", data)
        return
    assert seal.sealed(".pdf", sealed)
    other.write_bytes(sealed)
    check = subprocess.run(["qpdf", "--check", str(other)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout + check.stderr
