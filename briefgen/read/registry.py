"""`briefgen sources add`: copy articles into the sources folder and register them in sources.yaml.

sources.yaml is edited as a round trip (ruamel.yaml): the analyst's comments, key order and
entries stay as they were; new entries are appended. Article bytes are copied unchanged.
Two `sources add` runs at once are serialised by a lock on the sources folder, so both land.
Credentials in a link are dropped (with one warning) before it is fetched, printed or stored;
titles, authors and publishers are stored on one line and shortened in messages; nothing is
written through a symlink that leads out of the sources folder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostics, InputError, UsageError
from ..project.outputs import write_atomic
from ..project.safefs import inside, read_file, shorten
from .hygiene import id_problem, name_problem
from .sources import EXTENSIONS, MAX_REGISTRY_BYTES, REGISTRY, read_sources

_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")


@dataclass
class Added:
    """One registered article."""

    id: str
    file: Path
    title: str
    paragraphs: int
    words: int
    suggested_date: str | None
    status: str = "added"  # added | new-version | unchanged
    previous: str | None = None  # the earlier version (new-version, unchanged)
    original: Path | None = None  # the kept page or PDF
    filled: list[str] = field(default_factory=list)  # metadata found in the original
    missing: list[str] = field(default_factory=list)  # metadata the original does not state
    carried: list[str] = field(default_factory=list)  # corrections carried over from the previous version


def parse_date(text: str) -> dt.date:
    """A strict YYYY-MM-DD date, else a usage error."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise UsageError(f"--date must be YYYY-MM-DD, not '{text}'", code="bad-date", hint="e.g. --date 2024-01-31")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date {text} is not a real date", code="bad-date", hint="e.g. --date 2024-01-31") from None


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: keeps comments, order and quoting
    yaml.allow_unicode = True
    yaml.width = 4096  # never fold a long Arabic title
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    # keep `date: null` (how sources.yaml records "the text gives none") instead of an empty value
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def _load(path: Path):
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    if not os.path.lexists(path):
        data = CommentedMap()
        data.yaml_set_start_comment("Metadata of the articles in this folder (see `briefgen sources add --help`).")
    else:
        try:
            data = _yaml().load(read_file(path, MAX_REGISTRY_BYTES, "sources.yaml").decode("utf-8-sig"))
        except (YAMLError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {path}: {exc}".splitlines()[0], code="registry-syntax", file=str(path),
                             hint="fix sources.yaml first (briefgen sources list shows the problem)") from None
        if data is None:
            data = CommentedMap()
        if not isinstance(data, CommentedMap):
            raise InputError(f"{path} must be a mapping with a `sources:` list", code="registry-type", file=str(path))
    entries = data.get("sources")
    if entries is None:
        entries = data["sources"] = CommentedSeq()
    if not isinstance(entries, CommentedSeq):
        raise InputError(f"`sources:` in {path} must be a list", code="registry-type", file=str(path))
    if not entries:
        entries.fa.set_block_style()  # `sources: []` becomes a block list once it has entries
    return data, entries


def one_line(text: str) -> str:
    """A metadata value on one line: line breaks (U+2028, U+0085 … too) and control characters as spaces."""
    return " ".join("".join(" " if ch < " " or "\x7f" <= ch <= "\x9f" else ch for ch in str(text)).split())


@contextmanager
def _locked(folder: Path):
    """Hold an exclusive lock on the sources folder (a second `sources add` waits for the first)."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without locks: one run at a time is then up to the user
        yield
    finally:
        os.close(fd)


def add_sources(files: list[Path | str], folder: Path, *, warn=None, **options) -> list[Added]:
    """Copy files (or extract pages, URLs, PDFs) into folder and append their entries to sources.yaml; all or
    nothing, one run at a time. progress(i, n, item) is called before each item is read or fetched;
    warn(message) once if a link held credentials (they are dropped)."""
    from . import ingest
    from .ingest.fetch import strip_credentials

    stripped = [strip_credentials(f) if isinstance(f, str) and ingest.is_url(f) else (f, False) for f in files]
    url, had = strip_credentials(options["url"]) if options.get("url") else (options.get("url"), False)
    if (had or any(h for _, h in stripped)) and warn is not None:
        warn("a link held a user name and password; briefgen dropped them (never printed or stored)")
    files, options["url"] = [f for f, _ in stripped], url
    if not folder.is_dir():
        return _add_sources(files, folder, **options)  # says so
    with _locked(folder):
        return _add_sources(files, folder, **options)


def _add_sources(files: list[Path | str], folder: Path, *, source_id: str | None = None, title: str | None = None,
                 publisher: str | None = None, date: str | None = None, url: str | None = None,
                 progress=None) -> list[Added]:
    from ruamel.yaml.comments import CommentedMap

    from . import ingest
    from .ingest import register

    if not files:
        raise UsageError("no article file given", code="no-files", hint="briefgen sources add article.txt")
    if len(files) > 1 and (source_id or title or url):
        raise UsageError("--id, --title and --url describe one article; give one FILE with them", code="one-file",
                         hint="run `briefgen sources add` once per article with these options")
    undated = date is not None and date.strip().lower() == "none"  # the text gives no date: `date: null`
    when = parse_date(date) if date is not None and not undated else None
    if source_id is not None and not _ID.match(source_id):
        raise UsageError(f"--id '{source_id}' may hold only Latin letters, digits, '_', '.' and '-'", code="bad-id",
                         hint="e.g. --id monitor-2024")
    if not folder.is_dir():
        raise InputError(f"sources folder not found: {folder}", code="sources-missing",
                         hint="run briefgen init first, or pass --dir to the project's sources folder")
    registry = folder / REGISTRY
    data, entries = _load(registry)
    taken = {str(e.get("id") or Path(str(e.get("file") or "")).stem) for e in entries if isinstance(e, dict)}
    taken |= {p.stem for p in folder.iterdir() if p.suffix in EXTENSIONS}
    seen_names: set[str] = set()
    plan = []
    originals: list[register.Planned] = []
    for n, item in enumerate(files, 1):
        if progress is not None:
            progress(n, len(files), str(item))
        if isinstance(item, str) and ingest.is_url(item):
            extracted, origin = _fetch(item), item
        else:
            src = Path(item)
            if src.is_dir():
                src = ingest.page_folder(src)
            if src.suffix.lower() not in ingest.PAGE_SUFFIXES + ingest.PDF_SUFFIXES:
                extracted = None
            elif not src.is_file():
                raise InputError(f"no such file: {src}", code="file-missing", hint="give the path of a saved page "
                                 "or a PDF")
            else:
                extracted, origin = ingest.extract_file(src), str(src)
        if extracted is not None:
            originals.append(register.plan(extracted, origin, folder, list(entries), taken, source_id=source_id,
                                           overrides={"title": title, "publisher": publisher, "url": url,
                                                      "date": when.isoformat() if when else None},
                                           undated=undated))
            continue
        if not src.is_file():
            raise InputError(f"no such file: {src}", code="file-missing", hint="give the path of an article file")
        if src.suffix not in EXTENSIONS:
            raise InputError(f"{src.name}: articles must be .txt, .md, .html or .pdf files, or http(s) links",
                             code="bad-extension", file=str(src),
                             hint="save the article as a web page (.html) or as plain text (.txt)")
        unsafe = name_problem(src.name)
        if unsafe:
            raise InputError(f"file name '{ascii(src.name)[1:-1]}' {unsafe}", code="bad-source-id", file=str(src),
                             hint="rename the file; nothing was copied")
        target = folder / src.name
        if os.path.lexists(target) or src.name in seen_names:  # a dangling link too: never written through
            raise InputError(f"{target} already exists", code="file-exists",
                             hint="rename the new file (its name becomes its id), e.g. monitor-2.txt; "
                                  "nothing was copied")
        new_id = source_id or src.stem
        if not _ID.match(new_id):
            raise InputError(f"'{src.stem}' cannot be an id: it {id_problem(new_id)}",
                             code="bad-id", file=str(src), hint="give one with --id, e.g. --id monitor")
        if new_id in taken:
            raise InputError(f"a source with the id '{new_id}' is already registered in {folder}",
                             code="duplicate-source-id", hint="choose another with --id; nothing was copied")
        taken.add(new_id)
        seen_names.add(src.name)
        plan.append((src, target, new_id))
    _validate([src for src, _, _ in plan])
    written = [p for p in originals if p.status != "unchanged"]
    for p in written:
        for rel in p.files:  # a planted link (sources/originals -> elsewhere) is never written through
            target = folder / rel
            if os.path.islink(target) or not inside(target.parent if target.parent.exists() else folder, [folder]):
                raise InputError(f"{target.parent} leads outside the sources folder {folder}", code="outside-project",
                                 file=str(target), hint="remove the link; briefgen creates the folder; nothing was "
                                                        "written")
        entry = CommentedMap()
        for key, value in p.entry.items():
            entry[key] = one_line(value) if key in ("title", "author", "publisher") and isinstance(value, str) \
                else value
        entries.append(entry)
    for src, _, new_id in plan:
        entry = CommentedMap()
        entry["id"] = new_id
        entry["file"] = src.name
        for key, value in (("title", title), ("publisher", publisher), ("date", when), ("url", url)):
            if value is not None or (key == "date" and undated):
                entry[key] = one_line(value) if key in ("title", "publisher") else value
        entries.append(entry)
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    copied = []
    try:
        for src, target, _ in plan:
            shutil.copyfile(src, target)  # bytes unchanged
            copied.append(target)
        for p in written:
            for rel, raw in p.files.items():
                target = folder / rel
                target.parent.mkdir(exist_ok=True)
                copied.append(target)
                write_atomic(target, raw)
        if plan or written:
            write_atomic(registry, buffer.getvalue().encode("utf-8"))
    except BaseException:
        for target in copied:
            target.unlink(missing_ok=True)
        raise
    library = read_sources(folder, Diagnostics())
    result = []
    for _, target, new_id in plan:
        s = library.sources.get(new_id)
        result.append(Added(new_id, target, _shown(s), len(s.paragraphs) if s else 0,
                            s.words if s else 0, s.suggested_date if s else None))
    for p in originals:
        s = library.sources.get(p.id)
        keys = ("title", "publisher", "author", "date", "url")
        entry = p.entry or {}
        result.append(Added(p.id, folder / f"{p.id}.txt", _shown(s), len(s.paragraphs) if s else 0,
                            s.words if s else 0, None, p.status, p.previous,
                            folder / str(entry["original"]) if entry.get("original") else None,
                            [k for k in keys if entry.get(k) is not None], [k for k in keys if k not in entry],
                            p.carried))
    return result


def _shown(source) -> str:
    """A source's title for a message: one line, shortened."""
    return shorten(one_line(source.ref.title), 120) if source else ""


def _fetch(url: str):
    from .ingest.fetch import fetch

    return fetch(url)


def _validate(files: list[Path]) -> None:
    """Read the articles on their own first: an undecodable or binary file is refused before copying."""
    with tempfile.TemporaryDirectory(prefix="briefgen-add-") as tmp:
        for src in files:
            shutil.copyfile(src, Path(tmp) / src.name)
        diags = Diagnostics()
        try:
            read_sources(Path(tmp), diags)
        except InputError as exc:
            for d in exc.diagnostics:
                d.file = str(next((f for f in files if d.file and Path(d.file).name == f.name), d.file))
            raise
        errors = [d for d in diags.errors if d.code != "duplicate-source-id"]
        if errors:
            raise InputError(errors[0].message, diagnostics=errors)
