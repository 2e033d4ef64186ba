"""Fonts: locate the packaged Amiri font files and describe them as CSS @font-face rules."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FAMILY = "Amiri"
WEIGHTS = {400: "normal", 700: "bold"}
HINT = "install it into briefgen's environment: .venv/bin/pip install fontpkg-amiri (or run make brief again)"


@lru_cache(maxsize=1)
def font_files() -> dict[int, Path]:
    """Amiri regular and bold, from the fontpkg-amiri package (no system font needed)."""
    try:
        import fontpkg

        files = {weight: Path(fontpkg.path(FAMILY, weight)) for weight in WEIGHTS}
    except (ImportError, LookupError, OSError) as exc:
        from ..errors import InputError

        raise InputError(f"the {FAMILY} font is not installed ({' '.join(str(exc).split())[:120]})",
                         code="font-missing", hint=HINT) from None
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        from ..errors import InputError

        raise InputError(f"the {FAMILY} font file {missing[0]} is missing", code="font-missing", hint=HINT)
    return files


def font_dirs() -> list[Path]:
    """Folders a renderer may read fonts from."""
    return sorted({p.parent.resolve() for p in font_files().values()})


def font_face_css() -> str:
    """@font-face rules for Amiri, pointing at the packaged files."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {css_weight}; '
        f'src: url("{font_files()[weight].resolve().as_uri()}"); }}'
        for weight, css_weight in WEIGHTS.items()
    )
