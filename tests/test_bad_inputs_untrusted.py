"""The bad-input corpus, part two: a project folder from someone else (issue #15).

Each case builds a scratch project in <tmp>/proj through the real CLI and asserts the exit code,
the message and its position, no traceback, the previous output byte-identical, nothing new
written outside the project, and no connection to a real listener on 127.0.0.1 that the hostile
inputs point at. A case that would hang fails after ALARM seconds instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import threading
from pathlib import Path

import pytest

from tests.test_bad_inputs import BASE, OK_ITEM, QUOTE

ROOT = Path(__file__).resolve().parent.parent
ALARM = 60


@pytest.fixture(scope="module")
def listener():
    """A real TCP server on 127.0.0.1 counting the connections it accepts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    seen: list[str] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append("connection")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def case(name, outline=BASE, *, files=None, args=(), code=1, says="", at=None, setup=None, cmd="build",
         fmt="html", written=False):
    return pytest.param(outline, files or {}, list(args), code, says, at, setup, cmd, fmt, written, id=name)


def fifo(rel):
    def make(root):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(target):
            os.unlink(target)
        os.mkfifo(target)
    return make


def link(rel, to):
    """A symlink at rel pointing to `to` ({outside} is a folder beside the project, {self} the link itself)."""
    def make(root):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(target):
            os.unlink(target) if not target.is_dir() or target.is_symlink() else shutil.rmtree(target)
        os.symlink(to.format(outside=root.parent / "outside", self=target), target)
    return make


def folder(rel):
    def make(root):
        if os.path.lexists(root / rel):
            os.unlink(root / rel)
        (root / rel).mkdir(parents=True)
    return make


def unix_socket(rel):
    def make(root):
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(root / rel))
        make.keep = s  # closed with the test process
    return make


def both(*makers):
    def make(root):
        for m in makers:
            m(root)
    return make


def theme(html, css=None):
    files = {"templates/brief.html": html}
    if css is not None:
        files["templates/brief.css"] = css
    return files


PAGE = '<!doctype html><html><head><link rel="stylesheet" href="brief.css"></head><body>\n'
SSTI = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
REGISTRY = "sources/sources.yaml"

CASES = [
    # themes: sandbox, confinement, errors at the template's line
    case("theme-syntax-error", files=theme(PAGE + "<p>\n{% if %}\n</body></html>\n"),
         says="theme template syntax error", at=("brief.html", 3)),
    case("theme-include-missing", files=theme(PAGE + "<p>x</p>\n{% include 'nothere.html' %}\n"),
         says="theme template not found: nothere.html", at=("brief.html", 3)),
    case("theme-include-etc-passwd", files=theme(PAGE + "{% include '/etc/passwd' %}\n"),
         says="theme template not found: /etc/passwd", at=("brief.html", 2)),
    case("theme-include-dotdot", files=theme(PAGE + "\n{% include '../outline.yaml' %}\n"),
         says="theme template not found: ../outline.yaml", at=("brief.html", 3)),
    case("theme-file-symlink-out", files=theme(PAGE + "{% include 'part.html' %}\n"),
         setup=link("templates/part.html", "/etc/passwd"), says="outside the theme folder"),
    case("theme-brief-symlink-out", setup=both(folder("templates"), link("templates/brief.html", "/etc/hostname")),
         says="outside the theme folder"),
    case("theme-extends-absolute", files=theme("{% extends '/etc/passwd' %}\n"),
         says="theme template not found: /etc/passwd", at=("brief.html", 1)),
    case("theme-import-dotdot", files=theme(PAGE + "{% import '../sources/sources.yaml' as x %}\n"),
         says="theme template not found: ../sources/sources.yaml", at=("brief.html", 2)),
    case("theme-subfolder-symlink-out", files=theme(PAGE + "{% include 'parts/passwd' %}\n"),
         setup=link("templates/parts", "/etc"), says="outside the theme folder"),
    case("templates-folder-symlink-out", setup=link("templates", str(ROOT / "templates")),
         says="outside the project folder"),
    case("theme-ssti-globals", files=theme(PAGE + SSTI + "\n"), says="sandbox forbids", at=("brief.html", 2)),
    case("theme-ssti-mro", files=theme(PAGE + "\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n"),
         says="sandbox forbids", at=("brief.html", 3)),
    case("theme-ssti-self", files=theme(PAGE + "{{ self._TemplateReference__context }}\n"),
         says="sandbox forbids", at=("brief.html", 2)),
    case("theme-string-bomb", files=theme(PAGE + "{{ 'x' * 1000000000 }}\n"), says="above 1,000,000 items",
         at=("brief.html", 2)),
    case("theme-range-bomb", files=theme(PAGE + "{% for i in range(10**9) %}{% endfor %}\n"),
         says="theme template failed", at=("brief.html", 2)),
    case("theme-undefined", files=theme(PAGE + "\n\n{{ nosuchthing.attr }}\n"), says="undefined value",
         at=("brief.html", 4)),
    case("theme-css-fifo", files=theme(PAGE + "</body></html>\n"), setup=fifo("templates/brief.css"),
         says="is a named pipe (FIFO), not a regular file"),
    case("theme-css-url-fifo", files=theme(PAGE + '<p>x</p></body></html>\n', "p { background: url(pipe.png) }"),
         setup=fifo("templates/pipe.png"), fmt="pdf", code=0, written=True, says="refused to fetch"),
    case("theme-css-url-etc-passwd", files=theme(PAGE + '<p>x</p></body></html>\n',
                                                 "p { background: url(file:///etc/passwd) }"),
         fmt="pdf", code=0, written=True, says="refused to fetch file:///etc/passwd"),
    case("theme-network", files=theme(PAGE + '<img src="http://127.0.0.1:@PORT@/x.png"></body></html>\n',
                                      "@import url(http://127.0.0.1:@PORT@/a.css);"),
         fmt="pdf", code=0, written=True, says="refused to fetch http://127.0.0.1:"),
    # only regular files, never blocking, never unbounded
    case("outline-fifo", setup=fifo("outline.yaml"), says="outline.yaml is a named pipe (FIFO)"),
    case("outline-dev-zero", setup=link("outline.yaml", "/dev/zero"), says="outline.yaml is a device"),
    case("outline-symlink-loop", setup=link("outline.yaml", "{self}"), says="a symlink loop"),
    case("registry-fifo", setup=fifo(REGISTRY), says="sources.yaml is a named pipe (FIFO)"),
    case("registry-folder", setup=folder(REGISTRY), says="sources.yaml is a folder"),
    case("registry-dev-zero", setup=link(REGISTRY, "/dev/zero"), says="sources.yaml is a device"),
    case("source-fifo", setup=fifo("sources/pipe.txt"), says="pipe.txt is a named pipe (FIFO)"),
    case("source-socket", setup=unix_socket("sources/sock.txt"), says="sock.txt: a socket"),
    case("source-dev-zero", setup=link("sources/zero.txt", "/dev/zero"), args=["--allow-outside"],
         says="zero.txt is a device"),
    case("source-symlink-loop", setup=link("sources/loop.txt", "{self}"), says="loop.txt: a symlink loop"),
    case("sources-folder-loop", BASE + "sources: loop/\n", setup=link("loop", "{self}"), args=["--allow-outside"],
         says="sources folder", at=("outline.yaml", 5)),
    case("reference-docx-fifo", setup=fifo("house.docx"), args=["--reference-docx", "@ROOT@/house.docx"], fmt="docx",
         says="house.docx is a named pipe (FIFO)"),
    # YAML corners
    case("python-tag-on-sequence", 'title: t\nbackground: !!python/tuple\n  - x\n',
         says="YAML tag !!python/tuple is not allowed", at=("outline.yaml", 2)),
    case("local-tag", 'title: !evil t\n' + OK_ITEM, says="YAML tag !evil is not allowed", at=("outline.yaml", 1)),
    case("binary-tag", 'title: !!binary dGl0bGU=\n' + OK_ITEM, says="!!binary is not allowed",
         at=("outline.yaml", 1)),
    case("merge-key-scalar", BASE + 'actors:\n  - <<: 5\n    name: a\n', says="merge key '<<'",
         at=("outline.yaml", 6)),
    case("nul-byte", 'title: t\nsubtitle: "a\x00b"\n' + OK_ITEM, says="character U+0000 is not allowed",
         at=("outline.yaml", 2)),
    case("invalid-utf8", b'title: t\nsubtitle: "abc\xff"\n' + OK_ITEM.encode(), says="invalid byte 0xFF",
         at=("outline.yaml", 2)),
    case("registry-invalid-utf8", files={REGISTRY: b"sources:\n  - {file: hassan.txt, title: \"\xd8\xa7\xc3\"}\n"},
         says="sources.yaml is not UTF-8 text", at=("sources.yaml", 2)),
    case("registry-python-tag", files={REGISTRY: "boilerplate: !!python/object:os.system []\n"},
         says="is not allowed", at=("sources.yaml", 1)),
    # dates
    case("date-unquoted-impossible", BASE + "date: 2024-13-45\n", says="2024-13-45 is not a real date",
         at=("outline.yaml", 5)),
    case("date-quoted-impossible", BASE + 'date: "2023-02-29"\n', says="2023-02-29 is not a real date",
         at=("outline.yaml", 5)),
    case("timeline-date-impossible", BASE + 'timeline:\n  - date: "2024-04-31"\n    text: x\n',
         says="2024-04-31 is not a real date", at=("outline.yaml", 6)),
    case("registry-date-impossible", files={REGISTRY: "sources:\n  - file: hassan.txt\n    date: 2024-00-10\n"},
         says="2024-00-10 is not a real date", at=("sources.yaml", 3)),
    case("front-matter-date-unquoted", files={"sources/note.md": "---\ntitle: t\ndate: 2024-13-45\n---\nنص.\n"},
         says="2024-13-45 is not a real date", at=("note.md", 3)),
    case("front-matter-date-quoted", files={"sources/note.md": '---\ntitle: t\ndate: "2024-02-30"\n---\nنص.\n'},
         says="2024-02-30 is not a real date", at=("note.md", 3)),
    # source ids safe to show
    case("one-file-two-ids", files={REGISTRY: "sources:\n  - {file: hassan.txt, id: a}\n"
                                              "  - {file: hassan.txt, id: b}\n"},
         says="lists 'hassan.txt' twice", at=("sources.yaml", 3)),
    case("mixed-script-file-name", files={"sources/hafry\u0430t2.txt": "نص المقال.\n"},
         says="mixes Latin and Cyrillic letters"),
    case("bidi-in-file-name", files={"sources/note\u202etxt.txt": "نص المقال.\n"},
         says="invisible or bidi character U+202E"),
    case("zero-width-in-file-name", files={"sources/mon\u200bitor2.txt": "نص المقال.\n"},
         says="invisible or bidi character U+200B"),
    case("registry-id-mixed-script", files={REGISTRY: "sources:\n  - {file: hassan.txt, id: \"h\u0430ssan\"}\n"},
         says="mixes Latin and Cyrillic letters", at=("sources.yaml", 2)),
    case("registry-id-bidi", files={REGISTRY: "sources:\n  - {file: hassan.txt, id: \"ab\u202ecd\"}\n"},
         says="invisible or bidi character U+202E", at=("sources.yaml", 2)),
    case("front-matter-id-mixed-script", files={"sources/note.md": "---\nid: \"n\u043ete\"\n---\nنص.\n"},
         says="mixes Latin and Cyrillic letters", at=("note.md", 2)),
    # outputs and the cache
    case("cache-symlink-out", setup=both(folder("../outside"), link(".briefgen-cache", "{outside}")),
         says="outside the project folder"),
    case("cache-symlink-loop", setup=link(".briefgen-cache", "{self}"), code=3, says="cannot use the cache folder"),
    case("output-symlink-out", BASE + "output: out/\n", setup=both(folder("../outside"), link("out", "{outside}")),
         says="outside the project folder", at=("outline.yaml", 5)),
    case("output-symlink-loop", BASE + "output: out/\n", setup=link("out", "{self}"), code=3,
         says="cannot create output folder"),
    case("output-file-fifo", setup=fifo("reports/outline.html"), code=3, says="is a named pipe (FIFO)"),
    case("output-file-dev-zero", setup=link("reports/outline.html", "/dev/zero"), code=3, says="is a device"),
    case("ledger-fifo", setup=fifo(".briefgen-cache/written.json"), code=0, written=True, says="wrote"),
    case("ledger-lock-fifo", setup=fifo(".briefgen-cache/written.json.lock"), code=3,
         says="cannot use the cache folder"),
    case("build-records-symlink-out", setup=both(folder("../outside"), folder(".briefgen-cache"),
                                                  link(".briefgen-cache/builds", "{outside}")),
         fmt="docx", code=0, written=True, says="wrote"),
    case("cache-gitignore-dangling-link", setup=both(folder(".briefgen-cache"),
                                                      link(".briefgen-cache/.gitignore", "{outside}-gitignore")),
         code=0, written=True, says="wrote"),
    case("output-file-symlink-loop", setup=link("reports/outline.html", "{self}"), code=3, says="outline.html"),
    case("out-symlink-loop-batch", setup=both(link("loop", "{self}"),
                                               lambda root: (root / "two.yaml").write_text(BASE, encoding="utf-8")),
         args=["@ROOT@/two.yaml", "--out", "@ROOT@/loop"], code=3, says="cannot create output folder"),
    # numbers on the command line
    case("watch-interval-inf", cmd="watch", args=["--interval", "inf"], code=2, says="'--interval'"),
    case("watch-interval-nan", cmd="watch", args=["--interval", "nan"], code=2, says="'--interval'"),
    case("watch-interval-zero", cmd="watch", args=["--interval", "0"], code=2, says="'--interval'"),
    case("jobs-zero", args=["-j", "0"], code=2, says="'--jobs' / '-j'"),
    # long values
    case("huge-source-id", 'title: t\nbackground:\n  - text: a\n    cite: ["' + "x" * 1_900_000 + '"]\n',
         says="characters)", at=("outline.yaml", 4)),
]


def _outside(tmp: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if not p.is_relative_to(tmp / "proj"))


@pytest.mark.parametrize("outline,files,args,code,says,at,setup,cmd,fmt,written", CASES)
def test_untrusted_input(tmp_path, cli, listener, outline, files, args, code, says, at, setup, cmd, fmt, written):
    port, connections = listener
    before_connections = len(connections)
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "sources", root / "sources")
    reports = root / "reports"
    reports.mkdir()
    previous = reports / f"outline.{fmt}"
    if not written:  # (a build that succeeds refuses to replace a file briefgen did not write: see outputs.py)
        previous.write_bytes(b"the last good brief")
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.replace("@PORT@", str(port)).encode("utf-8")
        target.write_bytes(data)
    path = root / "outline.yaml"
    path.write_bytes(outline if isinstance(outline, bytes) else outline.encode("utf-8"))
    if setup:
        setup(root)
    outside = _outside(tmp_path)

    def hung(signum, frame):
        raise TimeoutError("the build blocked")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(ALARM)
    try:
        result = cli(cmd, path, "--format", fmt, *(a.replace("@ROOT@", str(root)) for a in args))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert result.exit_code == code, result.output
    assert says in result.output, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    if at:
        file, line = at
        assert any(file in row and f":{line}:" in row for row in result.output.splitlines()
                   if ": error:" in row or ": warning:" in row), result.output
    if written:
        assert previous.stat().st_size > 500
    elif previous.is_file() and not previous.is_symlink():  # (cases where the output is a FIFO, device or loop)
        assert previous.read_bytes() == b"the last good brief"
        assert sorted(p.name for p in reports.iterdir()) == [previous.name]
    assert _outside(tmp_path) == outside, "something was written outside the project"
    assert len(connections) == before_connections, "a connection was made"


def test_the_untrusted_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_cache_symlinked_out_of_the_project_stays_empty(tmp_path, cli):
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "sources", root / "sources")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", root / ".briefgen-cache")
    (root / "outline.yaml").write_text(BASE, encoding="utf-8")
    for _ in range(2):
        result = cli("build", root / "outline.yaml", "--format", "html")
        assert result.exit_code == 1 and "outside the project folder" in result.output, result.output
        assert cli("check", root / "outline.yaml").exit_code == 0
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_an_explicit_key_beside_a_merge_key_wins(tmp_path, cli):
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "sources", root / "sources")
    outline = (BASE + "actors:\n  - &base {name: a, role: r}\n  - <<: *base\n    name: b\n")
    (root / "outline.yaml").write_text(outline, encoding="utf-8")
    result = cli("build", root / "outline.yaml", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (root / "reports" / "outline.html").read_text(encoding="utf-8")
    assert "duplicate" not in result.output
    assert html.count(">r<") >= 2 or html.count("r</td>") >= 2, "the merged role is in both rows"


def test_the_quote_of_the_corpus_is_real():
    assert QUOTE in (ROOT / "sources" / "hafryat.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("content,says,at", [
    ("سطر أول.\nسطر\x00 ثان.\n".encode(), "looks like a binary file", ":2:4: error"),
    (b"line one\nline two\nabc \x81\x8d\x8f\x90 \xff\n", "cannot decode bad.txt", ":3:5: error"),
])
def test_a_nul_or_undecodable_byte_in_an_article_is_shown_at_its_line(tmp_path, cli, content, says, at):
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "sources", root / "sources")
    (root / "sources" / "bad.txt").write_bytes(content)
    (root / "outline.yaml").write_text(BASE, encoding="utf-8")
    result = cli("check", root / "outline.yaml")
    assert result.exit_code == 1 and says in result.output and "bad.txt" + at in result.output, result.output
