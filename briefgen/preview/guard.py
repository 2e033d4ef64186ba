"""Preview stage: what keeps the preview safe to leave open: which hosts it answers, the headers on
every response, the per-run token of state-changing requests, and the bounds on connections.

Every response carries a Content-Security-Policy (`default-src 'none'` unless the route needs
more), `nosniff`, `Referrer-Policy: no-referrer` and `frame-ancestors 'none'`; a theme's files (an
SVG can hold script) are served with `script-src 'none'` and `sandbox` as well, so opened or framed
they run nothing and load nothing. uvicorn bounds the connections in all (`limit_concurrency`,
503), the header size and the idle time; `BoundedH11` adds what uvicorn has no setting for: a
deadline for a request's headers and a cap on one client's open connections.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import socket
import sys

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 5.0  # seconds for a request's headers to arrive in full, from connect or the last response
PER_CLIENT = 24  # open connections of one client address (a browser opens 6 a host, each tab one push stream)
IN_ALL = 160  # requests in progress and open connections in all (uvicorn's limit_concurrency: then 503)
IDLE = 5  # seconds a kept-alive connection may wait for its next request (uvicorn's timeout_keep_alive)
MAX_HEADERS = 16 * 1024  # bytes of request line and headers (uvicorn's h11_max_incomplete_event_size)
STREAMS_PER_CLIENT, STREAMS_IN_ALL = 8, 48  # open push streams (server-sent events)
TOKEN_HEADER = "x-briefgen-token"

BASE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# a theme's file, even opened on its own or framed: no script, no fetch, its own unique origin
THEME_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src 'none'; "
             "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox")
COMMON = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
          "cross-origin-resource-policy": "same-origin", "cross-origin-opener-policy": "same-origin",
          "x-frame-options": "DENY"}


def page_csp(host: str, scripts: list[str]) -> str:
    """The brief page's policy: its styles, images and fonts from this server, the preview's own scripts only."""
    own = " ".join(f"http://{host}{path}" for path in scripts)
    return ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            f"script-src {own}; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


class SecurityHeaders:
    """ASGI middleware: the common headers on every response, and BASE_CSP where a route set none."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1").lower() not in COMMON]
                headers += [(k.encode(), v.encode()) for k, v in COMMON.items()]
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", BASE_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class Shielded:
    """ASGI middleware: an exception in a route is one line on stderr and a 500, never a traceback."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        started = False

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if scope["type"] != "http":
                raise
            log(f"internal error on {scope.get('method')} {shorten(scope.get('path', ''))}: "
                f"{type(exc).__name__}: {shorten(str(exc))}")
            if not started:
                await PlainTextResponse("internal error (see the preview's terminal)", status_code=500)(
                    scope, receive, send)


def log(message: str) -> None:
    print(f"briefgen preview: {message}", file=sys.stderr, flush=True)


def shorten(text: str, limit: int = 120) -> str:
    text = text.encode("unicode_escape").decode("ascii")  # a NUL or a newline cannot break the log line
    return text if len(text) <= limit else text[:limit] + "…"


class HostGuard:
    """ASGI middleware: refuse a request whose Host is not one of the served names with its port."""

    def __init__(self, app, hosts: Hosts):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
            if not self.hosts.allows(host):
                response = PlainTextResponse("refused: this preview answers only to " + self.hosts.describe(),
                                             status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::", "")


class Hosts:
    """The Host headers this preview answers to: the address it listens on; loopback names when that is
    loopback; with a wildcard address any IP address of this machine too; and each --allow-host name."""

    def __init__(self, host: str, port: int, allow: list[str] | tuple[str, ...] = ()):
        self.host, self.port = host, port
        self.names = {host.lower(), *(a.lower() for a in allow)}
        if host in LOOPBACK or host in WILDCARD:
            self.names |= set(LOOPBACK)

    def describe(self) -> str:
        return ", ".join(sorted(f"{n}:{self.port}" for n in self.names if n not in WILDCARD))

    def allows(self, header: str) -> bool:
        name, port = split_host(header.lower())
        if port != self.port or not name:
            return False
        if name in self.names:
            return True
        return self.host in WILDCARD and own_address(name)


def split_host(header: str) -> tuple[str, int | None]:
    """'[::1]:8000' -> ('::1', 8000); 'name:80' -> ('name', 80); no port or a bad one -> (name, None)."""
    if header.startswith("["):
        name, _, rest = header[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port = header.rpartition(":") if ":" in header else (header, "", "")
    return name, int(port) if port.isdigit() and len(port) <= 5 else None


@functools.lru_cache(maxsize=64)
def own_address(name: str) -> bool:
    """Whether `name` is an IP address of this machine (a socket can bind to it): an address, never a
    name, so a DNS-rebinding name is still refused."""
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.bind((str(ip), 0))
        return True
    except OSError:
        return False


def same_origin(request: Request) -> bool:
    """A request from this preview's own page: no foreign Origin, and the browser's Sec-Fetch-Site agrees."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"http://{request.headers.get('host')}":
        return False
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def token_ok(request: Request, token: str) -> bool:
    """The per-run token the page holds (a meta tag), sent back as a header: a page or process that has
    not read this preview's own page cannot change anything."""
    sent = request.headers.get(TOKEN_HEADER, "")
    return same_origin(request) and hmac.compare_digest(sent.encode("latin-1", "replace"), token.encode())


class BoundedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (a slow client is closed) and at
    most PER_CLIENT open connections for one client address (more are closed at once)."""

    _deadline = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        ip = self.client[0] if self.client else None
        if sum(1 for c in self.connections if getattr(c, "client", None) and c.client[0] == ip) > PER_CLIENT:
            transport.close()
            return
        self._arm()

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._headers_late)

    def _headers_late(self) -> None:
        if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
            self.timeout_keep_alive_handler()  # uvicorn's own way of closing an idle connection

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)
