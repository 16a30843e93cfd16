"""Loaders: files, folders, gzip and URLs into `Article`s, one `Failure` (with its reason) per bad input.

Nothing here raises for bad input, so one bad file, line or URL never stops a batch.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from ingest.fetch import canonical_url, fetch, is_url

__all__ = ["SUPPORTED", "is_url", "load_bytes", "load_file", "load_inputs", "load_url", "suffix_of"]
from ingest.formats import from_html, from_json, from_markdown, from_text
from ingest.model import Article, Failure
from qa_app.config import Settings

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
CONTENT_TYPES = {
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
}
_UNTYPED = ("", "application/octet-stream")  # no content type worth the name: go by the URL
# Leading bytes of formats people drop into an articles folder by mistake.
_MAGIC = {b"%PDF": "a PDF", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
          b"PK\x03\x04": "a ZIP archive (or an Office document)", b"RIFF": "a RIFF (WebP/WAV) file"}  # fmt: skip

# Characters no text file holds (bar a stray few): C0 controls other than white space, DEL,
# C1 controls (latin-1 reads of binary) and U+FFFD, what undecodable bytes became.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
NOT_TEXT_SHARE = 0.05  # random bytes decode to 12% (cp1252) or 50% (replaced) such characters
NOT_TEXT_MIN = 4

Loaded = Iterator[Article | Failure]


def looks_binary(text: str) -> bool:
    """Whether decoded bytes are binary rather than text: over 5% of characters (and at least 4) no text holds.

    Example: looks_binary("caf\u00e9\x07 au lait") -> False; looks_binary("\x01\x02\x03\x04") -> True
    """
    bad = _NOT_TEXT.subn("", text)[1]
    return bad >= NOT_TEXT_MIN and bad > NOT_TEXT_SHARE * len(text)


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
    """UTF-8 text; invalid bytes fall back to cp1252 (or replacement) and say so in `notes`.

    Example: decode(b"caf\\xe9", notes) -> "café", notes == ["invalid UTF-8 at byte 3, decoded as cp1252"]
    """
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


def _gunzip(data: bytes, limit: int) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
        out = fh.read(limit + 1)
    if len(out) > limit:
        raise ValueError(f"decompressed size is over the {limit:,}-byte limit")
    return out


def load_file(path: Path, root: Path, settings: Settings) -> Loaded:
    """Articles from one file; `root` is the folder its doc id is relative to."""
    name, origin = str(path), str(path.resolve())
    suffix = suffix_of(path.name)
    if suffix not in SUPPORTED:
        kind = "".join(path.suffixes[-2:]).lower() or "no extension"
        yield Failure(name, f"unsupported file type ({kind}); supported: {', '.join(sorted(SUPPORTED))}", origin)
        return
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            yield Failure(name, f"file is {size:,} bytes, over the {settings.max_file_bytes:,}-byte limit", origin)
            return
        data = path.read_bytes()
        if path.name.lower().endswith(".gz"):
            data = _gunzip(data, settings.max_file_bytes)
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        yield Failure(name, f"cannot read: {exc}", origin)
        return
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    yield from load_bytes(data, name=name, doc_id=rel, suffix=suffix, origin=origin)


def load_bytes(data: bytes, *, name: str, doc_id: str, suffix: str, origin: str, url: str | None = None) -> Loaded:
    """Articles from the bytes of one file or download, by format suffix."""
    if not data.strip():
        yield Failure(name, "empty file", origin)
        return
    magic = next((what for head, what in _MAGIC.items() if data.startswith(head)), None)
    if magic or b"\x00" in data[:8192]:
        yield Failure(name, f"not a text file: {magic or 'binary content'}", origin)
        return
    notes: list[str] = []
    text = decode(data, notes)
    if looks_binary(text):
        yield Failure(name, "not a text file: binary content", origin)
        return
    results: Loaded
    if suffix in JSON_SUFFIXES:
        results = from_json(text, name=name, doc_id=doc_id, origin=origin, lines=suffix != ".json")
    elif suffix in HTML_SUFFIXES:
        results = iter([from_html(text, name=name, doc_id=doc_id, origin=origin, url=url)])
    elif suffix in MARKDOWN_SUFFIXES:
        results = iter([from_markdown(text, name=name, doc_id=doc_id, origin=origin)])
    else:
        results = iter([from_text(text, name=name, doc_id=doc_id, origin=origin)])
    for result in results:
        if isinstance(result, Article):
            result.notes += notes
            result.url = result.url or url
        yield result


def load_url(url: str, settings: Settings) -> Loaded:
    """A web page (or a text/JSON document, also gzipped) fetched over HTTP(S), read like a file."""
    got = fetch(url, settings)
    if isinstance(got, Failure):
        yield got
        return
    path = got.final_url.split("?")[0].split("#")[0]
    data, kind = got.data, got.content_type
    if kind in ("application/gzip", "application/x-gzip") or (kind in _UNTYPED and path.lower().endswith(".gz")):
        try:
            data, kind = _gunzip(data, settings.max_file_bytes), ""
        except (OSError, ValueError, EOFError, zlib.error) as exc:
            yield Failure(url, f"cannot read: {exc}", url)
            return
    suffix = CONTENT_TYPES.get(kind) or (suffix_of(path) or ".html" if kind in _UNTYPED else None)
    if suffix not in SUPPORTED:
        yield Failure(url, f"unsupported content type {got.content_type or 'unknown'}", url)
        return
    canonical = canonical_url(got.final_url)
    yield from load_bytes(data, name=url, doc_id=canonical, suffix=suffix, origin=url, url=canonical)


def _guarded(results: Loaded, name: str, origin: str) -> Loaded:
    """`results`, ended by a `Failure` if producing them raised: a bug met on one input stops only that input."""
    try:
        yield from results
    except Exception as exc:
        reason = " ".join(str(exc).split())
        yield Failure(name, f"cannot load: {type(exc).__name__}: {reason}"[:500], origin)


def load_inputs(inputs: list[str], settings: Settings) -> Iterator[tuple[str, Article | Failure]]:
    """Every article of the named files, folders and URLs, in order, with the input it came from."""
    for item in inputs:
        if is_url(item):
            for result in _guarded(load_url(item, settings), item, item):
                yield item, result
            continue
        path = Path(item)
        if not path.exists():
            yield item, Failure(item, "no such file or folder")
            continue
        root = path if path.is_dir() else path.parent
        for file in iter_files(path):
            for result in _guarded(load_file(file, root, settings), str(file), str(file.resolve())):
                yield item, result
