"""ui/format.py: article text stays text, markers carry their citation, answers stream in order."""

from __future__ import annotations

import html
import re

import pytest

from qa_app import Answer, Citation, Filters
from qa_app.checks import CHECK_NAMES
from qa_app.cite import Removed
from ui.format import (
    CHECKS,
    answer_html,
    answer_parts,
    cite_key,
    draft_html,
    error_html,
    inert,
    parse_cite_key,
    passage_html,
    refusal_html,
    safe_url,
    stream_answer,
    typed_text,
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
    assert typed_text(out) == text.replace("\r", "")  # the chat reads a user's message back this way
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
    # Widening the filters is suggested only when some are set.
    plain = refusal_html(Answer("I could not find this in the articles.", refused=True))
    assert "Try other words." in plain and "filters" not in plain
    assert "widen the filters" in out


def test_an_error_is_said_as_text() -> None:
    out = error_html("Published from must be a date like 2025-09-05, got '<b>'")
    assert 'class="qa-answer qa-error"' in out and 'role="alert"' in out
    assert "&#60;b&#62;" in out and "<b>" not in out


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


# --- composed answers (optional LLM) ----------------------------------------------------------------------------------


def test_a_draft_is_marked_as_being_checked_and_links_nothing() -> None:
    out = draft_html('Rutte said "yes" [1] <script>x</script>')
    assert 'class="qa-answer qa-draft"' in out and "Checking against the sources…" in out
    assert "qa-cite" not in out and "<script" not in out and "&#91;1&#93;" in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)).endswith('Rutte said "yes" [1] <script>x</script>')


def _composed(removed: list, notice: str | None = None, mode: str = "llm") -> Answer:
    cites = [_citation(1), _citation(2, start=6, end=11, quote="World")]
    return Answer("Hello there. [1] World news. [2]", cites, mode=mode, removed=removed, notice=notice)


def test_a_composed_answer_lists_its_removed_sentences_with_the_failed_check() -> None:
    answer = _composed([Removed("Paris has <b>9</b> million people. [1]", "facts"), Removed("He won. [2]", "meaning")])
    final = answer_html(answer)
    assert final.count('class="qa-cite"') == 4 and "qa-draft" not in final and "Checking" not in final
    assert "Composed by the model" in final
    assert "2 sentences the model wrote were removed" in final
    assert re.search(r"<details class=\"qa-removed-list\"><summary>Show removed sentences</summary>", final)
    items = re.findall(r'<li class="qa-removed-item">(.*?)</li>', final)
    assert len(items) == 2 and all('<span class="qa-unsupported">Unsupported</span>' in i for i in items)
    assert "Paris has &#60;b&#62;9&#60;/b&#62; million people. &#91;1&#93;" in items[0]
    assert "(failed check: facts&#58; a number, date or name in it is not in the cited passage)" in items[0]
    assert "(failed check: meaning&#58; it is not close in meaning" in items[1]
    assert "qa-cite" not in "".join(items)  # a removed sentence's [n] is not a link to a source
    # While the answer streams sentence by sentence, the removed list waits for the end with the sources.
    states = stream_answer(answer)
    assert len(states) == 2 and "qa-removed" not in states[0] and "qa-removed" in states[1]


def test_the_ui_words_every_check_of_the_verifier_and_no_other() -> None:
    assert set(CHECKS) == set(CHECK_NAMES)


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_every_check_is_put_in_words(check: str) -> None:
    shown = answer_html(_composed([Removed("Paris is big. [1]", check)]))
    assert f"(failed check: {inert(f'{check}: {CHECKS[check]}')})" in shown


def test_one_removed_sentence_is_counted_in_the_singular() -> None:
    assert "1 sentence the model wrote was removed: the cited articles do not support it." in answer_html(
        _composed([Removed("x", "citation")])
    )


def test_the_notice_shows_when_the_model_failed_and_the_extractive_answer_is_shown() -> None:
    notice = "The model did not answer within 20 s; showing the extractive answer."
    answer = _composed([], notice=notice, mode="extractive")
    for state in stream_answer(answer):
        assert f'<div class="qa-notice" role="note">{inert(notice)}</div>' in state
    assert "Composed by the model" not in answer_html(answer) and "qa-removed" not in answer_html(answer)
    refused = Answer("I could not find this in the articles.", refused=True, notice=notice)
    refused.removed.append(Removed("Invented. [1]", "facts"))
    out = answer_html(refused)
    assert "qa-refusal" in out and inert(notice) in out and "1 sentence the model wrote was removed" in out


def test_an_extractive_answer_renders_as_before() -> None:
    """No model: no notice, no mode line, no removed list (the markup the app has always sent)."""
    answer = Answer("Hello [1] World [2]", [_citation(1), _citation(2, start=6, end=11, quote="World")])
    final = answer_html(answer)
    assert final.startswith('<div class="qa-answer"><div class="qa-answer-text">')
    assert not re.search(r"qa-(notice|mode|removed|draft)", final)
    refusal = Answer("I could not find this in the articles.", refused=True)
    assert answer_html(refusal) == refusal_html(refusal)


def test_a_speakers_answer_shows_each_articles_heading_apart_from_the_quotes() -> None:
    text = (
        'Talks Resume <b> (Outlet, 2025-09-05):\n"Hello," she said. [1]\n\n'
        "Older Story (Outlet, 2025-08-01):\nWorld. [2]"
    )
    answer = Answer(text, [_citation(1), _citation(2, start=6, end=11, quote="World")])
    out = answer_html(answer)
    heads = [html.unescape(h) for h in re.findall(r'<div class="qa-group-head">(.*?)</div>', out)]
    assert heads == ["Talks Resume <b> (Outlet, 2025-09-05):", "Older Story (Outlet, 2025-08-01):"]
    assert "<b>" not in out  # the title is shown, never interpreted
    groups = re.findall(r'<div class="qa-group">(.*?)</div>', out)
    assert len(groups) == 2 and "[1]" in groups[0] and "[2]" in groups[1]
    assert not any("[" in h for h in heads)
