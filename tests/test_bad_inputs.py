"""A corpus of bad inputs: each gets one clear message with its position, no traceback, and
leaves the previous output byte-identical."""

from __future__ import annotations

import os

import pytest

QUOTE = "لا يمكن لهذا التحالف أن يبقى إلى ما لا نهاية"
OK_ITEM = f'background:\n  - text: "x"\n    cite: [{{source: hafryat, quote: "{QUOTE}"}}]\n'
BASE = 'title: "t"\n' + OK_ITEM


def case(name, outline=BASE, *, files=None, args=(), code=1, says="", at=None, setup=None):
    return pytest.param(outline, files or {}, list(args), code, says, at, setup, id=name)


def _symlink_out(root):
    target = root.parent / f"{root.name}-outside.txt"
    target.write_text("نص خارج المشروع.", encoding="utf-8")
    os.symlink(target, root / "sources" / "outside.txt")


def _outside_sources(root):
    (root.parent / f"{root.name}-src").mkdir()


CASES = [
    # YAML syntax
    case("unclosed-bracket", 'title: [unclosed\n', says="YAML syntax error", at=(2, 1)),
    case("colon-in-value", 'title: a: b\n', says="a value containing ': ' must be quoted", at=(1, 9)),
    case("tab-indent", 'title: x\nbackground:\n\t- a\n', says="tabs", at=(3, 1)),
    case("unterminated-quote", 'title: "abc\n', says="YAML syntax error", at=(2, 1)),
    case("duplicate-key", 'title: a\ntitle: b\n', says="duplicate key 'title'", at=(2, 1)),
    case("bad-indent", 'title: x\nbackground:\n  - text: a\n   cite: [b]\n', says="YAML syntax error", at=(4, 4)),
    # wrong types
    case("title-list", 'title: [a, b]\n', says="title: Input should be a valid string", at=(1, 8)),
    case("background-mapping", 'title: x\nbackground: {a: 1}\n', says="Input should be a valid list", at=(2, 13)),
    case("cite-number", 'title: x\nbackground:\n  - text: a\n    cite: [5]\n', says="background.0.cite.0", at=(4, 12)),
    case("para-string", 'title: x\nbackground:\n  - text: a\n    cite: [{source: hafryat, para: x}]\n',
         says="para: Input should be a valid integer", at=(4, 36)),
    case("para-zero", 'title: x\nbackground:\n  - text: a\n    cite: [{source: hafryat, para: 0}]\n',
         says="greater than or equal to 1", at=(4, 36)),
    case("lang-fr", BASE + 'lang: fr\n', says="Input should be 'ar' or 'en'", at=(5, 7)),
    case("actor-without-name", 'title: x\nactors:\n  - role: r\n', says="missing required key 'actors.0.name'", at=(3, 5)),
    case("position-without-points", 'title: x\npositions:\n  - actor: a\n', says="'positions.0.points'", at=(3, 5)),
    case("risk-without-text", 'title: x\nrisks:\n  - title: r\n', says="'risks.0.text'", at=(3, 5)),
    case("outline-list", '- a\n- b\n', says="outline must be a mapping", at=(1, 1)),
    case("outline-scalar", 'just a sentence\n', says="outline must be a mapping", at=(1, 1)),
    case("empty-text", 'title: x\nbackground:\n  - text: ""\n', says="at least 1 character", at=(3, 11)),
    # missing and unknown keys
    case("missing-title", OK_ITEM, says="missing required key 'title'", at=(1, 1)),
    case("unknown-top-key", BASE + 'summery: [a]\n', says="unknown key 'summery'", at=(5, 1)),
    case("unknown-cite-key", 'title: x\nbackground:\n  - text: a\n    cite: [{source: hafryat, qoute: "x"}]\n',
         says="did you mean 'quote'?", at=(4, 30)),
    case("unknown-actor-key", 'title: x\nactors:\n  - name: a\n    rol: b\n', says="did you mean 'role'?", at=(4, 5)),
    # citations
    case("unknown-source", 'title: x\nbackground:\n  - text: a\n    cite: [hafryatt]\n',
         says="did you mean 'hafryat'?", at=(4, 12)),
    case("unknown-marker-source", 'title: x\nbackground:\n  - "a [@monitr]"\n', says="did you mean 'monitor'?",
         at=(3, 5)),
    case("para-out-of-range", 'title: x\nbackground:\n  - text: a\n    cite: [{source: hassan, para: 99}]\n',
         says="'hassan' has 10 paragraphs, not ¶99", at=(4, 35)),
    case("quote-not-found", BASE.replace("ما لا نهاية", "الأبد"), says="quote not found in source 'hafryat'",
         at=(4, 37)),
    case("quote-other-source", BASE.replace("source: hafryat", "source: monitor"),
         says="not in 'monitor' but is in 'hafryat'", at=(4, 37)),
    # sources
    case("sources-missing", BASE + 'sources: nowhere/\n', says="sources folder not found"),
    case("sources-outside", BASE + 'sources: ../{root}-src\n', says="outside the project folder", at=(5, 10),
         setup=_outside_sources),
    case("symlink-outside", setup=_symlink_out, says="outside the project folder"),
    case("registry-unknown-key", files={"sources/sources.yaml": "sources:\n  - file: hassan.txt\n    publsher: x\n"},
         says="did you mean 'publisher'?", at=(3, 5)),
    case("registry-missing-file", files={"sources/sources.yaml": "sources:\n  - file: nothere.txt\n"},
         says="lists 'nothere.txt'", at=(2, 11)),
    case("registry-bad-yaml", files={"sources/sources.yaml": "sources: [\n"}, says="YAML syntax error"),
    case("registry-duplicate-id", files={"sources/sources.yaml":
                                         "sources:\n  - {file: hassan.txt, id: dup}\n  - {file: elaph.txt, id: dup}\n"},
         says="two sources have the id 'dup'"),
    case("registry-bad-pattern", files={"sources/sources.yaml": "boilerplate: ['[unclosed']\n"},
         says="invalid boilerplate pattern", at=(1, 15)),
    case("undecodable-source", files={"sources/bad.txt": b"\xff\xfe\x00\xd8" * 0 + b"abc \x81\x8d\x8f\x90 \xff"},
         says="cannot decode bad.txt"),
    case("binary-source", files={"sources/blob.txt": bytes(range(256)) * 4}, says="blob.txt looks like a binary file"),
    case("source-over-own-limit", files={"sources/sources.yaml": "max_source_mb: 0.005\n"},
         says="elaph.txt is 8,517 bytes, above the 5,242-byte limit"),
    case("huge-source", files={"sources/huge.txt": "كلمة ".encode() * 2_400_000}, says="above the 20,971,520-byte limit"),
    # the outline file itself
    case("control-char-in-yaml", 'title: "a\x07b"\n', says="character U+0007 is not allowed in YAML", at=(1, 10)),
    case("empty-outline", '', says="outline is empty", at=(1, 1)),
    case("binary-outline", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", says="outline is not UTF-8"),
    case("huge-outline", 'title: x\n' + "# padding\n" * 300_000, says="above the 2,097,152-byte limit"),
    case("alias-bomb", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f'{chr(98 + i)}: &{chr(98 + i)} [' + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(6)) + "title: x\n",
         says="YAML expands to more than 100,000 values"),
    case("deep-nesting", "title: x\nz: " + "[" * 80 + "]" * 80 + "\n", says="nested deeper than 64 levels"),
    # output and usage
    case("output-is-a-file", BASE + "output: afile\n", files={"afile": "x"}, code=3, says="cannot create output folder"),
    case("unknown-format", args=["--format", "pdf,odt"], code=2, says="unknown format 'odt'"),
]


@pytest.mark.parametrize("outline,files,args,code,says,at,setup", CASES)
def test_bad_input(tmp_path, project, cli, outline, files, args, code, says, at, setup):
    root = project.root
    reports = root / "reports"
    reports.mkdir()
    previous = reports / "outline.html"
    previous.write_bytes(b"<p>the last good brief</p>")
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if setup:
        setup(root)
    path = root / "outline.yaml"
    path.write_bytes(outline if isinstance(outline, bytes) else outline.replace("{root}", root.name).encode("utf-8"))
    result = cli("build", path, "--format", "html", *args)
    assert result.exit_code == code, result.output
    assert says in result.output
    assert "Traceback" not in result.output
    if at:
        assert f":{at[0]}:{at[1]}: error" in result.output, result.output
    assert previous.read_bytes() == b"<p>the last good brief</p>"
    assert sorted(p.name for p in reports.iterdir()) == ["outline.html"]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40


INJECTIONS = [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("{{ 7*7 }} {% if 1 %}x{% endif %}", "{{ 7*7 }} {% if 1 %}x{% endif %}"),
    ('"><img src=x onerror=alert(1)>', "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"),
]


@pytest.mark.parametrize("payload,escaped", INJECTIONS)
def test_outline_text_is_data_in_html(project, cli, payload, escaped):
    path = project(BASE.replace('title: "t"', "title: " + repr(payload).replace("\\\\", "\\")))
    result = cli("build", path, "--format", "html")
    assert result.exit_code == 0, result.output
    html = (project.root / "reports" / "outline.html").read_text(encoding="utf-8")
    assert escaped in html


def test_control_and_unbalanced_bidi_characters_are_removed_and_reported(project, cli):
    path = project(BASE.replace('title: "t"', 'title: "a\\x01b \\u202eevil"'))
    result = cli("check", path)
    assert result.exit_code == 0
    assert "control character U+0001 removed" in result.output
    assert "U+202E removed (unbalanced)" in result.output
    assert ":1:8: warning" in result.output
    result = cli("build", path, "--format", "html")
    html = (project.root / "reports" / "outline.html").read_text(encoding="utf-8")
    assert "\u202e" not in html and "\x01" not in html and "ab evil" in html


def test_bidi_controls_in_a_source_are_reported_with_line_and_column(project, cli):
    (project.root / "sources" / "x.txt").write_text("سطر أول.\nفي \u2067English\u2069 نص.\n", encoding="utf-8")
    result = cli("check", project(BASE))
    assert "x.txt:2:4: warning: bidi control character U+2067 kept (balanced)" in result.output


def test_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    from briefgen.run import pipeline

    target = tmp_path / "brief.pdf"
    target.write_bytes(b"old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.pdf"]
