"""Preview stage: the local web server (starlette + uvicorn), its push channel (SSE) and folder watching.

Safe by default: it listens on 127.0.0.1; every request whose Host header is not the address it
serves is refused (DNS rebinding), and so are push connections and PDF requests from another
Origin. It serves the rendered brief, the preview's own script and stylesheet, the Amiri fonts,
the theme folder's assets, the evidence of the brief's own citations and the PDF it built:
no other file, and never a directory listing.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import threading
import time
from pathlib import Path

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..errors import BriefgenError
from ..render import fonts
from ..run import pipeline
from .session import Session

ASSETS = Path(__file__).parent / "assets"
PREVIEW_FILES = {"preview.css": "text/css", "preview.js": "text/javascript"}
THEME_SUFFIXES = {".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ttf", ".otf", ".woff", ".woff2"}
NO_STORE = {"Cache-Control": "no-store"}
# The page fetches nothing but this server's own files, like the PDF build's sandbox (no network):
# a theme's url(https://…) or <script> does not run or load; nor may another site frame the page.
PAGE_HEADERS = {**NO_STORE, "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; font-src 'self' data:; script-src 'self'; connect-src 'self'; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'", "X-Content-Type-Options": "nosniff"}


class HostGuard:
    """ASGI middleware: refuse a request whose Host is not one of the served names with its port."""

    def __init__(self, app, allowed: set[str]):
        self.app, self.allowed = app, {h.lower() for h in allowed}

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
            if host not in self.allowed:
                response = PlainTextResponse("refused: this preview answers only to " + ", ".join(sorted(self.allowed)),
                                             status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host headers a browser sends for this address: loopback names when bound to loopback; for a
    wildcard address (0.0.0.0, ::) this machine's name and addresses too."""
    names = {host}
    if host in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
        names |= {"127.0.0.1", "localhost", "::1"}
    if host in ("0.0.0.0", "::"):
        try:
            name, aliases, addresses = socket.gethostbyname_ex(socket.gethostname())
            names |= {name, *aliases, *addresses}
        except OSError:
            pass
    return {f"[{n}]:{port}" if ":" in n else f"{n}:{port}" for n in names}


class PdfJob:
    """The PDF button: one normal build (pipeline.build) at a time, in a thread, with its steps."""

    def __init__(self, session: Session):
        self.session = session
        self.state: dict = {"status": "idle"}
        self.path: Path | None = None
        self._lock = threading.Lock()

    def start(self) -> dict:
        with self._lock:
            if self.state["status"] == "running":
                return self.state
            self.state = {"status": "running", "step": "starting", "started": time.time()}
        threading.Thread(target=self._run, daemon=True, name="briefgen-preview-pdf").start()
        return self.state

    def _step(self, name: str) -> None:
        self.state = {**self.state, "step": name}

    def _run(self) -> None:
        s = self.session
        options = pipeline.Options(template=s.template, allow_outside=s.allow_outside, progress=self._step)
        started = time.perf_counter()
        try:
            built = pipeline.build(s.outline, ["pdf"], options)
            self.path = built.outputs["pdf"]
            self.state = {"status": "done", "url": f"/pdf/{self.path.name}", "name": self.path.name,
                          "bytes": self.path.stat().st_size, "pages": built.stats.get("pages"),
                          "seconds": round(time.perf_counter() - started, 2)}
        except BriefgenError as exc:
            self.state = {"status": "failed", "errors": [d.format() for d in exc.diagnostics]}
        except Exception as exc:  # a bug: say so on the page, keep serving
            self.state = {"status": "failed", "errors": [f"internal error ({type(exc).__name__}: {exc})"]}


def create_app(session: Session, host: str, port: int, watch: bool = True) -> Starlette:
    """The preview application for one session, answering to host:port."""
    hub = Hub()
    pdf = PdfJob(session)

    def same_origin(request: Request) -> bool:
        origin = request.headers.get("origin")
        return origin is None or origin == f"http://{request.headers.get('host')}"

    async def page(request: Request) -> Response:
        return HTMLResponse(session.page(), headers=PAGE_HEADERS)

    async def state(request: Request) -> Response:
        return JSONResponse(session.state(), headers=NO_STORE)

    async def citation(request: Request) -> Response:
        found = session.citation(request.path_params["number"])
        if found is None:
            return JSONResponse({"error": "no such citation"}, status_code=404)
        return JSONResponse(found, headers=NO_STORE)

    async def events(request: Request) -> Response:
        if not same_origin(request):
            return PlainTextResponse("refused: push connections only from this preview's own page", status_code=403)
        return EventSourceResponse(hub.stream(session), ping=15, headers=NO_STORE)

    async def pdf_job(request: Request) -> Response:
        if request.method == "POST":
            if not same_origin(request):
                return PlainTextResponse("refused: PDF builds only from this preview's own page", status_code=403)
            return JSONResponse(pdf.start())
        return JSONResponse(pdf.state, headers=NO_STORE)

    async def pdf_file(request: Request) -> Response:
        if pdf.path is None or request.path_params["name"] != pdf.path.name or not pdf.path.is_file():
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(pdf.path, media_type="application/pdf", headers=NO_STORE)

    async def preview_asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in PREVIEW_FILES:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(ASSETS / name, media_type=PREVIEW_FILES[name], headers=NO_STORE)

    async def font(request: Request) -> Response:
        files = {p.name: p for p in fonts.font_files().values()}
        path = files.get(request.path_params["name"])
        return FileResponse(path) if path else PlainTextResponse("not found", status_code=404)

    async def theme_asset(request: Request) -> Response:
        path = theme_file(session, request.path_params["path"])
        return FileResponse(path, headers=NO_STORE) if path else PlainTextResponse("not found", status_code=404)

    routes = [
        Route("/", page), Route("/api/state", state), Route("/api/citation/{number:int}", citation),
        Route("/api/events", events), Route("/api/pdf", pdf_job, methods=["GET", "POST"]),
        Route("/pdf/{name}", pdf_file), Route("/_preview/{name}", preview_asset), Route("/fonts/{name}", font),
        Route("/{path:path}", theme_asset),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        hub.loop = asyncio.get_running_loop()
        task = asyncio.create_task(watch_loop(session, hub)) if watch else None
        yield
        hub.close()
        if task is not None:
            hub.watching.set()  # the watcher's thread sees it at once (cancelling alone waits for its timeout)
            task.cancel()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(HostGuard, allowed=allowed_hosts(host, port))
    app.state.hub = hub
    return app


def theme_file(session: Session, relative: str) -> Path | None:
    """A file of the current theme folder with an asset suffix, or None: never anything else."""
    render = session.render
    if render is None or not relative or relative.startswith("/"):
        return None
    root = render.templates.resolve()
    path = (root / relative).resolve()
    if (not path.is_relative_to(root) or any(part.startswith(".") for part in path.relative_to(root).parts)
            or path.suffix.lower() not in THEME_SUFFIXES or not path.is_file()):
        return None
    return path


class Hub:
    """Tells every open page that a new version is ready (one asyncio.Event per version)."""

    def __init__(self):
        self.changed = asyncio.Event()
        self.closed = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watching = asyncio.Event()  # set: the current file watcher stops

    def close_soon(self) -> None:
        """From a signal handler: end every push stream, so the server stops at once and cleanly."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.close)

    def notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    def close(self) -> None:
        self.closed = True
        self.notify()

    async def stream(self, session: Session):
        yield {"event": "version", "data": str(session.version)}
        while not self.closed:
            await self.changed.wait()
            if not self.closed:
                yield {"event": "version", "data": str(session.version)}


def relevant(session: Session, path: Path) -> bool:
    """A change the brief depends on: the outline itself, or a visible file of its sources or theme folder."""
    if path == session.outline:
        return True
    if path.name.startswith(".") or path.name.endswith("~"):
        return False
    return any(path.parent == folder or path.is_relative_to(folder) and ".briefgen-cache" not in path.parts
               for folder in session.folders)


async def watch_loop(session: Session, hub: Hub) -> None:
    """Watch the outline's folder and the sources and theme folders; update and notify after each save.

    Folders, not files: editors save by writing a new file and renaming it over the old one.
    """
    from watchfiles import awatch

    while not hub.closed:
        folders = sorted({session.outline.parent, *session.folders})
        stop = hub.watching = asyncio.Event()
        try:
            async for changes in awatch(*[f for f in folders if f.is_dir()], stop_event=stop, recursive=False,
                                        debounce=400, step=30):
                hit = [p for p in (Path(p).absolute() for _, p in changes) if relevant(session, p)]
                if not hit:
                    continue
                await asyncio.to_thread(session.update, hit)
                hub.notify()
                if sorted({session.outline.parent, *session.folders}) != folders:
                    stop.set()  # the outline now names other folders: watch those
                    break
        except (OSError, RuntimeError) as exc:  # e.g. a watched folder was removed: watch again shortly
            print(f"briefgen preview: watching {', '.join(map(str, folders))} failed ({exc}); retrying",
                  file=sys.stderr)
            await asyncio.sleep(1)


def serve(session: Session, host: str = "127.0.0.1", port: int = 0, ready=None) -> None:
    """Bind, render once, then serve until interrupted; `ready(url)` is called once listening."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    port = sock.getsockname()[1]
    sock.listen(128)  # connections made from now on wait in the backlog until uvicorn serves them
    session.update()
    app = create_app(session, host, port)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    hub = app.state.hub

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            hub.close_soon()
            super().handle_exit(sig, frame)

    server = Server(config)
    if ready is not None:
        shown = f"[{host}]" if ":" in host else host
        ready(f"http://{shown}:{port}/")
    server.run(sockets=[sock])
