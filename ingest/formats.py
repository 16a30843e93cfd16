"""Formats: the decoded text of a plain-text, Markdown, HTML or JSON file into `Article`s.

Every function returns `Article`s or `Failure`s and never raises for bad input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.clean import clean_page, normalize
from ingest.fetch import canonical_url, is_url
from ingest.meta import (
    authors_of,
    date_from_name,
    normalize_date,
    outlet_of,
    page_date,
    title_from_lines,
    title_from_url,
)
from ingest.model import Article, Failure, Page

BODY_FIELDS = ("body", "text", "content", "article", "story")
DATE_FIELDS = ("published_at", "published", "date", "pub_date", "datetime", "created_at")
SOURCE_FIELDS = ("source", "outlet", "sitename", "publisher")


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _article(page: Page, meta: dict[str, Any], *, name: str, doc_id: str, origin: str) -> Article | Failure:
    """An article from a cleaned page and the metadata its file states (which wins over the text's)."""
    lines = page.lines
    title = normalize(str(meta.get("title") or "")).strip()
    if not title:
        found, lines = title_from_lines(lines)
        title = found or ""
    source = next((meta[f] for f in SOURCE_FIELDS if meta.get(f)), None)
    if isinstance(source, dict):
        source = source.get("name")
    source = str(source).strip() if source else outlet_of(page)
    # The headline and the outlet's name written again at the top are page furniture.
    furniture = {_alnum(title), _alnum(source or "")} - {""}
    lines = [line for i, line in enumerate(lines) if i >= 3 or _alnum(line) not in furniture]
    record_id = record_doc_id(meta, doc_id)
    notes: list[str] = []
    if not lines:
        if not title:
            return Failure(name, "no article text left after cleaning", origin)
        # A body of nothing but page furniture still leaves the headline, the outlet's own words.
        lines = [title]
        notes.append(f"{record_id}: only the headline kept, no article text left in its body")
    url = meta.get("url") if isinstance(meta.get("url"), str) and is_url(meta["url"]) else None
    published = next((d for d in (normalize_date(meta.get(f)) for f in DATE_FIELDS) if d), None)
    return Article(
        doc_id=record_id,
        text="\n\n".join(lines),
        title=title or title_from_url(url) or doc_id,
        origin=origin,
        source=source or None,
        published=published or page_date(page) or date_from_name(name if is_url(name) else Path(name).name),
        authors=_authors(meta.get("authors") or meta.get("author")) or authors_of(page.credits),
        url=url,
        notes=notes,
    )


def from_text(raw: str, *, name: str, doc_id: str, origin: str) -> Article | Failure:
    """A plain-text page: the headline is its first title-like line."""
    return _article(clean_page(raw), {}, name=name, doc_id=doc_id, origin=origin)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)


def from_markdown(raw: str, *, name: str, doc_id: str, origin: str) -> Article | Failure:
    """Markdown: YAML front matter gives the metadata, a `# heading` the title."""
    meta: dict[str, Any] = {}
    raw = normalize(raw)
    m = _FRONT_MATTER.match(raw)
    if m:
        import yaml

        try:
            loaded = yaml.safe_load(m[1])
        except yaml.YAMLError:
            loaded = None
        meta = loaded if isinstance(loaded, dict) else {}
        raw = raw[m.end() :]
    heading = re.search(r"^#\s+(.+)$", raw, re.M)
    if heading and not meta.get("title"):
        meta["title"] = markdown_to_text(heading[1]).strip()
        raw = raw[: heading.start()] + raw[heading.end() :]
    return _article(clean_page(markdown_to_text(raw)), meta, name=name, doc_id=doc_id, origin=origin)


def markdown_to_text(md: str) -> str:
    """Markdown reduced to its text: links keep their words, markup goes.

    Example: markdown_to_text("**Big** [news](http://x)") -> "Big news"
    """
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", md)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    return re.sub(r"^>\s?", "", text, flags=re.M)


def from_html(raw: str, *, name: str, doc_id: str, origin: str, url: str | None) -> Article | Failure:
    """An HTML page, its story and metadata extracted by trafilatura (dates only where stated)."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            raw,
            url=url,
            with_metadata=True,
            include_comments=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
        return Failure(name, f"cannot parse the HTML: {type(exc).__name__}", origin)
    if doc is None or isinstance(doc, dict) or not doc.text:
        return Failure(name, "no article text found in the HTML", origin)
    meta = {"title": doc.title, "source": doc.sitename, "date": doc.date, "author": doc.author, "url": doc.url or url}
    return _article(clean_page(doc.text), meta, name=name, doc_id=doc_id, origin=origin)


def from_json(text: str, *, name: str, doc_id: str, origin: str, lines: bool) -> Iterator[Article | Failure]:
    """One article, a list of them (`.json`) or one a line (`.jsonl`); a bad line fails alone."""
    records: list[tuple[int, Any]] = []
    if lines:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except (json.JSONDecodeError, RecursionError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                yield Failure(f"{name}:{number}", f"malformed JSON on line {number}: {reason}", origin)
    else:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Failure(name, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", origin)
            return
        except RecursionError:
            yield Failure(name, "malformed JSON: nested too deeply", origin)
            return
        items = loaded if isinstance(loaded, list) else [loaded]
        records = list(enumerate(items, start=1))
    single = len(records) == 1 and not lines
    where = "line" if lines else "item"
    for number, record in records:
        label = name if single else f"{name}:{number}"
        if not isinstance(record, dict):
            yield Failure(label, f"{where} {number}: a JSON article must be an object", origin)
            continue
        body = next((record[f] for f in BODY_FIELDS if isinstance(record.get(f), str) and record[f].strip()), None)
        if body is None:
            yield Failure(label, f"no article text: none of the fields {', '.join(BODY_FIELDS)}", origin)
            continue
        fallback = doc_id if single else f"{doc_id}#{number}"
        yield _article(clean_page(body), record, name=label, doc_id=fallback, origin=origin)


def record_doc_id(record: dict[str, Any], fallback: str) -> str:
    """A record's own id, else its canonical URL, else the fallback (path-based).

    Example: record_doc_id({"url": "https://x.org/a/"}, "f.json") -> "https://x.org/a"
    """
    if record.get("id") not in (None, "") and not isinstance(record.get("id"), (dict, list)):
        return str(record["id"])
    if isinstance(record.get("url"), str) and is_url(record["url"]):
        return canonical_url(record["url"])
    return fallback


def _authors(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [a.strip() for a in re.split(r";|,|\band\b", value) if a.strip()]
    if isinstance(value, list):
        names = [str(a.get("name", "") if isinstance(a, dict) else a).strip() for a in value if a]
        return [n for n in names if n]
    return []
