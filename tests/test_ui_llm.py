"""The chat with a real local model (SmolLM2-135M, in-process): drafts stream, marked as being checked, then settle.

One app for the module, served in-process on a free port, so the model loads once (the session's other
model tests share it); it is driven by gradio_client and by headless Chromium. Generations are short
(`MAX_TOKENS`): what is checked is the streaming and the settling, not the model's prose.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from qa_app import Filters
from tests.test_app import serve, text_of
from tests.test_browser import ARTIFACTS, DONE, browser, new_page, open_chat  # noqa: F401  (browser: a fixture)
from ui import format as fmt

# One worker runs every test of the model (`make test` uses pytest-xdist): the model loads once.
pytestmark = pytest.mark.xdist_group("llm")

# Not a who-said-what question: those are answered with the person's own sentences, never composed.
QUESTION = "How many countries committed to sending troops for the reassurance force?"
MAX_TOKENS = 24


@pytest.fixture(scope="module")
def llm_settings(sample_index: Path, base_settings, smollm2_gguf: Path, tmp_path_factory):
    return replace(
        base_settings,
        index_dir=sample_index,
        upload_dir=tmp_path_factory.mktemp("llm-uploads"),
        llm_gguf=smollm2_gguf,
        llm_max_tokens=MAX_TOKENS,
        llm_timeout=600,  # a loaded CI machine must not turn the model's answer into the fallback
    )


@pytest.fixture(scope="module")
def llm_app(llm_settings, embedder) -> Iterator[str]:
    with serve(llm_settings, embedder) as url:
        yield url


def expected_final(llm_settings, embedder, draft: str) -> Any:
    """What the checks make of `draft` for QUESTION: the answer the chat must settle into."""
    from qa_app import QA
    from qa_app.llm import checked_answer, pick_excerpts

    sources = QA(llm_settings, embedder).sources(QUESTION)
    return checked_answer(draft, pick_excerpts(sources), sources, embedder)


def test_chat_streams_the_draft_then_settles_into_only_checked_sentences(llm_app: str, llm_settings, embedder) -> None:
    from gradio_client import Client

    job = Client(llm_app, verbose=False).submit(QUESTION, "All outlets", "", "", "", api_name="/chat")
    final = job.result()
    states = [s for s in job.outputs() if s]
    drafts = [s for s in states if "qa-draft" in s]
    assert drafts and states[: len(drafts)] == drafts and states[-1] == final, states
    assert all(fmt.CHECKING in s and "qa-cite" not in s for s in drafts)
    assert "qa-draft" not in final and fmt.CHECKING not in final
    draft = html.unescape(re.sub(r"<[^>]+>", "", drafts[-1].split('class="qa-draft-text">', 1)[1]))
    answer = expected_final(llm_settings, embedder, draft)
    assert final == fmt.answer_html(answer, None, Filters())
    if answer.mode == "llm":  # every sentence shown is one the model wrote and the checks kept
        for sentence in re.split(r"(?<=\])\s+", text_of(final.split('<div class="qa-removed"')[0])):
            assert re.sub(r"\s*\[\d+\]$", "", sentence.strip()) in draft
    else:  # nothing the model wrote passed: the extractive answer, saying why
        assert answer.notice and fmt.inert(answer.notice) in final and "26 countries" in text_of(final)
    assert len(re.findall(r'class="qa-removed-item"', final)) == len(answer.removed)


@pytest.mark.browser
def test_browser_sees_the_checking_state_then_the_settled_answer(llm_app: str, browser: Any) -> None:  # noqa: F811
    page = new_page(browser)
    try:
        open_chat(page, llm_app)
        page.locator("#qa-question textarea").fill(QUESTION)
        page.keyboard.press("Enter")
        checking = page.locator("#qa-chatbot .qa-draft .qa-checking")
        checking.wait_for(timeout=600_000)
        assert checking.inner_text().strip() == fmt.CHECKING
        page.screenshot(path=str(ARTIFACTS / "llm-checking.png"))
        page.locator(DONE).last.wait_for(timeout=600_000)
        assert page.locator("#qa-chatbot .qa-draft").count() == 0
        page.screenshot(path=str(ARTIFACTS / "llm-settled.png"))
        removed = page.locator("#qa-chatbot .qa-removed-list")
        if removed.count():
            assert not removed.locator(".qa-unsupported").first.is_visible()  # folded until asked for
            removed.locator("summary").click()
            assert removed.locator(".qa-unsupported").first.is_visible()
            assert "failed check: " in removed.locator(".qa-removed-check").first.inner_text()
        page.locator("#qa-chatbot .qa-answer-text a.qa-cite").first.click()
        page.locator("#qa-passage mark.qa-quote").wait_for()
    finally:
        page.context.close()
