"""LibreOffice sessions for the round-trip tests: a DOCX opened, edited, saved, closed and reopened
in the real office suite through UNO, and what the suite then shows (footnote texts, bookmarks).

Two halves in one file:
- run under Debian's /usr/bin/python3 (python3-uno) as a script, it connects to a running soffice,
  reads a JSON job on stdin and prints a JSON report;
- imported by the tests (the venv's Python, no uno), `Office` starts one headless soffice with its own
  profile and `Office.session(...)` runs the script in a subprocess.

A job: {"port": N, "path": in.docx, "out": out.docx, "sessions": 2, "author": "Layla Editor",
        "track": true, "edits": [...]}. Edits are made in the first session, in order:
  {"op": "type_after"|"type_before", "find": TEXT, "text": NEW}   type NEW right after/before TEXT
  {"op": "replace", "find": TEXT, "text": NEW}                   overwrite TEXT ("" deletes it)
  {"op": "footnote_after", "find": TEXT, "text": NOTE}           insert a footnote after TEXT
  {"op": "delete_footnote", "index": I}                          remove the I-th footnote (0-based)
  {"op": "edit_footnote", "index": I, "find": OLD, "text": NEW}  edit inside the I-th footnote
  {"op": "split_after", "find": TEXT}                            a paragraph break after TEXT
  {"op": "join_after", "find": TEXT}                             the paragraph holding TEXT joined with the next
  {"op": "type_at_end", "find": TEXT, "text": NEW}               type NEW at the end of TEXT's paragraph
  {"op": "track", "on": BOOL}                                    turn change tracking on or off
  {"op": "accept_all"} / {"op": "reject_all"}                    accept or reject every tracked change
Each session saves as "MS Word 2007 XML" (sessions before the last to OUT.sN.docx), closes the
document, reopens the saved file and reports {"footnotes": [text as shown], "bookmarks": [names],
"redlines": count}; the next session opens that saved file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

UNO_PYTHON = "/usr/bin/python3"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def have_office() -> str | None:
    """None if LibreOffice and python3-uno are usable, else the reason they are not."""
    if not SOFFICE:
        return "LibreOffice (soffice) is not installed"
    if not Path(UNO_PYTHON).exists():
        return f"{UNO_PYTHON} is missing (UNO runs with Debian's Python)"
    probe = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=60)
    if probe.returncode != 0:
        return "python3-uno is not installed (import uno fails in /usr/bin/python3)"
    return None


class Office:
    """One headless soffice with its own profile, listening on 127.0.0.1 (stop() ends it and its children)."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.folder = folder
        self.proc = subprocess.Popen(
            [SOFFICE, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             f"-env:UserInstallation=file://{folder / 'profile'}",
             f"--accept=socket,host=127.0.0.1,port={self.port};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def session(self, path: Path, out: Path, sessions: int = 1, edits: list | None = None, track: bool = False,
                author: str = "Layla Editor", timeout: float = 240) -> list[dict]:
        """Run the edits and save → close → reopen `sessions` times; the report of each session."""
        job = {"port": self.port, "path": str(Path(path).resolve()), "out": str(Path(out).resolve()),
               "sessions": sessions, "edits": edits or [], "track": track, "author": author}
        done = subprocess.run([UNO_PYTHON, __file__], input=json.dumps(job, ensure_ascii=False).encode("utf-8"),
                              capture_output=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"LibreOffice session failed: {done.stderr.decode('utf-8', 'replace')[-2000:]}")
        return json.loads(done.stdout)["sessions"]

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# -- the UNO side (runs under /usr/bin/python3) ------------------------------------------------------

def _prop(name, value):
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _connect(port: int, wait: float = 90.0):
    import uno

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + wait
    while True:
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            break
        except Exception:  # noqa: BLE001 - NoConnectException until soffice listens
            if time.time() > deadline:
                raise
            time.sleep(0.3)
    return ctx, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def _set_author(ctx, name: str) -> None:
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                  (_prop("nodepath", "/org.openoffice.UserProfile/Data"),))
    first, _, last = name.partition(" ")
    access.setPropertyValue("givenname", first)
    access.setPropertyValue("sn", last)
    access.commitChanges()


def _url(path: str) -> str:
    import uno

    return uno.systemPathToFileUrl(path)


def _find(doc, text: str):
    sd = doc.createSearchDescriptor()
    sd.SearchString = text
    found = doc.findFirst(sd)
    if found is None:
        raise SystemExit(f"text not found in the document: {text!r}")
    return found


def _dispatch(ctx, doc, command: str) -> None:
    helper = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    helper.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, ())


def _edit(ctx, doc, e: dict) -> None:
    from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK

    op = e["op"]
    if op in ("type_after", "type_before", "replace", "footnote_after", "split_after", "join_after", "type_at_end"):
        found = _find(doc, e["find"])
        text = found.getText()
    if op == "type_after":
        text.insertString(found.getEnd(), e["text"], False)
    elif op == "type_before":
        text.insertString(found.getStart(), e["text"], False)
    elif op == "replace":
        found.setString(e["text"])
    elif op == "footnote_after":
        note = doc.createInstance("com.sun.star.text.Footnote")
        text.insertTextContent(found.getEnd(), note, False)
        note.setString(e["text"])
    elif op == "delete_footnote":
        note = doc.getFootnotes().getByIndex(e["index"])
        note.getAnchor().getText().removeTextContent(note)
    elif op == "edit_footnote":
        note = doc.getFootnotes().getByIndex(e["index"])
        whole = note.getString()
        at = whole.index(e["find"])
        cursor = note.createTextCursor()
        cursor.gotoStart(False)
        cursor.goRight(at, False)
        cursor.goRight(len(e["find"]), True)
        cursor.setString(e["text"])
    elif op == "split_after":
        text.insertControlCharacter(found.getEnd(), PARAGRAPH_BREAK, False)
    elif op == "join_after":
        cursor = text.createTextCursorByRange(found.getEnd())
        cursor.gotoEndOfParagraph(False)
        cursor.goRight(1, True)  # the paragraph mark
        cursor.setString("")
    elif op == "type_at_end":
        cursor = text.createTextCursorByRange(found.getEnd())
        cursor.gotoEndOfParagraph(False)
        text.insertString(cursor, e["text"], False)
    elif op == "track":
        doc.setPropertyValue("RecordChanges", bool(e["on"]))
    elif op == "accept_all":
        _dispatch(ctx, doc, ".uno:AcceptAllTrackedChanges")
    elif op == "reject_all":
        _dispatch(ctx, doc, ".uno:RejectAllTrackedChanges")
    else:
        raise SystemExit(f"unknown edit {op!r}")


def _report(doc) -> dict:
    notes = doc.getFootnotes()
    return {"footnotes": [notes.getByIndex(i).getString() for i in range(notes.getCount())],
            "bookmarks": list(doc.getBookmarks().getElementNames()),
            "redlines": _count(doc.getRedlines().createEnumeration())}


def _count(enum) -> int:
    n = 0
    while enum.hasMoreElements():
        enum.nextElement()
        n += 1
    return n


def _main() -> None:
    job = json.load(sys.stdin)
    ctx, desktop = _connect(job["port"])
    if job.get("author"):
        _set_author(ctx, job["author"])
    hidden = (_prop("Hidden", True),)
    source, sessions, reports = job["path"], job.get("sessions", 1), []
    for n in range(sessions):
        doc = desktop.loadComponentFromURL(_url(source), "_blank", 0, hidden)
        if n == 0:
            if job.get("track"):
                doc.setPropertyValue("RecordChanges", True)
            for e in job.get("edits", []):
                _edit(ctx, doc, e)
        out = job["out"] if n == sessions - 1 else f"{job['out']}.s{n + 1}.docx"
        doc.storeToURL(_url(out), (_prop("FilterName", "MS Word 2007 XML"), _prop("Overwrite", True)))
        doc.close(True)
        doc = desktop.loadComponentFromURL(_url(out), "_blank", 0, hidden)
        reports.append({"saved": out, **_report(doc)})
        doc.close(True)
        source = out
    print(json.dumps({"sessions": reports}, ensure_ascii=False))


if __name__ == "__main__":
    _main()
