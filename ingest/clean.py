"""Clean scraped article text: drop navigation, player, promo and footer junk, keep every story sentence.

Rules, none of them about one article or outlet:
- shape: lines with neither letters nor digits ("***"), time codes ("0:00 0:01:18"), size/format tokens
  ("XS SM MD LG", "16x9 Image"), photo credits ("Jane Roe/AFP/Getty Images");
- phrase: whole-line page furniture ("Accessibility links", "please wait", "Read more"), short
  calls to action that are not sentences ("Share this article"), related-link lines ("More: ..."),
  promo and legal sentences (newsletter sign-ups, copyright notices, cookie banners), a video
  player's ad-feedback survey ("How relevant is this ad to you?" and its answer options);
- repetition: consecutive identical lines (an image's alt text, then its caption) all go, and so
  does a line that is one phrase written twice (a video player's title). A line repeated further
  apart stays: lists, transcripts and live blogs repeat labels on purpose;
- credits and dates are metadata, not story: a line that only credits people or desks ("With
  reporting by ...", "By Jane Roe", "X contributed to this report") or only dates the page
  ("Published June 3, 2022", "Updated 3:45 PM ET, Tue June 14, 2022") leaves the text and is kept
  in `Page`; after the last closing credit in the page's last third, the rest is the outlet's footer.

Cleaning is idempotent: `clean_text(clean_text(x)) == clean_text(x)`, and every kept line is a
line of the input (bullets and runs of spaces aside).
"""

from __future__ import annotations

import re
import unicodedata

from ingest.meta import date_of_line, dateline_date
from ingest.model import Page

BOILERPLATE = {
    "accessibility links", "skip to main content", "skip to content", "skip navigation", "breaking news",
    "updated", "summary", "please wait", "no media source currently available", "advertisement",
    "sponsored", "sponsored content", "share", "share this", "share this article", "share this story",
    "subscribe", "sign up", "log in", "sign in", "menu", "search", "close", "play", "pause", "watch",
    "listen", "read more", "continue reading", "related", "related stories", "related articles",
    "more from", "comments", "view comments", "print", "email", "facebook", "twitter", "x", "whatsapp",
    "telegram", "linkedin", "reddit", "copy link", "link copied", "cookie settings", "accept cookies",
    "image", "video", "photo", "gallery", "loading", "embed", "download", "top stories", "most popular",
    "most read", "trending", "see also", "back to top", "click here", "follow us", "newsletter", "live",
    "hide caption", "toggle caption", "enlarge this image", "expand", "collapse", "next", "previous", "home",
}  # fmt: skip

_TIMECODES = re.compile(r"^(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\s*/?\s*(?:\d{1,2}:)?\d{1,2}:\d{2})*$")
_SIZE_TOKENS = r"(?:XXS|XS|SM|MD|LG|XL|XXL|S|M|L|HD|SD|4K|\d{3,4}p)"
_SIZES = re.compile(rf"^{_SIZE_TOKENS}(?:[\s,|/]+{_SIZE_TOKENS})*$")
_MEDIA_PLACEHOLDER = re.compile(r"^\d+\s*[x×:]\s*\d+\s+(?:image|video|photo)$", re.I)
# "Jane Roe/AFP/Getty Images": a photo credit, never a sentence. Words are split by one space
# only, so the pattern cannot backtrack over ways of cutting a word.
_CAPS = r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*"
_PHOTO_CREDIT = re.compile(rf"^{_CAPS}(?: ?/ ?{_CAPS})+$")
_ACTION = re.compile(
    r"^(?:share|follow|subscribe|sign up|sign in|log in|download|watch|listen|read|click|tap|see|view|play"
    r"|print|email|get the|join)\b",
    re.I,
)
_RELATED = re.compile(r"^(?:more|read more|related|see also|also read|read next|recommended|watch|listen)\s?:", re.I)
_PROMO = re.compile(
    r"\bsign(?:ing)?[\s-]?up\b.*\bnewsletters?\b|\bnewsletters?\b.*\bsign[\s-]?up\b"
    r"|^(?:©|\(c\)\s*\d{4}|copyright\s+(?:©\s*)?\d{4})|\ball rights reserved\b"
    r"|\bthis material may not be published\b|\b(?:accept|manage) (?:all )?cookies\b"
    r"|\byour browser does not support\b|\benable javascript\b|\bclick here\b|\bdownload (?:our|the) app\b",
    re.I,
)
# An ad-feedback survey ("How relevant is this ad to you?", then the player's complaint options):
# two of these phrases on one line are never a story sentence.
_AD_FEEDBACK = re.compile(
    r"how relevant is this ad\b|\bad (?:froze|never loaded|was too loud|was repetitive|prevented)"
    r"|video (?:player was slow|content never loaded|content did not start)|other issues"
)
_PROMO_WORDS = ("newsletter", "©", "(c)", "copyright", "rights reserved", "material may not", "cookies", "browser",
                "javascript", "click here", " app")  # fmt: skip
_SENTENCE_END = (".", "!", "?", '"', "”", "'", "’", ")")

_CLOSING_CREDIT = re.compile(
    r"^(?:with (?:additional )?reporting (?:by|from)|(?:additional )?reporting (?:by|from)|written by"
    r"|compiled by|edited by|editing by)\b(?P<names>.*)$",
    re.I,
)
_CONTRIBUTED = re.compile(
    r"^(?P<names>.+?)\s+contributed(?: reporting)?(?: to)? (?:this|the) (?:report|story|article)\.?$", re.I
)
_WIRE = re.compile(r"^from\s+(?P<names>.*?)\s*(?:and\s+)?wire reports$", re.I)
_BYLINE = re.compile(r"^by\s+(?P<names>.+)$", re.I)
_NAME_LINKS = {
    "and", "of", "the", "in", "from", "with", "for", "at", "de", "da", "van", "von", "der", "al", "bin",
    "by", "reporting", "editing", "additional", "writer", "writers", "staff", "correspondent", "&",
}  # fmt: skip
# Notes that may follow a closing credit and still belong to the story.
_AFTER_CREDIT = re.compile(r"^(?:correction|clarification|editor['’]s note|update)\b", re.I)
_BULLET = re.compile(r"^(?:[•·▪●◦‣∙*\-–—]+\s+)+")


def _key(line: str) -> str:
    if "  " in line or "\t" in line or line != line.strip():
        line = " ".join(line.split())
    return line.lower()


def is_doubled(line: str) -> bool:
    """True when a line is one phrase written twice ("Title Title"), of at least two words each.

    Example: is_doubled("Big News Big News") -> True
    """
    n = len(line)
    half = line[: (n - 1) // 2]
    return n % 2 == 1 and " " in half and line == f"{half} {half}"


def is_junk_line(line: str) -> bool:
    """True for a line that is page furniture by its shape or its phrase alone.

    Example: is_junk_line("0:00 0:01:18 0:00") -> True; is_junk_line("He said no.") -> False
    """
    key = _key(line)
    if not key:
        return False
    if is_doubled(key) or _RELATED.match(key):
        return True
    words = key.count(" ") + 1
    if words > 60:  # the other rules are for short lines; a long one is story
        return False
    if key in BOILERPLATE or key.rstrip(".:!") in BOILERPLATE or _is_promo(key) or _is_ad_feedback(key):
        return True
    if not any(ch.isalnum() for ch in key) or _TIMECODES.match(key) or _MEDIA_PLACEHOLDER.match(key):
        return True
    stripped = line.strip()
    if words <= 8 and _SIZES.match(stripped):
        return True
    short = words <= 8 and not stripped.endswith(_SENTENCE_END)
    return short and (_ACTION.match(key) is not None or ("/" in stripped and _PHOTO_CREDIT.match(stripped) is not None))


def _is_promo(key: str) -> bool:
    # Most lines hold none of the words the patterns need: a substring test spares the regex.
    return any(word in key for word in _PROMO_WORDS) and _PROMO.search(key) is not None


def _is_ad_feedback(key: str) -> bool:
    """A survey question about an ad, or a line listing two or more of its answer options."""
    if " ad" not in key and "video" not in key:
        return False
    found = _AD_FEEDBACK.findall(key)
    return len(found) >= 2 or (len(found) == 1 and found[0] == "how relevant is this ad")


def _names_only(text: str) -> bool:
    """True when `text` is a list of names: capitalised words and linking words only."""
    words = re.findall(r"[^\s,;:()]+", text)
    return 0 < len(words) <= 30 and all(w[0].isupper() or w.lower().strip(".") in _NAME_LINKS for w in words)


def credit_of(line: str) -> str | None:
    """'closing' for a story's closing credit, 'byline' for a byline, None for story text.

    Example: credit_of("With reporting by Reuters and Jane Roe") -> "closing"
    """
    text = line.strip().rstrip(".")
    if len(text) > 400:
        return None
    low = text.lower()
    # The substring tests spare most lines the patterns that scan the whole line.
    closing = (
        _CLOSING_CREDIT.match(text)
        or (_CONTRIBUTED.match(text) if "contributed" in low else None)
        or (_WIRE.match(text) if "wire reports" in low else None)
    )
    if closing and (not closing["names"].strip() or _names_only(closing["names"])):
        return "closing"
    byline = _BYLINE.match(text) if low.startswith("by") else None
    if byline and len(byline["names"].split()) <= 8 and _names_only(byline["names"]):
        return "byline"
    return None


def normalize(raw: str) -> str:
    """Unicode NFC, unified newlines, no control or format characters, no non-breaking spaces.

    Example: normalize("a\\r\\nb\\u00a0c\\u200b") -> "a\\nb c"
    """
    text = raw if unicodedata.is_normalized("NFC", raw) else unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    # Categories are looked up only for the distinct non-ASCII characters: scanning every
    # character in Python would dominate the cost of re-ingesting an unchanged corpus.
    odd = {ch for ch in re.findall(r"[^\x00-\x7f]", text) if unicodedata.category(ch)[0] == "C"}
    return text.translate({ord(ch): None for ch in odd}) if odd else text


def _footer_start(kinds: list[str | None]) -> int | None:
    """Where the footer starts: after the last closing credit, if it is in the page's last third.

    A credit earlier in the page is a quoted or mid-story one, so the page stays whole.
    """
    for i in range(len(kinds) - 1, -1, -1):
        if kinds[i] == "closing":
            return i + 1 if i >= len(kinds) * 2 // 3 else None
    return None


def _drop_runs(lines: list[str]) -> list[str]:
    """Drop every line of a run of identical consecutive lines, until none is left.

    Example: _drop_runs(["a", "b", "b", "a", "c"]) -> ["c"]
    """
    while True:
        keys = [_key(x) for x in lines]
        doubled = {i for i in range(len(lines) - 1) if keys[i] == keys[i + 1]}
        if not doubled:
            return lines
        drop = doubled | {i + 1 for i in doubled}
        lines = [x for i, x in enumerate(lines) if i not in drop]


def clean_page(raw: str) -> Page:
    """Split a scraped page into story lines (paragraphs) and the metadata lines around them."""
    lines = [" ".join(_BULLET.sub("", line.strip()).split()) for line in normalize(raw).split("\n")]
    lines = [line for line in lines if line]
    kinds = [credit_of(line) for line in lines]
    page = Page([])
    cut = _footer_start(kinds)
    if cut is not None:
        page.footer = lines[cut:]
        notes = [line for line in page.footer if _AFTER_CREDIT.match(line)]
        lines, kinds = lines[:cut] + notes, kinds[:cut] + [None] * len(notes)
    kept = []
    for line, kind in zip(lines, kinds, strict=True):
        dated = date_of_line(line)
        if kind:
            page.credits.append(line)
            if kind == "closing":
                page.credit = line  # the last one wins
        elif dated and dated[0] != "date":
            page.dates.append(dated)
        elif is_junk_line(line):
            if _is_promo(line.lower()):
                page.notices.append(line)
        else:
            kept.append(line)
    page.lines = _drop_runs(kept)
    # A bare date under the headline is the page's date too; it stays in the text, as a date
    # line further down may belong to the story (a timeline).
    page.dates += [d for d in map(date_of_line, page.lines[:3]) if d]
    page.dates += [d for d in map(dateline_date, page.lines[:3]) if d]  # "OSLO, March 3, 2025 — ..."
    return page


def clean_text(raw: str) -> str:
    """Cleaned story text: paragraphs separated by one blank line.

    Example: clean_text("Menu\\n\\nHe said yes.\\n\\n0:00 0:01:18") -> "He said yes."
    """
    return "\n\n".join(clean_page(raw).lines)
