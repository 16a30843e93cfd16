"""Fetching URLs safely: no loopback, private or local address (also behind a redirect or a host name)
unless allowed, and one deadline for the whole fetch; against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import html
import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from harness.servers import QuietHandler
from ingest.fetch import Fetched, fetch
from ingest.guard import is_public_address
from ingest.model import Failure
from qa_app.config import Settings
from tests.conftest import USER_ARTICLE, run_cli

REFUSED = "is a private or local address (set QA_ALLOW_PRIVATE_URLS=1 to allow)"


class Site:
    """A real HTTP server on 127.0.0.1 that records every request path it gets."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                site.paths.append(self.path)
                route = urlsplit(self.path)
                query = parse_qs(route.query)
                if route.path == "/page":
                    self.send(200, b"Harbour bridge opens.\n\nThe council said so.", "text/plain")
                elif route.path == "/to":  # /to?url=U redirects to U
                    self.send_response(302)
                    self.send_header("Location", query["url"][0])
                    self.end_headers()
                elif route.path.startswith("/nap/"):  # /nap/N: 0.8 s, then a redirect to /nap/N-1; /nap/0 is a page
                    time.sleep(0.8)
                    hops = int(route.path.rsplit("/", 1)[1])
                    if hops:
                        self.send_response(302)
                        self.send_header("Location", f"/nap/{hops - 1}")
                        self.end_headers()
                    else:
                        self.send(200, b"finally", "text/plain")
                elif route.path == "/trickle":  # 40 bytes, one every 0.5 s: each read is quick, the whole is not
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "40")
                    self.end_headers()
                    for _ in range(40):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.5)
                else:
                    self.send(404, b"not here", "text/plain")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # a client gave up
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


@pytest.fixture
def other_site() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


def only_port(port: int):
    """An address policy allowing exactly one port (any address), so a loopback server can play a public one."""
    return lambda address, p: p == port or is_public_address(address)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "127.1", "2130706433", "0.0.0.0", "[::ffff:127.0.0.1]"],
    ids=["ip", "name", "short", "decimal", "unspecified", "v4-mapped"],
)
def test_loopback_is_refused_without_a_request(site: Site, host: str) -> None:
    url = f"http://{host}:{site.port}/page"
    got = fetch(url, Settings())
    assert isinstance(got, Failure), got
    assert got.error.startswith("refused: ") and got.error.endswith(REFUSED), got.error
    assert site.paths == []  # refused before connecting: the server never saw the request


def test_a_scheme_in_capitals_is_a_url_and_loopback_still_refused(site: Site) -> None:
    from ingest.fetch import is_url

    url = f"HTTP://LOCALHOST:{site.port}/page"
    assert is_url(url) and is_url("https://example.com") and not is_url("ftp://example.com/a")
    got = fetch(url, Settings())
    assert isinstance(got, Failure) and got.error.endswith(REFUSED), got
    assert site.paths == []


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:{port}/page", "http://localhost:{port}/page", "http://[::ffff:127.0.0.1]:{port}/page"],
    ids=["ip", "name", "v4-mapped"],
)
def test_a_redirect_to_loopback_is_refused_at_the_hop(site: Site, other_site: Site, target: str) -> None:
    hidden = target.format(port=other_site.port)
    url = f"http://127.0.0.1:{site.port}/to?url={hidden}"
    got = fetch(url, Settings(), allow=only_port(site.port))
    assert isinstance(got, Failure) and REFUSED in got.error, got
    assert got.error.startswith(f"refused: {urlsplit(hidden).hostname}")
    assert len(site.paths) == 1 and other_site.paths == []  # the allowed origin was asked, the hidden one never


def test_the_allowed_origin_itself_is_fetched(site: Site) -> None:
    """The policy hook lets the test's origin through, so the refusal above is the hop's and nothing else."""
    got = fetch(f"http://127.0.0.1:{site.port}/to?url=/page", Settings(), allow=only_port(site.port))
    assert isinstance(got, Fetched) and got.data.startswith(b"Harbour bridge opens.")
    assert site.paths == ["/to?url=/page", "/page"]


def test_allow_private_urls_fetches_loopback(site: Site, other_site: Site) -> None:
    local = Settings(allow_private_urls=True)
    got = fetch(f"http://localhost:{site.port}/page", local)
    assert isinstance(got, Fetched) and got.content_type == "text/plain"
    assert got.final_url == f"http://localhost:{site.port}/page"
    moved = fetch(f"http://127.0.0.1:{site.port}/to?url=http://127.0.0.1:{other_site.port}/page", local)
    assert isinstance(moved, Fetched) and moved.final_url == f"http://127.0.0.1:{other_site.port}/page"
    assert other_site.paths == ["/page"]


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_allow_private_urls_from_the_environment(value: str) -> None:
    assert Settings.from_env({"QA_ALLOW_PRIVATE_URLS": value}).allow_private_urls
    assert not Settings.from_env({}).allow_private_urls
    assert not Settings.from_env({"QA_ALLOW_PRIVATE_URLS": "0"}).allow_private_urls


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),  # an IPv4-mapped public address is still public
        ("127.0.0.1", False),
        ("127.255.255.254", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("172.31.255.255", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # CGNAT
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),  # reserved
        ("192.0.2.1", False),  # documentation
        ("::", False),
        ("::1", False),
        ("fe80::1", False),
        ("fe80::1%1", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fec0::1", False),  # site-local (deprecated)
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("not an address", False),
    ],
)
def test_address_policy(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_a_slow_server_hits_the_total_deadline(site: Site) -> None:
    """A byte every 0.5 s never trips a per-read timeout; the 2 s deadline of the whole fetch must."""
    local = Settings(allow_private_urls=True, url_timeout=2)
    start = time.monotonic()
    got = fetch(f"http://127.0.0.1:{site.port}/trickle", local)
    took = time.monotonic() - start
    assert isinstance(got, Failure) and got.error == "timed out after 2 s", got
    assert took < 8  # generous: without a total deadline this takes 20 s


def test_the_deadline_spans_redirect_hops(site: Site) -> None:
    """Four hops of 0.8 s each: every one is within 2 s, all of them are not."""
    got = fetch(f"http://127.0.0.1:{site.port}/nap/3", Settings(allow_private_urls=True, url_timeout=2))
    assert isinstance(got, Failure) and got.error == "timed out after 2 s", got
    assert len(site.paths) <= 3


def test_app_ingest_refuses_a_loopback_url(site: Site, sample_index: Path, base_settings, embedder, tmp_path) -> None:
    """Through the real app's `/ingest` (default settings): a refusal in the results, nothing fetched or stored."""
    from gradio_client import Client

    from tests.test_app import serve

    shutil.copytree(sample_index, tmp_path / "index")
    settings = replace(base_settings, index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads")
    urls = f"http://127.0.0.1:{site.port}/page\nhttp://localhost:{site.port}/to?url=/page"
    with serve(settings, embedder) as app_url:
        shown, table, _ = Client(app_url, verbose=False).predict([], urls, api_name="/ingest")
    results = html.unescape(shown)
    assert results.count(REFUSED) == 2, results
    assert f"refused: 127.0.0.1 {REFUSED}" in results and f"refused: localhost {REFUSED}" in results
    assert site.paths == []
    assert [row[-1] for row in table["data"]] == [USER_ARTICLE]  # the sample's one article, nothing new


def test_the_command_line_allows_loopback(site: Site, tmp_path: Path) -> None:
    """`python -m ingest` is the operator's own machine: a URL on it is fetched, and `--help` says so."""
    url = f"http://127.0.0.1:{site.port}/page"
    env = {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_UPLOAD_DIR": str(tmp_path / "uploads")}
    result = run_cli("ingest", url, "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["added"] == [url]
    assert site.paths == ["/page"]
    help_text = " ".join(run_cli("ingest", "--help").stdout.split())
    assert "The app refuses those unless QA_ALLOW_PRIVATE_URLS=1" in help_text
