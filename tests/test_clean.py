"""Cleaning scraped text: the user's article line by line, each rule, and properties under fuzzing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import clean_page, clean_text, credit_of, is_junk_line, normalize
from ingest.formats import from_text
from ingest.meta import date_of_line, normalize_date
from tests.conftest import SAMPLE, USER_ARTICLE

RAW = (SAMPLE / USER_ARTICLE).read_text(encoding="utf-8")

# Every line of the user's article that is not story: page furniture, the player, the photo
# caption (shown twice), the video title (written twice), the credit and the outlet's footer.
# Every other line of the file must come out, whole.
NOT_STORY = [
    "Accessibility links",
    "Breaking News",
    "Updated",
    "Putin speaks at an economic forum in the Far Eastern port city of Vladivostok, Russia, on September 5.",
    "Summary",
    "Zelenskyy, Macron Say Allies Agree On Post-War Security Guarantees Zelenskyy, Macron Say Allies Agree On "
    "Post-War Security Guarantees",
    "please wait",
    "No media source currently available",
    "0:00 0:01:18 0:00",
    "With reporting by RFE/RL's Ukrainian Service and Senior International Correspondent Mike Eckel",
    "16x9 Image",
    "RFE/RL",
    "RFE/RL journalists report the news in 27 languages in 23 countries where a free press is banned by the "
    "government or not fully established. We provide what many people cannot get locally: uncensored news, "
    "responsible discussion, and open debate.",
    'RFE/RL has been declared an "undesirable organization" by the Russian government.',
    "If you are in Russia or the Russia-controlled parts of Ukraine and hold a Russian passport or are a stateless "
    "person residing permanently in Russia or the Russia-controlled parts of Ukraine, please note that you could "
    "face fines or imprisonment for sharing, liking, commenting on, or saving our content, or for contacting us.",
    "To find out more, click here.",
    "XS",
    "SM",
    "MD",
    "LG",
]
TITLE = "Putin Warns Against Foreign Troops In Ukraine As Europe Tries To Finalize 'Reassurance Force'"
# The quotes of each speaker, which must all survive word for word.
QUOTES = {
    "Putin": [
        "If any troops appear there, especially now while fighting is ongoing, we assume that they will be "
        "legitimate targets,",
    ],
    "Rutte": [
        "Why are we interested in what Russia thinks about troops in Ukraine?",
        "It's a sovereign country.",
        "Russia has nothing to do with this,",
        "I think we really have to stop making Putin too powerful.",
    ],
    "Carpenter": [
        "While European leaders claim Putin doesn’t get to decide on the deployment of a reassurance force, that "
        "is belied by the fact that no country is willing to deploy to Ukraine absent a cease-fire, which of "
        "course Russia must agree to,",
        "The risk is therefore very real that the Coalition of [the] Willing is providing Ukraine with a Potemkin "
        "security guarantee that will very much depend on Moscow's acquiescence,",
    ],
    "Macron": [
        "as a reassurance force in Ukraine or to be present on the ground, at sea, or in the air.",
        "In the coming days, we will finalize American support for these security guarantees. The United States, "
        "as I said, was involved in all stages of the process,",
        "If Russia continues to refuse concrete peace discussions...we will take additional sanctions in "
        "conjunction with the United States of America,",
        "This is also what President Trump expressed earlier during this call.",
    ],
    "Zelenskyy": [
        "It is important that the United States is with us. We talked with President Trump today. Many thanks for "
        "his involvement,",
        "Putin wants to meet with me in Moscow. That means Russia does not want to have a meeting,",
    ],
}


def _flat(text: str) -> str:
    return " ".join(text.replace("•", " ").split())


@pytest.fixture(scope="module")
def article():
    result = from_text(RAW, name=USER_ARTICLE, doc_id=USER_ARTICLE, origin="/x/" + USER_ARTICLE)
    assert not isinstance(result, Exception) and hasattr(result, "text"), result
    return result


def test_user_article_keeps_every_story_line_and_drops_every_other(article) -> None:
    text = article.text
    kept = set(text.split("\n\n"))
    for line in (_flat(raw) for raw in RAW.splitlines()):
        if not line or line == TITLE:
            continue
        if line in NOT_STORY:
            assert line not in kept and (len(line) < 30 or line not in text), f"junk kept: {line[:70]}"
        else:
            assert line in kept, f"story line lost or altered: {line[:70]}"
    assert "0:00" not in text and "\nXS" not in text and "please wait" not in text
    assert text.count("Putin speaks at an economic forum") == 0


@pytest.mark.parametrize("speaker", sorted(QUOTES))
def test_user_article_keeps_every_quote(article, speaker: str) -> None:
    for quote in QUOTES[speaker]:
        assert quote in article.text, quote[:60]


def test_user_article_metadata(article) -> None:
    assert article.title == TITLE
    assert article.source == "RFE/RL"
    assert article.published == "2025-09-05"  # from the file name: the page states no date
    assert article.authors == ["Mike Eckel"]  # the credit is metadata, not text
    assert article.url is None  # a text file names no URL: unknown stays unknown
    assert not article.text.startswith(TITLE)


@pytest.mark.parametrize(
    "line",
    [
        "Skip to main content",
        "Share this article",
        "Share on Facebook",
        "Read more: Ten things to know about the budget",
        "More:Premiere of documentary leads week's events",
        "00:12 / 01:45",
        "XS SM MD LG",
        "720p 1080p",
        "16x9 Image",
        "Mandel Ngan/AFP/Getty Images",
        "Sign up for our Morning Briefing newsletter and get the news first.",
        "© 2024 Oldtown Gazette. All rights reserved.",
        "This material may not be published, broadcast, rewritten or redistributed.",
        "Big News Here Big News Here",
        "★★★",
        "1. How relevant is this ad to you?",
        "Video player was slow to load content Video content never loaded Ad froze or did not finish loading",
        "Ad never loaded Ad prevented/slowed the page from loading Other issues",
    ],
)
def test_junk_lines(line: str) -> None:
    assert is_junk_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "He said no.",
        "Watch out for falling rocks, the mayor said.",
        "Share prices fell 3% on Monday.",
        "Follow-up talks are planned for June.",
        "Trump's Frustrations",
        "Taylor Wilson:",
        "• Avg. graduation rate: 90%",
        "Ukraine's sovereignty is not negotiable, Rutte said.",
        '"Yes," she said. "Yes, yes."',
        "Москва заявила о новых санкциях.",
        "-5 degrees is the forecast for Sunday.",
        "The ad froze viewers' attention, the agency said.",
        "How relevant is this advice to you, the survey asked.",
    ],
)
def test_story_lines_are_not_junk(line: str) -> None:
    assert not is_junk_line(line)
    assert credit_of(line) is None
    assert date_of_line(line) is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("With reporting by Reuters and Jane Roe", "closing"),
        ("Reporting by Jane Roe; Editing by John Smith", "closing"),
        ("The Associated Press contributed to this report.", "closing"),
        ("From USA TODAY Network and wire reports", "closing"),
        ("By Jane Roe, CNN", "byline"),
        ("Reporting by the Guardian revealed that the minister lied.", None),
        ("By Monday, officials had left the city.", None),
        ("Written by hand, the letter reached the court.", None),
    ],
)
def test_credits_are_told_from_sentences(line: str, kind: str | None) -> None:
    assert credit_of(line) == kind


def test_footer_is_cut_only_after_a_closing_credit_near_the_end() -> None:
    story = [f"Paragraph {i} of the story is a full sentence." for i in range(9)]
    page = clean_page("\n".join([*story, "With reporting by Jane Roe", "About Us", "The Gazette reports news."]))
    assert page.lines == story
    assert page.credit == "With reporting by Jane Roe"
    assert page.footer == ["About Us", "The Gazette reports news."]
    early = clean_page("\n".join(["Reporting by Jane Roe", *story]))  # a credit near the top cuts nothing
    assert early.lines == story
    note = clean_page("\n".join([*story, "With reporting by Jane Roe", "Correction: The vote was on Tuesday."]))
    assert note.lines[-1] == "Correction: The vote was on Tuesday."


def test_repeated_lines() -> None:
    caption = "A firefighter at work in Olympia on August 5."
    page = clean_page("\n".join(["Intro sentence of the story.", caption, "", caption, "Second sentence here."]))
    assert page.lines == ["Intro sentence of the story.", "Second sentence here."]
    listing = ["• Location: Boston", "• Founded: 1901", "• Location: Denver", "• Founded: 1901"]
    assert clean_page("\n".join(listing)).lines == [line[2:] for line in listing]  # repeated apart: kept


def test_date_lines_are_metadata() -> None:
    page = clean_page("Published 10:00 AM EDT, Mon June 13, 2022\nUpdated June 14, 2022\nThe council met.")
    assert page.lines == ["The council met."]
    assert page.dates == [("published", "2022-06-13"), ("updated", "2022-06-14")]
    timeline = clean_page("A timeline of events follows.\nJune 3, 2022\nMarch 1, 2021\nThe first vote.")
    assert "March 1, 2021" in timeline.lines  # a bare date further down may be the story's


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("OSLO, March 3, 2025 — The mayor opened the bridge on Monday.", "2025-03-03"),
        ("Oslo, Norway (AP), 3 March 2025 -- The mayor opened the bridge.", "2025-03-03"),
        ("March 3, 2025 – The mayor opened the bridge.", "2025-03-03"),
        ("The mayor said on March 3, 2025 — a Monday — that the bridge was open.", None),  # a sentence, no dateline
        ("WASHINGTON (AP) — The Senate voted.", None),
    ],
)
def test_a_dateline_opening_the_story_dates_it(line: str, iso: str | None) -> None:
    raw = f"Bridge opens in Oslo\n\n{line}\n\nThe crowd cheered."
    article = from_text(raw, name="bridge.txt", doc_id="bridge.txt", origin="/x/bridge.txt")
    assert getattr(article, "published", "failed") == iso


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2022-06-12T10:00:00Z", "2022-06-12"),
        ("Sept. 5, 2025", "2025-09-05"),
        ("5 September 2025", "2025-09-05"),
        ("Fri, 02 Sep 2022 10:00:00 GMT", "2022-09-02"),
        (1662112800, "2022-09-02"),
        (1662112800000, "2022-09-02"),
        ("June 2022", None),  # no day: never invented
        ("2022", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        ("2022-13-45", None),
    ],
)
def test_normalize_date(value: object, iso: str | None) -> None:
    assert normalize_date(value) == iso


def test_normalize_removes_control_and_format_characters() -> None:
    assert normalize("a\r\nb\u00a0c\u200bd\x07e\ufeff") == "a\nb cde"


# Properties ------------------------------------------------------------------------------------
JUNK = ["Accessibility links", "please wait", "0:00 0:01:18", "XS", "Share this article", "16x9 Image", "Menu"]
WORDS = ["council", "mayor", "bridge", "river", "vote", "harbour", "budget", "school", "said"]
STORY_WORDS = st.lists(st.sampled_from(WORDS), min_size=5)
SENTENCES = STORY_WORDS.map(lambda w: "The " + " ".join(w) + ".")
LINES = st.one_of(
    st.sampled_from(JUNK),
    SENTENCES,
    st.sampled_from(["With reporting by Jane Roe", "By Jane Roe", "Updated June 14, 2022", "RFE/RL", "* * *"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_never_raises(raw: str) -> None:
    clean_page(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=30), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_clean_is_idempotent_and_keeps_only_input_lines(lines: list[str], sep: str) -> None:
    raw = sep.join(lines)
    once = clean_text(raw)
    assert clean_text(once) == once
    flat_input = _flat(normalize(raw))
    for line in once.split("\n\n"):
        assert _flat(line) in flat_input


@settings(max_examples=200, deadline=None)
@given(st.lists(SENTENCES, unique=True, min_size=1, max_size=12), st.lists(st.sampled_from(JUNK), max_size=12))
def test_every_story_sentence_survives_junk_around_it(story: list[str], junk: list[str]) -> None:
    mixed = [x for pair in zip(story, junk + [""] * len(story), strict=False) for x in pair]
    kept = clean_text("\n".join(mixed)).split("\n\n")
    assert kept == story


def test_a_large_page_is_cleaned_in_linear_time() -> None:
    line = "The council approved the harbour budget on Monday after a long debate. "
    raw = "\n".join(line + str(i) for i in range(20_000)) + "\n" + "A" * 100_000 + "/" + "B" * 100_000
    assert len(re.findall("council", clean_text(raw))) == 20_000
