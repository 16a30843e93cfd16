"""The app in headless Chromium: cited answers, the passage panel, filters, corpus management, safety.

Each test drives the real app (served in-process on a free port) through Playwright with Debian's
/usr/bin/chromium; screenshots go to the git-ignored `artifacts/` folder.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from harness.browser import CHROMIUM as CHROMIUM_PATH
from harness.browser import CHROMIUM_ARGS
from tests.conftest import ROOT
from tests.test_app import serve

pytestmark = pytest.mark.browser

CHROMIUM = Path(CHROMIUM_PATH)  # the same browser and flags as benchmarks/browser.py
ARTIFACTS = ROOT / "artifacts"
DONE = "#qa-chatbot .qa-answer:has(.qa-sources), #qa-chatbot .qa-refusal"

HARBOUR = """---
title: Harbour Town Opens Floating Library
source: Coastal Gazette
date: 2025-09-10
url: https://coastal.example/floating-library
---

# Harbour Town Opens Floating Library

The town of Eastwick opened a floating library on a converted ferry on Wednesday.

"Books should travel the way our people do, by water," said mayor Linnea Sorensen at the opening.

The ferry holds twelve thousand books and will visit four islands each week.
"""

# Each payload, if it ever ran, would leave a trace the test looks for.
HOSTILE = """\
Zanzibar Clove Harvest <img src=x onerror="document.title='PWNED-title';window.qaPwned=1"> Report

The clove harvest on Pemba island reached a record this season, officials said on Monday.

"We picked more cloves than ever <script>document.title='PWNED-script';window.qaPwned=2;console.log('PWNED')\
</script> before," said farmer Juma Bakari.

Traders can read the full report at [the ministry site](javascript:document.title='PWNED-link';window.qaPwned=3) \
and <img src=x onerror="window.qaPwned=4;alert('PWNED')"> see prices.

Exporters expect clove prices to rise <a href="javascript:window.qaPwned=5">here</a> next year, \
says <svg onload="window.qaPwned=6"></svg> the cooperative.
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.problems = []  # console messages, page errors and dialogs, for the safety test
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    return page


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = new_page(browser)
    yield page
    page.context.close()


@contextmanager
def phone_page(browser: Any) -> Iterator[Any]:
    """A page in a context of its own the size of a phone (390x844, touch)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def sample_app(sample_index: Path, base_settings, embedder, tmp_path_factory) -> Iterator[str]:
    """The app on the shared sample index: for tests that only ask."""
    settings = replace(base_settings, index_dir=sample_index, upload_dir=tmp_path_factory.mktemp("unused-uploads"))
    with serve(settings, embedder) as url:
        yield url


@pytest.fixture(scope="module")
def own_app(sample_index: Path, base_settings, embedder, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The app on its own copy of the sample index, for tests that upload and delete; (url, upload dir)."""
    folder = tmp_path_factory.mktemp("own")
    shutil.copytree(sample_index, folder / "index")
    settings = replace(base_settings, index_dir=folder / "index", upload_dir=folder / "uploads", max_file_bytes=200_000)
    settings = replace(settings, allow_private_urls=True)  # the URL test's news site is on loopback
    with serve(settings, embedder) as url:
        yield url, settings.upload_dir


def open_chat(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")
    page.locator("#qa-question textarea").wait_for()


def ask(page: Any, question: str) -> Any:
    """Type a question, press Enter, wait until its answer is complete; return that message."""
    from playwright.sync_api import expect

    done = page.locator(DONE)
    before = done.count()
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")
    expect(done).to_have_count(before + 1)
    return done.nth(before)


def refused_in_box(page: Any, text: str, said: str) -> Any:
    """Type `text`, press Enter, expect the box to say `said` under its label with nothing posted; return the label.

    Gradio 6.31 now and then drops a validation message it was sent (about one run in three of the browser tests on
    three workers, never with one): the text stays in the box, unposted, with no message. A user presses Enter
    again; so does this, once. A message that never shows still fails.
    """
    from playwright.sync_api import expect

    box = page.locator("#qa-question textarea")
    box.fill(text)
    label = page.locator("#qa-question [data-testid=block-info]")
    for attempt in range(2):
        box.press("Enter")
        try:
            expect(label).to_contain_text(said, timeout=10_000 * (attempt + 1))
            break
        except AssertionError:
            if attempt:
                raise
    expect(page.locator("#qa-chatbot [data-testid=user]")).to_have_count(0)  # nothing posted
    return label


def sentences_of(message: Any) -> list[str]:
    """The quoted sentences of an answer, in marker order: the text before each [n] (group headings aside)."""
    heads = {h.strip() for h in message.locator(".qa-group-head").all_inner_texts()}
    lines = message.locator(".qa-answer-text").inner_text().splitlines()
    text = "\n".join(line for line in lines if line.strip() not in heads)
    return [p.strip() for p in re.split(r"(?:\s*\[\d+\])+", text) if p.strip()]


def open_corpus(page: Any) -> Any:
    page.get_by_role("tab", name="Corpus").click()
    table = page.locator("#qa-corpus-table")
    table.wait_for()
    return table


def corpus_rows(table: Any) -> list[str]:
    return [r.inner_text() for r in table.locator("[role=row][data-index]").all()]


def upload(page: Any, files: list[Any], urls: str = "") -> list[str]:
    """Upload files (paths or Playwright file payloads) and URLs; wait for every result row."""
    from playwright.sync_api import expect

    payloads = [
        f if isinstance(f, dict) else {"name": f.name, "mimeType": "application/octet-stream", "buffer": f.read_bytes()}
        for f in files
    ]
    if payloads:
        page.locator("#qa-upload input[type=file]").set_input_files(payloads)
        expect(page.locator("#qa-upload a[href*='/file=']")).to_have_count(len(payloads))  # uploaded
    page.locator("#qa-urls textarea").fill(urls)
    page.locator("#qa-ingest").click()
    total = len(files) + len(urls.split())
    rows = page.locator("#qa-results tr.qa-ok, #qa-results tr.qa-fail")
    expect(rows).to_have_count(total, timeout=120_000)
    return rows.all_inner_texts()


def select_article(page: Any, table: Any, search: str, doc_id: str) -> None:
    """Search the table down to one row and click it: the row's doc id becomes the selection."""
    from playwright.sync_api import expect

    table.get_by_placeholder("Search...").fill(search)
    expect(table.locator("[role=row][data-index]")).to_have_count(1)
    table.locator("[role=gridcell]").first.click()
    expect(page.locator("#qa-selected").get_by_role("textbox")).to_have_value(doc_id)


# --- asking -------------------------------------------------------------------------------------


def test_rutte_answer_is_cited_and_marker_opens_the_highlighted_quote(sample_app: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_chat(page, sample_app)
    for n, example in enumerate(["What did Rutte say?", "How many countries committed"], start=1):
        expect(page.get_by_role("button", name=f"Select example {n}: {example}")).to_be_visible()
    message = ask(page, "What did Rutte say?")
    expect(message).to_contain_text("It's a sovereign country.")
    sources = message.locator(".qa-sources")
    expect(sources).to_contain_text("Putin Warns Against Foreign Troops In Ukraine")
    expect(sources).to_contain_text("RFE/RL · 2025-09-05")

    sentences = sentences_of(message)
    message.locator(".qa-answer-text a.qa-cite", has_text="[1]").click()
    mark = page.locator("#qa-passage mark.qa-quote")
    expect(mark).to_have_text(sentences[0])
    expect(page.locator("#qa-passage .qa-passage-head")).to_contain_text("[1] Putin Warns Against Foreign Troops")
    expect(page.locator("#qa-passage .qa-passage-body")).to_contain_text("Michael Carpenter")  # the whole article
    expect(mark).to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / "chat-rutte.png"))

    sources.locator("a.qa-cite", has_text="[3]").click()  # the markers in the sources list work too
    expect(mark).to_have_text(sentences[2])


def test_on_a_phone_the_first_marker_tapped_shows_its_quote(sample_app: str, browser: Any) -> None:
    """On a narrow screen the panel sits below the chat: a tap scrolls to the quote once the article is shown."""
    from playwright.sync_api import expect

    with phone_page(browser) as page:
        open_chat(page, sample_app)
        message = ask(page, "What did Rutte say?")
        message.locator(".qa-answer-text a.qa-cite", has_text="[1]").tap()
        mark = page.locator("#qa-passage mark.qa-quote")
        expect(mark).to_have_text(sentences_of(message)[0])
        expect(mark).to_be_in_viewport()
        page.screenshot(path=str(ARTIFACTS / "chat-phone.png"))


def test_example_question_runs_on_click(sample_app: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_chat(page, sample_app)
    page.get_by_role("button", name=re.compile("How many countries committed")).click()
    expect(page.locator(DONE)).to_have_count(1)
    expect(page.locator(DONE).last).to_contain_text("26 countries")


def test_refusal_looks_different_and_the_conversation_clears(sample_app: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_chat(page, sample_app)
    refused_in_box(page, "   ", "Type a question first.")  # a blank message posts nothing, and the box says why
    cited = ask(page, "What did Putin say about foreign troops in Ukraine?")
    expect(page.locator("#qa-question")).not_to_contain_text("Type a question first.")
    refused = ask(page, "What is the capital of Australia?")
    expect(refused).to_contain_text("I could not find this in the articles.")
    expect(refused.locator("a.qa-cite")).to_have_count(0)
    style = "e => [getComputedStyle(e).borderStyle, getComputedStyle(e).fontStyle]"
    assert refused.evaluate(style) == ["dashed", "italic"]
    assert cited.evaluate(style) != ["dashed", "italic"]
    cited.locator("a.qa-cite").first.click()
    expect(page.locator("#qa-passage mark")).to_have_count(1)

    page.locator("#qa-chatbot").get_by_role("button", name="Clear").click()
    expect(page.locator("#qa-chatbot [data-testid=user]")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Select example 1"))).to_be_visible()
    expect(page.locator("#qa-passage mark")).to_have_count(0)


def test_a_blank_question_is_refused_under_the_boxs_own_label(sample_app: str, page: Any) -> None:
    """The box's label shows only with its message: "Your question", not Gradio's generic "Textbox"."""
    from playwright.sync_api import expect

    open_chat(page, sample_app)
    box = page.locator("#qa-question textarea")
    label = refused_in_box(page, "   ", "Type a question first.")
    expect(page.locator("#qa-question")).not_to_contain_text("Textbox")
    expect(label).to_contain_text("Your question")
    expect(box).to_have_accessible_name(re.compile("^Your question"))  # what a screen reader calls it, too
    page.locator("#qa-question").screenshot(path=str(ARTIFACTS / "chat-blank-question.png"))


def test_a_question_over_the_limit_stays_in_the_box_to_be_trimmed(sample_app: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_chat(page, sample_app)
    box = page.locator("#qa-question textarea")
    said = "Your question is 3,000 characters long; the limit is 2,000."
    refused_in_box(page, "What did Rutte say? " + "x" * 2980, said)  # the server checks it
    assert len(box.input_value()) == 3000
    box.fill("What did Rutte say?")  # trimmed, it goes through
    box.press("Enter")
    expect(page.locator(DONE)).to_contain_text("sovereign country", timeout=30_000)
    expect(page.locator("#qa-question")).not_to_contain_text("the limit is")


def test_the_users_message_shows_as_the_text_typed(sample_app: str, page: Any) -> None:
    """Markup in a question is shown, not rendered or fetched; the answer under it still renders as HTML."""
    from playwright.sync_api import expect

    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    open_chat(page, sample_app)
    typed = "<b>What</b> did **Rutte** say <img src=x>"
    ask(page, typed)  # its answer (a refusal) is found by its HTML's class: answers render as before
    user = page.locator("#qa-chatbot [data-testid=user]")
    expect(user).to_have_text(typed)
    expect(user.locator("img, b, strong")).to_have_count(0)
    answer = ask(page, "What did Rutte say?")
    expect(answer.locator(".qa-answer-text a.qa-cite").first).to_have_text("[1]")
    expect(user).to_have_text([typed, "What did Rutte say?"])
    assert not [url for url in fetched if url.rstrip("/").endswith("/x")], fetched


# What the chat's copy buttons copy, kept in window.qaCopied: through the Clipboard API, and through a "copy" event
# where the page has no Clipboard API (plain http beyond localhost).
CLIPBOARDS = {
    "api": "Clipboard.prototype.writeText = async function (text) { window.qaCopied = text; };",
    "copy-event": """delete Navigator.prototype.clipboard;
        window.addEventListener("copy", (e) => { window.qaCopied = e.clipboardData.getData("text/plain"); });""",
}


@pytest.mark.parametrize("clipboard", CLIPBOARDS)
def test_the_users_message_is_read_and_copied_as_the_text_typed(sample_app: str, page: Any, clipboard: str) -> None:
    """A screen reader's name for the message and its copy button give the typed text; before, "&#60;b&#62;"."""
    from playwright.sync_api import expect

    page.add_init_script(CLIPBOARDS[clipboard])
    open_chat(page, sample_app)
    typed = 'What about <b>Rutte</b> & "NATO"?\nTyped as is: &#60; <img src=x>'
    ask(page, typed)
    user = page.locator("#qa-chatbot [data-testid=user]")
    assert user.inner_text().strip() == typed
    expect(user).to_have_attribute("aria-label", f"user's message: {typed}")
    user.hover()
    page.locator("#qa-chatbot .message-buttons-right").get_by_role("button", name="Copy message").click()
    assert page.evaluate("window.qaCopied") == typed
    expect(user.locator("img, b")).to_have_count(0)


def test_the_tab_key_reaches_the_question_before_the_filters(sample_app: str, page: Any) -> None:
    """Keyboard users meet the chat first, the filters beside it next; before, Tab went through the filters first."""
    open_chat(page, sample_app)
    page.get_by_role("tab", name="Chat").focus()
    where = "e => e.closest('#qa-question') ? 'question' : e.closest('#qa-filters') ? 'filters' : e.tagName"
    reached = []
    while "filters" not in reached and len(reached) < 40:
        page.keyboard.press("Tab")
        reached.append(page.evaluate(f"({where})(document.activeElement)"))
    assert "question" in reached and "filters" in reached, reached
    assert reached.index("question") < reached.index("filters"), reached


def test_filters_apply_to_the_next_question(sample_app: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_chat(page, sample_app)
    date_to = page.get_by_label("Published to")
    date_to.fill("2025-01-01")
    refused = ask(page, "What did Rutte say?")
    expect(refused).to_contain_text("with the filters published … to 2025-01-01")
    date_to.fill("")
    page.get_by_label("As of").fill("2025-09-06")
    expect(ask(page, "What did Rutte say?")).to_contain_text("as of 2025-09-06")

    page.get_by_label("Published from").fill("last week")
    page.locator("#qa-question textarea").fill("What did Rutte say?")
    page.locator("#qa-question textarea").press("Enter")
    expect(page.locator("#qa-chatbot")).to_contain_text("Published from must be a date like 2025-09-05")
    # The mistake is said in the chat, and the conversation goes on once it is mended.
    page.get_by_label("Published from", exact=True).fill("")
    expect(page.locator("#qa-question textarea")).to_be_editable()
    expect(ask(page, "What did Rutte say?")).to_contain_text("sovereign country")


def test_each_session_has_its_own_history(sample_app: str, browser: Any) -> None:
    """Two browsers ask at the same time; each sees only its own turns."""
    from playwright.sync_api import expect

    pages = [new_page(browser), new_page(browser)]
    questions = ["What did Rutte say?", "What did Carpenter say?"]
    try:
        for page in pages:
            open_chat(page, sample_app)
        for page, question in zip(pages, questions, strict=True):
            page.locator("#qa-question textarea").fill(question)
            page.locator("#qa-question textarea").press("Enter")
        for page, question in zip(pages, questions, strict=True):
            expect(page.locator(DONE)).to_have_count(1)
            assert page.locator("#qa-chatbot [data-testid=user]").all_inner_texts() == [question]
        expect(pages[0].locator(DONE)).to_contain_text("sovereign country")
        expect(pages[1].locator(DONE)).to_contain_text("Potemkin")
        expect(pages[1].locator(DONE)).not_to_contain_text("sovereign country")
    finally:
        for page in pages:
            page.context.close()


# --- the corpus ---------------------------------------------------------------------------------


def test_upload_ask_delete_refuse(own_app: tuple[str, Path], page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    url, uploads = own_app
    (tmp_path / "harbour library.md").write_text(HARBOUR)
    records = [
        {
            "id": "tide-1",
            "title": "Tide Clock Restored",
            "text": "The old tide clock in Westhaven was restored by volunteers.",
        },
        {
            "id": "tide-2",
            "title": "Ferry Timetable",
            "text": "The winter ferry timetable starts in November, the port said.",
        },
    ]
    with gzip.open(tmp_path / "wire.jsonl.gz", "wt") as fh:
        fh.write("\n".join(json.dumps(r) for r in records))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "broken.json").write_text('{"title": "no end"')
    escape = {"name": "../../escape.txt", "mimeType": "text/plain", "buffer": b"Escape Attempt\n\nSome words here."}
    (tmp_path / "bakery.htm").write_text(
        "<html><head><title>Bakery Wins Prize</title></head><body><article><h1>Bakery Wins Prize</h1>"
        "<p>The Miller Street bakery won the regional bread prize on Saturday for its dark rye loaf.</p>"
        "<p>“We bake every loaf by hand before dawn,” said the baker, Tomas Lind, after the ceremony.</p>"
        "<p>The prize comes with a trip to the national bread fair in the spring.</p></article></body></html>"
    )

    open_chat(page, url)
    table = open_corpus(page)
    expect(page.get_by_label("Replace articles with the same id")).not_to_be_checked()
    results = upload(
        page,
        [
            tmp_path / "harbour library.md",
            tmp_path / "wire.jsonl.gz",
            tmp_path / "empty.txt",
            tmp_path / "broken.json",
            escape,
            tmp_path / "bakery.htm",
        ],
    )
    page.screenshot(path=str(ARTIFACTS / "corpus-upload.png"))
    assert (
        results[0].startswith("harbour_library.md") and "added: https://coastal.example/floating-library" in results[0]
    )
    assert "added: tide-1, tide-2" in results[1]
    assert "failed: empty file" in results[2]
    assert "failed: malformed JSON" in results[3]
    assert results[4].startswith("escape.txt") and "added: escape.txt" in results[4]
    assert results[5].startswith("bakery.htm") and "added: bakery.htm" in results[5]
    kept = ["bakery.htm", "escape.txt", "harbour_library.md", "wire.jsonl.gz"]
    assert sorted(p.name for p in uploads.iterdir()) == kept  # the failed empty.txt and broken.json left no file
    assert not (uploads.parent / "escape.txt").exists() and not (uploads.parent.parent / "escape.txt").exists()
    expect(table).to_contain_text("Harbour Town Opens Floating Library")
    expect(table).to_contain_text("Coastal Gazette")
    table.locator("th[data-testid=header-3]").click()  # the Chunks column: its ⋮ menu shows
    table.locator("th[data-testid=header-3] button").click()
    page.get_by_text("Sort descending").click()
    chunks = [
        int(r.locator("[role=gridcell]").nth(3).inner_text()) for r in table.locator("[role=row][data-index]").all()
    ]
    assert chunks == sorted(chunks, reverse=True) and chunks[0] > chunks[-1], chunks

    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, "What did Linnea Sorensen say?")
    expect(answer).to_contain_text("Books should travel the way our people do, by water")
    link = answer.locator(".qa-sources a.qa-source-link")
    expect(link).to_have_text("Harbour Town Opens Floating Library")
    expect(link).to_have_attribute("href", "https://coastal.example/floating-library")
    expect(answer.locator(".qa-sources")).to_contain_text("Coastal Gazette · 2025-09-10")

    table = open_corpus(page)
    select_article(page, table, "Harbour", "https://coastal.example/floating-library")
    # Delete asks first, naming the article; "Cancel" keeps it.
    page.locator("#qa-delete").click()
    status = page.locator("#qa-corpus-status")
    expect(status).to_contain_text("Delete “Harbour Town Opens Floating Library”?")
    page.locator("#qa-delete-cancel").click()
    expect(page.locator("#qa-delete-confirm")).to_be_hidden()
    expect(table).to_contain_text("Harbour Town")
    page.locator("#qa-delete").click()
    page.locator("#qa-delete-confirm").click()
    expect(status).to_contain_text("Deleted “Harbour Town Opens Floating Library”")
    expect(page.locator("#qa-delete-confirm")).to_be_hidden()
    table.get_by_placeholder("Search...").fill("")
    expect(table).not_to_contain_text("Harbour Town")
    assert not (uploads / "harbour_library.md").exists()

    page.get_by_role("tab", name="Chat").click()
    expect(ask(page, "What did Linnea Sorensen say?")).to_contain_text("No article mentions Linnea Sorensen.")


# Where a cell's text goes on to a new line other than after a space or a hyphen, as "Chu|nks": a word broken.
BROKEN_WORDS = r"""cells => cells.flatMap(cell => {
  const found = [], walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent, range = document.createRange();
    let top = null;
    for (let i = 0; i < text.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getClientRects()[0];
      if (/\s/.test(text[i]) || !box) continue;
      const newLine = top !== null && box.top > top + 1;
      if (newLine && !/[\s-]/.test(text[i - 1])) found.push(`${text.slice(0, i)}|${text.slice(i)}`);
      top = box.top;
    }
  }
  return found;
})"""


def test_on_a_phone_the_corpus_table_wraps_between_words_and_scrolls_sideways(sample_app: str, browser: Any) -> None:
    """Before, the columns shared the phone's width and every word broke to fit them: "202|5-09-05", "RFE|/RL"."""
    from playwright.sync_api import expect

    with phone_page(browser) as page:
        open_chat(page, sample_app)
        table = open_corpus(page)
        cells = table.locator("[role=gridcell], [role=columnheader]")
        expect(cells.filter(has_text="RFE/RL")).to_have_count(1)
        assert cells.evaluate_all(BROKEN_WORDS) == []
        box = table.locator(".upload-container")  # the table's bordered box scrolls, not the page
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "corpus-phone.png"))


def test_upload_over_the_size_limit_is_refused(own_app: tuple[str, Path], page: Any) -> None:
    from playwright.sync_api import expect

    url, uploads = own_app
    open_chat(page, url)
    open_corpus(page)
    big = {"name": "big.txt", "mimeType": "text/plain", "buffer": b"Big Story\n\n" + b"word " * 60_000}
    page.locator("#qa-upload input[type=file]").set_input_files([big])
    expect(page.get_by_text(re.compile("exceed the maximum allowed size"))).to_be_visible()
    assert not (uploads / "big.txt").exists()


def test_a_file_added_while_an_ingest_runs_is_ingested_next(
    own_app: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    url, uploads = own_app
    paragraphs = (
        f"The harbour board said on day {i} that quay {i} would open in the spring, officials said." for i in range(900)
    )
    (tmp_path / "port report.txt").write_text("Port Expansion Report\n\n" + "\n\n".join(paragraphs))  # ~90 KB: seconds
    (tmp_path / "crane.txt").write_text(
        "Quay Crane Arrives\n\nA new quay crane arrived at the port of Lowmouth on Tuesday.\n"
    )
    open_chat(page, url)
    table = open_corpus(page)
    box = page.locator("#qa-upload")
    box.locator("input[type=file]").set_input_files([tmp_path / "port report.txt"])
    expect(box.locator("a[href*='/file=']")).to_have_count(1)
    page.locator("#qa-ingest").click()
    pending = page.locator("#qa-results tr.qa-pending")
    expect(pending).to_have_count(1)
    box.locator("input[type=file]").set_input_files([tmp_path / "crane.txt"])  # the box's "upload" button adds
    expect(box.locator("a[href*='/file=']")).to_have_count(2)
    assert pending.count() == 1, "the first ingest ended before the second file was added: make it bigger"

    rows = page.locator("#qa-results tr.qa-ok, #qa-results tr.qa-fail")
    expect(rows).to_have_count(2, timeout=120_000)
    assert (
        rows.nth(0).inner_text().startswith("port_report.txt") and "added: port_report.txt" in rows.nth(0).inner_text()
    )
    assert (
        rows.nth(1).inner_text().startswith("crane.txt") and "added: crane.txt (1 passage)" in rows.nth(1).inner_text()
    )
    expect(box.locator("a[href*='/file=']")).to_have_count(0)  # both taken, so the box is empty
    expect(table).to_contain_text("Quay Crane Arrives")
    assert {"crane.txt", "port_report.txt"} <= {p.name for p in uploads.iterdir()}


@pytest.fixture
def news_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback serving tmp_path/site; yields (base URL, folder)."""
    site = tmp_path / "site"
    site.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(site)))
    server.RequestHandlerClass.log_message = lambda *a: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", site
    finally:
        server.shutdown()
        server.server_close()


def _page_html(extra: str = "") -> str:
    return f"""<!doctype html><html><head><title>Lighthouse Keeper Retires | Northern Post</title>
<meta property="og:site_name" content="Northern Post"><meta name="date" content="2025-09-12"></head>
<body><nav>Home | World | Sport</nav><article><h1>Lighthouse Keeper Retires</h1>
<p>After forty years at the Skerry lighthouse, keeper Agnes Moller retired on Friday.</p>
<p>"The lamp never went out on my watch," Moller told the Northern Post at a farewell in the harbour.</p>
<p>The lighthouse has been automated and will be watched from the mainland.</p>{extra}</article>
<footer>Copyright Northern Post</footer></body></html>"""


def test_add_a_url_then_reingest_it_after_it_changed(own_app: tuple[str, Path], page: Any, news_site) -> None:
    from playwright.sync_api import expect

    url, _ = own_app
    base, site = news_site
    (site / "lighthouse.html").write_text(_page_html())
    open_chat(page, url)
    table = open_corpus(page)
    [result] = upload(page, [], f"{base}/lighthouse.html\nnot-a-url")[:1]
    assert "added" in result, result
    expect(page.locator("#qa-results")).to_contain_text("not a URL")
    expect(table).to_contain_text("Lighthouse Keeper Retires")

    (site / "lighthouse.html").write_text(_page_html("<p>Moller plans to sail around Iceland next summer.</p>"))
    select_article(page, table, "Lighthouse", f"{base}/lighthouse.html")
    page.locator("#qa-reingest").click()
    expect(page.locator("#qa-corpus-status")).to_contain_text("updated")
    page.get_by_role("tab", name="Chat").click()
    expect(ask(page, "What does Agnes Moller plan to do next summer?")).to_contain_text("sail around Iceland")


def test_hostile_article_runs_nothing_and_shows_as_text(own_app: tuple[str, Path], page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    url, _ = own_app
    (tmp_path / "hostile.txt").write_text(HOSTILE)
    open_chat(page, url)
    table = open_corpus(page)
    [result] = upload(page, [tmp_path / "hostile.txt"])
    assert "added: hostile.txt" in result
    expect(table).to_contain_text("""Zanzibar Clove Harvest <img src=x onerror="document.title='PWNED-title';""")
    page.get_by_role("tab", name="Chat").click()

    quote = ask(page, "What did Juma Bakari say about cloves?")
    expect(quote).to_contain_text("<script>document.title='PWNED-script';")
    expect(quote.locator(".qa-sources")).to_contain_text("Zanzibar Clove Harvest <img src=x onerror=")
    link = ask(page, "Where can traders read the full report?")
    expect(link).to_contain_text("[the ministry site](javascript:document.title='PWNED-link';")
    link.locator("text=the ministry site").click()  # a link would run here; it is only text
    link.locator("a.qa-cite").first.click()
    panel = page.locator("#qa-passage")
    expect(panel.locator("mark")).to_have_count(1)  # the cited sentence is highlighted
    expect(panel).to_contain_text("""<img src=x onerror="window.qaPwned=4;alert('PWNED')">""")
    expect(panel).to_contain_text('<a href="javascript:window.qaPwned=5">here</a>')
    expect(panel.locator(".qa-passage-title")).to_contain_text("<img src=x onerror=")
    ask(page, "What do exporters expect for clove prices?")
    page.wait_for_timeout(500)  # give any injected handler time to fire
    page.screenshot(path=str(ARTIFACTS / "hostile.png"))

    assert page.title() == "News QA"
    assert page.evaluate("window.qaPwned") is None
    injected = ":is(.qa-answer, .qa-passage) :is(img, svg, script, a[href^='javascript'], [onerror], [onload])"
    assert page.locator(injected).count() == 0  # the tags stayed text
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript:\"]').length") == 0
    assert not [p for p in page.problems if "PWNED" in p or p.startswith("dialog")], page.problems


# --- login --------------------------------------------------------------------------------------


def test_login_is_required_when_auth_is_set(
    sample_index: Path, base_settings, embedder, tmp_path: Path, browser
) -> None:
    from playwright.sync_api import expect

    settings = replace(base_settings, index_dir=sample_index, upload_dir=tmp_path, auth=("reader", "correct horse"))
    with serve(settings, embedder) as url:
        page = new_page(browser)
        try:
            page.goto(url, wait_until="load")
            expect(page.locator("#qa-question")).to_have_count(0)
            for password in ("wrong", "correct horse"):
                page.get_by_label(re.compile("username", re.I)).fill("reader")
                page.get_by_label(re.compile("password", re.I)).fill(password)
                page.get_by_role("button", name=re.compile("login", re.I)).click()
                if password == "wrong":
                    expect(page.get_by_text(re.compile("incorrect", re.I))).to_be_visible()
                    expect(page.locator("#qa-question")).to_have_count(0)
            page.locator("#qa-question textarea").wait_for()
            answer = ask(page, "What did Rutte say?")
            expect(answer).to_contain_text("sovereign country")
            answer.locator("a.qa-cite").first.click()  # the panel's server call passes the login too
            expect(page.locator("#qa-passage mark.qa-quote")).to_have_text(sentences_of(answer)[0])
        finally:
            page.context.close()
