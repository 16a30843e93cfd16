"""What loaders produce: cleaned articles with their metadata, or a failure with its reason.

Also the `Page` they are made from: the cleaner's output, read by the metadata rules (`ingest.meta`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field


@dataclass
class Article:
    """One cleaned article, ready to chunk; `origin` is the file or URL it came from."""

    doc_id: str
    text: str
    title: str
    origin: str
    source: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    url: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "decoded as cp1252"

    @property
    def content_hash(self) -> str:
        """sha256 of the cleaned text and the metadata shown with it."""
        payload = json.dumps(
            [self.text, self.title, self.source, self.published, self.authors, self.url],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def text_hash(self) -> str:
        """sha256 of the cleaned text alone: the same story under two names is a duplicate."""
        return hashlib.sha256(self.text.encode()).hexdigest()


@dataclass
class Failure:
    """An input that could not be ingested, and why (one line); `origin` as in `Article`, if known.

    `conflict` marks an article refused because its doc id belongs to an article from another
    origin: asking to replace would ingest it, and its origin did not fail to load.
    """

    source: str
    error: str
    origin: str | None = None
    conflict: bool = False


@dataclass
class Page:
    """A cleaned page (`ingest.clean.clean_page`): the story's lines, and the metadata lines taken out of it."""

    lines: list[str]
    credits: list[str] = field(default_factory=list)  # bylines and closing credits, in page order
    footer: list[str] = field(default_factory=list)  # what followed the closing credit
    dates: list[tuple[str, str]] = field(default_factory=list)  # (kind, ISO date) of date lines
    notices: list[str] = field(default_factory=list)  # copyright and similar lines
    credit: str | None = None  # the last closing credit among `credits`, if the page has one
