"""`briefgen build`: formats, output folder, atomic writes, exit codes, no tracebacks."""

import json
import os

import pytest

GOOD = """\
title: "اختبار البناء"
background:
  - text: "تنشر الولايات المتحدة 2500 عسكري في العراق."
    cite: [{source: hafryat, quote: "تنشر الولايات المتحدة (2500) عسكري في العراق"}]
"""


def test_build_writes_the_chosen_formats_into_out(project, cli, tmp_path):
    outline = project(GOOD)
    out = tmp_path / "elsewhere"
    result = cli("build", outline, "--format", "html,docx", "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["outline.docx", "outline.html"]
    assert "اختبار البناء" in (out / "outline.html").read_text(encoding="utf-8")


def test_default_output_folder_comes_from_the_outline(project, cli):
    outline = project(GOOD + "output: built/\n")
    result = cli("build", outline, "--format", "html")
    assert result.exit_code == 0, result.output
    assert (project.root / "built" / "outline.html").is_file()


def test_a_failed_build_leaves_earlier_outputs_untouched(project, cli):
    outline = project(GOOD)
    assert cli("build", outline, "--format", "html,docx").exit_code == 0
    reports = project.root / "reports"
    before = {p.name: p.read_bytes() for p in reports.iterdir()}
    project(GOOD.replace("(2500)", "(3500)"))  # the quote no longer verifies
    result = cli("build", outline, "--format", "html,docx")
    assert result.exit_code == 1
    assert "quote not found in source 'hafryat'" in result.output
    assert "[-2500-] {+3500+}" in result.output
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in reports.iterdir()} == before  # no temp files either


def test_output_path_that_is_a_directory_is_a_render_error(project, cli):
    outline = project(GOOD)
    (project.root / "reports" / "outline.html").mkdir(parents=True)
    result = cli("build", outline, "--format", "html")
    assert result.exit_code == 3
    assert "output path is a directory" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_read_only_output_folder_is_a_render_error(project, cli):
    outline = project(GOOD)
    reports = project.root / "reports"
    reports.mkdir()
    reports.chmod(0o500)
    try:
        result = cli("build", outline, "--format", "html")
    finally:
        reports.chmod(0o700)
    assert result.exit_code == 3


def test_unknown_format_is_a_usage_error(project, cli):
    result = cli("build", project(GOOD), "--format", "pdf,odt")
    assert result.exit_code == 2
    assert "unknown format 'odt'" in result.output and "pdf, docx, html" in result.output


def test_missing_outline_is_an_input_error(cli, tmp_path):
    result = cli("build", tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert "outline not found" in result.output and "Traceback" not in result.output


def test_check_text_output_summarises(project, cli):
    result = cli("check", project(GOOD))
    assert result.exit_code == 0
    assert "ok: 1 citations (1 verified quotes), 1 sources" in result.output


def test_check_json_on_yaml_syntax_error(project, cli):
    result = cli("check", project('title: "unterminated\n'), "--json")
    assert result.exit_code == 1
    d = json.loads(result.stdout)["diagnostics"][0]
    assert d["code"] == "yaml-syntax" and d["line"] is not None


def test_html_escapes_outline_text(project, cli):
    outline = project(GOOD.replace("اختبار البناء", "<script>alert(1)</script> {{ 7*7 }}"))
    assert cli("build", outline, "--format", "html").exit_code == 0
    html = (project.root / "reports" / "outline.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html


def test_template_option_and_key_choose_the_theme(project, cli):
    import shutil

    from .conftest import ROOT

    theme = project.root / "mytheme"
    shutil.copytree(ROOT / "templates", theme)
    css = theme / "brief.css"
    css.write_text(css.read_text(encoding="utf-8").replace("--accent: #1f4e79", "--accent: #7a1f1f"), encoding="utf-8")
    outline = project(GOOD + "template: mytheme/\n")
    assert cli("build", outline, "--format", "html").exit_code == 0
    assert "--accent: #7a1f1f" in (project.root / "reports" / "outline.html").read_text(encoding="utf-8")


def test_template_outside_the_project_is_refused(project, cli, tmp_path_factory):
    import shutil

    from .conftest import ROOT

    elsewhere = tmp_path_factory.mktemp("elsewhere") / "theme"
    shutil.copytree(ROOT / "templates", elsewhere)
    outline = project(GOOD + f"template: {elsewhere}\n")
    result = cli("build", outline, "--format", "html")
    assert result.exit_code == 1
    assert "outside the project folder" in result.output and ":5:11: error" in result.output
    assert cli("build", outline, "--format", "html", "--allow-outside").exit_code == 0


def test_missing_template_folder_is_an_input_error(project, cli):
    result = cli("build", project(GOOD), "--format", "html", "--template", "nowhere")
    assert result.exit_code == 1 and "has no brief.html" in result.output


def test_the_pdf_renderer_fetches_nothing_outside_the_sandbox(project, cli, tmp_path_factory):
    import shutil

    from .conftest import ROOT

    secret = tmp_path_factory.mktemp("outside") / "secret.png"
    secret.write_bytes(b"not really a png")
    theme = project.root / "templates"
    shutil.copytree(ROOT / "templates", theme)
    html = theme / "brief.html"
    html.write_text(html.read_text(encoding="utf-8").replace(
        "<body>", f'<body><img src="{secret.as_uri()}"><img src="http://127.0.0.1:9/x.png">'
                  f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                  f'<img src="data:image/png;base64,{"A" * 300_000}">'), encoding="utf-8")
    result = cli("build", project(GOOD), "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert f"refused to fetch {secret.as_uri()}" in result.output
    assert "refused to fetch http://127.0.0.1:9/x.png" in result.output
    assert "refused to fetch data:image/png;base64,AAAA" in result.output
    assert "refused to fetch data:image/gif" not in result.output  # a small inline image is allowed


def test_an_unexpected_exception_prints_a_bug_report_line_not_a_traceback(project, cli, monkeypatch):
    from briefgen.run import pipeline

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(pipeline, "render", broken)
    result = cli("build", project(GOOD), "--format", "html")
    assert result.exit_code == 70
    assert "internal error (ZeroDivisionError)" in result.output and "--debug" in result.output
    assert "Traceback" not in result.output


PNG_1X1 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def test_a_logo_in_the_theme_folder_is_drawn(project, cli):
    import base64
    import shutil

    from pypdf import PdfReader

    from .conftest import ROOT

    theme = project.root / "templates"
    shutil.copytree(ROOT / "templates", theme)
    (theme / "logo.png").write_bytes(base64.b64decode(PNG_1X1))
    html = theme / "brief.html"
    html.write_text(html.read_text(encoding="utf-8").replace(
        '<header class="title-block">', '<header class="title-block"><img class="logo" src="logo.png">'),
        encoding="utf-8")
    result = cli("build", project(GOOD), "--format", "pdf")
    assert result.exit_code == 0 and "refused" not in result.output
    page = PdfReader(project.root / "reports" / "outline.pdf").pages[0]
    assert len(page.images) == 1
