"""ui/format.py: article text stays text, markers carry their citation, answers stream in order."""

from __future__ import annotations

import html
import re

import pytest

from qa_app import Answer, Citation, Filters
from ui.format import (
    answer_html,
    answer_parts,
    cite_key,
    inert,
    parse_cite_key,
    passage_html,
    safe_url,
    stream_answer,
)

HOSTILE = [
    "",
    "a",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "**bold** _em_ `code` ~~del~~ | a | b |",
    "$$\\href{javascript:alert(1)}{x}$$",
    "<!-- comment --> &amp; &#60;",
    "line one\n\nline two\r\n",
    "🙂 émoji ünïcode",
    "x" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:20] or "empty")
def test_inert_text_shows_itself_and_nothing_else(text: str) -> None:
    out = inert(text)
    assert not re.search(r"[<>\[\]()*_`~|$:\"'\n]", out.replace("<br>", ""))
    assert html.unescape(out.replace("<br>", "\n")) == text.replace("\r", "")
    assert "\n" not in out  # no blank line can end the HTML block and turn Markdown back on


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://a.example/x?y=1", True),
        ("http://a.example", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<b>", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) == ok


def _citation(n: int, doc_id: str = "a/b c:d.txt", start: int = 0, end: int = 5, quote: str = "Hello") -> Citation:
    return Citation(n, doc_id, "T <b>", "Outlet", "https://x.example/a", "2025-09-05", quote, start, end)


def test_cite_key_round_trip_with_awkward_doc_ids() -> None:
    for doc_id in ["a/b c:d.txt", "https://x.example/a?b=1#c", "ünï 🙂", '"><script>']:
        key = parse_cite_key(cite_key(_citation(3, doc_id, 10, 20)))
        assert key is not None and (key.n, key.start, key.end, key.doc_id) == (3, 10, 20, doc_id)
        assert re.fullmatch(r"qa-cite:[\w.%~:-]+", cite_key(_citation(3, doc_id)))  # safe inside href="..."


@pytest.mark.parametrize("key", ["", "qa-cite:", "qa-cite:1:2:x:h:d", "qa-cite:1:9:2:h:d", "qa-cite:1:2:3:h:", "junk"])
def test_malformed_cite_keys_are_rejected(key: str) -> None:
    assert parse_cite_key(key) is None


def test_answer_parts_split_after_each_run_of_markers() -> None:
    assert answer_parts("A. [1] B. [2] [3]") == ["A. [1]", " B. [2] [3]"]
    assert answer_parts("No markers.") == ["No markers."]
    assert answer_parts("A. [1] tail") == ["A. [1]", " tail"]


def test_stream_grows_sentence_by_sentence_and_ends_with_sources() -> None:
    answer = Answer("Hello [1] World [2]", [_citation(1), _citation(2, start=6, end=11, quote="World")])
    states = stream_answer(answer)
    assert len(states) == 2 and "qa-sources" not in states[0] and "qa-sources" in states[-1]
    assert states[-1].count('class="qa-cite"') == 4  # two in the text, two in the sources list
    assert "T &#60;b&#62;" in states[-1] and 'href="https&#58;//x.example/a"' in states[-1]


def test_refusal_names_the_filters() -> None:
    out = answer_html(Answer("I could not find this in the articles.", refused=True), filters=Filters(source="BBC"))
    assert "qa-refusal" in out and "outlet BBC" in out and "qa-cite" not in out


def test_passage_marks_the_span_or_says_the_article_changed() -> None:
    text = "Before. <b>Quoted</b> words. After."
    c = _citation(1, start=8, end=28, quote=text[8:28])
    key = parse_cite_key(cite_key(c))
    assert key is not None
    out = passage_html(key, "T", text, None, None, "javascript:alert(1)")
    assert '<mark class="qa-quote">&#60;b&#62;Quoted&#60;/b&#62; words.</mark>' in out
    assert "javascript" not in out
    changed = passage_html(key, "T", "Something else entirely, longer than before.", None, None, None)
    assert "<mark" not in changed and "changed after the answer" in changed
