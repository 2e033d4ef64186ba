"""Watch mode: the loop is driven with a fake sleep that edits files between polls."""

from __future__ import annotations

from briefgen.run import pipeline, watch

GOOD = "title: t\nsummary:\n  - text: نص\n    cite: [hafryat]\n"


def _drive(outline, edits, formats=("html",)):
    """Run the loop for len(edits) polls; edit i runs in place of the i-th sleep."""
    events = []
    steps = iter(edits)

    def sleep(_):
        next(steps)()

    builds = watch.watch(outline, list(formats), pipeline.Options(out_dir=outline.parent / "out"), interval=0,
                         iterations=len(edits), sleep=sleep, report=events.append)
    assert builds == len(events)
    return events


def test_rebuilds_after_outline_and_source_edits_only(project):
    outline = project(GOOD)
    source = project.root / "sources" / "hafryat.txt"
    html = project.root / "out" / "outline.html"
    events = _drive(outline, [
        lambda: None,  # nothing changed: no rebuild
        lambda: outline.write_text(GOOD.replace("title: t", "title: عنوان جديد"), encoding="utf-8"),
        lambda: source.write_text(source.read_text(encoding="utf-8") + "\n\nفقرة مضافة.\n", encoding="utf-8"),
        lambda: None,
    ])
    assert [e.ok for e in events] == [True, True, True]
    assert events[0].changed == [] and events[1].changed == [str(outline)] and events[2].changed == [str(source)]
    assert "عنوان جديد" in html.read_text(encoding="utf-8")


def test_an_error_is_reported_and_watching_goes_on(project):
    outline = project(GOOD)
    html = project.root / "out" / "outline.html"
    events = _drive(outline, [
        lambda: outline.write_text(GOOD.replace("[hafryat]", "[nosuch]"), encoding="utf-8"),
        lambda: outline.write_text(GOOD.replace("title: t", "title: fixed"), encoding="utf-8"),
    ])
    assert [e.ok for e in events] == [True, False, True]
    assert any(d.code == "unknown-source" for d in events[1].errors)
    assert "fixed" in html.read_text(encoding="utf-8")


def test_a_template_change_triggers_a_rebuild(project):
    import shutil

    from .conftest import ROOT

    shutil.copytree(ROOT / "templates", project.root / "templates")
    outline = project(GOOD)
    css = project.root / "templates" / "brief.css"
    events = _drive(outline, [lambda: css.write_text(css.read_text(encoding="utf-8") + "\n/* x */\n",
                                                      encoding="utf-8")])
    assert len(events) == 2 and events[1].changed == [str(css)]
    assert "/* x */" in (project.root / "out" / "outline.html").read_text(encoding="utf-8")


def test_ctrl_c_ends_the_loop(project):
    outline = project(GOOD)

    def interrupt(_):
        raise KeyboardInterrupt

    try:
        watch.watch(outline, ["html"], pipeline.Options(out_dir=project.root / "out"), interval=0, sleep=interrupt)
    except KeyboardInterrupt:
        pass
    else:  # pragma: no cover
        raise AssertionError("the loop swallowed Ctrl-C")


def test_the_watch_command_exits_cleanly_on_ctrl_c(project, cli, monkeypatch):
    outline = project(GOOD)

    def fake_watch(*args, **kwargs):
        kwargs["report"](watch.Event(1, True, 0.1, pipeline.build(outline, ["html"], pipeline.Options(
            out_dir=project.root / "out"))))
        raise KeyboardInterrupt

    monkeypatch.setattr(watch, "watch", fake_watch)
    result = cli("watch", outline, "--format", "html")
    assert result.exit_code == 0
    assert "built" in result.output and "stopped watching" in result.output


def test_help_does_not_import_the_renderers():
    import subprocess
    import sys

    code = ("import sys\nfrom briefgen.cli import app\nfrom typer.testing import CliRunner\n"
            "CliRunner().invoke(app, ['--help'])\n"
            "print(sorted(m for m in ('weasyprint', 'docx', 'briefgen.read.outline') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
