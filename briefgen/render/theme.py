"""Theme stage: a sandboxed Jinja environment confined to the theme folder, theme errors as InputError."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import InputError
from ..project import safefs

MAX_TEMPLATE_BYTES = 1024 * 1024
MAX_STYLESHEET_BYTES = 2 * 1024 * 1024
MAX_PRODUCT = 1_000_000  # characters or items a template's `*` may build ('x' * 10**9 is refused)
_JINJA = os.path.dirname(jinja2.__file__) + os.sep
HINT = "themes are Jinja templates run in a sandbox: see README › Security and bad input"


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from one folder only: no '..', no absolute names, no symlink leading out of it."""

    def __init__(self, folder: Path):
        self.folder = Path(os.path.realpath(folder))

    def get_source(self, environment, template: str):
        pieces = jinja2.loaders.split_template_path(template)  # refuses '..'
        path = self.folder.joinpath(*pieces)
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        if not safefs.inside(path, [self.folder]):
            raise InputError(f"theme file {template} links to {safefs.shorten(os.path.realpath(path))}, outside the "
                             f"theme folder {self.folder}", code="theme-outside", file=str(path),
                             hint="copy the file into the theme folder")
        raw = safefs.read_file(path, MAX_TEMPLATE_BYTES, "theme template", code="theme-unreadable")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"theme template {template} is not UTF-8 (byte {exc.start})", code="theme-encoding",
                             file=str(path)) from None
        return text, str(path), lambda: True

    def list_templates(self) -> list[str]:  # pragma: no cover - not used by briefgen
        return sorted(p.name for p in self.folder.iterdir())


class _ClassName:
    """What a theme sees of `x.__class__`: its __name__ only."""

    def __init__(self, name: str):
        self.__name__ = name


class ThemeSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no attribute tricks, no imports, no file or network access) with bounded products."""

    intercepted_binops = frozenset({"*", "**"})

    def getattr(self, obj, attribute):
        if attribute == "__class__":  # the default theme's `block.__class__.__name__`: the name, nothing more
            return _ClassName(type(obj).__name__)
        if isinstance(obj, _ClassName) and attribute != "__name__":
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj, attr, value):
        if isinstance(obj, _ClassName):
            return attr == "__name__"
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise jinja2.sandbox.SecurityError("exponent too large")
            return left**right
        size = max((len(v) for v in (left, right) if hasattr(v, "__len__")), default=1)
        times = next((v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)), 1)
        if hasattr(left, "__len__") or hasattr(right, "__len__"):
            if size * abs(times) > MAX_PRODUCT:
                raise jinja2.sandbox.SecurityError(f"the product is above {MAX_PRODUCT:,} items")
        return left * right


def environment(folder: Path) -> ThemeSandbox:
    return ThemeSandbox(loader=ConfinedLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined,
                        trim_blocks=False)


def stylesheet(folder: Path, name: str) -> str:
    """The theme's stylesheet text ('' if it has none), read under the same rules as its templates."""
    path = folder / name
    if not os.path.lexists(path):
        return ""
    if not safefs.inside(path, [folder]):
        raise InputError(f"theme file {name} links to {safefs.shorten(os.path.realpath(path))}, outside the theme "
                         f"folder {folder}", code="theme-outside", file=str(path),
                         hint="copy the file into the theme folder")
    raw = safefs.read_file(path, MAX_STYLESHEET_BYTES, "theme stylesheet", code="theme-unreadable")
    return raw.decode("utf-8", errors="replace")


@contextmanager
def errors(folder: Path) -> Iterator[None]:
    """Turn what a theme's templates get wrong into an InputError at the template's file and line."""
    real = os.path.realpath(folder)
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"theme template syntax error: {safefs.shorten(exc.message or 'invalid syntax')}",
                         code="theme-syntax", file=exc.filename or exc.name, line=exc.lineno, hint=HINT) from None
    except InputError:
        raise
    except Exception as exc:
        where = _template_frame(exc, real)
        if not isinstance(exc, jinja2.TemplateError) and (where is None or not _raised_by_theme(exc, real)):
            raise  # briefgen's own code (a filter, a helper) failed: a bug, not the theme's
        message = {jinja2.TemplateNotFound: "theme template not found: {}",
                   jinja2.UndefinedError: "theme template uses an undefined value: {}",
                   jinja2.sandbox.SecurityError: "theme template tried something the sandbox forbids: {}"}
        form = next((f for kind, f in message.items() if isinstance(exc, kind)), "theme template failed: {}")
        detail = str(exc) if not isinstance(exc, jinja2.TemplateNotFound) else exc.name
        file, line = where or (None, None)
        raise InputError(form.format(safefs.shorten(detail or type(exc).__name__)), code="theme-error",
                         file=file, line=line, hint=HINT) from None


def _raised_by_theme(exc: BaseException, folder: str) -> bool:
    """Whether the innermost frame is the theme's template or Jinja itself (e.g. its sandboxed range())."""
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1].filename if frames else ""
    return last.startswith(folder + os.sep) or last.startswith(_JINJA)


def _template_frame(exc: BaseException, folder: str) -> tuple[str, int] | None:
    """The innermost traceback frame that is a line of a theme template (Jinja maps them to template lines)."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(folder + os.sep) and frame.lineno:
            found = (frame.filename, frame.lineno)
    return found
