"""Drive LibreOffice through UNO on a redline DOCX: count its tracked changes, accept or reject them all.

Run with Debian's Python (which has the `uno` bridge), not the venv's:
    /usr/bin/python3 tests/lo_redline.py PROFILE_DIR OUT.json FILE.docx [FILE.docx ...]
For each file it writes {"redlines": N, "authors": [...], "text": …, "accepted": …, "rejected": …}:
the body text as the suite shows it as loaded, after Accept All and after Reject All.
"""

import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(profile):
    pipe = f"briefgen_redline_{os.getpid()}"
    office = subprocess.Popen(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
                               "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
    for _ in range(240):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return office, ctx
        except Exception:
            time.sleep(0.25)
    office.kill()
    raise SystemExit("LibreOffice did not answer on its UNO pipe")


def body_text(doc):
    return doc.getText().getString()


def main():
    profile, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    office, ctx = connect(profile)
    smgr = ctx.ServiceManager
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    results = {}
    try:
        for path in files:
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            entry = {}
            for action in ("count", "accepted", "rejected"):
                doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", False),))
                try:
                    if action == "count":
                        redlines = list(_enumerate(doc.getRedlines()))
                        entry["redlines"] = len(redlines)
                        entry["authors"] = sorted({r.getPropertyValue("RedlineAuthor") for r in redlines})
                        entry["types"] = sorted({r.getPropertyValue("RedlineType") for r in redlines})
                        entry["text"] = body_text(doc)
                    else:
                        command = ".uno:AcceptAllTrackedChanges" if action == "accepted" else \
                            ".uno:RejectAllTrackedChanges"
                        frame = doc.getCurrentController().getFrame()
                        dispatcher.executeDispatch(frame, command, "", 0, ())
                        entry[action] = body_text(doc)
                        entry[action + "_left"] = len(list(_enumerate(doc.getRedlines())))
                finally:
                    doc.close(True)
            results[path] = entry
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)


def _enumerate(container):
    e = container.createEnumeration()
    while e.hasMoreElements():
        yield e.nextElement()


if __name__ == "__main__":
    main()
