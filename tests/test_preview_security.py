"""briefgen preview is safe to leave open: headers on every response, the token, bad paths, connection limits,
the hosts it answers to. Real requests and raw sockets against a real server on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from briefgen.preview import guard

from .preview_support import Preview

ROUTES = ["/", "/api/state", "/api/citation/1", "/api/citation?key=summary/0/cite/0", "/api/build", "/api/search?q=x",
          "/_preview/preview.js", "/_preview/panels.js", "/_preview/preview.css", "/fonts/Amiri-Regular.ttf",
          "/brief.css", "/mark.svg", "/nothing.png", "/pages/99/1.png", "/out/outline.pdf", "/a%00b"]


def raw(port: int, data: bytes, source: str = "127.0.0.1", timeout: float = 10) -> bytes:
    """Send bytes as they are (no client normalising anything); what the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as s:
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def get(port: int, target: str) -> int:
    head = raw(port, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode("latin-1"))
    return int(head.split()[1])


@pytest.fixture(scope="module")
def served(shared):
    (shared.root / "templates" / "mark.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
                                                        '</script></svg>', encoding="utf-8")
    return shared


def test_every_response_carries_the_security_headers(served):
    for route in ROUTES + ["refused-host"]:
        headers = {"Host": "evil.example"} if route == "refused-host" else {}
        r = served.http.get("/" if route == "refused-host" else route, headers=headers)
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", route
        assert h["referrer-policy"] == "no-referrer", route
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, (route, csp)
        assert "unsafe-eval" not in csp and "script-src 'self'" not in csp, route
    svg = served.http.get("/mark.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "script-src 'none'" in svg.headers["content-security-policy"]
    assert "sandbox" in svg.headers["content-security-policy"].split("; ")
    page = served.http.get("/").headers["content-security-policy"]
    assert f"script-src http://127.0.0.1:{served.port}/_preview/preview.js " in page  # its own two scripts, no other


def test_a_build_needs_the_pages_token_and_its_origin(served):
    token = served.token()
    assert len(token) >= 24 and token not in served.http.get("/api/state").text
    assert served.http.post("/api/build").status_code == 403  # no token: e.g. another local process
    assert served.http.post("/api/build", headers={guard.TOKEN_HEADER: "guess"}).status_code == 403
    foreign = {guard.TOKEN_HEADER: token, "Origin": f"http://127.0.0.1:{served.port + 1}"}
    assert served.http.post("/api/build", headers=foreign).status_code == 403  # another page on this machine
    cross = {guard.TOKEN_HEADER: token, "Sec-Fetch-Site": "same-site"}
    assert served.http.post("/api/build", headers=cross).status_code == 403
    assert served.http.get("/api/state", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert served.http.get("/api/build").json()["status"] == "idle"  # nothing was built
    assert served.http.post("/api/build?formats=exe", headers={guard.TOKEN_HEADER: token}).status_code == 400


def test_bad_paths_get_4xx_and_one_log_line_without_a_traceback(preview):
    long_name = "a" * 300
    cases = {"/a%00b.png": 400, "/%00": 400, f"/{long_name}.svg": 400, "/" + "b/" * 600 + "c.png": 400,
             "/fonts/%00": 404, "/api/citation/99999999999999999999": 404, "/_preview/%00": 404,
             "/pages/1/%00.png": 400, "/out/%00": 404, "/..%2f..%2fetc%2fpasswd": 404}
    for target, status in cases.items():
        assert get(preview.port, target) == status, target
    assert get(preview.port, "/") == 200  # still serving
    log = preview.log()
    assert "Traceback" not in log and len(log) < 4000, log[:2000]
    refusals = [line for line in log.splitlines() if line.startswith("briefgen preview: refused")]
    assert len(refusals) == 5 and all(len(line) < 200 for line in refusals), refusals


def test_slow_headers_are_cut_off_and_the_page_still_answers(preview):
    slow = []
    for _ in range(guard.PER_CLIENT - 4):  # slow clients on 127.0.0.3 (each address has its own limit)
        s = socket.create_connection(("127.0.0.1", preview.port), timeout=30, source_address=("127.0.0.3", 0))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % preview.port)  # never the blank line
        slow.append(s)
    try:
        assert preview.http.get("/").status_code == 200  # answered while they wait
        started = time.monotonic()
        for s in slow:
            s.sendall(b"X-Slow: 1\r\n")
        closed = 0
        for s in slow:
            try:
                closed += s.recv(100) == b""
            except ConnectionResetError:
                closed += 1
        assert closed == len(slow)
        assert time.monotonic() - started < guard.HEADER_TIMEOUT + 5  # closed by the deadline, not the test's timeout
    finally:
        for s in slow:
            s.close()
    # a new connection: the pooled one idled past the server's keep-alive timeout while the test waited
    with httpx.Client(base_url=preview.url, timeout=30) as fresh:
        assert fresh.get("/api/state").status_code == 200


def test_one_client_cannot_hold_every_connection(preview):
    held = []
    try:
        for _ in range(guard.PER_CLIENT + 10):  # from another loopback address: 127.0.0.2
            held.append(socket.create_connection(("127.0.0.1", preview.port), timeout=10,
                                                 source_address=("127.0.0.2", 0)))
        for s in held:
            s.setblocking(False)
        closed: set[int] = set()
        deadline = time.monotonic() + 10  # a busy machine may take a moment to close them
        while len(closed) < 10 and time.monotonic() < deadline:
            for n, s in enumerate(held):
                if n in closed:
                    continue
                try:
                    if s.recv(1) == b"":
                        closed.add(n)
                except BlockingIOError:
                    pass
                except ConnectionResetError:
                    closed.add(n)
            time.sleep(0.05)
        assert len(closed) >= 10  # the ones over that client's limit were closed
        assert preview.http.get("/").status_code == 200  # and another client is served
    finally:
        for s in held:
            s.close()


def test_push_streams_are_bounded_per_client(preview):
    client = httpx.Client(base_url=preview.url, timeout=10)
    streams = []
    try:
        for _ in range(guard.STREAMS_PER_CLIENT):
            cm = client.stream("GET", "/api/events")
            r = cm.__enter__()
            assert r.status_code == 200
            streams.append(cm)
        with httpx.Client(base_url=preview.url, timeout=10) as other:
            extra = other.get("/api/events")
        assert extra.status_code == 503 and "too many" in extra.text
        assert preview.http.get("/").status_code == 200
    finally:
        for cm in streams:
            cm.__exit__(None, None, None)
        client.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # closed streams are counted off: a new one is admitted again
        with preview.http.stream("GET", "/api/events") as r:
            if r.status_code == 200:
                break
        time.sleep(0.2)
    else:
        raise AssertionError("closed push streams were never counted off")


def test_hosts_are_the_served_names_this_machines_addresses_and_allowed_names():
    local = guard.Hosts("127.0.0.1", 8123)
    assert local.allows("127.0.0.1:8123") and local.allows("localhost:8123") and local.allows("[::1]:8123")
    assert not local.allows("127.0.0.1:8124") and not local.allows("evil.example:8123") and not local.allows("")
    assert not local.allows("127.0.0.2:8123")  # bound to loopback: another address is not this server
    wildcard = guard.Hosts("0.0.0.0", 9000, ["brief.lan"])
    assert wildcard.allows("127.0.0.2:9000")  # an address of this machine (the whole loopback net is)
    assert wildcard.allows("BRIEF.LAN:9000") and not wildcard.allows("brief.lan:9001")
    assert not wildcard.allows("192.0.2.7:9000")  # TEST-NET-1: no machine's address
    assert not wildcard.allows("rebind.example:9000")  # a name resolving here is still refused
    assert guard.split_host("[::1]:80") == ("::1", 80) and guard.split_host("a:99999999") == ("a", None)


def test_allow_host_names_are_answered(tmp_path):
    p = Preview(tmp_path / "p", args=("--allow-host", "brief.test"))
    try:
        assert p.http.get("/api/state", headers={"Host": f"brief.test:{p.port}"}).status_code == 200
        assert p.http.get("/api/state", headers={"Host": f"other.test:{p.port}"}).status_code == 403
    finally:
        p.http.close()
        p.stop()


def test_push_streams_are_bounded_in_all(preview):
    clients, streams = [], []
    per, sources = guard.STREAMS_PER_CLIENT, -(-guard.STREAMS_IN_ALL // guard.STREAMS_PER_CLIENT)
    try:
        for i in range(sources):  # each from its own loopback address, each within its own limit
            c = httpx.Client(base_url=preview.url, timeout=10,
                             transport=httpx.HTTPTransport(local_address=f"127.0.1.{i + 1}"))
            clients.append(c)
            for _ in range(min(per, guard.STREAMS_IN_ALL - len(streams))):
                cm = c.stream("GET", "/api/events")
                assert cm.__enter__().status_code == 200
                streams.append(cm)
        assert len(streams) == guard.STREAMS_IN_ALL
        with httpx.Client(base_url=preview.url, timeout=10,
                          transport=httpx.HTTPTransport(local_address="127.0.2.1")) as fresh:
            assert fresh.get("/api/events").status_code == 503  # a new client, but the server is full
            assert fresh.get("/api/state").status_code == 200  # and everything else still answers
    finally:
        for cm in streams:
            cm.__exit__(None, None, None)
        for c in clients:
            c.close()
