"""Fonts travel inside the DOCX: embedded, subset and obfuscated as Word does, read back by LibreOffice
on a machine without Amiri (a private fontconfig, as in CI), kept through a LibreOffice round trip."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from lxml import etree

from briefgen.render import docx_fonts

from .conftest import SAMPLE_OUTLINE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MAX_SIZE = 400 * 1024


def _xml(blob: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return etree.fromstring(z.read(name))


@pytest.fixture(scope="module")
def blob(sample_build) -> bytes:
    return sample_build.outputs["docx"].read_bytes()


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> bytes:
    """The sample DOCX built with --no-embed-fonts."""
    from briefgen.run import pipeline

    out = tmp_path_factory.mktemp("plain")
    built = pipeline.build(SAMPLE_OUTLINE, ["docx"], pipeline.Options(out_dir=out, embed_fonts=False))
    return built.outputs["docx"].read_bytes()


# -- the package -----------------------------------------------------------------------------------
def test_settings_ask_to_embed_and_the_font_table_names_two_obfuscated_amiri_parts(blob):
    settings = _xml(blob, "word/settings.xml")
    assert settings.find(f"{W}embedTrueTypeFonts") is not None
    assert settings.find(f"{W}saveSubsetFonts") is not None
    amiri = [f for f in _xml(blob, "word/fontTable.xml").iter(f"{W}font") if f.get(f"{W}name") == "Amiri"]
    assert len(amiri) == 1
    embeds = {e.tag[len(W):]: e for e in amiri[0] if e.tag.startswith(f"{W}embed")}
    assert set(embeds) == {"embedRegular", "embedBold"}
    for e in embeds.values():
        assert re.fullmatch(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", e.get(f"{W}fontKey"))
        assert e.get(R_ID)
    types = _xml(blob, "[Content_Types].xml")
    declared = {o.get("PartName"): o.get("ContentType") for o in types}
    fonts = [name for name in declared if name and name.startswith("/word/fonts/")]
    assert sorted(fonts) == ["/word/fonts/font1.odttf", "/word/fonts/font2.odttf"]
    assert {declared[n] for n in fonts} == {docx_fonts.OBFUSCATED_CT}


def test_embedded_parts_are_obfuscated_as_the_standard_says(blob):
    """§17.8.1: the first 32 bytes XORed with the key's bytes, from the GUID string read backwards."""
    from fontTools.ttLib import TTFont

    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        table = etree.fromstring(z.read("word/fontTable.xml"))
        rels = etree.fromstring(z.read("word/_rels/fontTable.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        for embed in table.iter(f"{W}embedRegular", f"{W}embedBold"):
            stored = z.read("word/" + targets[embed.get(R_ID)])
            hexkey = embed.get(f"{W}fontKey").strip("{}").replace("-", "")
            key = [int(hexkey[i:i + 2], 16) for i in range(30, -2, -2)]  # last byte of the string first
            plain = bytes(b ^ key[i % 16] for i, b in enumerate(stored[:32])) + stored[32:]
            assert stored[:32] != plain[:32]  # it really is obfuscated
            assert plain[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO")
            font = TTFont(io.BytesIO(plain))
            assert font["name"].getDebugName(1) == "Amiri"
            assert font["name"].getDebugName(2) == ("Bold" if embed.tag.endswith("Bold") else "Regular")


def test_subset_keeps_the_documents_characters_editor_ranges_and_arabic_shaping(sample_build, blob):
    from fontTools.ttLib import TTFont

    fonts = docx_fonts.embedded_fonts(blob)
    assert set(fonts) == {("Amiri", "Regular"), ("Amiri", "Bold")}
    text = "".join(_xml(blob, "word/document.xml").itertext()) + "".join(_xml(blob, "word/footnotes.xml").itertext())
    needed = {ord(c) for c in text if ord(c) >= 0x20} | docx_fonts.editor_chars()
    for data in fonts.values():
        font = TTFont(io.BytesIO(data))
        cmap = font.getBestCmap()
        with TTFont(str(docx_fonts.fonts.font_files()[400])) as full:
            original = full.getBestCmap()
        assert {c for c in needed if c in original} <= set(cmap)  # all the original can show
        assert len(cmap) < len(original)  # and it is a subset
        gsub = {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}
        gpos = {r.FeatureTag for r in font["GPOS"].table.FeatureList.FeatureRecord}
        assert {"init", "medi", "fina", "rlig", "liga", "ccmp"} <= gsub
        assert {"mark", "mkmk", "curs", "kern"} <= gpos


def test_sample_docx_with_fonts_stays_small_enough_to_email(blob, plain):
    assert len(blob) < MAX_SIZE, len(blob)
    assert len(blob) > len(plain) + 150_000  # two faces really are inside


def test_no_embed_fonts_leaves_them_out(plain, cli, tmp_path):
    assert docx_fonts.embedded_fonts(plain) == {}
    assert _xml(plain, "word/settings.xml").find(f"{W}embedTrueTypeFonts") is None
    result = cli("build", SAMPLE_OUTLINE, "-f", "docx", "-o", tmp_path, "--no-embed-fonts", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outline.docx").read_bytes() == plain


def test_obfuscation_is_its_own_inverse():
    data = bytes(range(64))
    key = docx_fonts.font_key(data)
    assert docx_fonts.obfuscate(docx_fonts.obfuscate(data, key), key) == data
    assert docx_fonts.obfuscate(data, key)[32:] == data[32:]


# -- reference documents naming other fonts ------------------------------------------------------
def _reference(tmp_path, family: str):
    import docx

    document = docx.Document()
    fonts = document.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("ascii", "hAnsi"):
        fonts.set(f"{W}{slot}", family)
    for attr in ("asciiTheme", "hAnsiTheme"):
        fonts.attrib.pop(f"{W}{attr}", None)
    normal = document.styles["Normal"].element
    for other in list(document.styles.element.iter(f"{W}rFonts")):  # theme fonts (Calibri…): not installed here
        if other is not fonts and other.getparent().getparent() is not normal:
            other.getparent().remove(other)
    path = tmp_path / f"{family.replace(' ', '-')}.docx"
    document.save(path)
    return path


@pytest.fixture()
def house_fonts(tmp_path, monkeypatch):
    """A private fontconfig with two fonts made from Amiri: "Briefgen House Serif" (regular and bold)
    and "Briefgen Locked Serif", whose licence (OS/2 fsType 2) forbids embedding."""
    from fontTools.ttLib import TTFont

    if not shutil.which("fc-match"):
        pytest.skip("fontconfig (fc-match) is not installed")
    folder = tmp_path / "fonts"
    folder.mkdir()
    made = [("Briefgen House Serif", 400, 0), ("Briefgen House Serif", 700, 0), ("Briefgen Locked Serif", 400, 2)]
    for family, weight, fs_type in made:
        style = "Bold" if weight == 700 else "Regular"
        with TTFont(str(docx_fonts.fonts.font_files()[weight])) as font:
            for record in font["name"].names:
                if record.nameID in (1, 16):
                    record.string = family
                elif record.nameID in (4, 6):
                    record.string = f"{family} {style}" if record.nameID == 4 else f"{family.replace(' ', '')}-{style}"
            font["OS/2"].fsType = fs_type
            font.save(str(folder / f"{family.replace(' ', '')}-{style}.ttf"))
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{folder}</dir><cachedir>{tmp_path / "cache"}</cachedir>'
                    "</fontconfig>\n", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    return folder


def test_reference_naming_an_installed_font_embeds_it(tmp_path, house_fonts):
    from briefgen.run import pipeline

    ref = _reference(tmp_path, "Briefgen House Serif")
    built = pipeline.build(SAMPLE_OUTLINE, ["docx"], pipeline.Options(out_dir=tmp_path / "out", reference_docx=ref))
    fonts = docx_fonts.embedded_fonts(built.outputs["docx"].read_bytes())
    assert set(fonts) == {("Amiri", "Regular"), ("Amiri", "Bold"),
                          ("Briefgen House Serif", "Regular"), ("Briefgen House Serif", "Bold")}
    assert not [w for w in built.diagnostics.warnings if w.code == "font-not-embedded"]


def test_reference_naming_a_font_that_forbids_embedding_says_so(tmp_path, house_fonts):
    from briefgen.run import pipeline

    ref = _reference(tmp_path, "Briefgen Locked Serif")
    built = pipeline.build(SAMPLE_OUTLINE, ["docx"], pipeline.Options(out_dir=tmp_path / "out", reference_docx=ref))
    (warning,) = [w for w in built.diagnostics.warnings if w.code == "font-not-embedded"]
    assert "Briefgen Locked Serif" in warning.message and "licence" in warning.message
    fonts = docx_fonts.embedded_fonts(built.outputs["docx"].read_bytes())
    assert set(fonts) == {("Amiri", "Regular"), ("Amiri", "Bold")}


def test_reference_naming_a_missing_font_says_so(cli, tmp_path):
    ref = _reference(tmp_path, "Briefgen Absent Serif")
    result = cli("build", SAMPLE_OUTLINE, "-f", "docx", "-o", tmp_path / "out", "--reference-docx", ref)
    assert result.exit_code == 0, result.output
    assert "Briefgen Absent Serif" in result.output and "not embedded" in result.output
    fonts = docx_fonts.embedded_fonts((tmp_path / "out" / "outline.docx").read_bytes())
    assert set(fonts) == {("Amiri", "Regular"), ("Amiri", "Bold")}


# -- LibreOffice on a machine without Amiri ------------------------------------------------------
@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """Run soffice with a private profile and a fontconfig that sees only the system font folders."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils (pdffonts) is not installed")
    home = tmp_path_factory.mktemp("office")
    conf = home / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    f'  <dir>/usr/share/fonts</dir>\n  <cachedir>{home / "fc-cache"}</cachedir>\n</fontconfig>\n',
                    encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "FONTCONFIG_FILE": str(conf), "LANG": "C.UTF-8"}
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True).stdout
    if "amiri" in listed.lower():
        pytest.skip("Amiri is installed system-wide: LibreOffice would not need the embedded copy")

    def convert(blob: bytes, name: str, fmt: str):
        folder = home / f"{name}-{fmt}"
        folder.mkdir()
        src = folder / f"{name}.docx"
        src.write_bytes(blob)
        out = folder / "out"
        subprocess.run([soffice, f"-env:UserInstallation=file://{home / 'profile'}", "--headless",
                        "--convert-to", fmt, "--outdir", str(out), str(src)],
                       env=env, check=True, capture_output=True, timeout=300)
        return out / f"{name}.{fmt}"

    return convert


def _pdf_fonts(pdf) -> list[str]:
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [ln.split()[0].split("+")[-1] for ln in lines[2:]]


def test_libreoffice_without_amiri_sets_the_arabic_in_the_embedded_amiri(office, blob, plain):
    assert "DejaVuSans" in _pdf_fonts(office(plain, "plain", "pdf"))  # the control: no Amiri on this machine
    faces = _pdf_fonts(office(blob, "embedded", "pdf"))
    assert {"Amiri-Regular", "Amiri-Bold"} <= set(faces), faces
    assert not [f for f in faces if f.startswith("DejaVuSans")], faces


def test_libreoffice_round_trip_keeps_the_fonts(office, blob):
    from fontTools.ttLib import TTFont

    resaved = office(blob, "resaved", "docx").read_bytes()
    fonts = docx_fonts.embedded_fonts(resaved)
    amiri = {style: data for (family, style), data in fonts.items() if family == "Amiri"}
    assert {"Regular", "Bold"} <= set(amiri), sorted(fonts)
    for data in amiri.values():
        assert TTFont(io.BytesIO(data))["name"].getDebugName(1) == "Amiri"
    assert _xml(resaved, "word/settings.xml").find(f"{W}embedTrueTypeFonts") is not None
    faces = _pdf_fonts(office(resaved, "again", "pdf"))  # and the re-saved file still shows Amiri
    assert "Amiri-Regular" in faces, faces


def test_an_editors_new_paragraph_is_set_in_the_embedded_amiri(office, blob):
    """An editor adds text with letters the brief never uses (پ گ ڤ, within the subset's Arabic block);
    LibreOffice re-saves the file and lays the new paragraph out in Amiri, not a fallback face."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(blob))
    edit = document.add_paragraph("ملاحظة المحرر: پاريس وگرجستان وڤيينا")
    edit.paragraph_format.element.get_or_add_pPr().append(document.element.makeelement(qn("w:bidi"), {}))
    buf = io.BytesIO()
    document.save(buf)
    resaved = office(buf.getvalue(), "edited", "docx").read_bytes()
    pdf = office(resaved, "edited-again", "pdf")
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        page = doc.pages[-1]
        arabic = [c for c in page.chars if re.search("[\u0600-\u06ff\ufb50-\ufefc]", c["text"])]
    assert arabic
    faces = {c["fontname"].split("+")[-1] for c in arabic}
    assert faces <= {"Amiri-Regular", "Amiri-Bold"}, faces


def test_theme_fonts_of_a_reference_are_resolved_and_named_when_missing(tmp_path):
    """Word's own template names its fonts through the theme (minorHAnsi -> Cambria, majorHAnsi -> Calibri)."""
    import docx

    ref = tmp_path / "plain.docx"
    docx.Document().save(ref)
    if docx_fonts.locate("Cambria", False) is not None:
        pytest.skip("Cambria is installed here")
    messages = docx_fonts.reference_warnings(ref)
    assert any("“Cambria”" in m for m in messages) and any("“Calibri”" in m for m in messages), messages
    assert not any("Amiri" in m for m in messages)


def test_no_embed_fonts_reaches_every_brief_of_a_folder_build(project, cli):
    from .test_tradecraft import kj, outline

    for name in ("a.yaml", "b.yaml"):
        project(outline(kj()), name)
    out = project.root / "out"
    result = cli("build", project.root, "-f", "docx", "-o", out, "--no-embed-fonts", "-q", "-j", "2")
    assert result.exit_code == 0, result.output
    built = sorted(out.glob("*.docx"))
    assert [p.name for p in built] == ["a.docx", "b.docx"]
    assert all(docx_fonts.embedded_fonts(p.read_bytes()) == {} for p in built)
    result = cli("build", project.root / "a.yaml", "-f", "docx", "-o", out, "-q")
    assert set(docx_fonts.embedded_fonts((out / "a.docx").read_bytes())) == {("Amiri", "Regular"), ("Amiri", "Bold")}
