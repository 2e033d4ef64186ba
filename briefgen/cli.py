"""Command line: parse arguments, call the pipeline, print results and diagnostics."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import __version__
from .errors import BriefgenError, Diagnostic, Diagnostics

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None,
                  help="Cited Arabic policy briefs (PDF and DOCX) from news articles and an outline.")
sources_app = typer.Typer(no_args_is_help=True, help="Inspect the articles a brief cites.")
app.add_typer(sources_app, name="sources")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
BUG = "briefgen hit an internal error ({}). Please report it with the output of the same command run with --debug."


def _show(diags: list[Diagnostic]) -> None:
    for d in diags:
        style = "bold red" if d.severity == "error" else "yellow"
        err.print(d.format(), style=style, markup=False)


def _run(action: Callable[[], int], debug: bool) -> None:
    """Run a command body; user mistakes print a message and exit with their code, never a traceback."""
    try:
        code = action()
    except BriefgenError as exc:
        _show(exc.diagnostics)
        if debug:
            traceback.print_exc()
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("interrupted; earlier outputs are unchanged", markup=False)
        raise typer.Exit(130) from None
    except Exception as exc:  # a bug in briefgen, not the user's input
        if debug:
            raise
        err.print(BUG.format(type(exc).__name__), markup=False, style="bold red")
        raise typer.Exit(70) from None
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        out.print(f"briefgen {__version__}", markup=False)
        raise typer.Exit(0)


@app.callback()
def main(version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")) -> None:
    """briefgen: turn articles and an outline into a cited brief."""


@app.command()
def check(
    outline: Path = typer.Argument(..., help="The outline YAML file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Allow sources outside the project folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """Check citations and quotes without rendering.  Example: briefgen check outline.yaml"""
    from . import pipeline

    def body() -> int:
        result = pipeline.check(outline, allow_outside)
        diags = result.diagnostics
        failed = bool(diags.errors) or (strict and bool(diags.warnings))
        if as_json:
            out.print(json.dumps({"ok": not failed, "diagnostics": [d.to_json() for d in diags.items]},
                                 ensure_ascii=False, indent=2), markup=False)
        else:
            _show(diags.items)
            if not failed and result.brief is not None:
                b = result.brief
                quotes = sum(1 for c in b.citations if c.quote)
                err.print(f"ok: {len(b.citations)} citations ({quotes} verified quotes), "
                          f"{len(b.bibliography)} sources, {len(diags.warnings)} warnings", markup=False)
        return 1 if failed else 0

    _run(body, debug)


@app.command()
def build(
    outline: Path = typer.Argument(..., help="The outline YAML file."),
    fmt: str = typer.Option("pdf,docx", "--format", "-f", help="Comma-separated: pdf, docx, html."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: the outline's output:)."),
    template: Optional[Path] = typer.Option(None, "--template", help="Theme folder with brief.html and brief.css."),
    comments: bool = typer.Option(True, "--comments/--no-comments", help="DOCX: verified quotes as Word comments."),
    reference_docx: Optional[Path] = typer.Option(None, "--reference-docx", help="DOCX: take styles from this file."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Allow sources outside the project folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """Check, then write reports/<name>.pdf and .docx.  Example: briefgen build outline.yaml --format pdf"""
    from . import pipeline

    def body() -> int:
        formats = pipeline.parse_formats(fmt)
        options = pipeline.Options(out_dir=out_dir, template=template, allow_outside=allow_outside,
                                   comments=comments, reference_docx=reference_docx)
        built = pipeline.build(outline, formats, options)
        if not quiet:
            _show(built.diagnostics.warnings)
            for path in built.outputs.values():
                err.print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)", markup=False)
            err.print(f"{len(built.brief.citations)} footnotes, "
                      f"{sum(1 for c in built.brief.citations if c.quote)} verified quotes", markup=False)
        return 0

    _run(body, debug)


def _library(directory: Path):
    from .sources import read_sources

    diags = Diagnostics()
    library = read_sources(directory, diags)
    return library, diags


@sources_app.command("list")
def sources_list(
    directory: Path = typer.Argument(Path("sources"), help="The sources folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    debug: bool = typer.Option(False, "--debug"),
) -> None:
    """Table of the sources: id, title, publisher, date, paragraphs, words.  Example: briefgen sources list"""

    def body() -> int:
        library, diags = _library(directory)
        rows = [{"id": s.id, "title": s.ref.title, "publisher": s.ref.publisher, "date": s.ref.date,
                 "suggested_date": s.suggested_date, "paragraphs": len(s.paragraphs), "words": s.words,
                 "dropped": len(s.dropped)} for s in library.sources.values()]
        if as_json:
            out.print(json.dumps(rows, ensure_ascii=False, indent=2), markup=False)
            return 0
        from rich.table import Table

        table = Table("id", "title", "publisher", "date", "¶", "words", "dropped")
        for r in rows:
            date = r["date"] or (f"({r['suggested_date']}?)" if r["suggested_date"] else "")
            table.add_row(r["id"], r["title"][:50], r["publisher"] or "", date, str(r["paragraphs"]),
                          str(r["words"]), str(r["dropped"]))
        out.print(table)
        _show(diags.items)
        return 0

    _run(body, debug)


@sources_app.command("show")
def sources_show(
    source_id: str = typer.Argument(..., help="The source id."),
    directory: Path = typer.Option(Path("sources"), "--dir", help="The sources folder."),
    dropped: bool = typer.Option(False, "--dropped", help="Also list what cleaning removed."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    debug: bool = typer.Option(False, "--debug"),
) -> None:
    """A source's cleaned text with ¶ numbers.  Example: briefgen sources show hafryat --dropped"""
    from .errors import InputError
    from .outline import did_you_mean

    def body() -> int:
        library, _ = _library(directory)
        source = library.sources.get(source_id)
        if source is None:
            raise InputError(f"unknown source id '{source_id}'", code="unknown-source",
                             hint=did_you_mean(source_id, library.ids()) or f"known ids: {', '.join(library.ids())}")
        if as_json:
            data = {"id": source.id, "paragraphs": [{"n": p.number, "line": p.line, "text": p.text}
                                                    for p in source.paragraphs]}
            if dropped:
                data["dropped"] = [{"line": d.line, "rule": d.rule, "text": d.text} for d in source.dropped]
            out.print(json.dumps(data, ensure_ascii=False, indent=2), markup=False)
            return 0
        for p in source.paragraphs:
            out.print(f"¶{p.number}  {p.text}\n", markup=False)
        if dropped:
            for d in source.dropped:
                out.print(f"dropped line {d.line} [{d.rule}]: {d.text}", markup=False, style="dim")
        return 0

    _run(body, debug)


@sources_app.command("search")
def sources_search(
    query: str = typer.Argument(..., help="A phrase, matched like quotes: normalised Arabic, whole words."),
    directory: Path = typer.Argument(Path("sources"), help="The sources folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    debug: bool = typer.Option(False, "--debug"),
) -> None:
    """Find a phrase in every source, with a cite: entry to paste.  Example: briefgen sources search "جدول زمني" """
    from . import evidence

    def body() -> int:
        library, _ = _library(directory)
        hits = evidence.search(query, list(library.sources.values()))
        if as_json:
            out.print(json.dumps([{"source": h.source_id, "para": h.para, "match": h.text[h.start:h.end],
                                   "context": _context(h)} for h in hits], ensure_ascii=False, indent=2),
                      markup=False)
            return 0 if hits else 1
        for h in hits:
            from rich.text import Text

            line = Text(f"{h.source_id} ¶{h.para}: ")
            before, match, after = _context_parts(h)
            line.append(before)
            line.append(match, style="bold reverse")
            line.append(after)
            out.print(line)
            out.print(f'  cite: [{{source: {h.source_id}, quote: "{h.text[h.start:h.end]}"}}]', markup=False,
                      style="dim")
        err.print(f"{len(hits)} match{'es' if len(hits) != 1 else ''}", markup=False)
        return 0 if hits else 1

    _run(body, debug)


def _context_parts(hit, width: int = 60) -> tuple[str, str, str]:
    start = max(0, hit.start - width)
    end = min(len(hit.text), hit.end + width)
    return (("…" if start else "") + hit.text[start:hit.start], hit.text[hit.start:hit.end],
            hit.text[hit.end:end] + ("…" if end < len(hit.text) else ""))


def _context(hit) -> str:
    return "".join(_context_parts(hit))


def run() -> None:  # console-script entry point
    app(prog_name="briefgen")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
