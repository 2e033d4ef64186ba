"""briefgen performance bench: every figure is a ratio to a reference measured side by side.

The machine may be shared and noisy, so absolute times mean little: each line runs the
measured command and its reference alternately, `--runs` times, and reports the median of
the per-round ratios (with the median times, for orientation only). Run with the project's
interpreter: `make bench` (= .venv/bin/python bench/bench.py).

Lines (goal in brackets):
  build        briefgen build (PDF+DOCX) / weasyprint CLI on briefgen's own HTML     [<= 1.10]
  docx         briefgen build --format docx / pandoc on equivalent Markdown        [<= 1.5]
  large time   generated ~200-page brief / the same generator at ~20 pages         [<= 11]
  large memory peak RSS of the ~200-page build (child max RSS)                      [<= 600 MB]
  check        briefgen check / python -c pass                                      [<= 4]
  help         briefgen --help / python -c pass                                     [<= 3]
  quotes       verifying 1,000 quotes in 500 sources of 10 KB, next to tokenising them [< 1 s]
  watch        warm in-process rebuild after a one-line outline edit / cold build   [<= 0.6]
  preview      save-to-update of `briefgen preview` (save, watcher, push, page fetch) / cold PDF build [<= 0.1]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
RSS_WRAPPER = ("import resource, subprocess, sys\n"
               "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")


def tool(name: str) -> list[str]:
    """A console script of this interpreter's environment, else `python -m`."""
    script = BIN / name
    if script.exists():
        return [str(script)]
    return [PY, "-m", name]


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> float:
    """Wall time of one command; a failure stops the bench (a ratio of a failed run means nothing)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench: command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n"
                         f"{proc.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def run_rss(cmd: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB of the command and its children), through a fresh wrapper process."""
    start = time.perf_counter()
    out = subprocess.run([PY, "-c", RSS_WRAPPER, *cmd], cwd=cwd, capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - start
    rss_kb, code = out.split()
    if code != "0":
        raise SystemExit(f"bench: command failed ({code}): {' '.join(map(str, cmd))}")
    return elapsed, int(rss_kb) / 1024


def side_by_side(measured, reference, runs: int) -> tuple[float, float, float]:
    """Median ratio of alternating runs, and the median times of each (seconds)."""
    reference()  # warm the file-system cache for both before timing
    measured()
    ratios, times_m, times_r = [], [], []
    for i in range(runs):
        if i % 2:  # alternate which goes first, so a burst of load hits both alike
            r = reference()
            m = measured()
        else:
            m = measured()
            r = reference()
        ratios.append(m / r)
        times_m.append(m)
        times_r.append(r)
    return statistics.median(ratios), statistics.median(times_m), statistics.median(times_r)


# --- Markdown for pandoc, from the brief's model ----------------------------------------------

def markdown(brief) -> str:
    """The brief as pandoc Markdown with real footnotes: the same text and notes the DOCX carries."""
    from briefgen import model

    notes: list[str] = []

    def inl(inlines) -> str:
        out = []
        for x in inlines:
            if isinstance(x, model.Cite):
                notes.append(f"[^{x.citation.number}]: {esc(model.note_text(x.citation, brief.labels))}")
                out.append(f"[^{x.citation.number}]")
            else:
                out.append(esc(x.text))
        return " ".join(out)

    def block(b) -> list[str]:
        name = type(b).__name__
        if name == "Paragraph":
            return [inl(b.inlines), ""]
        if name == "ItemList":
            return [f"{'1.' if b.ordered else '-'} {inl(item)}" for item in b.items] + [""]
        if name == "ActorTable":
            return ["| | | |", "|---|---|---|"] + [f"| {esc(a.name)} | {inl(a.role)} | {esc(a.stance or '')} |"
                                                    for a in b.actors] + [""]
        if name == "PositionGrid":
            return sum(([f"**{esc(p.actor)}**: {esc(p.stance or '')}", ""] + [f"- {inl(pt)}" for pt in p.points]
                        + [""] for p in b.positions), [])
        if name == "KeyJudgments":
            return sum(([inl(j.inlines), "", f"*{esc(j.likelihood or '')} {esc(j.band or '')} · "
                                              f"{esc(j.confidence or '')}*", ""] for j in b.judgments), [])
        if name == "Timeline":
            return ["| | |", "|---|---|"] + [f"| {esc(e.date)} | {inl(e.inlines)} |" for e in b.events] + [""]
        if name == "RiskList":
            return sum(([f"### {esc(r.title)}", "", inl(r.body), ""] + [f"- {inl(i)}" for i in r.indicators]
                        + [""] for r in b.risks), [])
        if name == "RiskMatrix":
            return ["| " + " | ".join(["", *map(esc, b.impact_labels)]) + " |",
                    "|" + "---|" * (len(b.impact_labels) + 1)] + [
                "| " + " | ".join([esc(label)] + [" ".join(str(r.number) for r in b.risks
                                                         if r.likelihood_rank == 5 - i and r.impact_rank == j + 1)
                                                 for j in range(len(b.impact_labels))]) + " |"
                for i, label in enumerate(reversed(b.likelihood_labels))] + [""]
        if name == "EvidenceAnnex":
            return sum(([f"### {esc(g.title)}", ""]
                        + [f"- {esc(c.text)} ({', '.join(str(x.number) for x in c.citations)})" for c in g.claims]
                        + [""] for g in b.groups), [])
        return []

    lines = [f"# {esc(brief.meta.title)}", ""]
    if brief.meta.subtitle:
        lines += [esc(brief.meta.subtitle), ""]
    for section in brief.sections:
        lines += [f"## {esc(section.title)}", ""]
        for b in section.blocks:
            lines += block(b)
    lines += [f"## {esc(brief.labels.get('sources', 'Sources'))}", ""]
    lines += [f"- {esc(model.bibliography_text(s, brief.labels))}" for s in brief.bibliography] + [""]
    return "\n".join(lines + notes) + "\n"


def esc(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|^$~])", r"\\\1", str(text)).replace("\n", " ")


# --- the lines -------------------------------------------------------------------------------

def project_copy(tmp: Path) -> Path:
    """A copy of the sample project (outline, sources, templates) so builds never touch reports/."""
    proj = tmp / "sample"
    proj.mkdir()
    shutil.copy(ROOT / "outline.yaml", proj / "outline.yaml")
    shutil.copytree(ROOT / "sources", proj / "sources")
    shutil.copytree(ROOT / "templates", proj / "templates")
    return proj


def line_build(proj: Path, runs: int) -> dict:
    briefgen = tool("briefgen")
    out = proj / "out"
    subprocess.run([*briefgen, "build", "outline.yaml", "--format", "html", "--out", str(out), "-q"], cwd=proj,
                   check=True)
    html = out / "outline.html"
    weasy = tool("weasyprint")
    ratio, m, r = side_by_side(
        lambda: run([*briefgen, "build", "outline.yaml", "--out", str(out), "-q"], cwd=proj),
        lambda: run([*weasy, "--pdf-tags", "-u", (proj / "templates").as_uri() + "/", str(html),
                     str(out / "bare.pdf")], cwd=proj),
        runs)
    return {"name": "build PDF+DOCX / weasyprint CLI (same HTML)", "ratio": ratio, "goal": 1.10, "m": m, "r": r}


def line_docx(proj: Path, runs: int) -> dict:
    name = "build --format docx / pandoc (same text, Markdown)"
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        return {"name": name, "skip": "pandoc not installed (apt-get install pandoc)", "goal": 1.5}
    from briefgen.run import pipeline

    checked = pipeline.check(proj / "outline.yaml")
    md = proj / "brief.md"
    md.write_text(markdown(checked.brief), encoding="utf-8")
    briefgen = tool("briefgen")
    out = proj / "out"
    ratio, m, r = side_by_side(
        lambda: run([*briefgen, "build", "outline.yaml", "--format", "docx", "--out", str(out), "-q"], cwd=proj),
        lambda: run([pandoc, str(md), "-f", "markdown", "-t", "docx", "-M", "lang=ar", "-M", "dir=rtl",
                     "-o", str(out / "pandoc.docx")], cwd=proj),
        runs)
    return {"name": name, "ratio": ratio, "goal": 1.5, "m": m, "r": r}


def line_large(tmp: Path, runs: int) -> list[dict]:
    small = generate.generate(tmp / "g20", sources=50, citations=200)
    large = generate.generate(tmp / "g200", sources=500, citations=2000)
    briefgen = tool("briefgen")
    pages = {}
    for outline in (small, large):  # warm the source cache and learn the page counts
        proc = subprocess.run([*briefgen, "build", str(outline), "--json", "-q"], capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"bench: generated brief failed to build:\n{proc.stderr[-2000:]}")
        pages[outline] = re.search(r'"pages": (\d+)', proc.stdout).group(1)
    rss = []

    def big() -> float:
        elapsed, mb = run_rss([*briefgen, "build", str(large), "-q"])
        rss.append(mb)
        return elapsed

    ratio, m, r = side_by_side(big, lambda: run_rss([*briefgen, "build", str(small), "-q"])[0], runs)
    return [{"name": f"large brief time: {pages[large]} pp., 500 sources, 2,000 cites / {pages[small]} pp.",
             "ratio": ratio, "goal": 11, "m": m, "r": r},
            {"name": "large brief peak memory (MB, child max RSS)", "value": max(rss), "goal": 600, "unit": "MB"}]


def line_startup(proj: Path, runs: int) -> list[dict]:
    briefgen = tool("briefgen")
    nothing = lambda: run([PY, "-c", "pass"])  # noqa: E731
    check = side_by_side(lambda: run([*briefgen, "check", "outline.yaml"], cwd=proj), nothing, runs)
    helps = side_by_side(lambda: run([*briefgen, "--help"], cwd=proj), nothing, runs)
    return [{"name": "check / python -c pass", "ratio": check[0], "goal": 4, "m": check[1], "r": check[2]},
            {"name": "--help / python -c pass", "ratio": helps[0], "goal": 3, "m": helps[1], "r": helps[2]}]


def line_quotes(tmp: Path, runs: int) -> dict:
    """1,000 quotes against 500 sources of 10 KB: verification time next to tokenising the sources."""
    from briefgen.errors import Diagnostics
    from briefgen.evidence import match as evidence
    from briefgen.read.sources import read_sources

    folder = tmp / "quotes"
    generate.generate(folder, sources=500, citations=2)
    pairs = generate.quotes(folder, 1000)
    parse_times, verify_times = [], []
    for _ in range(max(1, runs // 2)):
        start = time.perf_counter()
        library = read_sources(folder / "sources", Diagnostics())  # no cache: decode, clean, tokenise
        parse_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = sum(1 for sid, quote in pairs if evidence.find(quote, library.sources[sid]))
        verify_times.append(time.perf_counter() - start)
        if found != len(pairs):
            raise SystemExit(f"bench: only {found} of {len(pairs)} genuine quotes verified")
    v, p = statistics.median(verify_times), statistics.median(parse_times)
    return {"name": "verify 1,000 quotes in 500 x 10 KB sources (s) [ref: tokenise them]", "value": v, "goal": 1.0,
            "unit": "s", "ref": p}


def line_watch(proj: Path, runs: int) -> dict:
    """Warm rebuild in this process (the watch loop, driven by outline edits) / cold `briefgen build`."""
    from briefgen.run import pipeline, watch

    outline = proj / "outline.yaml"
    out = proj / "out-watch"
    options = pipeline.Options(out_dir=out)
    original = outline.read_text(encoding="utf-8")
    edits = iter(range(10_000))
    warm_times: list[float] = []

    def edit(_interval: float) -> None:  # the loop's sleep: make a one-line edit instead of waiting
        n = next(edits)  # a visible edit (the title, on every page): a comment would leave the HTML unchanged
        assert '\ntitle: "' in original, "the sample's title line changed; adapt the edit"
        outline.write_text(original.replace('\ntitle: "', f'\ntitle: "{n} ', 1), encoding="utf-8")

    def warm() -> float:
        warm_times.clear()
        watch.watch(outline, ["pdf", "docx"], options, interval=0, iterations=1, sleep=edit,
                    report=lambda e: warm_times.append(e.seconds) if e.changed else None)
        if not warm_times:
            raise SystemExit("bench: the watch loop did not rebuild after the edit")
        return warm_times[0]

    briefgen = tool("briefgen")
    try:
        watch.watch(outline, ["pdf", "docx"], options, iterations=0)  # warm up: import everything once
        cold = lambda: run([*briefgen, "build", "outline.yaml", "--out", str(out), "-q"], cwd=proj)  # noqa: E731
        ratio, m, r = side_by_side(warm, cold, runs)
        floor = side_by_side(_layout_floor(proj), cold, runs)
    finally:
        outline.write_text(original, encoding="utf-8")
    return [{"name": "watch: warm rebuild after a one-line edit / cold build", "ratio": ratio, "goal": 0.6, "m": m,
             "r": r},
            {"name": "  what bounds it: WeasyPrint alone laying out and writing the same HTML in the warm process "
                     "/ cold build (no goal)", "info": floor[0], "m": floor[1], "r": floor[2]}]


def _layout_floor(proj: Path):
    """A timer of the PDF step alone (WeasyPrint layout + write of the sample's HTML) in this warm process."""
    from briefgen.render import html as html_renderer
    from briefgen.render import pdf as pdf_renderer
    from briefgen.run import pipeline

    checked = pipeline.check(proj / "outline.yaml")
    templates = pipeline.template_dir(proj)
    page = html_renderer.render(checked.brief, templates)

    def once() -> float:
        start = time.perf_counter()
        pdf_renderer.render(page, templates, [templates, proj])
        return time.perf_counter() - start

    return once


def line_preview(proj: Path, runs: int) -> dict:
    """`briefgen preview` running: a one-line outline save until the page has the new brief / cold PDF build.

    The measured time runs from the save (written beside, renamed over, as editors do) until the
    push event announcing the new version has arrived and the page's two fetches (state, page) are
    done, over real HTTP; the reference is a cold `briefgen build --format pdf` of the same project.
    """
    import queue
    import threading

    import httpx

    outline = proj / "outline.yaml"
    original = outline.read_text(encoding="utf-8")
    proc = subprocess.Popen([*tool("briefgen"), "preview", "outline.yaml", "--no-open"], cwd=proj,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = re.search(r"http://\S+/", proc.stdout.readline()).group()
    client = httpx.Client(base_url=url, timeout=60)
    versions: queue.Queue = queue.Queue()

    def listen() -> None:
        try:
            with client.stream("GET", "/api/events") as events:
                for line in events.iter_lines():
                    if line.startswith("data:"):
                        versions.put(int(line[5:]))
        except httpx.HTTPError:  # the bench closed the client: the line is done
            pass

    threading.Thread(target=listen, daemon=True).start()
    last = versions.get(timeout=30)
    edits = iter(range(10_000))

    def save() -> float:
        nonlocal last
        n = next(edits)
        tmp = proj / ".outline.yaml.tmp"
        tmp.write_text(original.replace('\ntitle: "', f'\ntitle: "{n} ', 1), encoding="utf-8")
        start = time.perf_counter()
        os.replace(tmp, outline)
        while (version := versions.get(timeout=30)) <= last:
            pass
        last = version
        state = client.get("/api/state").json()
        page = client.get("/").text
        elapsed = time.perf_counter() - start
        if not state["ok"] or f'"{n} ' not in page and f">{n} " not in page:
            raise SystemExit("bench: the preview did not show the edit")
        return elapsed

    try:
        out = proj / "out-preview"
        cold = lambda: run([*tool("briefgen"), "build", "outline.yaml", "--format", "pdf", "--out", str(out), "-q"],  # noqa: E731
                           cwd=proj)
        ratio, m, r = side_by_side(save, cold, runs)
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)
        outline.write_text(original, encoding="utf-8")
    return {"name": "preview: save-to-update (save, watcher, push, page fetch) / cold PDF build", "ratio": ratio,
            "goal": 0.1, "m": m, "r": r}


# --- report ----------------------------------------------------------------------------------

def machine() -> str:
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, AttributeError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{mem}"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = [f"Python {platform.python_version()}"]
    for pkg in ("briefgen", "weasyprint", "python-docx", "pydantic", "typer"):
        try:
            out.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            pass
    pandoc = shutil.which("pandoc")
    if pandoc:
        out.append(subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0])
    return ", ".join(out)


def show(rows: list[dict]) -> str:
    lines = ["| measure | figure | goal | ok | median times (s, measured / reference) |", "|---|---|---|---|---|"]
    for row in rows:
        if "skip" in row:
            lines.append(f"| {row['name']} | skipped: {row['skip']} | ≤ {row['goal']} | – | |")
        elif "info" in row:
            lines.append(f"| {row['name']} | {row['info']:.2f} | – | – | {row['m']:.2f} / {row['r']:.2f} |")
        elif "ratio" in row:
            ok = "yes" if row["ratio"] <= row["goal"] else "NO"
            lines.append(f"| {row['name']} | {row['ratio']:.2f} | ≤ {row['goal']} | {ok} | "
                         f"{row['m']:.2f} / {row['r']:.2f} |")
        else:
            ok = "yes" if row["value"] <= row["goal"] else "NO"
            ref = f"reference (tokenising): {row['ref']:.2f} s" if "ref" in row else ""
            lines.append(f"| {row['name']} | {row['value']:.2f} {row['unit']} | ≤ {row['goal']} {row['unit']} | {ok} |"
                         f" {ref} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="briefgen performance ratios (see bench/bench.py)")
    parser.add_argument("--runs", type=int, default=5, help="rounds per line (median of ratios); default 5")
    parser.add_argument("--large-runs", type=int, default=3, help="rounds for the ~200-page brief; default 3")
    parser.add_argument("--only", default="",
                        help="comma-separated subset: build,docx,large,startup,quotes,watch,preview")
    args = parser.parse_args()
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    want = lambda name: not only or name in only  # noqa: E731
    print(f"machine: {machine()}\nversions: {versions()}\n", flush=True)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp_name:
        tmp = Path(tmp_name)
        proj = project_copy(tmp)
        steps = [("startup", lambda: line_startup(proj, args.runs)), ("build", lambda: line_build(proj, args.runs)),
                 ("docx", lambda: line_docx(proj, args.runs)), ("watch", lambda: line_watch(proj, args.runs)),
                 ("preview", lambda: line_preview(proj, args.runs)),
                 ("quotes", lambda: line_quotes(tmp, args.runs)), ("large", lambda: line_large(tmp, args.large_runs))]
        for name, step in steps:
            if want(name):
                print(f"running {name} …", file=sys.stderr, flush=True)
                result = step()
                rows += result if isinstance(result, list) else [result]
    print(show(rows))
    failed = [r["name"] for r in rows if ("ratio" in r and r["ratio"] > r["goal"])
              or ("value" in r and r["value"] > r["goal"])]
    if failed:
        print(f"\n{len(failed)} goal(s) not met: {'; '.join(failed)}")
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
