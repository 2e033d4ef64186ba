"""Hostile DOCX files for the review (zip streams with lying headers, bombs, duplicate members, OLE files,
damaged bookmarks), and a way to run briefgen in a process of its own and measure its peak memory."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

from .word_edits import Editor, q

DENSE = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"  # the XML that costs a parser the most memory per byte


def members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def rezip(parts: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name: that is the point
        for name, body in parts:
            z.writestr(name, body)
    return out.getvalue()


def inflated_body(data: bytes, size: int, unit: bytes = DENSE) -> bytes:
    """The DOCX with `size` bytes of extra paragraphs in its body (a small file that inflates hugely)."""
    extra = unit * (size // len(unit))
    return rezip([(i.filename, body.replace(b"<w:body>", b"<w:body>" + extra, 1) if i.filename ==
                   "word/document.xml" else body) for i, body in members(data)])


def lying_sizes(data: bytes, member: str = "word/document.xml", claim: int = 1000) -> bytes:
    """The zip with the member's uncompressed size rewritten, in its local and central headers, to `claim`."""
    out = bytearray(data)
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46:pos + 46 + n]) == member.encode():
            struct.pack_into("<I", out, pos + 24, claim)
            local = struct.unpack_from("<I", out, pos + 42)[0]
            struct.pack_into("<I", out, local + 22, claim)
        pos += 4
    return bytes(out)


def duplicate_member(data: bytes, member: str = "word/document.xml") -> bytes:
    parts = [(i.filename, body) for i, body in members(data)]
    body = dict(parts)[member]
    return rezip([*parts, (member, body.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>other</w:t></w:r></w:p>"))])


def encrypted_flag(data: bytes, member: str = "word/document.xml") -> bytes:
    """The member marked as encrypted (zip's traditional password bit), in both headers."""
    out = bytearray(data)
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46:pos + 46 + n]) == member.encode():
            struct.pack_into("<H", out, pos + 8, struct.unpack_from("<H", out, pos + 8)[0] | 1)
            local = struct.unpack_from("<I", out, pos + 42)[0]
            struct.pack_into("<H", out, local + 6, struct.unpack_from("<H", out, local + 6)[0] | 1)
        pos += 4
    return bytes(out)


def ole_file() -> bytes:
    """A compound-file (OLE) header and empty sectors: what a password-protected Word file starts as."""
    header = bytearray(512)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    return bytes(header) + b"\xff" * 1536


def cross_bookmarks(data: bytes, first: str, second: str) -> bytes:
    """The end of `first`'s bookmark moved after `second`'s start (ranges that cross)."""
    e = Editor(data)
    start_a, start_b = e.start(first), e.start(second)
    end_a = next(x for x in e.doc.iter(q("w:bookmarkEnd")) if x.get(q("w:id")) == start_a.get(q("w:id")))
    end_a.getparent().remove(end_a)
    start_b.addnext(end_a)
    return e.save()


def unclose_bookmark(data: bytes, path: str) -> bytes:
    e = Editor(data)
    ident = e.start(path).get(q("w:id"))
    end = next(x for x in e.doc.iter(q("w:bookmarkEnd")) if x.get(q("w:id")) == ident)
    end.getparent().remove(end)
    return e.save()


def collide_bookmarks(data: bytes, path: str, other: str) -> bytes:
    """A second bookmark named like `path`'s, in `other`'s paragraph."""
    import copy

    e = Editor(data)
    twin = copy.deepcopy(e.start(path))
    twin.set(q("w:id"), "77777")
    e.start(other).addprevious(twin)
    return e.save()


_MEASURE = ("import resource, subprocess, sys\n"
            "code = subprocess.run([sys.executable, '-m', 'briefgen', *sys.argv[2:]]).returncode\n"
            "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
            "sys.exit(code)\n")


def run_measured(args: list[str], cwd: Path, env: dict | None = None, timeout: float = 300) -> tuple[int, str, int]:
    """Exit code, output and peak resident memory (MiB) of `python -m briefgen ARGS` in a process of its own.
    A small wrapper process starts it and reads its rusage: a child forked from the test process itself
    would count the test process's own memory as its peak."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        done = subprocess.run([sys.executable, "-c", _MEASURE, str(peak_file), *args], cwd=cwd,
                              capture_output=True, env=env or os.environ.copy(), timeout=timeout)
        peak = int(peak_file.read_text()) // 1024 if peak_file.exists() else -1
    output = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    return done.returncode, output, peak
