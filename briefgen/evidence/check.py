"""Checking: read the outline and its sources, resolve every citation, render nothing.

What `briefgen check` runs, and the first step of every build, preview and review. The readers are
imported only when `check` runs: they bring pydantic and the outline schema (see run/prefork.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostics, InputError
from ..model import Brief
from ..project import safefs
from ..project.cache import Cache

if TYPE_CHECKING:
    from ..read.outline import LoadedOutline
    from ..read.sources import Library


@dataclass
class Checked:
    """What `check` produced: the outline, its sources, the brief (None on errors), diagnostics."""

    diagnostics: Diagnostics
    loaded: LoadedOutline | None = None
    library: Library | None = None
    brief: Brief | None = None

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors



def check(outline_path: Path, allow_outside: bool = False, use_cache: bool = True) -> Checked:
    """Read and resolve everything without rendering; every problem becomes a diagnostic.

    `use_cache=False` reads the sources afresh and writes no cache (a kept version's snapshot stays as it was).
    """
    from ..read.outline import read_outline
    from ..read.sources import read_sources
    from .resolve import resolve

    diags = Diagnostics()
    result = Checked(diags)
    try:
        result.loaded = read_outline(outline_path)
        diags.items.extend(result.loaded.diagnostics)
        project = Path(os.path.realpath(result.loaded.base))
        folder = result.loaded.base / result.loaded.outline.sources
        if not allow_outside and not safefs.inside(folder, [project]):
            raise InputError(f"sources folder {folder} is outside the project folder {project}",
                             code="outside-project", hint="move it into the project, or pass --allow-outside",
                             **result.loaded.located.where(("sources",)))
        if os.path.lexists(folder):  # a loop or a file where the folder should be: at the outline's sources:
            safefs.check_folder(folder, "sources folder", code="sources-missing",
                                hint="`sources:` names the folder of article .txt files",
                                **result.loaded.located.where(("sources",)))
        result.library = read_sources(folder, diags, root=None if allow_outside else project,
                                      cache=Cache.for_project(project) if use_cache else None)
        brief = resolve(result.loaded, result.library, diags)
        result.brief = brief if result.ok else None
    except InputError as exc:
        diags.items.extend(exc.diagnostics)
    diags.items.sort(key=lambda d: (d.file or "", d.line or 0, d.column or 0))
    return result
