"""Sources reader: a folder of article files -> Sources with metadata, cleaned ¶ paragraphs."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .. import dates
from ..arabic import Token, tokens
from ..errors import Diagnostic, Diagnostics, InputError
from ..model import SourceRef
from ..project import safefs
from ..project.cache import Cache, make_key
from . import yamlpos
from .cleaning import Dropped, clean
from .hygiene import describe, id_problem, name_problem, sanitize
from .outline import did_you_mean

REGISTRY = "sources.yaml"
EXTENSIONS = (".txt", ".md")
MAX_SOURCE_BYTES = 20 * 1024 * 1024
MAX_REGISTRY_BYTES = 2 * 1024 * 1024
MAX_REPORTED = 5  # findings listed per file
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


class SourceEntry(BaseModel):
    """Metadata of one article in sources.yaml (or .md front matter)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    file: str | None = None
    id: str | None = Field(None, pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    accessed: str | None = None
    encoding: str | None = None
    lang: str | None = None  # the article's language as its page states it (ar, en, …)
    original: str | None = None  # the kept web page or PDF the text was extracted from (sources add)
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")  # the original's content hash
    pages: list[int] | None = None  # PDF: the line of the .txt where each page starts
    roles: dict[int, str] | None = None  # sources add: .txt line -> role of a paragraph that is not body text
    reliability: str | None = Field(None, pattern=r"^[A-F]$", description="Admiralty reliability A–F")
    credibility: int | None = Field(None, ge=1, le=6, description="Admiralty credibility 1–6")

    @field_validator("date", "accessed", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value

    _real_date = field_validator("date", "accessed")(lambda v: dates.check_real(v))
    _safe_id = field_validator("id", mode="before")(lambda v: _checked_id(v))


def _checked_id(value: Any) -> Any:
    """The verdict `sources add` gives an id, with its reason (mixed scripts, bidi or invisible characters)."""
    problem = id_problem(value) if isinstance(value, str) and value else None
    if problem:
        raise ValueError(f"id '{ascii(value)[1:-1] if name_problem(value) else value}' {problem}")
    return value


class Registry(BaseModel):
    """sources.yaml: extra boilerplate patterns and per-file metadata."""

    model_config = ConfigDict(extra="forbid")

    boilerplate: list[str] = Field(default_factory=list)
    max_source_mb: float = Field(MAX_SOURCE_BYTES / 2**20, gt=0, description="largest article file accepted, in MB")
    sources: list[SourceEntry] = Field(default_factory=list)


@dataclass
class SourceParagraph:
    """A numbered paragraph of a cleaned source, with its matching tokens."""

    number: int
    line: int
    text: str
    tokens: list[Token]
    pages: tuple[int, int] | None = None  # PDF: first and last page the paragraph is on
    role: str | None = None  # headline, standfirst, subheading, caption, pull-quote, footnote, noscript; None: body


@dataclass
class Source:
    """One article: metadata, cleaned numbered paragraphs, and what cleaning dropped."""

    ref: SourceRef
    path: Path
    paragraphs: list[SourceParagraph]
    dropped: list[Dropped]
    suggested_date: str | None = None
    declared: frozenset[str] = frozenset()  # metadata keys written in sources.yaml, even as null
    original: Path | None = None  # the kept page or PDF (sources add)
    sha256: str | None = None  # its recorded content hash
    origin: _Origin | None = None  # set when the parsed text came from the cache: how to confirm it

    def confirm(self, match) -> bool:
        """Whether a match (evidence.Match) stands in this file's own text: always true for a fresh read; for a
        cached read, its passage must occur in the decoded file and a paragraph's tokens must be its text's."""
        if self.origin is None:
            return True
        if " ".join(match.context.split()) not in self.origin.text():
            return False
        if match.located is None:
            para = next((p for p in self.paragraphs if p.number == match.para and p.text == match.context), None)
            return para is not None and para.tokens == tokens(para.text)
        return True

    def rebuilt(self) -> Source:
        """This source read afresh from its file, its cache entry discarded and rewritten."""
        o = self.origin
        if o is None:
            return self
        o.cache.discard("source", o.key)
        return _read_source(self.path, o.entry, o.patterns, Diagnostics(), o.limit, o.cache)

    @property
    def id(self) -> str:
        return self.ref.id

    @property
    def words(self) -> int:
        """The article's words, each counted once (a pull-quote repeats words of the text)."""
        return sum(len(p.text.split()) for p in self.paragraphs if p.role != "pull-quote")


@dataclass
class _Origin:
    """A cached read: the bytes it was keyed on and what is needed to read them again."""

    raw: bytes
    entry: SourceEntry
    patterns: list
    limit: int
    cache: Cache
    key: str
    _text: str | None = None

    def text(self) -> str:
        """The decoded, sanitised file as one line of single-spaced words (what any passage must be part of)."""
        if self._text is None:
            text = _decode(self.raw, Path(self.key), self.entry.encoding)
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            self._text = " ".join(" ".join(sanitize(line)[0].split()) for line in lines)
        return self._text


@dataclass
class Library:
    """All sources of a brief, by id."""

    folder: Path
    sources: dict[str, Source] = field(default_factory=dict)

    def ids(self) -> list[str]:
        return list(self.sources)


def read_sources(folder: Path, diags: Diagnostics, root: Path | None = None, cache: Cache | None = None) -> Library:
    """Load every article in a folder; problems go to diags (errors) or raise InputError.

    With a cache, an article whose bytes (and encoding, patterns, briefgen code) were seen before
    is not decoded, cleaned and tokenised again (see cache.py).
    """
    if not os.path.lexists(folder):
        raise InputError(f"sources folder not found: {folder}", code="sources-missing",
                         hint="create it and put the article .txt files in it, or set `sources:` in the outline")
    safefs.check_folder(folder, "sources folder", code="sources-missing",
                        hint="`sources:` in the outline names the folder of article .txt files")
    registry, located = _read_registry(folder / REGISTRY)
    patterns = []
    for i, pat in enumerate(registry.boilerplate):
        try:
            patterns.append(re.compile(pat))
        except re.error as exc:
            raise InputError(f"invalid boilerplate pattern: {exc}", code="bad-pattern",
                             **located.where(("boilerplate", i))) from None
    entries: dict[str, tuple[int, SourceEntry]] = {}
    for i, e in enumerate(registry.sources):
        if e.file and e.file in entries:
            first = entries[e.file][1].id or Path(e.file).stem
            diags.error("duplicate-source-file", f"sources.yaml lists '{safefs.shorten(e.file)}' twice (as "
                        f"'{first}' and as '{e.id or Path(e.file).stem}')",
                        hint="one file is one source: remove one of the entries",
                        **located.where(("sources", i, "file")))
            continue
        if e.file:
            entries[e.file] = (i, e)
    library = Library(folder)
    files = sorted(p for p in folder.iterdir() if p.suffix in EXTENSIONS)
    names = [p.name for p in files]
    for i, entry in enumerate(registry.sources):
        if entry.file and entry.file not in names:
            diags.error("source-file-missing", f"sources.yaml lists '{entry.file}', which is not in {folder}",
                        hint=did_you_mean(entry.file, names), **located.where(("sources", i, "file")))
    for path in files:
        index, entry = entries.get(path.name, (None, SourceEntry()))
        if root is not None and not safefs.inside(path, [root]):
            diags.error("outside-project", f"{path.name} links to {os.path.realpath(path)}, outside the project "
                        "folder", file=str(path), hint="copy the article into the project, or pass --allow-outside")
            continue
        source = _read_source(path, entry, patterns, diags, int(registry.max_source_mb * 2**20), cache)
        unsafe = name_problem(path.name)
        bad_id = id_problem(source.id) if "id" not in source.declared else None
        if unsafe or bad_id:
            where = located.where(("sources", index, "file")) if index is not None else {"file": str(path)}
            diags.error("bad-source-id", f"file name '{safefs.shorten(ascii(path.name)[1:-1])}' "
                        f"{unsafe or 'cannot be an id: it ' + bad_id}",
                        hint="rename the file" if unsafe else
                        f"give it an id in sources.yaml: - {{file: {path.name}, id: a-latin-name}}", **where)
            continue
        if source.id in library.sources:
            where = located.where(("sources", index, "id")) if index is not None else {"file": str(path)}
            diags.error("duplicate-source-id", f"two sources have the id '{source.id}'",
                        hint="give each file its own id in sources.yaml", **where)
            continue
        library.sources[source.id] = source
    return library


def _read_registry(path: Path) -> tuple[Registry, yamlpos.Located]:
    if not os.path.lexists(path):
        return Registry(), yamlpos.Located(data=None, file=str(path))
    raw = safefs.read_file(path, MAX_REGISTRY_BYTES, "sources.yaml", code="registry-unreadable")
    located = yamlpos.load(yamlpos.decode(raw, str(path), "sources.yaml"), str(path))
    try:
        return Registry.model_validate(located.data or {}), located
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                allowed = list(SourceEntry.model_fields) if "sources" in loc else list(Registry.model_fields)
                diags.append(Diagnostic("error", "unknown-key", f"unknown key '{loc[-1]}' in sources.yaml",
                                        hint=did_you_mean(str(loc[-1]), allowed), **located.where(loc, key=True)))
            else:
                diags.append(Diagnostic("error", "bad-value",
                                        f"{'.'.join(map(str, loc))}: {err['msg'].removeprefix('Value error, ')}",
                                        **located.where(loc)))
        raise InputError(diags[0].message, diagnostics=diags) from None


def _decode(raw: bytes, path: Path, encoding: str | None) -> str:
    """Decode a file: the registry's encoding, else BOM, else UTF-8, else Windows-1256."""
    if encoding:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot decode {path.name} as {encoding}: {exc}", code="source-encoding",
                             file=str(path), hint="fix `encoding:` in sources.yaml") from None
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="strict")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    if b"\x00" in raw[:65536]:
        raise InputError(f"{path.name} looks like a binary file (it has NUL bytes), not article text",
                         code="source-binary", hint="sources must be plain text (.txt or .md)",
                         **_byte_position(raw, raw.index(b"\x00"), path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("cp1256")
        if re.search("[\u0621-\u064a]", text):
            return text
    except UnicodeDecodeError:
        pass
    raise InputError(f"cannot decode {path.name}: not UTF-8 (byte {utf8_error.start}) nor Windows-1256 Arabic",
                     code="source-encoding", **_byte_position(raw, utf8_error.start, path),
                     hint="save it as UTF-8, or set `encoding:` for it in sources.yaml")


def _byte_position(raw: bytes, offset: int, path: Path) -> dict:
    """file, line and column (in characters) of a byte offset."""
    before = raw[:offset]
    column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
    return {"file": str(path), "line": before.count(b"\n") + 1, "column": column}


def _front_matter_text(text: str) -> str:
    """The YAML between the opening '---' and the closing one, its lines numbered as in the file."""
    end = text.find("\n---", 3)
    return text[3:end] if text.startswith("---") and end >= 0 else ""


def _front_matter(text: str, path: Path) -> tuple[dict, str]:
    if path.suffix != ".md" or not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    located = yamlpos.load(text[3:end], str(path))
    data = located.data if isinstance(located.data, dict) else {}
    body_start = text.find("\n", end + 4)
    return data, text[body_start + 1:] if body_start >= 0 else ""


def _inferred_title(first_line: str, words: int = 12) -> str:
    """The first kept line as title; a long one is a paragraph, so only its opening words."""
    parts = first_line.split()
    return first_line if len(parts) <= words else " ".join(parts[:words]) + " …"


def _read_source(path: Path, entry: SourceEntry, patterns: list, diags: Diagnostics,
                 limit: int = MAX_SOURCE_BYTES, cache: Cache | None = None) -> Source:
    raw = safefs.read_file(path, limit, "source", code="source-unreadable",
                           hint="raise max_source_mb: in sources.yaml if the file really is one article")
    parsed = origin = None
    if cache is not None:
        key = make_key(raw, path.suffix, entry.encoding or "", "extracted" if entry.original else "",
                       repr(sorted((entry.roles or {}).items())), *(p.pattern for p in patterns))
        parsed = cache.get("source", key, _Parsed.from_json)
        origin = _Origin(raw, entry, patterns, limit, cache, key) if parsed is not None else None
    if parsed is None:
        parsed = _parse(raw, path, entry, patterns)
        if cache is not None:
            cache.put("source", key, parsed.to_json())
    for code, message, line, column in parsed.warnings:
        diags.warning(code, message, file=str(path), line=line, column=column)
    meta, paras, dropped = parsed.meta, parsed.paragraphs, parsed.dropped
    if meta:
        try:
            entry = SourceEntry.model_validate({**meta, **entry.model_dump(exclude_none=True)})
        except ValidationError as exc:
            err = exc.errors()[0]
            located = yamlpos.load(_front_matter_text(_decode(raw, path, entry.encoding)), str(path))
            raise InputError(f"bad front matter in {path.name}: {'.'.join(map(str, err['loc']))}: "
                             f"{err['msg'].removeprefix('Value error, ')}", code="bad-front-matter",
                             **located.where(tuple(err["loc"]))) from None
    first = _inferred_title(paras[0].text) if paras else path.stem
    date_match = next((m for p in paras[:8] if (m := _DATE.search(p.text))), None)
    suggested = (f"{date_match.group(3)}-{int(date_match.group(2)):02d}-{int(date_match.group(1)):02d}"
                 if date_match else None)
    ref = SourceRef(id=entry.id or path.stem, title=entry.title or first, publisher=entry.publisher,
                    author=entry.author, date=entry.date, url=entry.url, accessed=entry.accessed,
                    reliability=entry.reliability, credibility=entry.credibility)
    if entry.pages:
        paras = _paged(paras, entry.pages)
    if entry.roles:
        from dataclasses import replace

        paras = [replace(p, role=entry.roles.get(p.line)) for p in paras]
    return Source(ref=ref, path=path, paragraphs=paras, dropped=dropped, suggested_date=suggested,
                  declared=frozenset(entry.model_fields_set), origin=origin,
                  original=path.parent / entry.original if entry.original else None, sha256=entry.sha256)


def _paged(paras: list[SourceParagraph], starts: list[int]) -> list[SourceParagraph]:
    """Each paragraph's first and last page, from the .txt line where each page starts."""
    from dataclasses import replace

    def page_of(line: int) -> int:
        return max((n for n, start in enumerate(starts, 1) if start <= line), default=1)

    out = []
    for i, p in enumerate(paras):
        end = paras[i + 1].line - 1 if i + 1 < len(paras) else max(starts + [p.line])
        out.append(replace(p, pages=(page_of(p.line), max(page_of(p.line), page_of(end)))))
    return out


@dataclass
class _Parsed:
    """What reading one file yields before metadata is merged: the part worth caching."""

    meta: dict
    paragraphs: list[SourceParagraph]
    dropped: list[Dropped]
    warnings: list[tuple[str, str, int | None, int | None]]  # code, message, line, column

    def to_json(self) -> dict:
        return {"meta": self.meta, "warnings": [list(w) for w in self.warnings],
                "dropped": [[d.line, d.text, d.rule] for d in self.dropped],
                "paragraphs": [[p.number, p.line, p.text, [t.norm for t in p.tokens], [t.start for t in p.tokens],
                                [t.end for t in p.tokens]] for p in self.paragraphs]}

    @classmethod
    def from_json(cls, data) -> _Parsed | None:
        """Rebuilt from a cache entry; None if the entry does not have the expected shape."""
        if not isinstance(data, dict):
            return None
        try:
            meta = data["meta"]
            if not isinstance(meta, dict):
                return None
            paragraphs = []
            for number, line, text, norms, starts, ends in data["paragraphs"]:
                if not (isinstance(text, str) and len(norms) == len(starts) == len(ends)):
                    return None
                toks = [Token(n, s, e) for n, s, e in zip(norms, starts, ends, strict=True)]
                paragraphs.append(SourceParagraph(int(number), int(line), text, toks))
            dropped = [Dropped(int(line), str(text), str(rule)) for line, text, rule in data["dropped"]]
            warnings = [(str(code), str(message), line, column) for code, message, line, column in data["warnings"]]
        except (KeyError, TypeError, ValueError):
            return None
        return cls(meta, paragraphs, dropped, warnings)


def _parse(raw: bytes, path: Path, entry: SourceEntry, patterns: list) -> _Parsed:
    """Decode, split off front matter, sanitise, clean and tokenise one file."""
    text = _decode(raw, path, entry.encoding)
    meta, body = _front_matter(text, path)
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    warnings: list[tuple[str, str, int | None, int | None]] = []
    reported = 0
    for n, line in enumerate(lines, 1):
        clean_line, findings = sanitize(line)
        for f in findings:
            reported += 1
            if reported <= MAX_REPORTED:
                code, message = describe(f)
                warnings.append((code, message, n, f.offset + 1))
        lines[n - 1] = clean_line
    if reported > MAX_REPORTED:
        warnings.append(("control-character", f"{reported - MAX_REPORTED} more such characters not listed", None,
                         None))
    paras, dropped = clean(lines, patterns, extracted=bool(entry.original), keep=set(entry.roles or ()))
    numbered = [SourceParagraph(i, p.line, p.text, tokens(p.text)) for i, p in enumerate(paras, 1)]
    return _Parsed(meta, numbered, dropped, warnings)
