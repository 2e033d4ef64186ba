"""Errors and diagnostics: one family, each with its exit code and a source position."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
_LONG_RUN = re.compile(r"\S{161,}")
MAX_MESSAGE = 4000


def _shorten(text: str, total: int = MAX_MESSAGE) -> str:
    """Words longer than 160 characters and messages longer than `total` cut, with their length."""
    text = _LONG_RUN.sub(lambda m: f"{m.group()[:120]}…({len(m.group()):,} characters)", str(text))
    return text if len(text) <= total else f"{text[:total]}… ({len(text):,} characters)"


@dataclass
class Diagnostic:
    """One finding about the user's input, with where it is and how to fix it."""

    severity: Severity
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def __post_init__(self) -> None:  # a 2 MB value pasted into a cite is not echoed back whole
        self.message = _shorten(self.message)
        self.hint = _shorten(self.hint) if self.hint else self.hint
        self.file = _shorten(self.file, 300) if self.file else self.file

    def location(self) -> str:
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def format(self) -> str:
        where = self.location()
        head = f"{where}: {self.severity}: {self.message}" if where else f"{self.severity}: {self.message}"
        return head + (f"\n  hint: {self.hint}" if self.hint else "")

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Diagnostics:
    """Collects errors and warnings from every stage so they are shown together."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, **where) -> Diagnostic:
        d = Diagnostic("error", code, message, **where)
        self.items.append(d)
        return d

    def warning(self, code: str, message: str, **where) -> Diagnostic:
        d = Diagnostic("warning", code, message, **where)
        self.items.append(d)
        return d

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]


class BriefgenError(Exception):
    """Base of every error briefgen reports to a user (never with a traceback)."""

    exit_code = 1

    def __init__(self, message: str, *, code: str = "error", file: str | None = None,
                 line: int | None = None, column: int | None = None, hint: str | None = None,
                 diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.message = message
        self.diagnostics = diagnostics or [
            Diagnostic("error", code, message, file=file, line=line, column=column, hint=hint)
        ]

    def format(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)


class InputError(BriefgenError):
    """The outline, a source or a template is wrong (exit 1)."""

    exit_code = 1


class UsageError(BriefgenError):
    """The command line is wrong (exit 2)."""

    exit_code = 2


class RenderError(BriefgenError):
    """A renderer or the output folder failed (exit 3)."""

    exit_code = 3
