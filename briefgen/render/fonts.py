"""Fonts: locate the packaged Amiri font files and describe them as CSS @font-face rules."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FAMILY = "Amiri"
WEIGHTS = {400: "normal", 700: "bold"}


@lru_cache(maxsize=1)
def font_files() -> dict[int, Path]:
    """Amiri regular and bold, from the fontpkg-amiri package (no system font needed)."""
    import fontpkg

    return {weight: Path(fontpkg.path(FAMILY, weight)) for weight in WEIGHTS}


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
