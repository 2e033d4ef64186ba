"""Issued versions: what went to the decision makers, kept in the project so later versions can be compared.

`versions/<outline name>/v<N>/` holds the outline and its sources folder as they were when version N
was issued, and `version.json`: its number, date, recipients, note and the SHA-256 of each output.
The folder travels with the project (commit it): it is not a cache. A version is written into a
temporary folder and renamed into place, so a half-written version never exists, and two `issue`
runs at once cannot both take the same number.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import InputError, RenderError
from . import safefs

FOLDER = "versions"
MAX_RECORD_BYTES = 1024 * 1024


@dataclass
class Version:
    """One issued version, as recorded."""

    number: int
    date: str  # YYYY-MM-DD
    outline: str  # the outline's file name
    sources: str  # the sources folder, relative to the outline
    outputs: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    to: list[str] = field(default_factory=list)
    note: str | None = None
    folder: Path | None = None  # where the snapshot is (not recorded)

    @property
    def label(self) -> str:
        return f"v{self.number}"

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("folder")
        return data


def root(project: Path, name: str) -> Path:
    return project / FOLDER / name


def load_all(project: Path, name: str) -> list[Version]:
    """The recorded versions of an outline, oldest first; a folder that is not a version is skipped."""
    folder = root(project, name)
    if not folder.is_dir():
        return []
    found = []
    for child in folder.iterdir():
        m = re.fullmatch(r"v(\d{1,6})", child.name)
        if not m or not child.is_dir():
            continue
        try:
            data = json.loads(safefs.read_file(child / "version.json", MAX_RECORD_BYTES))
            version = Version(**{k: data[k] for k in ("number", "date", "outline", "sources", "outputs", "to", "note")})
        except (InputError, ValueError, KeyError, TypeError):
            continue
        if version.number != int(m.group(1)):
            continue
        version.folder = child
        found.append(version)
    return sorted(found, key=lambda v: v.number)


def find(project: Path, name: str, label: str) -> Version:
    """`v2`, `2` or `latest` -> that version; a clear error naming the recorded ones otherwise."""
    versions = load_all(project, name)
    wanted = versions[-1:] if label == "latest" else [v for v in versions if label in (v.label, str(v.number))]
    if not wanted:
        known = ", ".join(v.label for v in versions) or "none yet"
        raise InputError(f"no issued version '{label}' of {name} (recorded: {known})", code="unknown-version",
                         hint=f"briefgen issue {name}.yaml records one; versions are kept in {FOLDER}/{name}/")
    return wanted[0]


def record(project: Path, outline: Path, sources: Path, version: Version) -> Version:
    """Snapshot the outline and its sources as version `version.number`, atomically."""
    base = root(project, outline.stem)
    relative = os.path.relpath(os.path.realpath(sources), os.path.realpath(outline.parent))
    if relative.startswith(".."):
        raise InputError(f"the sources folder {sources} is outside the project: it cannot be kept with a version",
                         code="outside-project", hint="move the sources into the project to issue versions")
    version.sources = relative
    version.outline = outline.name
    temp = base / f".v{version.number}.tmp-{os.getpid()}"
    target = base / version.label
    if not safefs.inside(base, [project]):  # before anything is made: a linked versions folder
        raise InputError(f"{base} leads outside the project", code="outside-project",
                         hint=f"remove the link at {FOLDER}/")
    try:
        base.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir()
        shutil.copy2(outline, temp / outline.name)
        shutil.copytree(sources, temp / relative, symlinks=True)
        (temp / "version.json").write_text(json.dumps(version.to_json(), ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
        os.rename(temp, target)  # fails if another run took the number: nothing is overwritten
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        if target.exists():
            raise RenderError(f"version {version.label} of {outline.stem} was recorded by another run meanwhile",
                              code="version-taken", hint="run briefgen issue again for the next number") from None
        raise RenderError(f"cannot record version {version.label} in {base}: {exc.strerror}",
                          code="version-write", hint=f"check that {FOLDER}/ is writable") from None
    version.folder = target
    return version


def next_number(project: Path, name: str) -> int:
    versions = load_all(project, name)
    return versions[-1].number + 1 if versions else 1
