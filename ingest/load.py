"""Loaders: files, folders, gzip, JSON/JSONL records, HTML pages and URLs into `Article`s.

Every loader yields `Article`s and `Failure`s, never raises for bad input, so one bad file or
line never stops a batch.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.clean import clean_page, normalize
from ingest.meta import (
    credits_from_line,
    date_from_name,
    normalize_date,
    outlet_from_footer,
    title_from_lines,
)
from ingest.model import Article, Failure
from qa_app.config import Settings

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES

BODY_FIELDS = ("body", "text", "content", "article", "story")
DATE_FIELDS = ("published_at", "published", "date", "pub_date", "datetime", "created_at")

Loaded = Iterator[Article | Failure]


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def suffix_of(name: str) -> str:
    """The format suffix, looking through a trailing .gz.

    Example: suffix_of("news.jsonl.gz") -> ".jsonl"
    """
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return Path(lower).suffix


def iter_files(path: Path) -> Iterator[Path]:
    """The files below a folder, sorted, skipping hidden ones; or the file itself."""
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        rel = child.relative_to(path)
        if child.is_file() and not any(part.startswith(".") for part in rel.parts):
            yield child


def decode(data: bytes, notes: list[str]) -> str:
    """UTF-8 text; invalid bytes fall back to cp1252 (or replacement) and say so in `notes`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
    try:
        text = data.decode("cp1252")
        notes.append(f"invalid UTF-8 at {where}, decoded as cp1252")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        notes.append(f"invalid UTF-8 at {where}, bad bytes replaced")
    return text


def load_file(path: Path, root: Path, settings: Settings) -> Loaded:
    """Articles from one file; `root` is the folder its doc id is relative to."""
    name = str(path)
    suffix = suffix_of(path.name)
    if suffix not in SUPPORTED:
        kind = path.suffix.lower() or "no extension"
        yield Failure(name, f"unsupported file type ({kind}); supported: {', '.join(sorted(SUPPORTED))}")
        return
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            yield Failure(name, f"file is {size:,} bytes, over the {settings.max_file_bytes:,}-byte limit")
            return
        data = path.read_bytes()
        if path.name.lower().endswith(".gz"):
            data = _gunzip(data, settings.max_file_bytes)
    except (OSError, ValueError, EOFError) as exc:
        yield Failure(name, f"cannot read: {exc}")
        return
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    yield from load_bytes(data, name=name, doc_id=rel, suffix=suffix, origin=str(path.resolve()))


def _gunzip(data: bytes, limit: int) -> bytes:
    with gzip.GzipFile(fileobj=__import__("io").BytesIO(data)) as fh:
        out = fh.read(limit + 1)
    if len(out) > limit:
        raise ValueError(f"decompressed size is over the {limit:,}-byte limit")
    return out


def load_bytes(data: bytes, *, name: str, doc_id: str, suffix: str, origin: str, url: str | None = None) -> Loaded:
    """Articles from the bytes of one file or download, by format suffix."""
    if not data.strip():
        yield Failure(name, "empty file")
        return
    notes: list[str] = []
    text = decode(data, notes)
    if suffix in JSON_SUFFIXES:
        yield from _load_json(text, name=name, doc_id=doc_id, origin=origin, notes=notes, lines=suffix != ".json")
        return
    if suffix in HTML_SUFFIXES:
        result = _from_html(text, name=name, doc_id=doc_id, origin=origin, url=url)
    elif suffix in MARKDOWN_SUFFIXES:
        result = _from_markdown(text, name=name, doc_id=doc_id, origin=origin)
    else:
        result = _from_text(text, name=name, doc_id=doc_id, origin=origin)
    if isinstance(result, Article):
        result.notes += notes
        if url and not result.url:
            result.url = url
    yield result


def _finish(article: Article, name: str) -> Article | Failure:
    if not article.text.strip():
        return Failure(name, "no article text left after cleaning")
    return article


def _from_text(raw: str, *, name: str, doc_id: str, origin: str) -> Article | Failure:
    page = clean_page(raw)
    title, lines = title_from_lines(page.lines)
    return _finish(
        Article(
            doc_id=doc_id,
            text="\n\n".join(lines),
            title=title or Path(name).stem,
            origin=origin,
            source=outlet_from_footer(page.footer, page.credit),
            published=date_from_name(Path(name).name),
            authors=credits_from_line(page.credit),
        ),
        name,
    )


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def _from_markdown(raw: str, *, name: str, doc_id: str, origin: str) -> Article | Failure:
    meta: dict[str, Any] = {}
    m = _FRONT_MATTER.match(raw)
    if m:
        import yaml

        try:
            loaded = yaml.safe_load(m[1])
            meta = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError:
            meta = {}
        raw = raw[m.end() :]
    heading = re.search(r"^#\s+(.+)$", raw, re.M)
    plain = _markdown_to_text(raw)
    if heading and not meta.get("title"):
        meta["title"] = _markdown_to_text(heading[1]).strip()
        plain = plain.replace(meta["title"], "", 1)
    article = _from_record(meta, body=plain, name=name, doc_id=doc_id, origin=origin)
    if isinstance(article, Article) and not article.published:
        article.published = date_from_name(Path(name).name)
    return article


def _markdown_to_text(md: str) -> str:
    """Markdown reduced to its text: links keep their words, markup goes."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", md)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    return re.sub(r"^>\s?", "", text, flags=re.M)


def _from_html(raw: str, *, name: str, doc_id: str, origin: str, url: str | None) -> Article | Failure:
    import trafilatura

    doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True, include_comments=False)
    if doc is None or not getattr(doc, "text", None):
        return Failure(name, "no article text found in the HTML")
    meta = {
        "title": doc.title,
        "source": doc.sitename,
        "published_at": doc.date,
        "authors": doc.author,
        "url": doc.url or url,
    }
    return _from_record(meta, body=doc.text, name=name, doc_id=doc_id, origin=origin)


def _load_json(text: str, *, name: str, doc_id: str, origin: str, notes: list[str], lines: bool) -> Loaded:
    if lines:
        records: list[tuple[str, Any]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                yield Failure(f"{name}:{number}", f"malformed JSON on line {number}: {exc.msg}")
    else:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Failure(name, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
            return
        items = loaded if isinstance(loaded, list) else [loaded]
        records = [(f"item {i}", item) for i, item in enumerate(items, start=1)]
    single = len(records) == 1
    for where, record in records:
        label = name if single else f"{name} ({where})"
        if not isinstance(record, dict):
            yield Failure(label, "a JSON article must be an object")
            continue
        fallback = doc_id if single else f"{doc_id}#{where.split()[-1]}"
        result = _from_record(record, body=None, name=label, doc_id=fallback, origin=origin)
        if isinstance(result, Article):
            result.notes += notes
        yield result


def record_doc_id(record: dict[str, Any], fallback: str) -> str:
    """A record's own id, else its canonical URL, else the fallback (path-based)."""
    if record.get("id") not in (None, ""):
        return str(record["id"])
    if isinstance(record.get("url"), str) and is_url(record["url"]):
        return canonical_url(record["url"])
    return fallback


def canonical_url(url: str) -> str:
    """A URL without fragment, tracking parameters or trailing slash; host lower-cased.

    Example: canonical_url("HTTPS://Example.com/a/?utm_source=x#top") -> "https://example.com/a"
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(("utm_", "fbclid", "gclid"))]
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def _authors(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [a.strip() for a in re.split(r";|,|\band\b", value) if a.strip()]
    if isinstance(value, list):
        return [str(a.get("name", a) if isinstance(a, dict) else a).strip() for a in value if a]
    return [str(value)]


def _from_record(record: dict[str, Any], *, body: str | None, name: str, doc_id: str, origin: str) -> Article | Failure:
    if body is None:
        body = next((record[f] for f in BODY_FIELDS if isinstance(record.get(f), str) and record[f].strip()), None)
        if body is None:
            return Failure(name, f"no article text: none of the fields {', '.join(BODY_FIELDS)}")
    page = clean_page(body)
    title = normalize(str(record.get("title") or "")).strip()
    lines = page.lines
    if not title:
        found, lines = title_from_lines(lines)
        title = found or ""
    elif lines and lines[0].strip().lower() == title.lower():
        lines = lines[1:]
    published = next((normalize_date(record[f]) for f in DATE_FIELDS if record.get(f)), None)
    url = record.get("url") if isinstance(record.get("url"), str) else None
    source = record.get("source") or record.get("outlet") or record.get("sitename")
    if isinstance(source, dict):
        source = source.get("name")
    return _finish(
        Article(
            doc_id=record_doc_id(record, doc_id),
            text="\n\n".join(lines),
            title=title or doc_id,
            origin=origin,
            source=str(source) if source else outlet_from_footer(page.footer, page.credit),
            published=published,
            authors=_authors(record.get("authors") or record.get("author")) or credits_from_line(page.credit),
            url=url,
        ),
        name,
    )


def load_url(url: str, settings: Settings) -> Loaded:
    """Fetch a page with a real HTTP client (timeout, size limit, redirects) and extract it."""
    import httpx

    try:
        with (
            httpx.Client(follow_redirects=True, timeout=settings.url_timeout, max_redirects=5) as client,
            client.stream("GET", url, headers={"User-Agent": "qa-app-ingest/1.0"}) as response,
        ):
            if response.status_code >= 400:
                yield Failure(url, f"HTTP {response.status_code} {response.reason_phrase}")
                return
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > settings.max_file_bytes:
                    yield Failure(url, f"response is over the {settings.max_file_bytes:,}-byte limit")
                    return
                chunks.append(chunk)
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            final = str(response.url)
    except httpx.TimeoutException:
        yield Failure(url, f"timed out after {settings.url_timeout:g} s")
        return
    except httpx.HTTPError as exc:
        yield Failure(url, f"cannot fetch: {exc}")
        return
    suffix = {"text/plain": ".txt", "text/markdown": ".md", "application/json": ".json"}.get(kind)
    if suffix is None:
        suffix = ".html" if "html" in kind or not kind else suffix_of(final)
    if suffix not in SUPPORTED:
        yield Failure(url, f"unsupported content type {kind or 'unknown'}")
        return
    canonical = canonical_url(final)
    yield from load_bytes(b"".join(chunks), name=url, doc_id=canonical, suffix=suffix, origin=url, url=canonical)


def load_inputs(inputs: list[str], settings: Settings) -> Iterator[tuple[str, Article | Failure]]:
    """Every article of the named files, folders and URLs, with the input each came from."""
    for item in inputs:
        if is_url(item):
            for result in load_url(item, settings):
                yield item, result
            continue
        path = Path(item)
        if not path.exists():
            yield item, Failure(item, "no such file or folder")
            continue
        root = path if path.is_dir() else path.parent
        for file in iter_files(path):
            for result in load_file(file, root, settings):
                yield item, result
