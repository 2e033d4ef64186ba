"""Generate the README's gallery: a PNG crop of each section of the sample brief.

Run by `make docs-images` after it has built reports/outline.pdf:

    python docs/gallery.py outline.yaml reports/outline.pdf docs/images

Each section's position comes from the PDF's own bookmarks (page and top), so the crops follow
the layout whatever it becomes; the images are rendered by pdftoppm, never edited by hand.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from briefgen.run import pipeline

DPI = 70
HEIGHT = 330  # points shown below a section heading (less if the page ends first)
MARGIN = 12  # points above the heading
GALLERY = ("summary", "key_judgments", "timeline", "actors", "positions", "risks")


def bookmarks(pdf: Path) -> list[tuple[str, int, float]]:
    """Top-level bookmarks: (title, page index, top in points from the page bottom)."""
    reader = PdfReader(pdf)
    found = []
    for item in reader.outline:
        if isinstance(item, list):
            continue
        found.append((str(item.title), reader.get_destination_page_number(item), float(item.get("/Top", 0))))
    return found


def crop(pdf: Path, page: int, top: float, bottom: float, page_width: float, page_height: float,
         target: Path) -> None:
    scale = DPI / 72
    y = max(0.0, page_height - top - MARGIN)
    height = min(page_height, page_height - bottom) - y
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page + 1), "-l", str(page + 1), "-singlefile",
                    "-x", "0", "-y", str(round(y * scale)), "-W", str(round(page_width * scale)),
                    "-H", str(round(height * scale)), str(pdf), str(target.with_suffix(""))], check=True)


def main(outline: Path, pdf: Path, folder: Path) -> None:
    checked = pipeline.check(outline)
    if checked.brief is None:
        sys.exit(f"{outline} does not check; run briefgen check {outline}")
    reader = PdfReader(pdf)
    marks = bookmarks(pdf)
    folder.mkdir(parents=True, exist_ok=True)
    for section in checked.brief.sections:
        if section.key not in GALLERY:
            continue
        index = next((i for i, m in enumerate(marks) if m[0].endswith(section.title)), None)
        if index is None:
            sys.exit(f"no bookmark for section {section.title!r} in {pdf}")
        _, page, top = marks[index]
        box = reader.pages[page].mediabox
        width, height = float(box.width), float(box.height)
        following = [m for m in marks[index + 1:] if m[1] == page]
        bottom = max(top - HEIGHT, following[0][2] + MARGIN if following else 0.0, 50.0)
        target = folder / f"section-{section.key.replace('_', '-')}.png"
        crop(pdf, page, top, bottom, width, height, target)
        print(f"wrote {target}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
