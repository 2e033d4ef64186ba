"""Seals: each output says, inside itself, that briefgen wrote it and that nothing changed it since.

A seal is the SHA-256 of the output's own bytes without the seal, kept where readers ignore it:
- PDF: a `/BriefgenSeal (<hex>)` entry at the start of the last trailer dictionary (the
  cross-reference stream's dictionary, which WeasyPrint writes uncompressed). Inserting it there
  moves no object: the cross-reference offsets stay right. Any later save, incremental or not,
  either drops it or no longer matches.
- DOCX: the zip archive comment `briefgen-seal <hex>`, over every byte before the comment's length.
  Word and LibreOffice rewrite the archive when they save, without it.
- HTML: a last line `<!-- briefgen-seal <hex> -->`; e-mail: a first header `X-Briefgen-Seal: <hex>`.
A file with a valid seal is briefgen's own, unedited, wherever it is and whether or not the
project's cache came along; any other file is treated as someone's work.
"""

from __future__ import annotations

import hashlib
import re

_HEX = rb"[0-9a-f]{64}"
_PDF_KEY = b"/BriefgenSeal ("
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_EOCD = b"PK\x05\x06"
_ZIP_TAG = b"briefgen-seal "
_HTML = re.compile(rb"\n<!-- briefgen-seal (" + _HEX + rb") -->\n$")
_EML = re.compile(rb"^X-Briefgen-Seal: (" + _HEX + rb")\r?\n")


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).hexdigest().encode("ascii")


def seal(suffix: str, data: bytes) -> bytes:
    """The output with its seal (unchanged if its format gives no safe place for one)."""
    suffix = suffix.lower()
    if suffix == ".pdf":
        at = _pdf_trailer(data)
        if at is None or _PDF_KEY[:-2] in data[at:]:
            return data  # no safe place, or a seal kept by a program that rewrote the file: left unsealed
        return data[:at] + _PDF_KEY + _digest(data) + b")" + data[at:]
    if suffix == ".docx":
        at = len(data) - 22
        if at < 0 or data[at:at + 4] != _EOCD:
            return data  # an archive comment already, or no end record where expected: unsealed
        comment = _ZIP_TAG + _digest(data[:at + 20])
        return data[:at + 20] + len(comment).to_bytes(2, "little") + comment
    if suffix in (".html", ".htm"):
        data = data if data.endswith(b"\n") else data + b"\n"
        return data + b"<!-- briefgen-seal " + _digest(data) + b" -->\n"
    if suffix == ".eml":
        return b"X-Briefgen-Seal: " + _digest(data) + (b"\r\n" if b"\r\n" in data[:4096] else b"\n") + data
    return data


def sealed(suffix: str, data: bytes) -> bool:
    """Whether data carries a valid seal: briefgen wrote it and nothing changed it since."""
    suffix = suffix.lower()
    if suffix == ".pdf":
        at = _pdf_trailer(data)
        if at is None or not data[at:].startswith(_PDF_KEY):
            return False
        value = data[at + len(_PDF_KEY):at + len(_PDF_KEY) + 65]
        if not re.fullmatch(_HEX + rb"\)", value):
            return False
        return _digest(data[:at] + data[at + len(_PDF_KEY) + 65:]) == value[:64]
    if suffix == ".docx":
        at = data.rfind(_EOCD, max(0, len(data) - 22 - 200))
        if at < 0:
            return False
        comment = data[at + 22:]
        return (int.from_bytes(data[at + 20:at + 22], "little") == len(comment)
                and re.fullmatch(re.escape(_ZIP_TAG) + _HEX, comment) is not None
                and comment[len(_ZIP_TAG):] == _digest(data[:at + 20]))
    if suffix in (".html", ".htm"):
        m = _HTML.search(data[-200:])
        return m is not None and _digest(data[:len(data) - len(m.group()) + 1]) == m.group(1)
    if suffix == ".eml":
        m = _EML.match(data)
        return m is not None and _digest(data[m.end():]) == m.group(1)
    return False


def _pdf_trailer(data: bytes) -> int | None:
    """Where the last trailer dictionary's entries begin (just after its `<<`), if the file ends as PDFs do."""
    m = _STARTXREF.search(data[-1024:])
    if not data.startswith(b"%PDF") or m is None:
        return None
    xref = int(m.group(1))
    if xref >= len(data):
        return None
    if data.startswith(b"xref", xref):
        start = data.find(b"trailer", xref)
        if start < 0:
            return None
        start += len(b"trailer")
        opened = data.find(b"<<", start, start + 64)
        if opened < 0 or re.search(rb"\bobj\b", data[opened:]):
            return None  # objects after the trailer (a linearized file): inserting would move them
        return opened + 2
    if not re.match(rb"\d+\s+\d+\s+obj\s*<<", data[xref:xref + 40]):
        return None
    opened = data.find(b"<<", xref, xref + 40)
    length = _LENGTH.search(data, opened, opened + 4096)
    stream = _STREAM.search(data, opened, opened + 4096)
    if length is None or stream is None:
        return None
    end = stream.end() + int(length.group(1))
    if not _XREF_END.fullmatch(data, end):
        return None  # the cross-reference stream is not the last object: inserting would move the others
    return opened + 2


_LENGTH = re.compile(rb"/Length\s+(\d+)(?=\s*[/>])")  # a direct length, not `12 0 R`
_STREAM = re.compile(rb">>\s*stream\r?\n")
_XREF_END = re.compile(rb"\s*endstream\s+endobj\s+startxref\s+\d+\s+%%EOF\s*")
