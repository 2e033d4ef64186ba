"""Errors and diagnostics: one family, each with its exit code and a source position."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


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
