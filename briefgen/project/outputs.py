"""Output stage: publish a build's files all or nothing, and never over an output someone edited.

Every PDF, DOCX, HTML and e-mail briefgen writes carries a seal (briefgen.project.seal): the
SHA-256 of its own bytes, inside the file. A file with a valid seal is briefgen's own and
unedited wherever the project was moved, copied or cloned to, with or without its cache. briefgen
also remembers what it wrote (the SHA-256 of each output, keyed by its path relative to the
project, in `written.json` in the project's cache folder; outputs outside the project are not
recorded). Before replacing a file it checks that the file is sealed or still what briefgen last
wrote there; one that is neither (an editor's changes in Word, a hand-fixed PDF) stops the build
before anything is written, unless the user passes --overwrite, which first keeps the edited file
under a new, dated name beside it. Nothing is ever deleted.

Every output is first written completely to a temporary file beside its target; only when all
of them are complete are the targets replaced, and a failure while replacing puts the earlier
files back. Temporary files are named after the writing process, so the next build in the
folder removes those of a build that was killed.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import stat
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, RenderError
from . import safefs, seal
from .safefs import read_file

LEDGER = "written.json"
MAX_LEDGER_BYTES = 64 * 1024 * 1024
MAX_OUTPUT_BYTES = 1024 * 1024 * 1024  # an existing output is read to compare it with what briefgen wrote
KEEP_HASHES = 8  # the last hashes written per file: a file equal to any of them is briefgen's own
TMP_SUFFIX = ".briefgen-tmp"
_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}" + re.escape(TMP_SUFFIX) + "$")


@dataclass
class Published:
    """What publish() did: the files written, and edited files kept under a new name (edited -> kept)."""

    written: list[Path] = field(default_factory=list)
    kept: dict[Path, Path] = field(default_factory=dict)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Ledger:
    """`<cache>/written.json`: for each output path, the hashes of what briefgen wrote there."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / LEDGER

    @contextmanager
    def locked(self):
        """Hold the ledger's lock (parallel builds of one project share it) and yield its entries."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            safefs.create_new(ignore, "*\n")  # never through a link planted in the cache
            fd = os.open(self.folder / (LEDGER + ".lock"), os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o644)
            lock = os.fdopen(fd, "r+b")  # noqa: SIM115 - closed below; O_NONBLOCK: a FIFO planted here never blocks
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                lock.close()
                raise OSError(0, "the lock file is not a regular file")
        except OSError as exc:
            raise RenderError(f"cannot use the cache folder {self.folder}: {exc.strerror}", code="ledger",
                              hint="briefgen records there what it wrote, so that it never overwrites an "
                                   "edited output; make the folder writable") from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield self._read()
        finally:
            lock.close()

    def _read(self) -> dict[str, list[str]]:
        try:
            data = json.loads(read_file(self.path, MAX_LEDGER_BYTES))
        except (InputError, ValueError):  # absent, not a regular file, too large or corrupt: no record
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: [h for h in v if isinstance(h, str)] for k, v in data.items() if isinstance(v, list)}

    def save(self, entries: dict[str, list[str]]) -> None:
        write_atomic(self.path, json.dumps(entries, indent=1, sort_keys=True).encode("utf-8"))


def _key(path: Path, project: Path | None = None) -> str | None:
    """An output's ledger key: its path relative to the project (so a moved project keeps its record),
    or None for an output outside the project (its seal alone recognises it)."""
    real = os.path.realpath(path)  # never raises, even on a symlink loop
    if project is None:
        return real
    root = os.path.realpath(project)
    return Path(real).relative_to(root).as_posix() if Path(real).is_relative_to(root) else None


def looks_generated(path: Path, data: bytes) -> bool:
    """Whether a file briefgen has no record of is briefgen's own, unedited: it carries a valid seal."""
    return seal.sealed(path.suffix, data)


def edited(path: Path, recorded: list[str]) -> bool:
    """Whether an existing output differs from everything briefgen wrote there."""
    if not os.path.lexists(path):
        return False
    try:
        data = read_file(path, MAX_OUTPUT_BYTES, "output")
    except InputError as exc:  # a FIFO, device or folder where an output goes: refused, never read
        raise RenderError(f"cannot replace {exc.message}", code="output-read",
                          hint="remove it, or choose another --out folder") from None
    if recorded and digest(data) in recorded:
        return False
    return not looks_generated(path, data)


def kept_name(path: Path, today: dt.date | None = None) -> Path:
    """A new, dated name beside path for an edited file: outline.edited-2024-01-31.docx (then -2, -3 …)."""
    stamp = (today or dt.date.today()).isoformat()
    n = 1
    while True:
        candidate = path.with_name(f"{path.stem}.edited-{stamp}{'' if n == 1 else f'-{n}'}{path.suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
        n += 1


def refuse_edited(paths: list[Path]) -> RenderError:
    """The error for outputs that were edited since briefgen wrote them (exit 3, nothing written)."""
    first, others = paths[0], paths[1:]
    also = f" (and so {'was' if len(others) == 1 else 'were'} {', '.join(str(p) for p in others)})" if others else ""
    review = next((p for p in paths if p.suffix == ".docx"), None)
    ways = (f"run `briefgen review {review}` to bring the edits into the outline, or " if review else "")
    return RenderError(
        f"changed since briefgen wrote it{also}; nothing was written",
        code="output-edited", file=str(first),
        hint=ways + "build with --overwrite to replace it (the edited file is first kept beside it as "
                    f"{kept_name(first).name})")


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary files left in folder by builds that were killed (their process is gone)."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _TMP.match(name)
        if not m or _alive(int(m.group("pid"))):
            continue
        try:
            os.unlink(folder / name)
            removed.append(folder / name)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers from an earlier, failed attempt
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _write_temp(target: Path, data: bytes) -> Path:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}{TMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def write_atomic(target: Path, data: bytes) -> None:
    """Write one file through a temporary file beside it, then rename: readers never see half a file."""
    if target.is_dir():
        raise RenderError(f"output path is a directory: {target}", code="output-is-dir",
                          hint="remove it or choose another --out folder")
    tmp = None
    try:
        tmp = _write_temp(target, data)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            _unlink(tmp)
        raise RenderError(f"cannot write {target}: {exc.strerror}", code="output-write",
                          hint="check that the output folder is writable") from None


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def publish(files: dict[Path, bytes], cache_folder: Path, overwrite: bool = False) -> Published:
    """Write every file or none, refusing (or, with overwrite, keeping) outputs edited since briefgen wrote them."""
    files = {target: seal.seal(target.suffix, data) for target, data in files.items()}
    ledger, project = Ledger(cache_folder), cache_folder.parent
    keys = {target: _key(target, project) for target in files}
    result = Published()
    recorded = any(key is not None for key in keys.values())  # outputs outside the project: no record kept
    with ledger.locked() if recorded else nullcontext({}) as entries:
        for target in files:
            if target.is_dir():
                raise RenderError(f"output path is a directory: {target}", code="output-is-dir",
                                  hint="remove it or choose another --out folder")
        # what briefgen recorded for each target (and under an older briefgen's absolute key)
        known = {t: entries.get(keys[t] or "", []) + entries.get(_key(t) or "", []) for t in files}
        changed = [t for t in files if edited(t, known[t])]
        if changed and not overwrite:
            raise refuse_edited(changed)
        for folder in {t.parent for t in files}:
            clean_stale(folder)
        temps: dict[Path, Path] = {}
        try:
            for target, data in files.items():
                temps[target] = _write_temp(target, data)
        except OSError as exc:
            for tmp in temps.values():
                _unlink(tmp)
            failed = next(t for t in files if t not in temps)
            raise RenderError(f"cannot write {failed}: {exc.strerror}; no output was changed", code="output-write",
                              hint="check that the output folder is writable and the disk has room") from None
        _replace_all(temps, changed, result)
        for target, data in files.items():
            key = keys[target]
            if key is None:
                continue
            entries.pop(_key(target), None)  # an absolute key from an older briefgen
            entries[key] = ([digest(data)] + [h for h in entries.get(key, []) if h != digest(data)])[:KEEP_HASHES]
        if recorded:
            ledger.save(entries)
    return result


def _replace_all(temps: dict[Path, Path], changed: list[Path], result: Published) -> None:
    """Move the complete temporary files onto their targets; on failure, put every earlier file back."""
    for target in changed:  # an edited file stays, under a new name, before anything is replaced
        keep = kept_name(target)
        try:
            os.link(target, keep)
        except OSError as exc:
            for tmp in temps.values():
                _unlink(tmp)
            raise RenderError(f"cannot keep the edited {target} as {keep.name}: {exc.strerror}; no output was "
                              "changed", code="output-write") from None
        result.kept[target] = keep
    backups: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for target, tmp in temps.items():
            if target.exists():
                backup = tmp.with_name(tmp.name + ".old")
                os.link(target, backup)
                backups[target] = backup
            os.replace(tmp, target)
            done.append(target)
    except OSError as exc:
        for target in done:  # put the earlier outputs back: the set stays consistent
            if target in backups:
                os.replace(backups.pop(target), target)
            else:
                _unlink(target)
        for tmp in temps.values():
            _unlink(tmp)
        failed = next(t for t in temps if t not in done)
        raise RenderError(f"cannot write {failed}: {exc.strerror}; no output was changed", code="output-write",
                          hint="check that the output folder is writable") from None
    finally:
        for backup in backups.values():
            _unlink(backup)
    result.written.extend(done)
