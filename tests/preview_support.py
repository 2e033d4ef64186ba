"""Test support for `briefgen preview`: a real server process on 127.0.0.1 over a scratch project."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .conftest import ROOT, SAMPLE_OUTLINE, SAMPLE_SOURCES


class Preview:
    """A running `briefgen preview --no-open` over a copy of the sample project (with its theme)."""

    def __init__(self, root: Path, outline_text: str | None = None, args: tuple[str, ...] = ()):
        self.root = root
        shutil.copytree(SAMPLE_SOURCES, root / "sources", dirs_exist_ok=True)
        shutil.copytree(ROOT / "templates", root / "templates", dirs_exist_ok=True)
        self.outline = root / "outline.yaml"
        self.outline.write_text(outline_text or SAMPLE_OUTLINE.read_text(encoding="utf-8"), encoding="utf-8")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "briefgen", "preview", "outline.yaml", "--no-open", *args],
                                     cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not found:
            self.stop()
            raise AssertionError(f"no URL printed: {line!r} {self.proc.stderr.read()}")
        self.url, self.port = found.group(), int(found.group(1))
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def state(self) -> dict:
        return self.http.get("/api/state").json()

    def save(self, text: str, path: Path | None = None) -> None:
        """Save the way editors do: write a new file beside it, then rename it over the old one."""
        target = path or self.outline
        tmp = target.with_name(f".{target.name}.swp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)

    def wait_version(self, after: int, timeout: float = 20) -> dict:
        """The state once its version is above `after` (the watcher has seen a save and updated)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if state["version"] > after:
                return state
            time.sleep(0.05)
        raise AssertionError(f"no update after version {after} within {timeout} s")

    def token(self) -> str:
        """The per-run token, as the page holds it."""
        return re.search(r'<meta name="bg-token" content="([^"]+)"', self.http.get("/").text).group(1)

    def log(self) -> str:
        """Stop the server and return everything it wrote to stderr."""
        self.stop()
        return self.stderr_text

    stderr_text = ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr and not self.proc.stderr.closed:
            self.stderr_text = self.proc.stderr.read()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


def until(page, expression: str, timeout: float = 30) -> None:
    """Poll a JavaScript expression until it is true (page.wait_for_function needs eval, which the page's
    Content-Security-Policy forbids, as it should)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.05)

