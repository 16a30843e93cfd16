"""The People tab in headless Chromium: search, choose a person, read their quotes, open a citation.

Served like tests/test_browser.py (the real app in-process, Debian's /usr/bin/chromium through
Playwright), over tests/test_ui_people.py's three articles.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.test_app import serve
from tests.test_browser import ARTIFACTS, open_chat, open_corpus, phone_page, select_article
from tests.test_browser import browser as browser  # a fixture
from tests.test_browser import page as page  # a fixture
from tests.test_browser import sample_app as sample_app  # a fixture
from tests.test_ui_people import SORENSEN, build_people_index

pytestmark = pytest.mark.browser


@pytest.fixture
def people_app(base_settings, embedder, tmp_path: Path) -> Iterator[str]:
    index = build_people_index(tmp_path, base_settings, embedder)
    with serve(replace(base_settings, index_dir=index, upload_dir=tmp_path / "uploads"), embedder) as url:
        yield url


def test_search_choose_a_person_and_open_a_citation(people_app: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_chat(page, people_app)
    page.get_by_role("tab", name="People").click()
    table = page.locator("#qa-people-table")
    rows = table.locator("[role=row][data-index]")
    expect(rows).to_have_count(3)  # filled on load
    expect(rows.first).to_contain_text(SORENSEN)
    expect(page.locator("#qa-people-note")).to_have_text("3 people quoted")

    page.locator("#qa-people-search textarea, #qa-people-search input").first.fill("ibanez")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Tomás Ibáñez")
    page.locator("#qa-people-search textarea, #qa-people-search input").first.fill("SORENSEN")
    expect(rows).to_have_count(1)
    rows.first.locator("[role=gridcell]").first.click()

    quotes = page.locator("#qa-person .qa-answer")
    expect(quotes).to_contain_text("The children were waiting on the pier before dawn")
    expect(page.locator("#qa-person .qa-person-head")).to_have_text(SORENSEN)
    quotes.locator(".qa-answer-text a.qa-cite", has_text="[1]").click()
    mark = page.locator("#qa-people-passage mark.qa-quote")
    expect(mark).to_have_text('"The children were waiting on the pier before dawn," Linnea Sorensen said on Sunday.')
    expect(page.locator("#qa-people-passage .qa-passage-head")).to_contain_text("[1] Library Ferry Reaches")
    expect(mark).to_be_in_viewport()
    expect(page.locator("#qa-passage mark")).to_have_count(0)  # the chat's panel is not the one that opened
    page.screenshot(path=str(ARTIFACTS / "people.png"))

    # A delete in the Corpus tab refreshes the People view at once (before the tab is opened again).
    expect(quotes).to_contain_text("Every island deserves")
    select_article(page, open_corpus(page), "Island Budget", "budget.md")
    page.locator("#qa-delete").click()
    page.locator("#qa-delete-confirm").click()
    expect(page.locator("#qa-corpus-status")).to_contain_text("Deleted “Eastwick Approves the Island Budget”")
    expect(quotes).not_to_contain_text("Every island deserves")  # hidden, yet already refreshed
    expect(quotes).to_contain_text("The children were waiting on the pier before dawn")
    page.get_by_role("tab", name="People").click()
    page.locator("#qa-people-search textarea, #qa-people-search input").first.fill("")
    # The tab's refresh and the cleared search are sent together and can reach the server in either order; the refresh
    # reads the last search answered, so the list ends whole either way. Before, a loaded CI could see the refresh,
    # carrying the "SORENSEN" typed when it was sent, land last and filter the list to one row again.
    expect(rows).to_have_count(2, timeout=30_000)
    expect(table).not_to_contain_text("Agnes Moller")


def test_on_a_phone_choosing_a_person_scrolls_to_their_quotes(sample_app: str, browser: Any) -> None:
    """On a narrow screen the quotes sit below the table (the sample's eight people), out of sight: a tap on a name
    brings them into view."""
    from playwright.sync_api import expect

    with phone_page(browser) as page:
        open_chat(page, sample_app)
        page.get_by_role("tab", name="People").tap()
        name = page.locator("#qa-people-table [role=row][data-index] [role=gridcell]").first
        expect(name).to_have_text("Volodymyr Zelenskyy")
        expect(page.locator("#qa-person")).not_to_be_in_viewport()
        name.tap()
        head = page.locator("#qa-person .qa-person-head")
        expect(head).to_have_text("Volodymyr Zelenskyy", timeout=30_000)
        expect(head).to_be_in_viewport()
        page.screenshot(path=str(ARTIFACTS / "people-phone.png"))
