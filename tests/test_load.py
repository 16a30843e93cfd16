"""Loaders: every format (also gzipped), folders, metadata, each kind of bad input, and URLs
fetched from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.servers import QuietHandler, web_server
from ingest.load import SUPPORTED, load_bytes, load_inputs
from ingest.model import Article, Failure
from qa_app.config import Settings

STORY = "The mayor of Oldtown opened a new harbour bridge on Monday.\n\nIt cost 2 million euros, the council said."
HTML = """<!doctype html><html><head><title>Bridge opens | Oldtown Gazette</title>
<meta property="og:title" content="Harbour bridge opens in Oldtown">
<meta property="og:site_name" content="Oldtown Gazette">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2024-03-02T08:00:00Z">
<link rel="canonical" href="https://gazette.example/2024/bridge?utm_source=feed">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article>
<h1>Harbour bridge opens in Oldtown</h1>
<p>The mayor of Oldtown opened a new harbour bridge on Monday, three years after work began.</p>
<p>"This bridge joins the two halves of our town," the mayor said at the ceremony by the water.</p>
<p>It cost 2 million euros, the council said, and will carry 5,000 cars a day.</p>
</article><footer>Copyright 2024 Oldtown Gazette. All rights reserved.</footer></body></html>"""


def load(inputs: list[str | Path], cfg: Settings | None = None) -> list[Article | Failure]:
    return [result for _, result in load_inputs([str(i) for i in inputs], cfg or Settings())]


def articles(results: list[Article | Failure]) -> dict[str, Article]:
    return {r.doc_id: r for r in results if isinstance(r, Article)}


def failures(results: list[Article | Failure]) -> dict[str, str]:
    return {Path(f.source).name: f.error for f in results if isinstance(f, Failure)}


def write(path: Path, data: str | bytes, *, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def corpus(folder: Path) -> Path:
    """One article in every format, some gzipped, some in subfolders."""
    write(folder / "plain.txt", "Harbour Bridge Opens In Oldtown\n\n" + STORY)
    front = "---\ntitle: Budget passes\ndate: 2023-05-04\nsource: Town Times\nauthors: [Ann Lee, Bo Kim]\n"
    write(folder / "notes.md", front + "url: https://times.example/budget\n---\n\nThe **budget** passed [today](x).")
    write(folder / "page.html", HTML)
    write(folder / "one.json", json.dumps({"id": "j-1", "title": "One", "text": "A story held in JSON."}))
    write(folder / "list.json", json.dumps([{"title": "L1", "content": "First listed."}, {"body": "Second listed."}]))
    lines = [
        {"id": "r1", "title": "Rec one", "body": "Body one.", "published_at": "2022-06-12", "source": "Wire"},
        {"title": "Rec two", "text": "Body two.", "date": "June 13, 2022", "url": "https://w.example/two/"},
        {"title": "Rec three", "content": "Body three.", "authors": [{"name": "Cy Dee"}]},
    ]
    write(folder / "feed.jsonl", "\n".join(json.dumps(x) for x in lines))
    write(folder / "deep" / "er" / "zipped.txt.gz", "Zipped Story Here Today\n\nA gzipped plain text.", gz=True)
    write(folder / "deep" / "page.html.gz", HTML.replace("<link rel", "<link rel-x"), gz=True)  # no canonical URL
    write(folder / "deep" / "notes.md.gz", "# Zipped Markdown\n\nMarkdown in gzip.", gz=True)
    write(folder / "deep" / "one.json.gz", json.dumps({"id": "gz-json", "body": "JSON in gzip."}), gz=True)
    write(folder / "deep" / "feed.jsonl.gz", json.dumps({"id": "gz-jsonl", "body": "JSONL in gzip."}), gz=True)
    write(folder / ".hidden" / "skip.txt", "Hidden folders are skipped.")
    return folder


def test_every_format_and_folder(tmp_path: Path) -> None:
    results = load([corpus(tmp_path / "in")])
    assert failures(results) == {}
    got = articles(results)
    assert set(got) == {
        "plain.txt",
        "https://times.example/budget",
        "https://gazette.example/2024/bridge",
        "j-1",
        "list.json#1",
        "list.json#2",
        "r1",
        "https://w.example/two",
        "feed.jsonl#3",
        "deep/er/zipped.txt.gz",
        "deep/page.html.gz",
        "deep/notes.md.gz",
        "gz-json",
        "gz-jsonl",
    }
    plain = got["plain.txt"]
    assert (plain.title, plain.text) == ("Harbour Bridge Opens In Oldtown", STORY)
    md = got["https://times.example/budget"]
    assert (md.title, md.text, md.published, md.source) == (
        "Budget passes",
        "The budget passed today.",
        "2023-05-04",
        "Town Times",
    )
    assert md.authors == ["Ann Lee", "Bo Kim"] and md.url == "https://times.example/budget"
    assert got["r1"].published == "2022-06-12" and got["r1"].source == "Wire"
    assert got["https://w.example/two"].published == "2022-06-13"
    assert got["feed.jsonl#3"].authors == ["Cy Dee"] and got["feed.jsonl#3"].published is None
    assert got["list.json#1"].title == "L1" and got["list.json#2"].text == "Second listed."
    assert got["deep/notes.md.gz"].title == "Zipped Markdown"
    assert got["deep/er/zipped.txt.gz"].text == "A gzipped plain text."
    assert got["deep/page.html.gz"].title == "Harbour bridge opens in Oldtown"


def test_html_metadata_and_extraction(tmp_path: Path) -> None:
    (page,) = load([write(tmp_path / "page.html", HTML)])
    assert isinstance(page, Article)
    assert page.doc_id == page.url == "https://gazette.example/2024/bridge"  # canonical link, no tracking
    assert page.title == "Harbour bridge opens in Oldtown"
    assert (page.source, page.published, page.authors) == ("Oldtown Gazette", "2024-03-02", ["Jane Roe"])
    assert '"This bridge joins the two halves of our town," the mayor said' in page.text
    assert "Home" not in page.text and "Copyright" not in page.text


def test_unknown_metadata_stays_null(tmp_path: Path) -> None:
    (a,) = load([write(tmp_path / "story.txt", "A Headline With Words\n\nNothing here names a date or an outlet.")])
    assert isinstance(a, Article)
    assert (a.published, a.source, a.url, a.authors) == (None, None, None, [])
    (b,) = load([write(tmp_path / "r.json", json.dumps({"body": "Text.", "date": "June 2022", "url": "not a url"}))])
    assert isinstance(b, Article) and b.published is None and b.url is None and b.doc_id == "r.json"


def test_dates_and_credits_in_the_text(tmp_path: Path) -> None:
    text = "Council Votes On Budget\nBy Jane Roe and John Doe, Town Times\nPublished 9:00 AM, Mon June 13, 2022\n"
    (a,) = load([write(tmp_path / "t.txt", text + "\nThe council voted on Monday.\n")])
    assert isinstance(a, Article)
    assert (a.text, a.published, a.authors) == ("The council voted on Monday.", "2022-06-13", ["Jane Roe", "John Doe"])


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n \t", "empty file"),
        ("report.pdf", b"%PDF-1.7 ...", "unsupported file type (.pdf)"),
        ("photo.png", b"\x89PNG\r\n", "unsupported file type (.png)"),
        ("renamed.txt", b"%PDF-1.7 binary", "not a text file: a PDF"),
        ("nul.txt", b"text\x00\x01\x02", "not a text file: binary content"),
        ("broken.txt.gz", b"\x1f\x8b\x08\x00not gzip", "cannot read"),
        ("menu.txt", b"Menu\nShare\n0:00 0:01:18", "no article text left after cleaning"),
        ("nobody.json", b'{"title": "T", "summary": "no body"}', "no article text: none of the fields"),
        ("array.json", b"[1, 2]", "a JSON article must be an object"),
        ("bad.json", b'{"title": ', "malformed JSON at line 1"),
        ("empty.html", b"<html><body><nav>Home</nav></body></html>", "no article text"),
    ],
)
def test_bad_input_fails_alone_with_a_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    write(tmp_path / name, data)
    write(tmp_path / "good.txt", "A Good Story Here\n\nIt went in.")
    results = load([tmp_path])
    assert set(articles(results)) == {"good.txt"}
    errors = [e for n, e in failures(results).items() if n.startswith(name.split(".")[0])]
    assert errors and all(reason in e and "\n" not in e for e in errors), errors


AD_SURVEY = (
    "1. How relevant is this ad to you?\n\nVideo player was slow to load content Video content never loaded "
    "Ad froze or did not finish loading Other issues"
)


def test_a_page_of_ad_furniture_keeps_its_headline_or_fails(tmp_path: Path) -> None:
    feed = [
        {"id": "walmart", "title": "Walmart is slashing prices on clothing", "body": AD_SURVEY},
        {"id": "untitled", "title": "", "body": AD_SURVEY},
    ]
    results = load([write(tmp_path / "feed.jsonl", "\n".join(json.dumps(r) for r in feed))])
    (kept,) = articles(results).values()
    assert (kept.doc_id, kept.text) == ("walmart", "Walmart is slashing prices on clothing")
    assert kept.notes == ["walmart: only the headline kept, no article text left in its body"]
    (failure,) = [f for f in results if isinstance(f, Failure)]
    assert failure.source.endswith("feed.jsonl:2") and failure.error == "no article text left after cleaning"


def test_an_untitled_page_is_named_by_its_url_not_its_dateline(tmp_path: Path) -> None:
    record = {
        "id": "bj",
        "url": "https://news.example/2022/07/06/uk/boris-johnson-resigns/index.html",
        "body": "London Gazette —\n\nBoris Johnson announced his resignation on Thursday.",
    }
    (a,) = load([write(tmp_path / "feed.jsonl", json.dumps(record))])
    assert isinstance(a, Article)
    assert a.title == "Boris johnson resigns"
    assert a.text.startswith("London Gazette —")


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    write(tmp_path / "big.txt", "A Big Story\n\n" + "Word. " * 500)
    write(tmp_path / "bomb.txt.gz", "A Big Story\n\n" + "Word. " * 500, gz=True)
    results = load([tmp_path], replace(Settings(), max_file_bytes=1000))
    assert "over the 1,000-byte limit" in failures(results)["big.txt"]
    assert "decompressed size is over the 1,000-byte limit" in failures(results)["bomb.txt.gz"]


def test_invalid_utf8_is_decoded_and_said(tmp_path: Path) -> None:
    (a,) = load([write(tmp_path / "latin.txt", "Caf\xe9 Owners Protest Rents\n\nThe caf\xe9 closed.".encode("cp1252"))])
    assert isinstance(a, Article) and a.text == "The café closed."
    assert a.notes == ["invalid UTF-8 at byte 3, decoded as cp1252"]


def _random_bytes(n: int) -> bytes:
    """Random bytes without a NUL (which the old check caught) nor a known magic number."""
    import random

    rng = random.Random(n)
    return b"x" + bytes(rng.randrange(1, 256) for _ in range(n))


@pytest.mark.parametrize(
    ("data", "refused"),
    [
        (_random_bytes(200_000), True),
        (bytes(b for b in _random_bytes(200_000) if b not in b"\x81\x8d\x8f\x90\x9d"), True),  # all cp1252
        (_random_bytes(100), True),
        ("Caf\xe9 Owners \u201cProtest\u201d Rents\n\nThe caf\xe9\x07 closed\x0c at 5\x1b.".encode("cp1252"), False),
        (b"Word", False),
        ("Emoji Day \U0001f389\n\nThe party \U0001f973 went on all night \U0001f30d.".encode(), False),
        (("A Long Story Today\n\n" + "The council met again and voted.\x07 " * 3000).encode(), False),  # 100 KB
    ],
    ids=["random-200KB", "random-cp1252-only", "random-100B", "cp1252-with-controls", "one-word", "emoji", "100KB"],
)
def test_binary_content_is_refused_and_text_is_not(tmp_path: Path, data: bytes, refused: bool) -> None:
    (result,) = load([write(tmp_path / "file.txt", data)])
    if refused:
        assert isinstance(result, Failure) and result.error == "not a text file: binary content"
    else:
        assert isinstance(result, Article), result


def test_a_malformed_json_line_fails_alone(tmp_path: Path) -> None:
    feed = '{"id": "a", "body": "First."}\n{"id": "b", "body": \n\n{"id": "c", "body": "Third."}\n[]\n'
    results = load([write(tmp_path / "feed.jsonl", feed)])
    assert set(articles(results)) == {"a", "c"}
    errors = sorted((f.source, f.error) for f in results if isinstance(f, Failure))
    assert errors[0][0].endswith("feed.jsonl:2") and errors[0][1].startswith("malformed JSON on line 2:")
    assert errors[1][0].endswith("feed.jsonl:5") and "line 5: a JSON article must be an object" in errors[1][1]


def test_missing_path() -> None:
    assert [(f.source, f.error) for f in load(["/no/such/folder"])] == [("/no/such/folder", "no such file or folder")]


# Fuzzing ------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(sorted(SUPPORTED)))
def test_loaders_never_raise_on_bytes(data: bytes, suffix: str) -> None:
    for result in load_bytes(data, name="x" + suffix, doc_id="x", suffix=suffix, origin="/x"):
        assert isinstance(result, Article | Failure)
        if isinstance(result, Article):
            assert result.text.strip() and result.doc_id


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES,
        "title": JSON_VALUES,
        "body": JSON_VALUES,
        "text": st.text(max_size=200),
        "url": st.text(max_size=30),
        "published_at": JSON_VALUES,
        "date": JSON_VALUES,
        "authors": JSON_VALUES,
        "source": JSON_VALUES,
    },
)


@settings(max_examples=150, deadline=None)
@given(st.lists(RECORDS | JSON_VALUES, max_size=8))
def test_every_jsonl_line_gives_one_result(records: list[object]) -> None:
    lines = [json.dumps(r) for r in records]
    results = list(load_bytes("\n".join(lines).encode(), name="f.jsonl", doc_id="f", suffix=".jsonl", origin="/f"))
    assert len(results) == max(len(lines), 1)  # no line at all: one "empty file" failure


# URLs, from a real HTTP server on 127.0.0.1 (allowed here: the app's default refuses loopback) ------
LOCAL = Settings(allow_private_urls=True)


class Handler(QuietHandler):
    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/story":
            self.send(200, HTML.encode(), "text/html; charset=utf-8")
        elif path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/story?utm_source=x")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif path == "/feed.jsonl.gz":
            self.send(200, gzip.compress(b'{"id": "web-1", "body": "From a gzipped feed."}'), "application/gzip")
        elif path == "/notes.txt":
            self.send(200, b"Plain Notes From The Web\n\nServed as text.", "text/plain")
        elif path == "/paper.pdf":
            self.send(200, b"%PDF-1.7", "application/pdf")
        elif path == "/big":
            self.send(200, b"x" * 5000, "text/plain")
        elif path == "/slow":
            time.sleep(3)
            self.send(200, b"late", "text/plain")
        else:
            self.send(404, b"not here", "text/plain")


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    with web_server(Handler) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def test_url_page_is_fetched_and_extracted(web: str) -> None:
    (page,) = load([f"{web}/story"], LOCAL)
    assert isinstance(page, Article)
    assert page.title == "Harbour bridge opens in Oldtown" and page.origin == f"{web}/story"
    assert page.doc_id == "https://gazette.example/2024/bridge"  # the page's own canonical URL
    assert "three years after work began" in page.text


def test_url_redirect_and_other_formats(web: str) -> None:
    (page,) = load([f"{web}/moved"], LOCAL)
    assert isinstance(page, Article) and "three years after work began" in page.text
    (notes,) = load([f"{web}/notes.txt"], LOCAL)
    assert isinstance(notes, Article) and notes.doc_id == notes.url == f"{web}/notes.txt"
    (record,) = load([f"{web}/feed.jsonl.gz"], LOCAL)
    assert isinstance(record, Article) and (record.doc_id, record.text) == ("web-1", "From a gzipped feed.")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/slow", "timed out after 0.5 s"),
        ("/loop", "more than 5 redirects"),
        ("/paper.pdf", "unsupported content type application/pdf"),
        ("/big", "response is 5,000 bytes, over the 1,000-byte limit"),
    ],
)
def test_bad_urls_fail_alone_with_a_reason(web: str, path: str, reason: str) -> None:
    cfg = replace(LOCAL, url_timeout=0.5, max_file_bytes=1000)
    results = load([f"{web}{path}", f"{web}/notes.txt"], cfg)
    assert [(f.source, f.error) for f in results if isinstance(f, Failure)] == [(f"{web}{path}", reason)]
    assert len(articles(results)) == 1


def test_unreachable_url_fails_cleanly() -> None:
    from harness.servers import free_port

    (failure,) = load([f"http://127.0.0.1:{free_port()}/x"], replace(LOCAL, url_timeout=2))
    assert isinstance(failure, Failure) and failure.error.startswith("cannot fetch:")
