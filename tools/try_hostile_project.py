"""A hostile project tried against briefgen: each attack is its own build; prints what each one got.

Run: .venv/bin/python tools/try_hostile_project.py   (about a minute; writes only to a temporary folder)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUOTE = "لا يمكن لهذا التحالف أن يبقى إلى ما لا نهاية"
OUTLINE = f'title: "t"\nbackground:\n  - text: "x"\n    cite: [{{source: hafryat, quote: "{QUOTE}"}}]\n'
HEAD = '<!doctype html><html lang="ar"><head><link rel="stylesheet" href="brief.css"></head><body>\n'
GLOBALS = "lipsum.__globals__['__builtins__']"


def attacks(port: int, mark: Path) -> dict[str, tuple[str, str, bool]]:
    """name -> (brief.html, brief.css, whether templates/pw.html links to /etc/passwd)."""
    web = f"http://127.0.0.1:{port}"
    return {
        "read: include /etc/passwd": (HEAD + "{% include '/etc/passwd' %}", "", False),
        "read: include ../../../etc/passwd": (HEAD + "{% include '../../../../../etc/passwd' %}", "", False),
        "read: symlinked template -> /etc/passwd": (HEAD + "{% include 'pw.html' %}", "", True),
        "read: SSTI os.popen cat /etc/passwd": (HEAD + "{{ cycler.__init__.__globals__.os.popen('cat /etc/passwd')"
                                                ".read() }}", "", False),
        "read: SSTI __subclasses__": (HEAD + "{{ ''.__class__.__mro__[1].__subclasses__() }}", "", False),
        "read: SSTI builtins open": (HEAD + "{{ " + GLOBALS + "['open']('/etc/passwd').read() }}", "", False),
        "read: <img src=file:///etc/passwd>": (HEAD + "<p>x</p><img src='file:///etc/passwd'>", "", False),
        "read: css url(file:///etc/passwd)": (HEAD + "<p>x</p>", "p { background: url(file:///etc/passwd) }", False),
        "read: <link href=/etc/passwd>": (HEAD.replace("brief.css", "/etc/passwd") + "<p>x</p>", "", False),
        "socket: <img src=http://127.0.0.1>": (HEAD + f"<img src='{web}/a.png'>", "", False),
        "socket: css @import http": (HEAD + "<p>x</p>", f"@import url({web}/a.css);", False),
        "socket: @font-face http": (HEAD + "<p style='font-family:X'>x</p>",
                                    f"@font-face {{ font-family: X; src: url({web}/f.ttf) }}", False),
        "socket: SSTI os.system nc": (HEAD + "{{ cycler.__init__.__globals__.os.system('nc 127.0.0.1 "
                                      f"{port}') }}}}", "", False),
        "write: SSTI open(..., 'w')": (HEAD + "{{ " + GLOBALS + f"['open']('{mark}', 'w').write('x') }}}}", "",
                                       False),
        "write: SSTI os.system touch": (HEAD + "{{ self.__init__.__globals__.__builtins__.__import__('os')"
                                        f".system('touch {mark}') }}}}", "", False),
        "write: dict.update on briefgen's labels": (HEAD + "{% set _ = labels.update({'x': 1}) %}", "", False),
        "cpu/memory: 'x' * 10**9": (HEAD + "{{ 'x' * 1000000000 }}", "", False),
        "cpu/memory: range(10**9)": (HEAD + "{% for i in range(1000000000) %}{% endfor %}", "", False),
    }


def main() -> None:
    here = Path(tempfile.mkdtemp(prefix="briefgen-hostile-"))
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    port, connections = server.getsockname()[1], []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            connections.append(1)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    mark = here / "PWNED"
    for name, (html, css, passwd_link) in attacks(port, mark).items():
        proj = here / "proj"
        shutil.rmtree(proj, ignore_errors=True)
        shutil.copytree(REPO / "sources", proj / "sources")
        (proj / "templates").mkdir()
        (proj / "templates" / "brief.html").write_text(html + "\n</body></html>\n", encoding="utf-8")
        (proj / "templates" / "brief.css").write_text(css, encoding="utf-8")
        if passwd_link:
            os.symlink("/etc/passwd", proj / "templates" / "pw.html")
        (proj / "outline.yaml").write_text(OUTLINE, encoding="utf-8")
        before = len(connections)
        done = subprocess.run([sys.executable, "-m", "briefgen", "build", str(proj / "outline.yaml"), "--format",
                               "pdf,html"], capture_output=True, text=True, timeout=300)
        said = [row for row in (done.stdout + done.stderr).splitlines() if "error" in row or "refused" in row]
        out = proj / "reports" / "outline.html"
        leaked = out.exists() and "root:x:0:0" in out.read_text(encoding="utf-8")
        shown = said[0].replace(str(proj), "<proj>")[:170] if said else "(no message)"
        print(f"- {name}: exit {done.returncode}; {shown}; /etc/passwd in output: {leaked}; "
              f"connections: {len(connections) - before}; file written outside: {mark.exists()}")
    shutil.rmtree(here, ignore_errors=True)


if __name__ == "__main__":
    main()
