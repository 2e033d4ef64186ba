"""Generate the README's screenshot of `briefgen preview`: the evidence panel open on a citation.

Run by `make docs-images`:

    python docs/preview_shot.py outline.yaml docs/images/preview.png

Starts a real `briefgen preview --no-open` on the outline, opens it in Debian's chromium through
Playwright, clicks the first footnote whose quote has an omission (…), so each quoted piece is
highlighted in the cited paragraph, and saves the browser's own screenshot: never edited by hand.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


def main(outline: Path, target: Path) -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("docs/preview_shot.py: chromium is not installed (apt-get install chromium); "
              f"{target} not regenerated", file=sys.stderr)
        return 0
    from playwright.sync_api import sync_playwright

    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "preview", outline.name, "--no-open"],
                            cwd=outline.parent, stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://\S+/", proc.stdout.readline()).group()
        number = next(n for n in range(1, 1000)
                      if "…" in (httpx.get(f"{url}api/citation/{n}").raise_for_status().json()["quote"] or ""))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 760})
            page.goto(url)
            page.wait_for_selector("html[data-bg-connected]")
            page.evaluate("document.fonts.ready")
            call = page.locator(f"#bg-brief .fn[data-n='{number}']")
            call.evaluate("e => e.scrollIntoView({block: 'center'})")
            call.click()
            page.wait_for_selector("#bg-evidence mark")
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"wrote {target} (footnote {number})")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2])))
