"""What to do with each loaded article: skip it as unchanged or duplicate, or (re)write it.

The same text is stored once. Which copy is kept: one stored from an input this run does not
read again; else the first this run meets. A stored twin that this run will read again may have
changed since, so an article whose twin is such a one waits until the end of the run, when it is
known whether the twin still holds the text.

A doc id already stored from another origin (file or URL) is not taken over unless the run asks
to `replace`: the article fails alone, naming both origins, and the stored one stays. The same
origin read again (a file, a JSONL record, a URL) is an update, never a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.fetch import canonical_url, is_url
from ingest.model import Article, Failure
from qa_app.records import ArticleRecord


@dataclass
class Decision:
    """`kind` is write, unchanged or duplicate; `stale` marks a stored version to delete."""

    kind: str
    article: Article
    stored: ArticleRecord | None = None
    duplicate_of: str | None = None

    @property
    def stale(self) -> bool:
        """A duplicate whose own stored version is of text the input no longer holds."""
        return self.kind == "duplicate" and self.stored is not None and self.duplicate_of != self.article.doc_id


def input_roots(inputs: Iterable[str]) -> list[str]:
    """The inputs as the `origin`s of what they hold start: URLs as given, paths resolved."""
    return [item if is_url(item) else str(Path(item).resolve()) for item in inputs]


def covers(roots: list[str], origin: str) -> bool:
    """True when `origin` is one of the inputs or lies in a folder among them.

    Example: covers(["/data"], "/data/a/b.txt") -> True; covers(["/data"], "/database.txt") -> False
    """
    return any(origin == root or origin.startswith(root.rstrip("/") + "/") for root in roots)


def same_origin(stored: str, new: str) -> bool:
    """True when two origins name the same input: one file, or one URL up to its canonical form.

    Example: same_origin("https://x.org/a?utm_source=y", "https://x.org/a/") -> True
    """
    return stored == new or (is_url(stored) and is_url(new) and canonical_url(stored) == canonical_url(new))


def conflict(article: Article, stored: ArticleRecord, show: Callable[[str], str] = str) -> Failure:
    """The failure of an article whose doc id an article from another origin holds; `show` words an origin."""
    error = (
        f"doc id {article.doc_id!r} already belongs to “{stored.title}” from {show(stored.origin)}; "
        f"not replaced by the one from {show(article.origin)}"
    )
    return Failure(article.origin, error, article.origin, conflict=True)


class Planner:
    """Decides per article, in load order; `finish` settles the articles that waited.

    With `replace`, an article may take over a doc id stored from another origin; without it,
    `consider` returns a `Failure` for it and records its doc id in `refused`. `show` words an
    origin in that failure (the UI hides server folders; the CLI shows paths as they are).
    """

    def __init__(
        self,
        existing: dict[str, ArticleRecord],
        roots: list[str],
        *,
        replace: bool = False,
        show: Callable[[str], str] = str,
    ) -> None:
        self.existing = existing
        self.roots = roots
        self.replace = replace
        self.show = show
        self.seen: set[str] = set()
        self.refused: set[str] = set()  # doc ids kept for their stored origin against an article of this run
        self.holder: dict[str, str] = {}  # text hash -> doc id holding that text after this run
        self.stored_by_text: dict[str, list[str]] = {}
        for record in existing.values():
            if record.text_hash:
                self.stored_by_text.setdefault(record.text_hash, []).append(record.doc_id)
        self.waiting: list[Article] = []

    def consider(self, article: Article) -> Decision | Failure | None:
        """The decision for one article, a `Failure` for a doc id conflict, or None when it must wait for `finish`."""
        doc_id, text_hash = article.doc_id, article.text_hash
        stored = self.existing.get(doc_id)
        if doc_id in self.seen:
            return Decision("duplicate", article, None, doc_id)
        if stored and not self.replace and not same_origin(stored.origin, article.origin):
            # Not marked seen: the stored article's own origin may still come in this run.
            self.refused.add(doc_id)
            return conflict(article, stored, self.show)
        self.seen.add(doc_id)
        if text_hash in self.holder:
            return Decision("duplicate", article, stored, self.holder[text_hash])
        if stored and stored.hash == article.content_hash:
            self.holder[text_hash] = doc_id
            return Decision("unchanged", article, stored)
        for twin in self.stored_by_text.get(text_hash, []):
            if twin == doc_id or twin in self.seen:
                continue  # a twin seen in this run without this text has changed
            if not covers(self.roots, self.existing[twin].origin):
                return Decision("duplicate", article, stored, twin)
            self.waiting.append(article)
            return None
        self.holder[text_hash] = doc_id
        return Decision("write", article, stored)

    def finish(self) -> Iterator[Decision]:
        """Decisions for the articles that waited on a stored twin this run read again (or not)."""
        for article in self.waiting:
            stored = self.existing.get(article.doc_id)
            holder = self.holder.get(article.text_hash)
            if holder is not None:
                yield Decision("duplicate", article, stored, holder)
            else:
                self.holder[article.text_hash] = article.doc_id
                yield Decision("write", article, stored)
        self.waiting.clear()
