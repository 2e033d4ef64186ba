"""Preview stage: the local web server (starlette + uvicorn), its push channel (SSE) and folder watching.

Safe by default (guard.py): it listens on 127.0.0.1 and answers only to the names it serves (DNS
rebinding); every response carries a Content-Security-Policy and its companions; reads come only from
its own page, and a build only with the per-run token that page holds. It serves the rendered brief,
the preview's own scripts and stylesheet, the Amiri fonts, the theme folder's assets (sandboxed),
the evidence of the brief's own citations, the page view's images and the outputs it built: no
other file, and never a directory listing.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from pathlib import Path

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..render import fonts
from . import guard
from .jobs import OUTPUT_TYPES, BuildJob
from .pages import PageView
from .search import search_sources
from .session import SCRIPTS, Session

ASSETS = Path(__file__).parent / "assets"
PREVIEW_FILES = {"preview.css": "text/css", "preview.js": "text/javascript", "panels.js": "text/javascript"}
THEME_SUFFIXES = {".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ttf", ".otf", ".woff", ".woff2"}
NO_STORE = {"Cache-Control": "no-store"}
MAX_PATH = 1024  # characters of a requested path; a name longer than 255 bytes is refused too


def refused(why: str, status: int = 403) -> Response:
    return PlainTextResponse(f"refused: {why}", status_code=status)


def create_app(session: Session, host: str, port: int, watch: bool = True, allow_hosts=()) -> Starlette:
    """The preview application for one session, answering to host:port (and the --allow-host names)."""
    hub = Hub()
    build = BuildJob(session)
    pages = PageView(changed=hub.notify_soon)
    hub.pages = pages

    def reader(route):
        """A read of the brief's data: only from this preview's own page (never another site's)."""
        async def checked(request: Request) -> Response:
            if not guard.same_origin(request):
                return refused("reads only from this preview's own page")
            return await route(request)
        return checked

    async def page(request: Request) -> Response:
        csp = guard.page_csp(request.headers.get("host", ""), SCRIPTS)
        return HTMLResponse(session.page(), headers={**NO_STORE, "Content-Security-Policy": csp})

    async def state(request: Request) -> Response:
        return JSONResponse({**session.state(), "pages": pages.state}, headers=NO_STORE)

    async def citation(request: Request) -> Response:
        number = request.path_params.get("number")
        found = session.citation(number, request.query_params.get("key") if number is None else None)
        if found is None:
            return JSONResponse({"error": "no such citation"}, status_code=404)
        return JSONResponse(found, headers=NO_STORE)

    async def pages_state(request: Request) -> Response:
        if request.query_params.get("open") == "1":  # the page view was opened: lay out from now on
            pages.activate()
        return JSONResponse(pages.state, headers=NO_STORE)

    async def search(request: Request) -> Response:
        render = session.render
        found = await asyncio.to_thread(search_sources, render.library if render else None,
                                        request.query_params.get("q", ""))
        return JSONResponse(found, headers=NO_STORE)

    async def events(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        if not hub.admit(client):
            return refused("too many open push connections (close some preview tabs)", 503)
        return EventSourceResponse(hub.stream(session, client), ping=15, send_timeout=30, headers=NO_STORE)

    async def build_job(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(build.state, headers=NO_STORE)
        if not guard.token_ok(request, session.token):
            return refused("builds only from this preview's own page (its token is missing or wrong)")
        wanted = [f for f in request.query_params.get("formats", "pdf").split(",") if f in OUTPUT_TYPES]
        if not wanted:
            return refused("formats: pdf, docx or both", 400)
        return JSONResponse(build.start(wanted, request.query_params.get("overwrite") == "1"))

    async def output(request: Request) -> Response:
        path = next((p for p in build.outputs.values() if p.name == request.path_params["name"]), None)
        if path is None or not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        kind = OUTPUT_TYPES[path.suffix[1:]]
        extra = {"Content-Disposition": f'attachment; filename="{path.name}"'} if path.suffix == ".docx" else {}
        return FileResponse(path, media_type=kind, headers={**NO_STORE, **extra})

    async def page_image(request: Request) -> Response:
        stamp, n = request.path_params["stamp"], request.path_params["n"]
        if stamp != pages.stamp or not 1 <= n <= len(pages.images):
            return PlainTextResponse("not found", status_code=404)
        return Response(pages.images[n - 1], media_type="image/png", headers={"Cache-Control": "max-age=3600"})

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
        relative = request.path_params["path"]
        bad = bad_path(relative)
        if bad:
            guard.log(f"refused {request.method} {guard.shorten(request.url.path)}: {bad}")
            return PlainTextResponse(f"bad path: {bad}", status_code=400)
        path = theme_file(session, relative)
        if path is None:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(path, headers={**NO_STORE, "Content-Security-Policy": guard.THEME_CSP})

    routes = [
        Route("/", page), Route("/api/state", reader(state)),
        Route("/api/citation/{number:int}", reader(citation)), Route("/api/citation", reader(citation)),
        Route("/api/search", reader(search)), Route("/api/pages", reader(pages_state)),
        Route("/api/events", reader(events)),
        Route("/api/build", build_job, methods=["GET", "POST"]), Route("/out/{name}", reader(output)),
        Route("/pages/{stamp:int}/{n:int}.png", reader(page_image)),
        Route("/_preview/{name}", preview_asset), Route("/fonts/{name}", font),
        Route("/{path:path}", theme_asset),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        hub.loop = asyncio.get_running_loop()
        task = asyncio.create_task(watch_loop(session, hub)) if watch else None
        pages.request(session.version, session.render)
        yield
        hub.close()
        pages.close()
        if task is not None:
            hub.watching.set()  # the watcher's thread sees it at once (cancelling alone waits for its timeout)
            task.cancel()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(guard.HostGuard, hosts=guard.Hosts(host, port, allow_hosts))
    app.add_middleware(guard.Shielded)
    app.add_middleware(guard.SecurityHeaders)  # added last: outermost, so even a refusal carries the headers
    app.state.hub = hub
    return app


def bad_path(relative: str) -> str | None:
    """Why a requested path is refused before it is looked up (None: look it up)."""
    if "\x00" in relative:
        return "a NUL character"
    if len(relative) > MAX_PATH or any(len(part.encode("utf-8", "replace")) > 255 for part in relative.split("/")):
        return "over-long"
    return None


def theme_file(session: Session, relative: str) -> Path | None:
    """A file of the current theme folder with an asset suffix, or None: never anything else."""
    render = session.render
    if render is None or not relative or relative.startswith("/") or bad_path(relative):
        return None
    try:
        root = render.templates.resolve()
        path = (root / relative).resolve()
        if (not path.is_relative_to(root) or any(part.startswith(".") for part in path.relative_to(root).parts)
                or path.suffix.lower() not in THEME_SUFFIXES or not path.is_file()):
            return None
    except (OSError, ValueError):
        return None
    return path


class Hub:
    """Tells every open page that a new version is ready (one asyncio.Event per version); counts streams."""

    def __init__(self):
        self.changed = asyncio.Event()
        self.closed = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watching = asyncio.Event()  # set: the current file watcher stops
        self.streams: dict[str, int] = {}
        self.pages: PageView | None = None

    def admit(self, client: str) -> bool:
        mine = self.streams.get(client, 0)
        if sum(self.streams.values()) >= guard.STREAMS_IN_ALL or mine >= guard.STREAMS_PER_CLIENT:
            return False
        self.streams[client] = self.streams.get(client, 0) + 1
        return True

    def close_soon(self) -> None:
        """From a signal handler: end every push stream, so the server stops at once and cleanly."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.close)

    def notify_soon(self) -> None:
        """From another thread (the page view): tell the pages."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.notify)

    def notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    def close(self) -> None:
        self.closed = True
        self.notify()

    async def stream(self, session: Session, client: str):
        """`version` events (the text view's version) and `pages` events (the page view changed)."""
        sent: tuple = (None, self.pages.generation if self.pages else 0)  # a page asks for the page view itself
        try:
            while not self.closed:
                changed = self.changed
                now = (session.version, self.pages.generation if self.pages else 0)
                if now[0] != sent[0]:
                    yield {"event": "version", "data": str(now[0])}
                if now[1] != sent[1]:
                    yield {"event": "pages", "data": str(now[1])}
                sent = now
                await changed.wait()
        finally:
            self.streams[client] -= 1
            if not self.streams[client]:
                del self.streams[client]


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
                if hub.pages is not None:
                    hub.pages.request(session.version, session.render if not session.failed else None)
                if sorted({session.outline.parent, *session.folders}) != folders:
                    stop.set()  # the outline now names other folders: watch those
                    break
        except (OSError, RuntimeError) as exc:  # e.g. a watched folder was removed: watch again shortly
            print(f"briefgen preview: watching {', '.join(map(str, folders))} failed ({exc}); retrying",
                  file=sys.stderr)
            await asyncio.sleep(1)


def serve(session: Session, host: str = "127.0.0.1", port: int = 0, ready=None, allow_hosts=()) -> None:
    """Bind, render once, then serve until interrupted; `ready(url)` is called once listening."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    port = sock.getsockname()[1]
    sock.listen(128)  # connections made from now on wait in the backlog until uvicorn serves them
    session.update()
    app = create_app(session, host, port, allow_hosts=allow_hosts)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1,
                            http=guard.BoundedH11, limit_concurrency=guard.IN_ALL, timeout_keep_alive=guard.IDLE,
                            h11_max_incomplete_event_size=guard.MAX_HEADERS, server_header=False,
                            proxy_headers=False)
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
