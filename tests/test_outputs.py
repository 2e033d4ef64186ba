"""Publishing outputs: never over an edited file, all or nothing, no leftovers, nothing outside the project."""

from __future__ import annotations

import datetime as dt
import io
import os
import resource
import subprocess
import sys
import zipfile

import pytest

from briefgen.errors import RenderError
from briefgen.project import outputs, seal

GOOD = """\
title: "اختبار النشر"
background:
  - text: "تنشر الولايات المتحدة 2500 عسكري في العراق."
    cite: [{source: hafryat, quote: "تنشر الولايات المتحدة (2500) عسكري في العراق"}]
"""


def edit_docx(path) -> bytes:
    """Change one word of the document the way an office suite saves: members re-stamped with today's time."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    members["word/document.xml"] = members["word/document.xml"].replace(b"2500", b"2600", 1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 25, 10, 0, 0)), data)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def listing(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_build_refuses_to_replace_an_edited_docx_and_writes_nothing(project, cli):
    outline = project(GOOD)
    assert cli("build", outline, "--format", "html,docx").exit_code == 0
    reports = project.root / "reports"
    edited = edit_docx(reports / "outline.docx")
    before = listing(reports)
    project(GOOD.replace("اختبار النشر", "عنوان جديد"))  # the next build would change every output
    result = cli("build", outline, "--format", "html,docx")
    assert result.exit_code == 3
    assert "reports/outline.docx: error: changed since briefgen wrote it; nothing was written" in result.output
    assert "briefgen review " in result.output and "reports/outline.docx" in result.output
    assert "--overwrite" in result.output and "Traceback" not in result.output
    assert listing(reports) == before  # the HTML was not replaced either: all or nothing
    assert (reports / "outline.docx").read_bytes() == edited


def test_overwrite_keeps_the_edited_file_under_a_dated_name(project, cli):
    outline = project(GOOD)
    assert cli("build", outline, "--format", "docx").exit_code == 0
    reports = project.root / "reports"
    edited = edit_docx(reports / "outline.docx")
    result = cli("build", outline, "--format", "docx", "--overwrite")
    assert result.exit_code == 0, result.output
    kept = reports / f"outline.edited-{dt.date.today().isoformat()}.docx"
    assert kept.read_bytes() == edited
    assert f"kept the edited {reports / 'outline.docx'} as {kept}" in result.output
    assert (reports / "outline.docx").read_bytes() != edited
    edit_docx(reports / "outline.docx")  # edited again the same day: a second kept copy, the first untouched
    assert cli("build", outline, "--format", "docx", "--overwrite").exit_code == 0
    assert kept.read_bytes() == edited
    assert (reports / f"outline.edited-{dt.date.today().isoformat()}-2.docx").is_file()


def test_unedited_outputs_are_replaced_without_a_word(project, cli):
    outline = project(GOOD)
    assert cli("build", outline, "--format", "html,docx").exit_code == 0
    project(GOOD.replace("اختبار النشر", "عنوان جديد"))
    result = cli("build", outline, "--format", "html,docx")
    assert result.exit_code == 0, result.output
    assert "عنوان جديد" in (project.root / "reports" / "outline.html").read_text(encoding="utf-8")


def test_without_a_record_briefgens_own_files_are_replaced_and_foreign_ones_kept(project, cli):
    outline = project(GOOD)
    assert cli("build", outline, "--format", "html,docx").exit_code == 0
    ledger = project.root / ".briefgen-cache" / "written.json"
    ledger.unlink()  # e.g. the project folder came from a colleague without its cache
    assert cli("build", outline, "--format", "html,docx").exit_code == 0  # still briefgen's own marks
    ledger.unlink()
    edit_docx(project.root / "reports" / "outline.docx")  # re-saved by an office suite
    result = cli("build", outline, "--format", "html,docx")
    assert result.exit_code == 3
    assert "outline.docx: error: changed since briefgen wrote it" in result.output


def test_watch_leaves_an_edited_docx_alone(project):
    from briefgen.run import watch

    outline = project(GOOD)
    built, errors = watch.rebuild(outline, ["docx"])
    assert built is not None and not errors
    edited = edit_docx(project.root / "reports" / "outline.docx")
    built, errors = watch.rebuild(outline, ["docx"])
    assert built is None and errors[0].code == "output-edited"
    assert (project.root / "reports" / "outline.docx").read_bytes() == edited


def test_batch_builds_are_protected_too(project, cli):
    first, second = project(GOOD, "a.yaml"), project(GOOD, "b.yaml")
    assert cli("build", first, second, "--format", "docx", "-j", "2").exit_code == 0
    edited = edit_docx(project.root / "reports" / "b.docx")
    result = cli("build", first, second, "--format", "docx", "-j", "2")
    assert result.exit_code == 3
    assert "b.docx: error: changed since briefgen wrote it" in result.output
    assert (project.root / "reports" / "b.docx").read_bytes() == edited


def test_a_failure_writing_the_second_output_leaves_the_first_unchanged(project, cli):
    outline = project(GOOD)
    assert cli("build", outline, "--format", "html").exit_code == 0
    reports = project.root / "reports"
    html = (reports / "outline.html").read_bytes()
    (reports / "outline.docx").mkdir()  # its name is taken by a folder
    project(GOOD.replace("اختبار النشر", "عنوان جديد"))
    result = cli("build", outline, "--format", "html,docx")
    assert result.exit_code == 3 and "output path is a directory" in result.output
    assert (reports / "outline.html").read_bytes() == html
    assert sorted(p.name for p in reports.iterdir()) == ["outline.docx", "outline.html"]


def test_a_full_disk_while_writing_changes_no_output(project, cli):
    """A real write failure (the file size limit stands in for a full disk: the kernel refuses with EFBIG)."""
    outline = project(GOOD)
    assert cli("build", outline, "--format", "html,docx").exit_code == 0
    reports = project.root / "reports"
    before = listing(reports)
    project(GOOD.replace("اختبار النشر", "عنوان جديد"))
    limit = (len(before["outline.html"]) + len(before["outline.docx"])) // 2  # the HTML fits, the DOCX does not

    def small_disk():
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "BRIEFGEN_NO_CACHE": "1"}
    run = subprocess.run([sys.executable, "-m", "briefgen", "build", str(outline), "--format", "html,docx"],
                         capture_output=True, text=True, preexec_fn=small_disk, env=env, timeout=120)
    assert len(before["outline.html"]) + 500 < limit < len(before["outline.docx"]) - 500
    assert run.returncode == 3, run.stderr
    assert "no output was changed" in run.stderr
    assert listing(reports) == before


def test_temporary_files_of_a_killed_build_are_removed_by_the_next_build(project, cli):
    outline = project(GOOD)
    reports = project.root / "reports"
    reports.mkdir()
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that no longer runs: like a build killed with SIGKILL
    stale = reports / f".outline.docx.{gone.pid}.0badc0de{outputs.TMP_SUFFIX}"
    stale.write_bytes(b"half a docx")
    alive = reports / f".outline.docx.{os.getppid()}.0badc0de{outputs.TMP_SUFFIX}"  # a build still running
    alive.write_bytes(b"being written")
    assert cli("build", outline, "--format", "docx").exit_code == 0
    assert not stale.exists()
    assert alive.exists()


def test_a_real_killed_build_leaves_nothing_the_next_build_keeps(project, cli):
    outline = project(GOOD)
    reports = project.root / "reports"
    reports.mkdir()
    code = ("import os, signal\nfrom briefgen.project import outputs\n"
            "outputs.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
            "from briefgen.cli import run\nimport sys\n"
            "sys.argv = ['briefgen', 'build', sys.argv[1], '--format', 'docx']\nrun()\n")
    run = subprocess.run([sys.executable, "-c", code, str(outline)], capture_output=True, timeout=120,
                         env={**os.environ, "BRIEFGEN_NO_CACHE": "1"})
    assert run.returncode == -9
    assert [p.name for p in reports.iterdir() if p.name.endswith(outputs.TMP_SUFFIX)]  # killed mid-publish
    assert cli("build", outline, "--format", "docx").exit_code == 0
    assert sorted(p.name for p in reports.iterdir()) == ["outline.docx"]


def test_output_key_outside_the_project_is_refused_at_its_line(project, cli, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    outline = project(GOOD + f"output: {elsewhere}/\n")
    result = cli("build", outline, "--format", "html")
    assert result.exit_code == 1
    assert f"outline.yaml:5:9: error: output folder {elsewhere}" in result.output
    assert "--allow-outside" in result.output
    assert list(elsewhere.iterdir()) == []
    assert cli("build", outline, "--format", "html", "--allow-outside").exit_code == 0
    assert (elsewhere / "outline.html").is_file()


def test_a_reports_folder_linking_outside_is_refused(project, cli, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (project.root / "reports").symlink_to(elsewhere)
    result = cli("build", project(GOOD), "--format", "html")
    assert result.exit_code == 1
    assert "it resolves to" in result.output and str(elsewhere) in result.output
    assert list(elsewhere.iterdir()) == []


def test_out_on_the_command_line_may_point_anywhere(project, cli, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    assert cli("build", project(GOOD), "--format", "html", "--out", elsewhere).exit_code == 0
    assert (elsewhere / "outline.html").is_file()


def test_a_cache_folder_linking_outside_is_refused(project, cli, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (project.root / ".briefgen-cache").symlink_to(elsewhere)
    result = cli("build", project(GOOD), "--format", "html")
    assert result.exit_code == 1
    assert "outside the project folder" in result.output
    assert list(elsewhere.iterdir()) == []


def test_publish_puts_earlier_files_back_when_a_replace_fails(tmp_path, monkeypatch):
    a, b = tmp_path / "x.html", tmp_path / "x.docx"
    assert outputs.publish({a: b"<old a>", b: b"old b"}, tmp_path / "cache").written == [a, b]
    real_replace = os.replace
    calls = []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", second_fails)
    with pytest.raises(RenderError, match="no output was changed"):
        outputs.publish({a: b"<new a>", b: b"new b"}, tmp_path / "cache")
    assert a.read_bytes() == seal.seal(".html", b"<old a>") and b.read_bytes() == b"old b"  # sealed as written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "x.docx", "x.html"]


def test_a_cache_folder_that_cannot_be_used_stops_before_any_output(project, cli):
    outline = project(GOOD)
    (project.root / ".briefgen-cache").write_text("not a folder", encoding="utf-8")
    result = cli("build", outline, "--format", "html")
    assert result.exit_code == 3
    assert "cannot use the cache folder" in result.output and "Traceback" not in result.output
    assert not (project.root / "reports" / "outline.html").exists()
