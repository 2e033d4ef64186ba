"""Copy-paste fidelity: the share of the brief's own words that pdftotext recovers from its PDF.

Usage: python bench/fidelity.py [OUTLINE] [--css EXTRA_CSS ...]
Prints one figure per variant: recovered words / all words (multiset), and the first misses.
"""

from __future__ import annotations

import argparse
import collections
import html as html_lib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefgen.arabic import words  # noqa: E402
from briefgen.render import html as html_renderer  # noqa: E402
from briefgen.render import pdf as pdf_renderer  # noqa: E402
from briefgen.run import pipeline  # noqa: E402

MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible_text(page: str) -> str:
    body = re.sub(r"(?s)<style.*?</style>|<head.*?</head>", " ", page)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def fidelity(page: str, templates: Path, project: Path) -> tuple[float, list[str]]:
    pdf, _, _ = pdf_renderer.render(page, templates, [templates, project])
    return share(page, pdf)


def share(page: str, pdf: bytes) -> tuple[float, list[str]]:
    """Recovered share of the page's words, and the words pdftotext lost."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", fh.name, "-"], capture_output=True, text=True,
                             check=True).stdout
    want = collections.Counter(w for w in words(visible_text(page)) if not w.isdigit() or len(w) > 2)
    # pdftotext wraps each left-to-right run of a right-to-left line in LRE…PDF and puts the run's
    # space inside it on the wrong side (" .5" then the next word): the marks are run boundaries.
    got = collections.Counter(words(MARKS.sub(" ", out)))
    hit = sum(min(n, got[w]) for w, n in want.items())
    misses = [w for w, n in want.items() if got[w] < n]
    return hit / sum(want.values()), misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("outline", nargs="?", default=str(ROOT / "outline.yaml"))
    parser.add_argument("--css", action="append", default=[], help="extra CSS to compare against the theme")
    args = parser.parse_args()
    checked = pipeline.check(Path(args.outline))
    if not checked.ok:
        sys.exit("the outline has errors; run briefgen check")
    project = checked.loaded.base
    templates = pipeline.template_dir(project)
    base = html_renderer.render(checked.brief, templates)
    for label, css in [("theme", ""), *[(c, c) for c in args.css]]:
        page = base.replace("</head>", f"<style>{css}</style></head>") if css else base
        share, misses = fidelity(page, templates, project)
        print(f"{share:7.2%}  {label}   misses: {' '.join(misses[:10])}")


if __name__ == "__main__":
    main()
