"""Clean scraped article text: drop navigation, player and footer junk, keep every story sentence.

Rules, none of them about one article:
- line shape: time codes ("0:00 0:01:18"), lone size/format tokens ("XS", "16x9 Image"),
  lines with no letters;
- repetition: a line repeated elsewhere in the page (photo captions), a line that is one
  phrase written twice (video titles);
- boilerplate phrases of web pages (accessibility links, "please wait", "no media source
  currently available", share/subscribe prompts), matched as whole lines;
- the footer: after the story's closing credit line ("With reporting by ..."), what follows
  is the outlet's own boilerplate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

BOILERPLATE = {
    "accessibility links", "skip to main content", "skip to content", "breaking news", "updated",
    "summary", "please wait", "no media source currently available", "advertisement", "share",
    "share this", "share this article", "subscribe", "sign up", "log in", "sign in", "menu",
    "search", "close", "play", "pause", "watch", "listen", "read more", "related", "related stories",
    "more from", "comments", "print", "email", "facebook", "twitter", "whatsapp", "telegram",
    "copy link", "cookie settings", "accept cookies", "image", "video", "photo", "loading",
    "embed", "download", "top stories", "most popular", "trending", "see also", "back to top",
    "to find out more, click here.", "click here", "follow us", "newsletter", "live",
}  # fmt: skip

_TIMECODES = re.compile(r"^(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\s+(?:\d{1,2}:)?\d{1,2}:\d{2})*$")
_SIZE_TOKEN = re.compile(r"^(?:XXS|XS|S|SM|M|MD|L|LG|XL|XXL|HD|SD|4K|\d+p)$")
_MEDIA_PLACEHOLDER = re.compile(r"^\d+\s*[x×:]\s*\d+\s+(?:image|video|photo)$", re.I)
_CREDIT = re.compile(r"^(?:with (?:additional )?reporting by|reporting by|written by|compiled by|edited by)\b", re.I)
_BULLET = re.compile(r"^[\s•·▪●◦\-\*]+")


def _key(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip().lower()


def is_doubled(line: str) -> bool:
    """True when a line is one phrase written twice ("Title Title").

    Example: is_doubled("Big News Big News") -> True
    """
    words = line.split()
    n = len(words)
    return n >= 4 and n % 2 == 0 and words[: n // 2] == words[n // 2 :]


def is_junk_line(line: str) -> bool:
    """True for a line that is page furniture by its shape or its phrase alone."""
    key = _key(line)
    if not key:
        return False
    if key in BOILERPLATE or key.rstrip(".:!") in BOILERPLATE:
        return True
    if not any(ch.isalpha() for ch in key):
        return True
    if _TIMECODES.match(key) or _SIZE_TOKEN.match(line.strip()) or _MEDIA_PLACEHOLDER.match(key):
        return True
    return is_doubled(line.strip())


def split_credit(lines: list[str]) -> tuple[list[str], str | None, list[str]]:
    """Cut the page at the story's closing credit line: body lines, the credit, the footer.

    Only a credit in the last third of the page counts, so a story that quotes one stays whole.
    """
    for i in range(len(lines) - 1, -1, -1):
        if _CREDIT.match(lines[i].strip()) and i >= len(lines) * 2 // 3:
            return lines[:i], lines[i].strip(), lines[i + 1 :]
    return lines, None, []


def normalize(raw: str) -> str:
    """Unicode NFC, unified newlines, no control characters, no non-breaking spaces."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


@dataclass
class Page:
    """A cleaned page: the story's lines, its closing credit and the footer cut after it."""

    lines: list[str]
    credit: str | None = None
    footer: list[str] = field(default_factory=list)


def clean_page(raw: str) -> Page:
    """Split a scraped page into story lines (paragraphs), credit line and footer."""
    lines = [_BULLET.sub("", line).strip() for line in normalize(raw).split("\n")]
    lines = [re.sub(r"[ \t]+", " ", line) for line in lines if line]
    lines, credit, footer = split_credit(lines)
    counts: dict[str, int] = {}
    for line in lines:
        counts[_key(line)] = counts.get(_key(line), 0) + 1
    kept = []
    for line in lines:
        if is_junk_line(line):
            continue
        # A line repeated on the page is a photo caption or a widget title, not story.
        if counts[_key(line)] > 1:
            continue
        kept.append(line)
    return Page(kept, credit, footer)


def clean_text(raw: str) -> str:
    """Cleaned story text: paragraphs separated by one blank line.

    Example: clean_text("Menu\\n\\nHe said yes.\\n\\n0:00 0:01:18") -> "He said yes."
    """
    return "\n\n".join(clean_page(raw).lines)
