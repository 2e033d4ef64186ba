"""Command line: parse arguments, call the pipeline, print results and diagnostics."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import __version__
from .errors import BriefgenError, Diagnostic, Diagnostics

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None,
                  help="Cited Arabic policy briefs (PDF and DOCX) from news articles and an outline.")
sources_app = typer.Typer(no_args_is_help=True, help="Add and inspect the articles a brief cites.")
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
    from .run import pipeline

    def body() -> int:
        result = pipeline.check(outline, allow_outside)
        diags = result.diagnostics
        if result.loaded is not None:  # a fresh `briefgen init` project: say what is missing
            from .run.scaffold import empty_outline, no_sources

            if result.library is not None and not result.library.sources:
                diags.items += [d for d in [no_sources(outline, result.loaded)] if d]
            diags.items += [d for d in [empty_outline(outline, "warning", result.loaded)] if d]
        failed = bool(diags.errors) or (strict and bool(diags.warnings))
        if as_json:
            quotes = [{"citation": c.number, "source": c.source.id, "para": c.para, "located": c.located,
                       "text": c.quote, "tolerances": list(c.tolerances), "spans": [list(s) for s in c.spans]}
                      for c in (result.brief.citations if result.brief is not None else []) if c.quote]
            out.print(json.dumps({"ok": not failed, "diagnostics": [d.to_json() for d in diags.items],
                                  "quotes": quotes}, ensure_ascii=False, indent=2), markup=False)
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
    outlines: list[Path] = typer.Argument(..., help="Outline YAML file(s), or folder(s) of outlines: several are "
                                                     "built in parallel.", show_default=False),
    fmt: str = typer.Option("pdf,docx", "--format", "-f", help="Comma-separated: pdf, docx, html."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: the outline's output:)."),
    template: Optional[Path] = typer.Option(None, "--template", help="Theme folder with brief.html and brief.css."),
    comments: bool = typer.Option(True, "--comments/--no-comments", help="DOCX: verified quotes as Word comments."),
    reference_docx: Optional[Path] = typer.Option(None, "--reference-docx", help="DOCX: take styles from this file."),
    embed_fonts: bool = typer.Option(True, "--embed-fonts/--no-embed-fonts", help="DOCX: carry the fonts inside "
                                     "the file (subset), so Word shows Amiri on machines without it."),
    eml: bool = typer.Option(False, "--eml", help="Also write <output>/<name>.eml: an e-mail draft (subject: the "
                                                  "title; body: the summary; the PDF attached)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, show_default=False,
                                       help="Briefs built at once when there are several (default: CPU count)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout (a list for several "
                                                       "outlines or a folder)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only (no progress, no summary)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace outputs edited since briefgen wrote them; "
                                                               "each edited file is first kept beside it under a "
                                                               "new, dated name."),
    changes_since: Optional[str] = typer.Option(None, "--changes-since", help="An issued version (v1, latest): add "
                                                "a \"what changed since\" annex and write <name>.since-vN.docx, "
                                                "the changes as tracked changes."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Allow sources outside the project folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """Check, then write reports/<name>.pdf and .docx.  Example: briefgen build outline.yaml --format pdf

    \b
    More examples:
      briefgen build outline.yaml --eml           also write reports/outline.eml
      briefgen build briefs/ -j 4 --json          every outline in briefs/, 4 at a time
    """
    from .errors import UsageError
    from .run import batch, pipeline

    def body() -> int:
        formats = pipeline.parse_formats(fmt)
        if eml and "pdf" not in formats:
            raise UsageError("--eml attaches the PDF, but --format has no pdf", code="eml-needs-pdf",
                             hint=f"use --format {','.join(['pdf', *formats])}")
        paths, many = batch.expand(outlines)
        make = lambda p: batch.Job(p, formats, out_dir, template, allow_outside, comments,  # noqa: E731
                                   reference_docx, eml, overwrite, embed_fonts=embed_fonts,
                                   changes_since=changes_since)
        if not many:
            return _build_one(make(paths[0]), as_json, quiet)
        batch.check_collisions(paths, out_dir)
        return _build_many([make(p) for p in paths], jobs or batch.default_workers(), as_json, quiet)

    _run(body, debug)


@contextmanager
def _progress(enabled: bool):
    """A transient spinner on stderr naming the current step; only on a terminal."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        yield bar


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _print_summary(summary: dict, indent: str = "") -> None:
    for edited, kept in summary.get("kept", {}).items():
        err.print(f"{indent}kept the edited {edited} as {kept}", markup=False)
    for fmt, path in summary["outputs"].items():
        pages = summary["pages"]
        extra = f", {pages} page{'s' if pages != 1 else ''}" if fmt == "pdf" and pages is not None else ""
        err.print(f"{indent}wrote {path} ({_size(summary['sizes'][fmt])}{extra})", markup=False)
    n = len(summary["warnings"])
    err.print(f"{indent}{summary['footnotes']} footnotes, {summary['quotes']} verified quotes, "
              f"{n} warning{'s' if n != 1 else ''}", markup=False)


def _build_one(job, as_json: bool, quiet: bool) -> int:
    from .run import batch

    engine = batch.start_engine(job)  # before the spinner's thread starts
    try:
        with _progress(err.is_terminal and not quiet) as bar:
            step = None
            if bar:
                task = bar.add_task(job.outline.name)
                step = lambda name: bar.update(task, description=f"{job.outline.name}: {name}",  # noqa: E731
                                               refresh=True)
            built, summary = batch.build_one(job, step, engine)
    except BriefgenError as exc:
        if as_json:
            out.print(json.dumps(batch.Result(str(job.outline), exc.exit_code, errors=exc.diagnostics).to_json(),
                                 ensure_ascii=False, indent=2), markup=False)
        raise
    if as_json:
        out.print(json.dumps({"outline": str(job.outline), "ok": True, **summary}, ensure_ascii=False, indent=2),
                  markup=False)
    if not quiet:
        _show(built.diagnostics.warnings)
        if not as_json:
            _print_summary(summary)
    return 0


def _build_many(jobs: list, workers: int, as_json: bool, quiet: bool) -> int:
    from .run import batch

    with _progress(err.is_terminal and not quiet) as bar:
        tasks = {str(j.outline): bar.add_task(f"{j.outline}: waiting") for j in jobs} if bar else {}

        def on_step(key: str, step: str) -> None:
            bar.update(tasks[key], description=f"{key}: {step}", refresh=True)

        def on_done(result) -> None:
            mark = "done" if result.exit_code == 0 else f"failed (exit {result.exit_code})"
            bar.update(tasks[result.outline], description=f"{result.outline}: {mark}", refresh=True)

        results = batch.run_parallel(jobs, workers, on_step if bar else None, on_done if bar else None)
    failed = [r for r in results if r.exit_code]
    if as_json:
        out.print(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2), markup=False)
    for r in results:
        if r.exit_code:
            err.print(f"{r.outline}: failed (exit {r.exit_code})", markup=False, style="bold red")
            _show(r.errors)
        elif not quiet:
            err.print(f"{r.outline}: built", markup=False, style="bold")
            _show([Diagnostic(**w) for w in r.summary["warnings"]])
            if not as_json:
                _print_summary(r.summary, "  ")
    if not quiet or failed:
        err.print(f"{len(results)} briefs: {len(results) - len(failed)} built, {len(failed)} failed", markup=False)
    return max((r.exit_code for r in failed), default=0)


@app.command()
def init(
    folder: Path = typer.Argument(..., help="The new project's folder (created if needed)."),
    title: Optional[str] = typer.Option(None, "--title", help="The brief's title (you can change it later)."),
    lang: str = typer.Option("ar", "--lang", help="ar (right to left) or en."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """Start a brief project: outline.yaml, sources/, reports/, .gitignore.  Example: briefgen init iraq-talks"""
    from .errors import UsageError
    from .run import scaffold

    def body() -> int:
        if lang not in ("ar", "en"):
            raise UsageError(f"--lang must be ar or en, not '{lang}'", code="bad-lang")
        created = scaffold.init_project(folder, title, lang)
        for path in created:
            err.print(f"created {path}{'/' if path.is_dir() else ''}", markup=False)
        err.print("next:", markup=False)
        err.print(f'  cd {folder}\n  briefgen sources add ARTICLE.txt --publisher "..." --date YYYY-MM-DD\n'
                  "  (write points with cite: in outline.yaml; briefgen sources search \"PHRASE\" finds quotes)\n"
                  "  briefgen check outline.yaml\n  briefgen build outline.yaml --eml", markup=False)
        return 0

    _run(body, debug)


@app.command()
def send(
    outline: Path = typer.Argument(..., help="The outline YAML file."),
    to: list[str] = typer.Option(..., "--to", help="Recipient (repeat for several).", show_default=False),
    cc: list[str] = typer.Option([], "--cc", help="Copy recipient (repeat for several).", show_default=False),
    sender: Optional[str] = typer.Option(None, "--from", envvar="BRIEFGEN_SMTP_FROM",
                                         help="Sender address (default: --user if it is an address)."),
    host: Optional[str] = typer.Option(None, "--host", envvar="BRIEFGEN_SMTP_HOST", help="SMTP server."),
    port: Optional[int] = typer.Option(None, "--port", envvar="BRIEFGEN_SMTP_PORT",
                                       help="SMTP port (default: 587 with STARTTLS, else 25)."),
    starttls: bool = typer.Option(True, "--starttls/--no-starttls", help="Encrypt with STARTTLS (required unless "
                                                                         "--no-starttls)."),
    user: Optional[str] = typer.Option(None, "--user", envvar="BRIEFGEN_SMTP_USER", help="SMTP login."),
    password: Optional[str] = typer.Option(None, "--password", envvar="BRIEFGEN_SMTP_PASSWORD", show_default=False,
                                           help="SMTP password; prefer the environment variable (a command line "
                                                "is visible to other users)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Build the PDF even if the built one is up to date."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Allow sources outside the project folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """E-mail the brief (summary in the body, PDF attached) over SMTP.  Example: briefgen send outline.yaml --to a@example.org --host smtp.example.org --user me@example.org

    \b
    The password comes from BRIEFGEN_SMTP_PASSWORD (or --password), never from the outline.
    The PDF is built first unless reports/<name>.pdf is newer than the outline, sources and theme.
    """  # noqa: E501
    from .render import mail
    from .run import batch

    def body() -> int:
        smtp = mail.Smtp.resolve(host, port, starttls, user, password, sender)
        with _progress(err.is_terminal and not quiet) as bar:
            step = None
            if bar:
                task = bar.add_task("sending")
                step = lambda name: bar.update(task, description=name, refresh=True)  # noqa: E731
            brief, pdf, rebuilt = batch.brief_and_pdf(outline, rebuild, allow_outside, step)
            if step:
                step(f"sending to {smtp.host}:{smtp.port}")
            msg = mail.compose(brief, pdf, sender=smtp.sender, to=to, cc=cc)
            mail.send(msg, smtp, [*to, *cc])
        if not quiet:
            err.print(f"{'built' if rebuilt else 'using'} {pdf} ({_size(pdf.stat().st_size)})", markup=False)
            copy = f" (cc {', '.join(cc)})" if cc else ""
            err.print(f"sent «{brief.meta.title}» to {', '.join(to)}{copy} via {smtp.host}:{smtp.port}",
                      markup=False)
        return 0

    _run(body, debug)


def _library(directory: Path):
    from .read.sources import read_sources

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
    dropped: bool = typer.Option(False, "--dropped", help="Also list what extraction and cleaning removed."),
    as_text: bool = typer.Option(False, "--text", help="The text as quotes are matched against it: each passage "
                                                        "with its role (text, headline, caption…), in search order."),
    original: bool = typer.Option(False, "--original", help="Only say where the kept page or PDF is, and check its "
                                                             "hash."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    debug: bool = typer.Option(False, "--debug"),
) -> None:
    """A source's cleaned text with ¶ numbers.  Example: briefgen sources show hafryat --dropped"""
    from .errors import InputError
    from .read.outline import did_you_mean

    def body() -> int:
        library, _ = _library(directory)
        source = library.sources.get(source_id)
        if source is None:
            raise InputError(f"unknown source id '{source_id}'", code="unknown-source",
                             hint=did_you_mean(source_id, library.ids()) or f"known ids: {', '.join(library.ids())}")
        from .read import ingest

        if original:
            out.print(ingest.check_original(source.original, source.sha256), markup=False)
            return 0 if source.original is not None and source.original.is_file() else 1
        extraction = ingest.left_out(source.original) if dropped and source.original and source.original.is_file() \
            else []
        if as_json:
            data = {"id": source.id, "paragraphs": [{"n": p.number, "line": p.line, "text": p.text,
                                                     "role": p.role or "text"} for p in source.paragraphs]}
            if as_text:
                from .evidence.shown import matched_text

                data["matched"] = matched_text(source)
            if dropped:
                data["dropped"] = [{"line": None, "rule": rule, "text": text} for text, rule in extraction]
                data["dropped"] += [{"line": d.line, "rule": d.rule, "text": d.text} for d in source.dropped]
            out.print(json.dumps(data, ensure_ascii=False, indent=2), markup=False)
            return 0
        if as_text:
            from .evidence.shown import format_row, matched_text

            for row in matched_text(source):
                out.print(format_row(row) + "\n", markup=False)
        else:
            for p in source.paragraphs:
                out.print(f"¶{p.number}{f' [{p.role}]' if p.role else ''}  {p.text}\n", markup=False)
        if dropped:
            for text, rule in extraction:
                out.print(f"dropped from the original [{rule}]: {text}", markup=False, style="dim")
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
    from .evidence import match as evidence

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


@sources_app.command("add")
def sources_add(
    files: list[str] = typer.Argument(..., help="Articles: .txt/.md files (copied unchanged), saved web pages "
                                                "(.html, or the folder saved with one), PDFs, or http(s) links.",
                                      show_default=False),
    publisher: Optional[str] = typer.Option(None, "--publisher", help="The outlet, e.g. المونيتور."),
    date: Optional[str] = typer.Option(None, "--date", help="Publication date, YYYY-MM-DD; 'none' records that "
                                                            "the text gives no date."),
    url: Optional[str] = typer.Option(None, "--url", help="Where it was published (one FILE only)."),
    title: Optional[str] = typer.Option(None, "--title", help="Headline, verbatim (one FILE only; default: the "
                                                              "first line)."),
    source_id: Optional[str] = typer.Option(None, "--id", help="Id used in cite: (one FILE only; default: the file "
                                                               "name without extension)."),
    directory: Path = typer.Option(Path("sources"), "--dir", help="The sources folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """Add articles to sources/ and register them in sources.yaml.  Example: briefgen sources add ~/Downloads/monitor.html https://example.org/article.pdf

    \b
    A page, link or PDF: its text is extracted to ID.txt, the original kept in sources/originals/ (with its
    sha256), and the metadata it states (title, site, author, date, URL, language) filled in.
    Comments, order and your corrections in sources.yaml are kept; a changed page becomes ID-v2.
    """  # noqa: E501
    from .read import registry

    def progress(n: int, total: int, item: str) -> None:
        if total > 1 or "://" in item:
            err.print(f"[{n}/{total}] {'fetching' if '://' in item else 'reading'} {item}", markup=False,
                      style="dim")

    def body() -> int:
        added = registry.add_sources(files, directory, source_id=source_id, title=title, publisher=publisher,
                                     date=date, url=url, progress=progress,
                                     warn=lambda m: err.print(f"warning: {m}", markup=False, style="yellow"))
        for a in added:
            if a.status == "unchanged":
                err.print(f"unchanged {a.id}: the same original is already registered; nothing written",
                          markup=False)
                continue
            version = f" (new version of {a.previous})" if a.status == "new-version" else ""
            err.print(f"added {a.id}{version}: {a.file} «{a.title}», {a.paragraphs} ¶, {a.words} words", markup=False)
            if a.original is not None:
                err.print(f"  original kept: {a.original}", markup=False)
                err.print(f"  filled: {', '.join(a.filled) or 'nothing'}; missing: {', '.join(a.missing) or 'nothing'}"
                          + (f"; your corrections kept: {', '.join(a.carried)}" if a.carried else ""), markup=False)
            if date is None and a.suggested_date:  # a date found in the text, not assumed to be publication
                err.print(f"  hint: the text gives the date {a.suggested_date}; add `date: {a.suggested_date}` for "
                          f"it in {directory / 'sources.yaml'} if it is the publication date", markup=False)
        fresh = [a for a in added if a.status != "unchanged"]
        if len(added) > 1:
            incomplete = sum(1 for a in fresh if a.missing)
            err.print(f"{len(fresh)} added, {len(added) - len(fresh)} unchanged; {incomplete} with metadata missing "
                      f"(fill it in {directory / 'sources.yaml'})", markup=False)
        err.print(f"cite them as: {', '.join(a.id for a in added)}  (briefgen sources show ID lists the ¶)",
                  markup=False)
        return 0

    _run(body, debug)


def _context_parts(hit, width: int = 60) -> tuple[str, str, str]:
    start = max(0, hit.start - width)
    end = min(len(hit.text), hit.end + width)
    return (("…" if start else "") + hit.text[start:hit.start], hit.text[hit.start:hit.end],
            hit.text[hit.end:end] + ("…" if end < len(hit.text) else ""))


def _context(hit) -> str:
    return "".join(_context_parts(hit))


@app.command()
def watch(
    outline: Path = typer.Argument(..., help="The outline YAML file."),
    fmt: str = typer.Option("pdf,docx", "--format", "-f", help="Comma-separated: pdf, docx, html."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: the outline's output:)."),
    template: Optional[Path] = typer.Option(None, "--template", help="Theme folder with brief.html and brief.css."),
    interval: float = typer.Option(0.5, "--interval", min=0.05, max=3600,
                                  help="Seconds between checks for changes (0.05 to 3600)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace outputs edited since briefgen wrote them "
                                                               "(each kept first under a new, dated name)."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Allow sources outside the project folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """Build, then rebuild on every change to the outline, sources or theme (Ctrl-C stops).  Example: briefgen watch outline.yaml

    \b
    The process stays warm between builds, so a rebuild costs little more than the rendering.
    An error is printed and watching goes on; earlier outputs are then left as they were.
    """  # noqa: E501
    from .run import pipeline
    from .run import watch as watcher

    def body() -> int:
        formats = pipeline.parse_formats(fmt)
        options = pipeline.Options(out_dir=out_dir, template=template, allow_outside=allow_outside,
                                   overwrite=overwrite)

        def report(event) -> None:
            if event.changed:
                shown = ", ".join(Path(p).name for p in event.changed[:3]) + (" …" if len(event.changed) > 3 else "")
                err.print(f"changed: {shown}", markup=False, style="dim")
            if event.ok:
                _show(event.built.diagnostics.warnings)
                for edited, kept in event.built.kept.items():
                    err.print(f"kept the edited {edited} as {kept}", markup=False)
                names = ", ".join(str(p) for p in event.built.outputs.values())
                err.print(f"built {names} in {event.seconds:.1f} s", markup=False, style="bold")
            else:
                _show(event.errors)
                err.print("build failed; earlier outputs are unchanged", markup=False, style="bold red")
            err.print(f"watching {outline} and its sources and theme (Ctrl-C to stop)", markup=False, style="dim")

        try:
            watcher.watch(outline, formats, options, interval=interval, report=report)
        except KeyboardInterrupt:
            err.print("stopped watching", markup=False)
        return 0

    _run(body, debug)


@app.command()
def preview(
    outline: Path = typer.Argument(Path("outline.yaml"), help="The outline YAML file."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (anything but loopback is "
                                                         "reachable by others: a warning is printed)."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port (default: any free one; the URL is printed)."),
    allow_host: Optional[list[str]] = typer.Option(None, "--allow-host", help="Another name this preview answers "
                                                   "to (e.g. the machine's DNS name); repeatable."),
    open_browser: bool = typer.Option(True, "--open/--no-open", help="Open the page in the default browser."),
    template: Optional[Path] = typer.Option(None, "--template", help="Theme folder with brief.html and brief.css."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Allow sources outside the project folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """The brief live in the browser: updated on every save, diagnostics and evidence one click away.  Example: briefgen preview outline.yaml

    \b
    Click a footnote number to see the cited paragraph with the quoted words highlighted; the
    PDF button runs the normal build. Ctrl-C stops the server.
    """  # noqa: E501
    from .errors import InputError, UsageError

    def body() -> int:
        from .preview import server
        from .preview.session import Session

        if not outline.is_file():
            raise InputError(f"outline not found: {outline}", code="outline-missing",
                             hint="give the path of an outline.yaml, e.g. briefgen preview outline.yaml")
        if host not in ("127.0.0.1", "localhost", "::1"):
            err.print(f"warning: listening on {host}: anyone who can reach this address can read the brief "
                      "and its sources", markup=False, style="yellow")

        def ready(url: str) -> None:
            out.print(f"preview at {url}  (Ctrl-C to stop)", markup=False)
            sys.stdout.flush()
            if open_browser:
                import webbrowser

                webbrowser.open(url)

        try:
            server.serve(Session(outline, template, allow_outside), host, port, ready, allow_host or ())
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}", code="preview-listen",
                             hint="choose another --port, or --port 0 for any free one") from None
        except KeyboardInterrupt:
            pass
        err.print("preview stopped", markup=False)
        return 0

    _run(body, debug)


@app.command()
def review(
    docx_files: list[Path] = typer.Argument(..., metavar="EDITED.docx...", show_default=False,
                                            help="The DOCX the editor sent back; several reviewers' copies are "
                                                 "merged item by item."),
    outline: Optional[Path] = typer.Option(None, "--outline", help="The outline it was built from "
                                                                    "(default: the one the DOCX names)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    apply_edits: bool = typer.Option(False, "--apply", help="Write the edits into the outline, then check it."),
    changes: str = typer.Option("accept", "--changes", help="With --apply: accept (default) or reject tracked "
                                                             "changes; untracked edits are applied either way."),
    force: bool = typer.Option(False, "--force", help="With --apply: apply changes that could lose evidence "
                                                       "(many citations removed, quotes that no longer verify)."),
    take: Optional[str] = typer.Option(None, "--take", help="Several copies: on a conflict, take this reviewer's "
                                                             "side (default: apply neither, keep both as a comment)."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Allow sources outside the project folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """Show what an editor changed in a built DOCX, item by item.  Example: briefgen review reports/outline.docx

    \b
    Exit 0: no edits; 1: edits to bring in, notes damaged by an office suite, or an error in the input.
    With --apply the after-text of every changed item goes into the outline (comments, order and
    untouched lines kept) only if the result passes check: exit 0 when written (or nothing to do)
    and it checks; 1 when nothing was written (it would fail check, needs --force, notes damaged)
    or a conflict was skipped.

    Several copies (one per reviewer, from the same build or older ones) are merged per item:
    different items, or different citations of one item, merge; one value changed two ways is a
    conflict, shown side by side and applied only with --take NAME.
    """
    from .edit import guard
    from .edit import review as reviewer
    from .errors import UsageError

    def body() -> int:
        if changes not in ("accept", "reject"):
            raise UsageError(f"--changes must be accept or reject, not '{changes}'", code="bad-option",
                             hint="--changes reject keeps the text before tracked changes")
        merged = None
        if len(docx_files) == 1:
            rv = reviewer.review(docx_files[0], outline, allow_outside)
        else:
            from .edit import merge

            copies = []
            for f in docx_files:
                one = reviewer.review(f, outline, allow_outside)
                copies.append(merge.Copy(merge.reviewer_name(one, f.stem), one))
            merged = merge.merge(copies, take)
            rv = merged.review
            if take is not None and take not in {c.name for c in merged.copies}:
                raise UsageError(f"--take {take}: no reviewer of that name", code="bad-option",
                                 hint="reviewers: " + ", ".join(c.name for c in merged.copies))
        if as_json and not apply_edits:
            out.print(json.dumps(merged.to_json() if merged else rv.to_json(), ensure_ascii=False, indent=2),
                      markup=False)
        elif not as_json:
            if merged is not None:
                for c in merged.copies:
                    out.print(f"{c.review.docx}: reviewed by {c.name} (build {c.review.build[:12]}, "
                              f"{len(c.review.items)} items)", markup=False)
            out.print(reviewer.format_text(rv), markup=False)
            if merged is not None and merged.conflicts:
                out.print(merge.format_conflicts(merged), markup=False)
        if not apply_edits:
            return 1 if rv.changed or (merged and merged.conflicts) else 0
        target = Path(rv.outline)
        outcome = guard.apply_checked(rv, target, reject=changes == "reject", allow_outside=allow_outside,
                                      force=force)
        done = outcome.done
        for note in done.notes:
            err.print(note, markup=False)
        for path in done.skipped:
            err.print(f"{path}: conflict, not applied", markup=False, style="yellow")
        for reason in outcome.refused:
            err.print(reason, markup=False, style="bold red")
        errors = [d for d in outcome.diagnostics if d.severity == "error"]
        if outcome.written or not done.changed:
            err.print(f"applied {len(done.changed) if outcome.written else 0} items to {target}", markup=False,
                      style="bold")
        if as_json:
            out.print(json.dumps({**rv.to_json(), "applied": {"changed": done.changed if outcome.written else [],
                                                               "notes": done.notes, "skipped": done.skipped,
                                                               "written": outcome.written,
                                                               "refused": outcome.refused},
                                  "check": {"ok": outcome.ok, "diagnostics": [d.to_json() for d in
                                                                              outcome.diagnostics]}},
                                 ensure_ascii=False, indent=2), markup=False)
        else:
            _show(outcome.diagnostics)
        err.print("check: ok" if outcome.ok else f"check: {len(errors)} errors", markup=False)
        open_conflicts = merged is not None and any(c.taken is None for c in merged.conflicts)
        return 0 if outcome.ok and not outcome.refused and not done.skipped and not open_conflicts else 1

    _run(body, debug)


@app.command("issue")
def issue_cmd(
    outline: Path = typer.Argument(..., help="The outline YAML file."),
    to: list[str] = typer.Option([], "--to", help="Who this version goes to (repeat for several).",
                                 show_default=False),
    note: Optional[str] = typer.Option(None, "--note", help="A line about this version, kept with it."),
    date: Optional[str] = typer.Option(None, "--date", help="The version's date, YYYY-MM-DD (default: today)."),
    changes_since: Optional[str] = typer.Option(None, "--changes-since", help="An earlier version (v1, latest): "
                                                "add a \"what changed\" annex and write <name>.since-vN.docx."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace outputs edited since briefgen wrote them "
                                                               "(each kept first under a new, dated name)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """Build the PDF and DOCX as the next numbered version and keep it.  Example: briefgen issue outline.yaml --to "مكتب الوزير"

    \b
    The version's number and date stand under the title and in the files' metadata; the outline and
    sources as they are now are kept in versions/<name>/vN/, so `briefgen diff v1` can show what changed.
    """  # noqa: E501
    from .run import pipeline
    from .run import versions as issuing

    def body() -> int:
        version, built = issuing.issue(outline, to, note, date, pipeline.Options(overwrite=overwrite), changes_since)
        _show(built.diagnostics.warnings)
        for path in built.outputs.values():
            err.print(f"wrote {path} ({_size(path.stat().st_size)})", markup=False)
        sent = f" for {', '.join(version.to)}" if version.to else ""
        err.print(f"issued {version.label} of {outline.stem} ({version.date}){sent}; kept in {version.folder}",
                  markup=False, style="bold")
        return 0

    _run(body, debug)


@app.command("versions")
def versions_cmd(
    outline: Path = typer.Argument(Path("outline.yaml"), help="The outline YAML file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    debug: bool = typer.Option(False, "--debug"),
) -> None:
    """The issued versions of a brief: number, date, recipients.  Example: briefgen versions outline.yaml"""
    from .project import versions

    def body() -> int:
        found = versions.load_all(outline.resolve().parent, outline.stem)
        if as_json:
            out.print(json.dumps([v.to_json() for v in found], ensure_ascii=False, indent=2), markup=False)
            return 0
        for v in found:
            to = f"  to: {', '.join(v.to)}" if v.to else ""
            out.print(f"{v.label}  {v.date}{to}" + (f"  ({v.note})" if v.note else ""), markup=False)
        if not found:
            err.print(f"no version of {outline.stem} issued yet (briefgen issue {outline})", markup=False)
        return 0

    _run(body, debug)


@app.command("diff")
def diff_cmd(
    old: str = typer.Argument(..., help="The earlier version: v1, 1 or latest."),
    new: Optional[str] = typer.Argument(None, help="The later version (default: the outline as it is now)."),
    outline: Path = typer.Option(Path("outline.yaml"), "--outline", help="The outline YAML file."),
    docx_out: Optional[Path] = typer.Option(None, "--docx", help="Also write the later version as a DOCX with "
                                                                  "every change as a tracked change (a redline)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    debug: bool = typer.Option(False, "--debug"),
) -> None:
    """What changed since an issued version, item by item, for the e-mail.  Example: briefgen diff v1

    \b
    Items added, removed and edited in each section, judgments whose likelihood or confidence moved,
    quotes added or removed, sources added, withdrawn or graded anew. Exit 0: no change; 1: changes.
    """
    from .run import versions as issuing

    def body() -> int:
        result = issuing.diff(outline, old, new)
        if docx_out is not None:
            from .project.outputs import write_atomic

            write_atomic(docx_out, result.redline())
            err.print(f"wrote {docx_out} (the changes as tracked changes)", markup=False)
        if as_json:
            out.print(json.dumps({"from": result.old.label, "to": result.new.label if result.new else "working",
                                  "changes": [c.to_json() for c in result.changes]}, ensure_ascii=False, indent=2),
                      markup=False)
        else:
            out.print(issuing.summary_text(result), markup=False, end="")
        return 1 if result.changes else 0

    _run(body, debug)


@app.command()
def inspect(
    pdf_file: Path = typer.Argument(..., metavar="BRIEF.pdf", help="A PDF, e.g. reports/outline.pdf."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks (for bug reports)."),
) -> None:
    """How a PDF reads: words whole per reader, tags, XMP.  Example: briefgen inspect reports/outline.pdf

    \b
    Prints the share of the document's Arabic words that poppler (pdftotext raw and layout), PDFium
    and pdfminer give back whole, the tagged structure and the metadata. Exit 0.
    """
    import pikepdf

    from .errors import InputError
    from .render import pdf_inspect

    def body() -> int:
        try:
            ins = pdf_inspect.inspect(pdf_file)
        except (OSError, ValueError, pikepdf.PdfError) as exc:
            raise InputError(f"cannot read {pdf_file} as a PDF ({type(exc).__name__})", code="bad-pdf",
                             file=str(pdf_file), hint="give a PDF briefgen built, e.g. reports/outline.pdf") from None
        for line in pdf_inspect.report(ins):
            out.print(line, markup=False)
        return 0

    _run(body, debug)


def run() -> None:  # console-script entry point
    app(prog_name="briefgen")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
