"""The analyst's daily workflow: init, sources add, build summary/progress/JSON, many briefs, help texts."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from briefgen.read.outline import Outline, read_outline
from briefgen.read.sources import SourceEntry
from briefgen.run.scaffold import OUTLINE, REGISTRY

from .conftest import SAMPLE_SOURCES

POINTS = """\
summary:
  - text: "تقول الحكومة العراقية إن التحالف لا يمكن أن يبقى بلا نهاية."
    cite: [{source: hafryat, quote: "لا يمكن لهذا التحالف أن يبقى إلى ما لا نهاية"}]
  - text: "لم يُتخذ قرار بسحب القوات الأميركية."
    cite: [{source: monitor, quote: "لم يتم اتخاذ أي قرار بسحب القوات الأمريكية من العراق"}]
background:
  - text: "يخشى خبراء إنعاش داعش."
    cite: [{source: hafryat, quote: "خشية إنعاش تنظيم داعش من جديد"}]
"""
GOOD = 'title: "موجز الاختبار"\n' + POINTS


# --- init -------------------------------------------------------------------------------------

def test_init_creates_a_commented_project(cli, tmp_path):
    folder = tmp_path / "new" / "brief"  # parents created too
    result = cli("init", folder)
    assert result.exit_code == 0, result.output
    assert (folder / "outline.yaml").is_file() and (folder / "sources" / "sources.yaml").is_file()
    assert (folder / "reports").is_dir()
    assert [p.name for p in (folder / "sources").iterdir()] == ["sources.yaml"]
    ignore = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "reports/*" in ignore and ".briefgen-cache/" in ignore
    assert "briefgen sources add" in result.output
    loaded = read_outline(folder / "outline.yaml")
    assert loaded.outline.lang == "ar" and loaded.outline.title


def test_the_outline_template_explains_every_key_in_both_languages():
    text = OUTLINE.format(title='"t"', lang="ar")
    for key in Outline.model_fields:
        comment = [line for line in text.splitlines() if re.match(rf"#? ?{key}\b", line)]
        assert comment, f"outline.yaml template does not show the key {key}"
    for key in SourceEntry.model_fields:
        assert f"{key}:" in REGISTRY, f"sources.yaml template does not explain {key}"
    assert "العنوان" in text and "الملخّص التنفيذي" in text and "title (required)" in text


def test_the_commented_examples_are_valid_once_uncommented(tmp_path):
    """Removing the # of every example gives an outline the schema accepts."""
    text = OUTLINE.format(title='"t"', lang="ar")
    head, sections = text.rsplit("# " + "-" * 87 + "\n", 1)
    lines = []
    for line in sections.splitlines():
        key = re.match(r"# (\w+):", line)
        if key and key.group(1) in Outline.model_fields and key.group(1) != "template":
            line = line[2:]
        elif line.startswith("#  ") and not line.startswith("#   "):
            line = line[1:]
        elif line.startswith("#    "):
            line = line[1:]
        lines.append(line)
    path = tmp_path / "outline.yaml"
    path.write_text(head + "\n".join(lines), encoding="utf-8")
    loaded = read_outline(path)
    assert loaded.outline.summary and loaded.outline.risks and loaded.outline.timeline
    assert loaded.outline.key_judgments[0].confidence == "moderate"


def test_init_refuses_an_existing_project(cli, tmp_path):
    assert cli("init", tmp_path / "p").exit_code == 0
    outline = tmp_path / "p" / "outline.yaml"
    outline.write_text("title: mine\n", encoding="utf-8")
    result = cli("init", tmp_path / "p")
    assert result.exit_code == 1
    assert "already holds a brief project" in result.output and "outline.yaml" in result.output
    assert "Traceback" not in result.output
    assert outline.read_text(encoding="utf-8") == "title: mine\n"


def test_init_in_an_existing_folder_with_only_an_outline_refuses_and_names_it(cli, tmp_path):
    (tmp_path / "outline.yaml").write_text("title: x\n", encoding="utf-8")
    result = cli("init", tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path / 'outline.yaml'} exists" in result.output
    assert not (tmp_path / "sources").exists()


def test_the_empty_project_gets_clear_errors_not_an_empty_brief(cli, tmp_path):
    cli("init", tmp_path / "p")
    outline = tmp_path / "p" / "outline.yaml"
    result = cli("check", outline)
    assert result.exit_code == 1
    assert "the sources folder sources/ has no articles yet" in result.output
    assert "briefgen sources add" in result.output
    result = cli("build", outline)
    assert result.exit_code == 1
    assert "has no articles yet" in result.output and "the outline has no points yet" in result.output
    assert "Traceback" not in result.output
    assert [p.name for p in (tmp_path / "p" / "reports").iterdir()] == [".gitkeep"]


def test_check_accepts_the_new_project_once_a_source_is_added(cli, tmp_path, monkeypatch):
    cli("init", tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    assert cli("sources", "add", SAMPLE_SOURCES / "monitor.txt", "--publisher", "المونيتور").exit_code == 0
    result = cli("check", "outline.yaml")
    assert result.exit_code == 0, result.output
    assert "the outline has no points yet" in result.output  # a warning until the first point
    result = cli("build", "outline.yaml", "--format", "html")
    assert result.exit_code == 1 and "the outline has no points yet" in result.output


# --- sources add ------------------------------------------------------------------------------

def test_sources_add_copies_bytes_and_registers_metadata(cli, fresh):
    result = cli("sources", "add", SAMPLE_SOURCES / "hafryat.txt", "--publisher", "حفريات", "--date", "2024-01-31",
                 "--url", "https://example.org/a", "--title", "عنوان")
    assert result.exit_code == 0, result.output
    assert "added hafryat" in result.output
    assert (fresh / "sources" / "hafryat.txt").read_bytes() == (SAMPLE_SOURCES / "hafryat.txt").read_bytes()
    result = cli("sources", "add", SAMPLE_SOURCES / "monitor.txt", SAMPLE_SOURCES / "phases.txt",
                 "--publisher", "المونيتور")
    assert result.exit_code == 0, result.output
    registry = (fresh / "sources" / "sources.yaml").read_text(encoding="utf-8")
    assert registry.startswith(REGISTRY.split("sources: []")[0])  # every comment kept
    assert "date: 2024-01-31\n" in registry  # a YAML date, as written by hand
    rows = json.loads(cli("sources", "list", "--json").stdout)
    assert [(r["id"], r["publisher"], r["date"]) for r in rows] == [
        ("hafryat", "حفريات", "2024-01-31"), ("monitor", "المونيتور", None), ("phases", "المونيتور", None)]
    assert rows[0]["title"] == "عنوان"


def test_sources_add_keeps_comments_and_order_of_an_existing_registry(cli, tmp_path):
    folder = tmp_path / "sources"
    shutil.copytree(SAMPLE_SOURCES, folder)
    before = (folder / "sources.yaml").read_text(encoding="utf-8")
    new = tmp_path / "extra.txt"
    new.write_bytes("عنوان المقال\r\n\r\nفقرة أولى من المقال.\r\n".encode())
    result = cli("sources", "add", new, "--dir", folder, "--id", "extra-1", "--date", "2024-02-02")
    assert result.exit_code == 0, result.output
    after = (folder / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # nothing above changed, comments included
    assert after[len(before.rstrip("\n")):].strip("\n").splitlines() == [
        "  - id: extra-1", "    file: extra.txt", "    date: 2024-02-02"]
    assert (folder / "extra.txt").read_bytes() == new.read_bytes()  # CRLF kept
    rows = {r["id"]: r for r in json.loads(cli("sources", "list", folder, "--json").stdout)}
    assert rows["extra-1"]["date"] == "2024-02-02" and len(rows) == 6


@pytest.mark.parametrize("args,code,says", [
    (["--id", "hafryat"], 1, "a source with the id 'hafryat' is already registered"),
    (["--date", "31/01/2024"], 2, "--date must be YYYY-MM-DD"),
    (["--date", "2024-02-30"], 2, "is not a real date"),
    (["--id", "بلا"], 2, "may hold only Latin letters"),
])
def test_sources_add_refusals_change_nothing(cli, fresh, args, code, says):
    assert cli("sources", "add", SAMPLE_SOURCES / "hafryat.txt").exit_code == 0
    before = {p.name: p.read_bytes() for p in (fresh / "sources").iterdir()}
    result = cli("sources", "add", SAMPLE_SOURCES / "monitor.txt", *args)
    assert result.exit_code == code, result.output
    assert says in result.output and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in (fresh / "sources").iterdir()} == before


def test_sources_add_refuses_an_existing_file_name(cli, fresh, tmp_path):
    assert cli("sources", "add", SAMPLE_SOURCES / "hafryat.txt").exit_code == 0
    result = cli("sources", "add", SAMPLE_SOURCES / "hafryat.txt", "--id", "other")
    assert result.exit_code == 1
    assert "sources/hafryat.txt already exists" in result.output


def test_sources_add_refuses_binary_and_unknown_files(cli, fresh, tmp_path):
    (tmp_path / "scan.txt").write_bytes(b"\x89PNG\x00\x00")
    (tmp_path / "page.odt").write_text("<p>x</p>", encoding="utf-8")
    result = cli("sources", "add", tmp_path / "scan.txt")
    assert result.exit_code == 1 and "binary" in result.output
    result = cli("sources", "add", tmp_path / "page.odt")
    assert result.exit_code == 1 and ".txt, .md, .html or .pdf" in result.output
    result = cli("sources", "add", tmp_path / "missing.txt")
    assert result.exit_code == 1 and "no such file" in result.output
    assert [p.name for p in (fresh / "sources").iterdir()] == ["sources.yaml"]


def test_one_article_options_refuse_several_files(cli, fresh):
    result = cli("sources", "add", SAMPLE_SOURCES / "hafryat.txt", SAMPLE_SOURCES / "monitor.txt", "--id", "x")
    assert result.exit_code == 2 and "give one FILE" in result.output


# --- build: summary, JSON, progress -------------------------------------------------------------

def test_build_prints_a_summary(project, cli):
    outline = project(GOOD)
    result = cli("build", outline, "--format", "pdf,html")
    assert result.exit_code == 0, result.output
    assert re.search(r"wrote \S+outline\.pdf \(\d+ KB, 1 page\)", result.output), result.output
    assert re.search(r"wrote \S+outline\.html \(\d+ KB\)", result.output)
    assert "3 footnotes, 3 verified quotes, " in result.output and "warning" in result.output


def test_build_json_is_one_object_on_stdout(project, cli):
    outline = project(GOOD)
    result = cli("build", outline, "--format", "pdf,html", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["title"] == "موجز الاختبار"
    assert data["pages"] == 1 and data["footnotes"] == 3 and data["quotes"] == 3
    for fmt in ("pdf", "html"):
        assert Path(data["outputs"][fmt]).stat().st_size == data["sizes"][fmt]
    assert all({"severity", "code", "message", "file", "line"} <= set(w) for w in data["warnings"])


def test_build_json_reports_a_failure_too(project, cli):
    outline = project(GOOD.replace("من جديد", "من قديم"))
    result = cli("build", outline, "--format", "html", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["exit_code"] == 1
    assert data["errors"][0]["code"] == "quote-not-found" and data["errors"][0]["line"] == 9


def test_quiet_build_prints_nothing(project, cli):
    result = cli("build", project(GOOD), "--format", "html", "-q")
    assert result.exit_code == 0 and result.output == ""


def test_progress_names_each_step_on_a_terminal(project, cli, monkeypatch):
    from rich.console import Console

    from briefgen import cli as cli_module

    buffer = io.StringIO()
    monkeypatch.setattr(cli_module, "err", Console(file=buffer, force_terminal=True, width=100))
    result = cli("build", project(GOOD), "--format", "html,pdf")
    assert result.exit_code == 0
    shown = buffer.getvalue()
    for step in ("checking outline, sources and quotes", "rendering HTML", "rendering PDF", "writing outputs"):
        assert step in shown
    buffer.seek(0)
    buffer.truncate()
    assert cli("build", project(GOOD), "--format", "html", "-q").exit_code == 0
    assert buffer.getvalue() == ""


def test_eml_needs_the_pdf(project, cli):
    result = cli("build", project(GOOD), "--format", "docx", "--eml")
    assert result.exit_code == 2 and "--eml attaches the PDF" in result.output


# --- many briefs ------------------------------------------------------------------------------

def test_a_folder_of_outlines_is_built_in_parallel(project, cli):
    project(GOOD, "a.yaml")
    project(GOOD.replace("موجز الاختبار", "موجز ثان"), "b.yaml")
    project(GOOD.replace("من جديد", "من قديم"), "bad.yaml")
    project("title: t\noutput: afile\n" + POINTS, "norender.yaml")
    (project.root / "afile").write_text("a file, not a folder", encoding="utf-8")
    shutil.copy(SAMPLE_SOURCES / "sources.yaml", project.root / "sources.yaml")  # not an outline
    (project.root / "notes.yaml").write_text("todo: [call, write]\n", encoding="utf-8")  # not an outline either
    result = cli("build", project.root, "--format", "html", "-j", "2", "--json")
    assert result.exit_code == 3, result.output  # the highest failing code
    data = json.loads(result.stdout)
    assert [Path(d["outline"]).name for d in data] == ["a.yaml", "b.yaml", "bad.yaml", "norender.yaml"]
    assert [d["ok"] for d in data] == [True, True, False, False]
    assert data[2]["exit_code"] == 1 and data[2]["errors"][0]["code"] == "quote-not-found"
    assert data[2]["errors"][0]["file"].endswith("bad.yaml")
    assert data[3]["exit_code"] == 3
    assert (project.root / "reports" / "a.html").is_file() and (project.root / "reports" / "b.html").is_file()
    assert "موجز ثان" in (project.root / "reports" / "b.html").read_text(encoding="utf-8")
    assert not (project.root / "reports" / "bad.html").exists()


def test_many_outlines_report_each_under_its_name(project, cli):
    a = project(GOOD, "a.yaml")
    bad = project(GOOD.replace("من جديد", "من قديم"), "bad.yaml")
    result = cli("build", a, bad, "--format", "html", "-j", "2")
    assert result.exit_code == 1
    text = result.output
    assert f"{a}: built" in text and f"{bad}: failed (exit 1)" in text
    failed = text[text.index(f"{bad}: failed"):]
    assert "quote not found in source 'hafryat'" in failed
    assert "2 briefs: 1 built, 1 failed" in text
    assert "Traceback" not in text


def test_two_outlines_writing_the_same_file_are_refused(project, cli, tmp_path):
    a = project(GOOD, "a.yaml")
    (project.root / "sub").mkdir()
    shutil.copytree(SAMPLE_SOURCES, project.root / "sub" / "sources")
    other = project(GOOD, "sub/a.yaml")
    result = cli("build", a, other, "--out", tmp_path / "out", "--format", "html")
    assert result.exit_code == 2 and "would both write a.*" in result.output


def test_a_folder_without_outlines_is_a_usage_error(cli, tmp_path):
    result = cli("build", tmp_path)
    assert result.exit_code == 2 and "no outline" in result.output


# --- help and version ---------------------------------------------------------------------------

def _commands():
    import typer.main

    from briefgen.cli import app

    group = typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += [(name, sub) for sub in command.commands]
        else:
            found.append((name,))
    return found


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0
    assert "Example: briefgen " + path[0] in " ".join(result.output.split()), result.output


def test_version(cli):
    from briefgen import __version__

    result = cli("--version")
    assert result.exit_code == 0 and result.output.strip() == f"briefgen {__version__}"


def test_date_none_records_that_the_text_gives_no_date(cli, fresh):
    result = cli("sources", "add", SAMPLE_SOURCES / "monitor.txt", "--publisher", "المونيتور", "--date", "none")
    assert result.exit_code == 0, result.output
    assert "    date: null\n" in (fresh / "sources" / "sources.yaml").read_text(encoding="utf-8")
    assert json.loads(cli("sources", "list", "--json").stdout)[0]["date"] is None
