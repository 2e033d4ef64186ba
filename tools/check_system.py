"""Set-up check: the system libraries WeasyPrint needs (Pango) are present, or say how to install them."""

import ctypes.util
import os
import shutil
import sys

missing = []
if not ctypes.util.find_library("pango-1.0") or not ctypes.util.find_library("pangoft2-1.0"):
    missing.append("libpango-1.0-0 libpangoft2-1.0-0")
if missing:
    sys.exit("briefgen needs Pango for PDF output. Install it with:\n"
             f"  sudo apt-get install -y {' '.join(missing)}")
if not ctypes.util.find_library("harfbuzz-subset"):
    print("note: without HarfBuzz's subsetter WeasyPrint embeds fonts with fontTools, about 1 s slower per PDF;"
          " install it with: sudo apt-get install -y libharfbuzz-subset0", file=sys.stderr)
optional = {"soffice": "libreoffice-writer", "pdftotext": "poppler-utils", "pandoc": "pandoc", "qpdf": "qpdf",
            "chromium": "chromium"}
absent = [pkg for tool, pkg in optional.items() if not shutil.which(tool)]
if shutil.which("soffice") \
        and not os.path.exists("/usr/lib/python3/dist-packages/uno.py"):
    absent.append("python3-uno")
if absent:
    print("note: some tests need " + ", ".join(absent) +
          f"; install with: sudo apt-get install -y {' '.join(absent)}", file=sys.stderr)
