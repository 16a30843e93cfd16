"""Answers, sources and passages as inert HTML for the chat and the passage panel.

Article text and titles are untrusted: every character that means something to HTML or Markdown
becomes a numeric entity, and newlines become `<br>`, so the message is one HTML block with no
blank line (Markdown stays off inside it) and nothing from an article can become a tag or a link.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import unescape
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from qa_app import Answer, Citation, Filters

if TYPE_CHECKING:
    from qa_app.cite import Removed

CITE_PREFIX = "qa-cite:"
EMPTY_PASSAGE = (
    '<div class="qa-passage qa-passage-empty">Click a marker such as <b>[1]</b> in an answer '
    "to read the passage in its article, with the quoted words highlighted.</div>"
)

_INERT = {ord(c): f"&#{ord(c)};" for c in "&<>\"'[]()*_`~|\\$!#{}:="}
_INERT[ord("\n")] = "<br>"
_INERT[ord("\r")] = ""
_MARKER = re.compile(r"(\[\d+\])")


def inert(text: str) -> str:
    """Text as HTML that shows exactly that text and can never become markup or a link.

    Example: inert("<b>[x](y)</b>") -> "&#60;b&#62;&#91;x&#93;&#40;y&#41;&#60;/b&#62;"
    """
    return text.translate(_INERT)


def typed_text(html: str) -> str:
    """The text that `inert` made `html` from (a carriage return it dropped aside).

    Example: typed_text("&#60;b&#62;<br>&#42;x&#42;") -> "<b>\\n*x*"
    """
    return unescape(html.replace("<br>", "\n"))


def safe_url(url: str | None) -> str | None:
    """An http(s) URL escaped for an attribute, or None for anything else (javascript:, data:...)."""
    if not url or urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return None
    return url.strip().translate(_INERT)


def _quote_hash(quote_text: str) -> str:
    return hashlib.sha256(quote_text.encode()).hexdigest()[:10]


def cite_key(c: Citation) -> str:
    """What a marker link carries: number, span, a hash of the quote, and the doc id.

    Example: "qa-cite:1:2188:2270:3f2a9c01de:rferl-2025.txt"
    """
    return f"{CITE_PREFIX}{c.n}:{c.start}:{c.end}:{_quote_hash(c.quote)}:{quote(c.doc_id, safe='')}"


@dataclass(frozen=True)
class CiteKey:
    n: int
    start: int
    end: int
    quote_hash: str
    doc_id: str


def parse_cite_key(key: str) -> CiteKey | None:
    """The citation a marker link points at, or None for anything malformed."""
    parts = key.removeprefix("#").removeprefix(CITE_PREFIX).split(":", 4)
    if len(parts) != 5 or not all(p.isdigit() for p in parts[:3]) or not parts[4]:
        return None
    n, start, end = (int(p) for p in parts[:3])
    return CiteKey(n, start, end, parts[3], unquote(parts[4])) if start <= end else None


def marker(c: Citation) -> str:
    return f'<a class="qa-cite" href="#{cite_key(c)}" title="Show source [{c.n}]">[{c.n}]</a>'


def _with_markers(text: str, by_n: dict[int, Citation]) -> str:
    out = []
    for token in _MARKER.split(text):
        c = by_n.get(int(token[1:-1])) if _MARKER.fullmatch(token) else None
        out.append(marker(c) if c else inert(token))
    return "".join(out)


def _answer_body(text: str, by_n: dict[int, Citation]) -> str:
    """The answer's text with clickable markers; an answer of article groups (a speaker's words) gets
    each group's heading line ("Title (Outlet, date):", no marker) as a heading of its own."""
    if "\n" not in text:
        return _with_markers(text, by_n)
    html = []
    for line in (line.strip() for line in text.split("\n")):
        if line and not _MARKER.search(line) and line.endswith(":"):
            html.append(f'<div class="qa-group-head">{inert(line)}</div>')
        elif line:
            html.append(f'<div class="qa-group">{_with_markers(line, by_n)}</div>')
    return "".join(html)


def answer_parts(text: str) -> list[str]:
    """The answer cut after each run of markers, for streaming sentence by sentence.

    Example: answer_parts("A. [1] B. [2] [3]") -> ["A. [1]", " B. [2] [3]"]
    """
    parts = re.findall(r".*?\[\d+\](?:\s*\[\d+\])*", text, flags=re.S)
    rest = text[sum(len(p) for p in parts) :]
    return [*parts, rest] if rest.strip() else parts or [text]


def _meta(*values: str | None) -> str:
    return " · ".join(inert(v) for v in values if v)


def sources_html(citations: list[Citation]) -> str:
    """One line per cited article: its markers, title (a link when it has a URL), outlet and date."""
    by_doc: dict[str, list[Citation]] = {}
    for c in citations:
        by_doc.setdefault(c.doc_id, []).append(c)
    items = []
    for cites in by_doc.values():
        first = cites[0]
        title = inert(first.title or first.doc_id)
        url = safe_url(first.url)
        if url:
            title = f'<a class="qa-source-link" href="{url}" target="_blank" rel="noopener noreferrer">{title}</a>'
        meta = _meta(first.source, first.published)
        items.append(
            f'<li class="qa-source"><span class="qa-source-cites">{" ".join(marker(c) for c in cites)}</span> '
            f'<span class="qa-source-title">{title}</span>'
            + (f' <span class="qa-source-meta">{meta}</span>' if meta else "")
            + "</li>"
        )
    return f'<div class="qa-sources"><div class="qa-sources-head">Sources</div><ul>{"".join(items)}</ul></div>'


def filters_note(filters: Filters) -> str:
    """The filters in words, or "" when there are none.

    Example: filters_note(Filters(source="RFE/RL", as_of="2025-09-06")) -> "outlet RFE/RL, as of 2025-09-06"
    """
    parts = []
    if filters.source:
        parts.append(f"outlet {filters.source}")
    if filters.date_from or filters.date_to:
        parts.append(f"published {filters.date_from or '…'} to {filters.date_to or '…'}")
    if filters.as_of:
        parts.append(f"as of {filters.as_of}")
    return ", ".join(parts)


def refusal_html(answer: Answer, filters: Filters | None = None) -> str:
    note = filters_note(filters or Filters())
    if note:
        hint = f"No passage answers this with the filters {inert(note)}. Try other words, or widen the filters."
    else:
        hint = "No passage answers this. Try other words."
    return (
        '<div class="qa-answer qa-refusal"><span class="qa-refusal-icon" aria-hidden="true">∅</span> '
        f'<span class="qa-refusal-text">{inert(answer.text)}</span>'
        f'<div class="qa-refusal-hint">{hint}</div></div>'
    )


def error_html(message: str) -> str:
    """A question the app cannot take as asked (a bad date filter, too long), said in the chat so it can go on.

    Example: error_html("Published from must be a date") -> '<div class="qa-answer qa-error" ...>...</div>'
    """
    return (
        '<div class="qa-answer qa-error" role="alert"><span class="qa-error-icon" aria-hidden="true">!</span> '
        f'<span class="qa-error-text">{inert(message)}</span></div>'
    )


CHECKING = "Checking against the sources…"


def draft_html(text: str) -> str:
    """The model's text as it writes it, unchecked: muted, under a "checking" label, its [n] not links.

    Example: draft_html("Rutte spoke [1]") -> '<div class="qa-answer qa-draft">…Rutte spoke &#91;1&#93;…</div>'
    """
    return (
        '<div class="qa-answer qa-draft"><div class="qa-checking" role="status">'
        f'<span class="qa-checking-dot" aria-hidden="true"></span>{CHECKING}</div>'
        f'<div class="qa-draft-text">{inert(text.strip())}</div></div>'
    )


def notice_html(notice: str | None) -> str:
    """The one-line notice (e.g. why the model's answer is not shown), or "" without one."""
    return f'<div class="qa-notice" role="note">{inert(notice)}</div>' if notice else ""


# What each check of `qa_app.checks` refuses, in words; a check not listed shows by its name.
CHECKS = {
    "loop": "it repeats the same words over and over",
    "citation": "it cites none of the passages given",
    "quote": "its quoted words are not in the cited passage",
    "attribution": "the cited article does not attribute its quoted words to that person",
    "facts": "a number, date or name in it is not in the cited passage",
    "words": "part of it is in words the cited passage does not have",
    "meaning": "it is not close in meaning to the cited passage",
    "together": "its names and numbers come from different places of the cited passage",
    "negation": "it denies what the cited passage states",
    "hedge": "it states as done what the cited passage only reports as planned or proposed",
    "repeat": "it repeats an earlier sentence",
    "cut off": "the model stopped before finishing it",
}


def _check_words(check: str) -> str:
    """A check's name and what it refuses.

    Example: _check_words("facts") -> "facts: a number, date or name in it is not in the cited passage"
    """
    return f"{check}: {CHECKS[check]}" if check in CHECKS else check


def removed_html(removed: list[Removed]) -> str:
    """How many of the model's sentences were removed, and the sentences themselves, folded.

    Example: removed_html([Removed("Paris is big [1]", "facts")]) -> '…1 sentence removed…<details…'
    """
    if not removed:
        return ""
    count = f"{len(removed)} sentence{'s' if len(removed) != 1 else ''}"
    items = "".join(
        f'<li class="qa-removed-item"><span class="qa-unsupported">Unsupported</span> '
        f'<span class="qa-removed-text">{inert(r.text)}</span> '
        f'<span class="qa-removed-check">(failed check: {inert(_check_words(r.check))})</span></li>'
        for r in removed
    )
    return (
        f'<div class="qa-removed"><div class="qa-removed-count">{count} the model wrote '
        f"{'were' if len(removed) != 1 else 'was'} removed: the cited articles do not support "
        f"{'them' if len(removed) != 1 else 'it'}.</div>"
        f'<details class="qa-removed-list"><summary>Show removed sentences</summary><ul>{items}</ul></details></div>'
    )


def answer_html(answer: Answer, parts: int | None = None, filters: Filters | None = None) -> str:
    """The chat message: the first `parts` sentences with their markers, or all of it with sources.

    A composed answer (`mode` "llm") says so; the model's removed sentences and any notice are shown too.
    """
    done = parts is None or parts >= len(answer_parts(answer.text))
    extra = removed_html(answer.removed) if done else ""
    if answer.refused:
        html = refusal_html(answer, filters)
        return (
            f'<div class="qa-llm">{notice_html(answer.notice)}{html}{extra}</div>' if answer.notice or extra else html
        )
    by_n = {c.n: c for c in answer.citations}
    body = _answer_body("".join(answer_parts(answer.text)[:parts]), by_n)
    html = f'<div class="qa-answer">{notice_html(answer.notice)}'
    if answer.mode == "llm":
        html += '<div class="qa-mode">Composed by the model; every sentence checked against its cited passage.</div>'
    html += f'<div class="qa-answer-text">{body}</div>{extra}'
    if done:
        html += sources_html(answer.citations)
        note = filters_note(filters or Filters())
        if note:
            html += f'<div class="qa-filters-note">Filtered: {inert(note)}</div>'
    return html + "</div>"


def stream_answer(answer: Answer, filters: Filters | None = None) -> list[str]:
    """The successive states of the message: sentence by sentence, then with the sources."""
    if answer.refused:
        return [answer_html(answer, None, filters)]
    n = len(answer_parts(answer.text))
    return [answer_html(answer, i, filters) for i in range(1, n)] + [answer_html(answer, None, filters)]


def passage_html(
    key: CiteKey, title: str, text: str, source: str | None, published: str | None, url: str | None
) -> str:
    """The cited article in full, the quoted span marked (the panel scrolls it into view)."""
    found = text[key.start : key.end]
    link = safe_url(url)
    meta = _meta(source, published)
    if link:
        host = inert(urlsplit(url or "").netloc or "link")
        meta += (" · " if meta else "") + f'<a href="{link}" target="_blank" rel="noopener noreferrer">{host}</a>'
    head = (
        f'<div class="qa-passage-head"><span class="qa-passage-n">[{key.n}]</span> '
        f'<span class="qa-passage-title">{inert(title)}</span></div>'
        + (f'<div class="qa-passage-meta">{meta}</div>' if meta else "")
    )
    if _quote_hash(found) != key.quote_hash:
        body = (
            '<div class="qa-passage-warning">This article changed after the answer was given; '
            "ask again to cite its current text.</div>" + inert(text)
        )
    else:
        body = inert(text[: key.start]) + f'<mark class="qa-quote">{inert(found)}</mark>' + inert(text[key.end :])
    return f'<div class="qa-passage">{head}<div class="qa-passage-body">{body}</div></div>'


def missing_passage_html(doc_id: str) -> str:
    return (
        '<div class="qa-passage qa-passage-empty">The article '
        f"<code>{inert(doc_id)}</code> is no longer in the corpus.</div>"
    )
