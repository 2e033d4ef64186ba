"""A reference DOCX lends styles, never links: Word (here LibreOffice) opening the brief fetches nothing."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Inches

from tests.test_bad_inputs import BASE
from tests.test_docx_reference import tiny_png

ROOT = Path(__file__).resolve().parent.parent
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.fixture()
def server():
    """A real HTTP server on 127.0.0.1 serving a PNG and recording every request path."""
    hits: list[str] = []
    png = tiny_png()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png)

        def do_OPTIONS(self):  # noqa: N802  (LibreOffice asks first)
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def linked_reference(folder: Path, base: str) -> Path:
    """A house style whose header shows a picture linked (not embedded) from base, and a web hyperlink."""
    (folder / "logo.png").write_bytes(tiny_png())
    document = docx.Document()
    header = document.sections[0].header
    paragraph = header.paragraphs[0]
    paragraph.text = "HOUSE "
    paragraph.add_run().add_picture(str(folder / "logo.png"), width=Inches(0.5))
    part = header.part
    rid = part.relate_to(f"{base}/logo.png", RT.IMAGE, is_external=True)
    for blip in part.element.iter(f"{A}blip"):
        del blip.attrib[f"{R}embed"]
        blip.set(f"{R}link", rid)
    href = part.relate_to(f"{base}/page", RT.HYPERLINK, is_external=True)
    link = paragraph._p.makeelement("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}hyperlink",
                                    {f"{R}id": href})
    paragraph._p.append(link)
    path = folder / "house.docx"
    document.save(path)
    return path


def _open_in_libreoffice(path: Path, tmp: Path) -> None:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp / 'profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp / "lo"), str(path)], check=True, capture_output=True, timeout=180)


def test_external_links_of_a_reference_are_dropped_and_reported(tmp_path, cli, server):
    base, hits = server
    reference = linked_reference(tmp_path, base)
    shutil.copytree(ROOT / "sources", tmp_path / "proj" / "sources")
    outline = tmp_path / "proj" / "outline.yaml"
    outline.write_text(BASE, encoding="utf-8")
    result = cli("build", outline, "--format", "docx", "--reference-docx", reference)
    assert result.exit_code == 0, result.output
    assert f"the reference DOCX links to {base}/logo.png" in result.output
    with zipfile.ZipFile(tmp_path / "proj" / "reports" / "outline.docx") as z:
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".rels"))
        header = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
    assert base not in rels
    assert "HOUSE" in header
    assert hits == []


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_libreoffice_fetches_the_reference_link_but_not_the_brief_s(tmp_path, cli, server):
    base, hits = server
    reference = linked_reference(tmp_path, base)
    _open_in_libreoffice(reference, tmp_path)
    assert hits, "LibreOffice fetches a linked header picture: the reference itself does make a connection"
    hits.clear()
    shutil.copytree(ROOT / "sources", tmp_path / "proj" / "sources")
    outline = tmp_path / "proj" / "outline.yaml"
    outline.write_text(BASE, encoding="utf-8")
    result = cli("build", outline, "--format", "docx", "--reference-docx", reference)
    assert result.exit_code == 0, result.output
    _open_in_libreoffice(tmp_path / "proj" / "reports" / "outline.docx", tmp_path)
    assert (tmp_path / "lo" / "outline.pdf").stat().st_size > 1000
    assert hits == [], "opening the brief fetched the reference's link"


def test_a_zip_bomb_reference_is_refused_before_it_is_unpacked(tmp_path, cli):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(3):
            z.writestr(f"word/media/pad{i}.bin", b"\0" * (100 * 1024 * 1024))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    shutil.copytree(ROOT / "sources", tmp_path / "proj" / "sources")
    outline = tmp_path / "proj" / "outline.yaml"
    outline.write_text(BASE, encoding="utf-8")
    result = cli("build", outline, "--format", "docx", "--reference-docx", bomb)
    assert result.exit_code == 1, result.output
    assert "too large to be a style reference" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "proj" / "reports" / "outline.docx").exists()
