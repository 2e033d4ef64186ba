"""Issuing versions and comparing them: `briefgen issue`, `briefgen versions`, `briefgen diff`.

`issue` builds the PDF and DOCX as version N (the line under the title, the files' metadata) and keeps
the outline and sources as they were (project/versions.py). `diff` checks two versions, or a version
and the working outline, and lists what changed item by item (changes.py), as text for the e-mail
that goes with the new version.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import changes as changes_mod
from ..dates import long_date
from ..errors import InputError
from ..model import Brief, ItemList, Section, Text
from ..project import versions
from . import pipeline


def _today() -> str:
    return dt.date.today().isoformat()


def stamp(brief: Brief, number: int, date: str) -> None:
    """Mark the brief as issued version `number` of `date` (the line under the title, the files' metadata)."""
    brief.meta.version = number
    brief.meta.version_line = brief.labels["version_line"].format(number=number, date=long_date(date, brief.labels))


def issue(outline: Path, to: list[str], note: str | None = None, date: str | None = None,
          options: pipeline.Options | None = None, changes_since: str | None = None,
          ) -> tuple[versions.Version, pipeline.Built]:
    """Build the PDF and DOCX as the next version and record it with the outline and sources as they are."""
    from ..read.outline import read_outline
    from ..read.registry import parse_date

    date = date or _today()
    parse_date(date)  # YYYY-MM-DD and a real day
    loaded = read_outline(outline)
    project = loaded.base
    number = versions.next_number(project, outline.stem)
    options = options or pipeline.Options()
    since = Since(outline, changes_since) if changes_since else None

    def amend(brief: Brief) -> None:
        stamp(brief, number, date)  # first: the redline's copy carries the version line too
        if since is not None:
            since.amend(brief)

    options.amend = amend
    built = pipeline.build(outline, ["pdf", "docx"], options)
    if since is not None:
        built.outputs["redline"] = since.write_redline(built, options.overwrite, date)
    hashes = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in built.outputs.values()}
    recipients = [" ".join(t.split()) for t in to if t.strip()]
    version = versions.Version(number, date, outline.name, "", hashes, recipients, note and " ".join(note.split()))
    versions.record(project, outline, project / loaded.outline.sources, version)
    return version, built


def _brief(path: Path, use_cache: bool, what: str) -> Brief:
    checked = pipeline.check(path, use_cache=use_cache)
    if not checked.ok or checked.brief is None:
        first = checked.diagnostics.errors[0]
        raise InputError(f"{what} does not check: {first.message}", code="version-check",
                         diagnostics=checked.diagnostics.errors,
                         hint="fix the outline (briefgen check) before comparing it")
    return checked.brief


@dataclass
class Diff:
    old: versions.Version
    new: versions.Version | None  # None: the working outline
    changes: list[changes_mod.Change]
    brief: Brief  # the newer brief (its labels and language)
    before: Brief

    def redline(self) -> bytes:
        """The newer version's DOCX with every change since the older one as a tracked change."""
        from ..render import docx as docx_render

        date = self.new.date if self.new is not None else (self.brief.meta.date or _today())
        marked, _ = changes_mod.redline(self.before, self.brief, date)
        return docx_render.render(marked, comments=False)


def diff(outline: Path, old_label: str, new_label: str | None = None) -> Diff:
    """What changed from an issued version to another one, or to the working outline."""
    project = outline.resolve().parent
    old = versions.find(project, outline.stem, old_label)
    new = versions.find(project, outline.stem, new_label) if new_label else None
    assert old.folder is not None
    before = _brief(old.folder / old.outline, False, f"version {old.label}")
    if new is not None:
        assert new.folder is not None
        after = _brief(new.folder / new.outline, False, f"version {new.label}")
    else:
        after = _brief(outline, True, outline.name)
    return Diff(old, new, changes_mod.compare(before, after), after, before)


def _quoted(text: str | None, labels: dict[str, str]) -> str:
    if text is None:
        return ""
    short = text if len(text) <= 160 else text[:159] + "…"
    return f"{labels.get('open_quote', '“')}{short}{labels.get('close_quote', '”')}"


def _changed_words(before: str, after: str, context: int = 3) -> tuple[str, str]:
    """The differing stretch of two texts, word by word, with a few words around it: (before, after)."""
    a, b = before.split(), after.split()
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return before, after
    i1, j1 = max(0, ops[0][1] - context), max(0, ops[0][3] - context)
    i2, j2 = min(len(a), ops[-1][2] + context), min(len(b), ops[-1][4] + context)

    def cut(words: list[str], start: int, end: int) -> str:
        return ("… " if start else "") + " ".join(words[start:end]) + (" …" if end < len(words) else "")

    return cut(a, i1, i2), cut(b, j1, j2)


def summary_text(result: Diff) -> str:
    """The plain-text list of changes, in the brief's language, for the e-mail with the new version."""
    labels = result.brief.labels
    head = labels["changes_since"].format(number=result.old.number)
    if not result.changes:
        return labels["no_changes"].format(number=result.old.number) + "\n"
    return "\n".join([head + ":", *_lines(result.changes, labels)]) + "\n"


def _lines(found: list[changes_mod.Change], labels: dict[str, str]) -> list[str]:
    lines = []
    arrow = labels.get("change_arrow", " → ")
    for c in found:
        section = labels.get(c.section, c.section)
        what = labels.get(f"change_{c.kind}", c.kind)
        if c.kind in ("added", "quote-added", "source-added"):
            detail = _quoted(c.after, labels)
        elif c.kind in ("removed", "quote-removed", "source-withdrawn"):
            detail = _quoted(c.before, labels)
        elif c.kind in ("edited", "title"):
            before, after = _changed_words(c.before or "", c.after or "")
            detail = _quoted(before, labels) + arrow + _quoted(after, labels)
        else:  # likelihood, confidence, rating, grade: short values
            detail = f"{c.before or '—'}{arrow}{c.after or '—'}"
        lines.append(f"- {section}{labels.get('comma', ', ').rstrip()} {what}: {detail}")
    return lines


def annex_lines(result_changes: list[changes_mod.Change], labels: dict[str, str]) -> list[str]:
    """One line per change, as in the e-mail summary."""
    return [line[2:] for line in _lines(result_changes, labels)]


class Since:
    """`--changes-since vN`: the "what changed" annex in the new brief, and the redline DOCX beside it."""

    def __init__(self, outline: Path, label: str):
        self.outline = outline
        self.version = versions.find(outline.resolve().parent, outline.stem, label)
        assert self.version.folder is not None
        self.old = _brief(self.version.folder / self.version.outline, False, f"version {self.version.label}")
        self.new: Brief | None = None
        self.changes: list[changes_mod.Change] = []

    def amend(self, brief: Brief) -> None:
        """Compare, then add the annex as the brief's last section (before anything is rendered)."""
        import copy

        self.new = copy.deepcopy(brief)  # as checked: the annex and the version line are not compared
        self.changes = changes_mod.compare(self.old, brief)
        labels = brief.labels
        lines = annex_lines(self.changes, labels) or [labels["no_changes"].format(number=self.version.number)]
        title = labels["changes_since"].format(number=self.version.number)
        brief.sections.append(Section("changes", len(brief.sections) + 1, title,
                                      [ItemList(False, [[Text(line)] for line in lines])]))

    def redline_bytes(self, date: str | None = None) -> bytes:
        from ..render import docx as docx_render

        assert self.new is not None
        marked, _ = changes_mod.redline(self.old, self.new, date or _today())
        return docx_render.render(marked, comments=False)

    def write_redline(self, built: pipeline.Built, overwrite: bool = False, date: str | None = None) -> Path:
        """<output>/<name>.since-vN.docx, written like every output (atomically, never over an edited copy).

        Its changes are dated `date` (an issued version's), else the brief's own date, else today.
        """
        from ..project import outputs

        folder = next(iter(built.outputs.values())).parent
        target = folder / f"{built.brief.meta.name}.since-{self.version.label}.docx"
        project = self.outline.resolve().parent
        data = self.redline_bytes(date or built.brief.meta.date)
        outputs.publish({target: data}, pipeline.cache_folder(project), overwrite)
        return target
