"""PDF post-processing after WeasyPrint (pikepdf): whole words, accessible structure, XMP metadata.

Every step keeps what WeasyPrint wrote (glyphs, positions, /Info, the structure tree) and adds to it;
the file is saved with a content-derived /ID so that a rebuild is byte-identical.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf

from . import pdf_glyphs, pdf_tags, pdf_text


@dataclass
class Report:
    text: pdf_text.Stats
    tags: pdf_tags.Stats


def finish(data: bytes, captions: list[str] = (), source: list[str] = (), rtl: bool = True) -> tuple[bytes, Report]:
    """The post-processed PDF bytes and what was done (`captions`: the HTML's figure captions;
    `source`: its visible text, to correct words the font's ToUnicode map misspells; `rtl`: the
    document's direction)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        text = pdf_text.add_actual_text(pdf, pdf_glyphs.source_index(list(source)), rtl)
        tags = pdf_tags.improve(pdf, text.parsed, captions)
        pdf_tags.write_xmp(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue(), Report(text, tags)
