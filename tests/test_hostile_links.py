"""`sources add` against a hostile server on 127.0.0.1: bombs in every encoding, a server that drips, lying
charsets, credentials in the link, a planted symlink, long titles and two adds at once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from briefgen.errors import InputError
from briefgen.read.ingest import fetch as fetching

from .hostile_docx import run_measured
from .hostile_http import Server


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture()
def sources(tmp_path, cli):
    assert cli("init", tmp_path / "p").exit_code == 0
    return tmp_path / "p" / "sources"


def registered(sources) -> list[dict]:
    return yaml.safe_load((sources / "sources.yaml").read_text(encoding="utf-8")).get("sources") or []


def everything_in(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_compression_bomb_stops_at_the_cap_on_inflated_bytes(server, sources, encoding):
    before = (sources / "sources.yaml").read_bytes()
    code, out, peak = run_measured(["sources", "add", server.url(f"/bomb/{encoding}"), "--dir", str(sources)],
                                   sources.parent)
    print(f"{encoding} bomb: exit {code}, peak {peak} MiB")
    assert code == 1 and "larger than 10 MB, too large for one article" in out and "Traceback" not in out, out
    assert peak < 256, f"{encoding}: {peak} MiB"
    assert (sources / "sources.yaml").read_bytes() == before and not (sources / "originals").exists()


def test_a_compressed_page_behind_a_redirect_is_read(server, sources, cli):
    result = cli("sources", "add", server.url("/redirect"), "--dir", sources, "--id", "zipped")
    assert result.exit_code == 0, result.output
    assert "الفقرة 3 gzip" in (sources / "zipped.txt").read_text(encoding="utf-8")


def test_a_dripping_server_is_cut_at_the_deadline(server):
    with pytest.raises(InputError) as caught:
        fetching.fetch(server.url("/drip"), deadline=2.0)
    assert caught.value.diagnostics[0].code == "url-timeout"
    assert "the download took longer than 2 s" in caught.value.message


@pytest.mark.parametrize("path,tag", [("/header-1256-page-utf8", "lying"), ("/header-utf8-page-1256", "cp1256")])
def test_the_meta_charset_wins_over_a_header_that_cannot_decode_the_page(server, sources, cli, path, tag):
    result = cli("sources", "add", server.url(path), "--dir", sources, "--id", "charset")
    assert result.exit_code == 0, result.output
    assert f"الفقرة 2 {tag}: تتواصل المحادثات بين بغداد وواشنطن" in (sources / "charset.txt").read_text(
        encoding="utf-8")


def test_credentials_in_a_link_are_never_printed_or_stored(server, sources, cli):
    result = cli("sources", "add", server.url("/page", auth="analyst:s3cret-pw"), "--dir", sources, "--id", "cred",
                 "--url", server.url("/page", auth="analyst:s3cret-pw"))
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output and "analyst:" not in result.output
    assert result.output.count("warning: a link held a user name and password") == 1
    assert b"s3cret" not in everything_in(sources.parent) and b"analyst:" not in everything_in(sources.parent)
    assert registered(sources)[0]["url"] == server.url("/page")


def test_a_planted_originals_link_is_never_written_through(server, sources, cli, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (sources / "originals").symlink_to(outside)
    before = (sources / "sources.yaml").read_bytes()
    result = cli("sources", "add", server.url("/page"), "--dir", sources, "--id", "planted")
    assert result.exit_code == 1, result.output
    assert "leads outside the sources folder" in result.output and "Traceback" not in result.output
    assert list(outside.iterdir()) == [] and (sources / "sources.yaml").read_bytes() == before
    assert not (sources / "planted.txt").exists()


def test_a_long_title_with_line_breaks_is_one_line_and_shortened_in_messages(server, sources, cli):
    result = cli("sources", "add", server.url("/long-title"), "--dir", sources, "--id", "long")
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) < 400
    title = registered(sources)[0]["title"]
    assert "\n" not in title and "\u2028" not in title and title.startswith("عنوان طويل جدا عنوان")


def test_two_adds_at_once_both_land(server, sources):
    procs = [subprocess.Popen([sys.executable, "-m", "briefgen", "sources", "add", server.url(f"/slow/{name}"),
                               "--dir", str(sources), "--id", name], cwd=sources.parent, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=os.environ.copy()) for name in ("first", "second")]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0, out.decode()
    assert sorted(e["id"] for e in registered(sources)) == ["first", "second"]
    assert "الفقرة 1 second" in (sources / "second.txt").read_text(encoding="utf-8")

