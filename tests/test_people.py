"""Who said what across the corpus: the people index, speaker answers over every article, the CLI.

A small hand-written corpus: Mark Rutte quoted in three articles (one beside a minister's quote),
two Altmans, Viktor Orbán with and without accents, Jens Stoltenberg mentioned but never quoted.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from qa_app.answer import asked_speaker
from qa_app.people import fold, mention_keys, mentioned, name_key
from qa_app.qa import QA
from qa_app.records import ArticleRecord
from qa_app.retrieve import Filters
from qa_app.said import said_phrase
from tests.conftest import run_cli

ARTICLES = [
    {
        "id": "nato-kyiv",
        "title": "NATO chief visits Kyiv",
        "source": "Wire A",
        "published": "2025-03-01",
        "body": "NATO Secretary-General Mark Rutte arrived in Kyiv on Monday, a year after Jens Stoltenberg left "
        'the post. "Ukraine will prevail," Rutte said. "We stand with Ukraine for as long as it takes." '
        '"This visit matters to us," said Defence Minister Olena Koval. The two spoke for an hour.',
    },
    {
        "id": "nato-lviv",
        "title": "Drone strike near Lviv",
        "source": "Wire B",
        "published": "2025-04-10",
        "body": "A drone strike hit a warehouse near Lviv on Tuesday. Mark Rutte visited the site later. "
        '"This drone strike on civilians is a crime," Rutte told reporters. "Russia cannot win this war," '
        "he added.\n\nThe mayor counted the damage. Separately, Rutte said the alliance budget would grow "
        "next year.",
    },
    {
        "id": "nato-brussels",
        "title": "Alliance ministers meet in Brussels",
        "source": "Wire A",
        "published": "2025-02-01",
        "body": "Ministers met in Brussels on Thursday. Mark Rutte, who followed Jens Stoltenberg, chaired the "
        'meeting. "Defence spending must rise in every member state," Rutte said. The meeting ended early.',
    },
    {
        "id": "tech-sam",
        "title": "OpenAI chief in Paris",
        "source": "Wire C",
        "published": "2025-01-05",
        "body": 'Sam Altman, the OpenAI chief, spoke in Paris. "AI will change everything," Altman said.',
    },
    {
        "id": "tech-jack",
        "title": "Investors shrug",
        "source": "Wire C",
        "published": "2025-01-06",
        "body": 'Jack Altman, a venture investor, disagreed. "Startups are doing fine," Altman said.',
    },
    {
        "id": "tech-event",
        "title": "Hiring event",
        "source": "Wire C",
        "published": "2025-01-07",
        "body": 'The event drew a crowd. "We are hiring all year," Altman said at the event.',
    },
    {
        "id": "hu-budapest",
        "title": "Budapest speech",
        "source": "Wire D",
        "published": "2025-05-01",
        "body": 'Prime Minister Viktor Orbán spoke in Budapest. "Hungary will not send weapons," Orbán said.',
    },
    {
        "id": "hu-radio",
        "title": "Radio interview",
        "source": "Wire D",
        "published": "2025-05-02",
        "body": 'The interview ran for an hour. "Brussels is wrong about the budget," Orban said on the radio.',
    },
]
RUTTE = {
    "nato-kyiv": ['"Ukraine will prevail," Rutte said.', '"We stand with Ukraine for as long as it takes."'],
    "nato-lviv": [
        '"This drone strike on civilians is a crime," Rutte told reporters.',
        '"Russia cannot win this war," he added.',
        "Separately, Rutte said the alliance budget would grow next year.",
    ],
    "nato-brussels": ['"Defence spending must rise in every member state," Rutte said.'],
}


def write_feed(path: Path, articles: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
    return path


def ingest(settings, embedder, feed: Path, prune: bool = False) -> None:
    from ingest.pipeline import Ingestor

    summary = Ingestor(settings, embedder).run([str(feed)], prune=prune)
    assert not summary.failed, summary.to_json()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, base_settings, embedder):
    """The corpus ingested once; tests must not write to it."""
    folder = tmp_path_factory.mktemp("people")
    settings = replace(base_settings, index_dir=folder / "index", cache_dir=folder / "cache", speaker_articles=2)
    ingest(settings, embedder, write_feed(folder / "feed.jsonl", ARTICLES))
    return settings


@pytest.fixture(scope="module")
def qa(corpus, embedder) -> QA:
    return QA(corpus, embedder)


@pytest.fixture
def fresh(tmp_path: Path, base_settings, embedder) -> tuple[object, Path]:
    """Settings of a corpus of its own (for tests that write), and its feed file."""
    settings = replace(base_settings, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache", speaker_articles=2)
    feed = write_feed(tmp_path / "feed.jsonl", ARTICLES)
    ingest(settings, embedder, feed)
    return settings, feed


def groups(answer) -> list[tuple[str, list[str]]]:
    """(doc_id, quotes) of each article group of an answer, in order."""
    found: list[tuple[str, list[str]]] = []
    for c in answer.citations:
        if not found or found[-1][0] != c.doc_id:
            found.append((c.doc_id, []))
        found[-1][1].append(c.quote)
    return found


# identity -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("NATO Secretary-General Mark Rutte's", "mark rutte"),
        ("Viktor Orbán", "viktor orban"),
        ("Orban’s", "orban"),
        ("carpenter", "carpenter"),
        ("NATO", None),
        ("", None),
    ],
)
def test_name_key_drops_titles_possessives_and_accents(name: str, key: str | None) -> None:
    assert name_key(name) == key


def test_mentions_need_a_full_name_side_by_side() -> None:
    names = mention_keys("Rutte met Mark Smith and Viktor Orbán.")
    assert mentioned("orban", names) and mentioned("viktor orban", names) and mentioned("rutte", names)
    assert not mentioned("mark rutte", names) and not mentioned("merkel", names)
    assert fold("Órban’s  Office") == "orban office"


def test_people_lists_everyone_quoted_with_counts(qa: QA) -> None:
    people = {p.name: p for p in qa.people()}
    assert people["Mark Rutte"].to_dict() == {"name": "Mark Rutte", "quotes": 6, "articles": 3, "latest": "2025-04-10"}
    # Two Altmans are two people; an article naming only "Altman" (two are known) stays apart.
    assert (people["Sam Altman"].quotes, people["Jack Altman"].quotes, people["Altman"].quotes) == (1, 1, 1)
    # "Orban" alone joins the one Orbán the corpus knows, accents aside.
    assert (people["Viktor Orbán"].quotes, people["Viktor Orbán"].articles) == (2, 2)
    assert "Jens Stoltenberg" not in people and "Olena Koval" in people
    assert [p.name for p in qa.people("ORBAN")] == ["Viktor Orbán"]
    assert [p.name for p in qa.people("orbán")] == ["Viktor Orbán"]
    assert {p.name for p in qa.people("altman")} == {"Sam Altman", "Jack Altman", "Altman"}
    filtered = {p.name: p for p in qa.people(filters=Filters(source="wire a"))}
    assert filtered["Mark Rutte"].articles == 2 and "Sam Altman" not in filtered
    assert {p.name for p in qa.people(filters=Filters(as_of="2025-01-06"))} == {"Sam Altman", "Jack Altman"}


# speaker answers ----------------------------------------------------------------------------------------
def test_every_article_quoting_the_person_grouped_newest_first(qa: QA) -> None:
    answer = qa.quotes("Rutte", all_articles=True)
    assert not answer.refused and answer.more_articles == 0
    assert groups(answer) == [(d, RUTTE[d]) for d in ("nato-lviv", "nato-kyiv", "nato-brussels")]
    # A heading line per article (title, outlet, date), then its quotes with their markers.
    assert answer.text.split("\n\n")[1] == (
        'NATO chief visits Kyiv (Wire A, 2025-03-01):\n"Ukraine will prevail," Rutte said. [4] '
        '"We stand with Ukraine for as long as it takes." [5]'
    )
    assert "Koval" not in answer.text  # the minister's quote right after his stays out
    asked = qa.ask("What did Rutte say?")
    assert [d for d, _ in groups(asked)] == ["nato-lviv", "nato-kyiv"] and asked.more_articles == 1
    assert asked.to_dict()["more_articles"] == 1 and asked.to_dict()["mentions"] == []


def test_a_date_the_question_names_is_the_time_of_the_words_not_a_topic(qa: QA) -> None:
    from qa_app.said import _when

    april = qa.ask("What did Rutte say in April 2025?")  # Lviv's article, of April 10; Kyiv's is of March 1
    assert [d for d, _ in groups(april)] == ["nato-lviv"] and not april.refused
    assert [d for d, _ in groups(qa.ask("What did Rutte say on Feb. 1, 2025?"))] == ["nato-brussels"]
    in_2025 = qa.ask("What did Rutte say in 2025?")
    assert [d for d, _ in groups(in_2025)] == ["nato-lviv", "nato-kyiv"]
    assert in_2025.question == "What did Rutte say in 2025?"  # the date is read, the question kept as asked
    none = qa.ask("What did Rutte say in 2023?")
    assert none.refused and none.citations == []
    assert none.text == "Mark Rutte is quoted in 3 articles, but in none from 2023."
    assert [p.year for p in _when("What did Rutte say during 2024 about Kyiv?")] == ["2024"]
    assert _when("What did Rutte say about the 2024 election?") == []  # a topic, not a time


def test_filters_and_as_of_limit_the_articles(qa: QA) -> None:
    answer = qa.ask("What did Mark Rutte say?", filters=Filters(as_of="2025-03-15"))
    assert [d for d, _ in groups(answer)] == ["nato-kyiv", "nato-brussels"]
    answer = qa.ask("What did Rutte say?", filters=Filters(source="Wire B"))
    assert [d for d, _ in groups(answer)] == ["nato-lviv"] and answer.more_articles == 0


@pytest.mark.parametrize(
    "question",
    [
        "What did Rutte say about the drone strike?",
        "How did Rutte respond to the drone strike?",
        "How did Rutte react to the drone strike?",
        "What was Rutte's reaction to the drone strike?",
        "How did Rutte describe the drone strike?",
        "Quote Rutte on the drone strike",
        "Rutte's comments on the drone strike",
        "What has Rutte said about the drone strike?",
    ],
)
def test_each_phrasing_gives_only_the_words_on_the_topic(qa: QA, question: str) -> None:
    answer = qa.ask(question)
    assert not answer.refused
    assert groups(answer) == [("nato-lviv", RUTTE["nato-lviv"][:2])]  # not his budget remark


@pytest.mark.parametrize(
    "question", ["How did the market react?", "What did the report say?", "How did the ministers respond?"]
)
def test_ordinary_questions_are_not_speaker_questions(qa: QA, question: str) -> None:
    assert asked_speaker(question) is None
    assert "mentions" not in qa.ask(question).text


def test_who_said_a_quote(qa: QA) -> None:
    answer = qa.ask("Who said 'Russia cannot win this war'?")
    assert not answer.refused and [c.quote for c in answer.citations] == ['"Russia cannot win this war," he added.']
    assert answer.text.startswith("Mark Rutte, in Drone strike near Lviv (Wire B, 2025-04-10):\n")


def test_who_said_words_nobody_wrote_is_refused_and_words_said_twice_are_one_group(qa: QA, sample_qa) -> None:
    nowhere = qa.ask("Who said 'the era of cheap money is over'?")
    assert nowhere.refused and nowhere.citations == []
    assert nowhere.text == "No article has the words “the era of cheap money is over”."
    # Written, though quoted by no one: answered as any other question.
    assert not qa.ask("Who said 'a warehouse near Lviv'?").refused
    # Putin's "legitimate targets" three times in one article: one heading, three sentences (asking the store for
    # the article three times made Chroma refuse the duplicate ids).
    thrice = sample_qa.ask("Who said 'legitimate targets'?")
    assert thrice.text.count("Vladimir Putin, in ") == 1 and len(thrice.citations) == 3
    assert all("legitimate targets" in c.quote for c in thrice.citations)


# "Who said ...?" with the words in quotation marks, in part, or not at all ------------------------------------
SAID = [
    {
        "id": "eu-candidate",
        "title": "Dumont backs Kyiv's bid",
        "source": "Wire E",
        "published": "2025-06-10",
        "body": "French President Claire Dumont visited Kyiv on Thursday and backed its bid to join the bloc. "
        '"Ukraine normally should not be a candidate," she said following her visit, "We are doing it because of '
        'the war." The bloc will decide next week.',
    },
    {
        "id": "kyiv-speech",
        "title": "Melnyk addresses lawmakers",
        "source": "Wire E",
        "published": "2025-06-11",
        "body": "In his speech on Wednesday, President Taras Melnyk called for more help, telling lawmakers Ukraine "
        "“will never surrender,” and that their support “is not charity” but an investment.",
    },
    {
        "id": "plant-tribunal",
        "title": "Defenders of the plant surrender",
        "source": "Wire F",
        "published": "2025-06-12",
        "body": "Ivan Sokol, a rebel leader, said soldiers who surrendered after fighting in the city would face a "
        "tribunal. Before the surrender, Ukraine had held the plant for weeks and said it would never give it up.",
    },
    {
        "id": "virus-senate",
        "title": "Harlow visits the Senate",
        "source": "Wire F",
        "published": "2025-03-10",
        "body": "During his visit to the Senate on Tuesday, President Dan Harlow told reporters that the virus “will "
        'go away" and compared it to the flu. Five employees with the virus were told to stay away from the office.',
    },
    {
        "id": "virus-schools",
        "title": "Schools reopen",
        "source": "Wire F",
        "published": "2025-05-01",
        "body": 'Governor Nora Quist spoke at length. "The virus spread in the spring, and the schools closed for a '
        'long time, and we hoped it would all go away," Quist said.',
    },
]


@pytest.fixture(scope="module")
def said_qa(tmp_path_factory: pytest.TempPathFactory, base_settings, embedder) -> QA:
    """A corpus of quotes a "Who said ...?" question may name without quotation marks; tests must not write to it."""
    folder = tmp_path_factory.mktemp("said")
    settings = replace(base_settings, index_dir=folder / "index", cache_dir=folder / "cache", speaker_articles=2)
    ingest(settings, embedder, write_feed(folder / "feed.jsonl", SAID))
    return QA(settings, embedder)


def speakers(answer) -> list[str]:
    """The speaker each heading of a who-said answer names, in order."""
    return [block.split(", in ", 1)[0] for block in answer.text.split("\n\n")]


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("Who said 'Russia cannot win this war'?", "Russia cannot win this war"),
        ("Who said Russia cannot win this war?", "Russia cannot win this war"),
        ("who said that Russia cannot win this war", "Russia cannot win this war"),
        ('Who said Ukraine "will never surrender"?', "Ukraine will never surrender"),
        ("Who said that “Ukraine will prevail”?", "Ukraine will prevail"),
        ("Who said Russia's army can't win?", "Russia's army can't win"),
        ("Who says the virus will go away?", "the virus will go away"),
        # A question of no quoted words: too few content words, or a verb that takes an object, not words said.
        ("Who said that?", None),
        ("Who said it first?", None),
        ("Who said what about the budget?", None),
        ("Who wrote the letter to Congress?", None),
        ("Who told reporters about the fire?", None),
    ],
)
def test_said_phrase_with_or_without_quotation_marks(question: str, phrase: str | None) -> None:
    assert said_phrase(question) == phrase


@pytest.mark.parametrize(
    "question",
    [
        "Who said Ukraine will never surrender?",
        "Who said that Ukraine will never surrender?",
        'Who said Ukraine "will never surrender"?',
        'Who said "will never surrender"?',
        "who said ukraine WILL NEVER SURRENDER",
    ],
)
def test_who_said_words_with_or_without_quotation_marks(said_qa: QA, question: str) -> None:
    answer = said_qa.ask(question)
    assert not answer.refused and speakers(answer) == ["Taras Melnyk"]
    assert [c.doc_id for c in answer.citations] == ["kyiv-speech"]  # not the rebel leader's "surrendered"


def test_who_said_names_the_speaker_of_a_quote_that_says_she_said(said_qa: QA) -> None:
    answer = said_qa.ask("Who said that Ukraine normally should not be a candidate?")
    assert not answer.refused and speakers(answer) == ["Claire Dumont"]
    assert answer.text.startswith("Claire Dumont, in Dumont backs Kyiv's bid (Wire E, 2025-06-10):\n")
    assert [c.quote for c in answer.citations] == [
        '"Ukraine normally should not be a candidate," she said following her visit, "We are doing it because of the '
        'war."'
    ]


def test_who_said_nearly_all_the_words_near_each_other(said_qa: QA, qa: QA) -> None:
    # "would" for "will": the content words are all in Harlow's sentence, side by side; Quist's holds them far apart.
    virus = said_qa.ask("Who said the virus would go away?")
    assert speakers(virus) == ["Dan Harlow"] and [c.doc_id for c in virus.citations] == ["virus-senate"]
    assert speakers(said_qa.ask("Who said the virus will go away?")) == ["Dan Harlow"]
    # Four of the five content words ("lot" is not in his words).
    budget = qa.ask("Who said the alliance budget must grow a lot next year?")
    assert speakers(budget) == ["Mark Rutte"]
    assert [c.quote for c in budget.citations] == ["Separately, Rutte said the alliance budget would grow next year."]


def test_who_said_words_no_quote_holds(qa: QA) -> None:
    for question in ("Who said the era of cheap money is over?", 'Who said the era of "cheap money" is over?'):
        nowhere = qa.ask(question)
        assert nowhere.refused and nowhere.citations == []
        assert nowhere.text == "No article has the words “the era of cheap money is over”."
    # Written, though quoted by no one: answered as any other question, from the article that writes them.
    written = qa.ask("Who said a drone strike hit a warehouse near Lviv?")
    assert not written.refused and written.citations[0].doc_id == "nato-lviv"
    assert not written.text.startswith("Mark Rutte, in ")


def test_mentioned_but_never_quoted_and_absent(qa: QA) -> None:
    answer = qa.ask("What did Stoltenberg say?")
    assert answer.refused and answer.citations == []
    assert answer.text == "Stoltenberg is mentioned in 2 articles but not quoted."
    assert answer.mentions == ["nato-kyiv", "nato-brussels"] and answer.to_dict()["mentions"] == answer.mentions
    absent = qa.ask("What did Angela Merkel say?")
    assert absent.refused and absent.text == "No article mentions Angela Merkel." and absent.mentions == []
    assert qa.quotes("Jens Stoltenberg").text == "Jens Stoltenberg is mentioned in 2 articles but not quoted."


def test_accents_and_shared_surnames(qa: QA) -> None:
    orban = qa.ask("What did Orban say?")
    assert [d for d, _ in groups(orban)] == ["hu-radio", "hu-budapest"]
    assert qa.quotes("Viktor Orbán").citations == orban.citations
    assert [c.quote for c in qa.quotes("Sam Altman").citations] == ['"AI will change everything," Altman said.']
    assert [c.quote for c in qa.quotes("Jack Altman").citations] == ['"Startups are doing fine," Altman said.']
    assert "We are hiring" not in qa.quotes("Sam Altman", all_articles=True).text


# keeping in step with the store -------------------------------------------------------------------------
def test_reingest_update_and_delete_are_seen_at_once(fresh, embedder) -> None:
    settings, feed = fresh
    qa = QA(settings, embedder)
    assert {p.name for p in qa.people()} >= {"Mark Rutte", "Sam Altman"}
    changed = [dict(a) for a in ARTICLES if a["id"] != "tech-sam"]
    changed[0]["body"] = 'Mark Rutte arrived in Kyiv. "Peace needs strength," Rutte said.'
    ingest(settings, embedder, write_feed(feed, changed), prune=True)  # nato-kyiv updated, tech-sam gone
    people = {p.name: p for p in qa.people()}
    assert "Sam Altman" not in people and people["Mark Rutte"].quotes == 5
    answer = qa.quotes("Rutte", all_articles=True)
    assert ("nato-kyiv", ['"Peace needs strength," Rutte said.']) in groups(answer)
    qa.delete("nato-lviv")
    assert [d for d, _ in groups(qa.quotes("Rutte", all_articles=True))] == ["nato-kyiv", "nato-brussels"]
    assert qa.ask("Who said 'Russia cannot win this war'?").citations == []


def test_another_process_writing_is_seen(fresh, embedder) -> None:
    settings, feed = fresh
    qa = QA(settings, embedder)
    assert not qa.people("Kallas")
    more = [*ARTICLES, {"id": "eu-1", "title": "EU envoy", "published": "2025-06-01",
                        "body": 'Kaja Kallas spoke in Tallinn. "Europe must act now," Kallas said.'}]  # fmt: skip
    env = {"QA_INDEX_DIR": str(settings.index_dir), "QA_CACHE_DIR": str(settings.cache_dir)}
    result = run_cli("ingest", str(write_feed(feed, more)), env=env)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in qa.people("kallas")] == ["Kaja Kallas"]
    assert [c.quote for c in qa.ask("What did Kallas say?").citations] == ['"Europe must act now," Kallas said.']


def test_quotes_of_older_rules_are_found_again_without_writing_the_store(fresh, embedder) -> None:
    import numpy as np

    from qa_app.quotes import RULES_VERSION
    from qa_app.store import Store

    settings, _ = fresh
    store = Store(settings, embedder)
    record = store.get_article("hu-budapest")
    assert record.quotes_version == RULES_VERSION and record.to_metadata()["quotes_version"] == RULES_VERSION
    with store.writing():  # as an ingest of an older version stored it: no quotes found, version 0
        store.put_articles([replace(record, quotes=[], quotes_version=0)], np.ones((1, 384), dtype=np.float32))
        store.bump()
    qa = QA(settings, embedder)
    assert [c.quote for c in qa.quotes("Viktor Orbán", all_articles=True).citations][-1] == (
        '"Hungary will not send weapons," Orbán said.'
    )
    assert ArticleRecord.from_metadata("x", {"hash": "h"}, "").quotes_version == 0
    assert store.get_article("hu-budapest").quotes_version == 0  # the read path wrote nothing
    with sqlite3.connect(settings.cache_dir / "quotes.sqlite") as db:
        rows = db.execute("SELECT hash, version FROM quotes").fetchall()
    assert rows == [(record.hash, RULES_VERSION)]


# CLI ------------------------------------------------------------------------------------------------------
def test_cli_people_and_quotes(corpus) -> None:
    env = {"QA_INDEX_DIR": str(corpus.index_dir), "QA_CACHE_DIR": str(corpus.cache_dir)}
    listed = run_cli("qa_app", "people", "--json", "--query", "altman", env=env)
    assert listed.returncode == 0, listed.stderr
    assert sorted(p["name"] for p in json.loads(listed.stdout)) == ["Altman", "Jack Altman", "Sam Altman"]
    assert set(json.loads(listed.stdout)[0]) == {"name", "quotes", "articles", "latest"}
    said = run_cli("qa_app", "quotes", "Mark Rutte", "--json", "--about", "drone strike", env=env)
    assert said.returncode == 0, said.stderr
    answer = json.loads(said.stdout)
    assert [c["quote"] for c in answer["citations"]] == RUTTE["nato-lviv"][:2]
    assert answer["more_articles"] == 0 and answer["mentions"] == [] and answer["refused"] is False
    every = json.loads(run_cli("qa_app", "quotes", "rutte", "--all", "--json", env=env).stdout)
    assert len({c["doc_id"] for c in every["citations"]}) == 3
    row = json.loads(run_cli("qa_app", "quotes", "Altman", "--exact", "--json", env=env).stdout)
    assert [c["quote"] for c in row["citations"]] == ['"We are hiring all year," Altman said at the event.']


# surnames shared by several people --------------------------------------------------------------------------
def _said(n: int, start: str = "Marsh") -> str:
    return " ".join(f'"Point {i} of the plan stands," {start} said.' for i in range(n))


MARSH = [  # President Elena Marsh quoted in full 13 times, Tom Marsh once and Dr. Dana Marsh twice
    {"id": "m-full-1", "title": "Plan unveiled", "published": "2025-01-01",
     "body": "President Elena Marsh spoke in Denver. " + _said(8)},
    {"id": "m-full-2", "title": "Plan defended", "published": "2025-01-02",
     "body": "President Elena Marsh spoke in Austin. " + _said(5)},
    {"id": "m-tom", "title": "Son speaks", "published": "2025-01-03",
     "body": 'Tom Marsh, a musician, spoke in Reno. "I keep out of politics," Marsh said.'},
    {"id": "m-dana-1", "title": "Doctor speaks", "published": "2025-01-04",
     "body": 'Dr. Dana Marsh spoke in Boise. "Clinics need funding," Marsh said.'},
    {"id": "m-dana-2", "title": "Doctor again", "published": "2025-01-05",
     "body": 'Dr. Dana Marsh spoke in Provo. "Nurses need pay," Marsh said.'},
    # Never a full name: the title decides, or the majority does.
    {"id": "m-president", "title": "Budget signed", "published": "2025-02-01",
     "body": 'President Marsh signed the budget. "This budget keeps our word," Marsh said.'},
    {"id": "m-plain", "title": "Rally held", "published": "2025-02-02",
     "body": 'A rally filled the square. "We will win again," Marsh said.'},
    {"id": "m-doctor", "title": "Clinic opened", "published": "2025-02-03",
     "body": 'Dr. Marsh opened a clinic. "Care must be local," Marsh said.'},
    # Two Marshes named in full: "Marsh" alone could be either, so it stays apart.
    {"id": "m-both", "title": "Family dinner", "published": "2025-02-04",
     "body": 'Elena Marsh and Tom Marsh dined in Reno. "The food was superb," Marsh said.'},
    # Names that are no person's: mentioned, never quoted.
    {"id": "apple-fine", "title": "Apple fined over app store", "published": "2025-03-01",
     "body": "Regulators fined Apple 1.8 billion euros on Monday over its app store rules. Shares in Apple "
     "fell 2 percent after the fine. Apple will appeal the fine in court, a filing showed."},
    {"id": "wall-street", "title": "Stocks slide", "published": "2025-03-02",
     "body": "Stocks fell on Wall Street after the central bank raised its rate by half a point. Traders on "
     "Wall Street sold bank shares after the rate rise."},
    {"id": "congress-bill", "title": "Farm bill passes", "published": "2025-03-03",
     "body": "Congress passed the farm bill on Friday after a long debate. The bill raises crop subsidies. "
     "Greta Lund, a farmer from Iowa, watched the vote."},
]  # fmt: skip


@pytest.fixture(scope="module")
def marsh(tmp_path_factory: pytest.TempPathFactory, base_settings, embedder) -> QA:
    """A corpus of three Marshes and a few names of no person; tests must not write to it."""
    folder = tmp_path_factory.mktemp("marsh")
    settings = replace(base_settings, index_dir=folder / "index", cache_dir=folder / "cache", speaker_articles=0)
    ingest(settings, embedder, write_feed(folder / "feed.jsonl", MARSH))
    return QA(settings, embedder)


def test_a_surname_alone_joins_the_full_name_its_title_or_a_clear_majority_names(marsh: QA) -> None:
    people = {p.name: p for p in marsh.people("marsh")}
    # "President Marsh" is Elena (the title), the untitled "Marsh" too (13 of her surname's 16 full-name
    # quotes), "Dr. Marsh" is Dana (the title), and the "Marsh" of an article naming two Marshes stays apart.
    assert {n: (p.quotes, p.articles) for n, p in people.items()} == {
        "Elena Marsh": (15, 4), "Dana Marsh": (3, 3), "Tom Marsh": (1, 1), "Marsh": (1, 1),
    }  # fmt: skip
    elena = marsh.ask("What did Elena Marsh say?")
    assert [d for d, _ in groups(elena)] == ["m-plain", "m-president", "m-full-2", "m-full-1"]
    assert [d for d, _ in groups(marsh.ask("What did Dana Marsh say?"))] == ["m-doctor", "m-dana-2", "m-dana-1"]
    # Asked by the surname alone: the person quoted most, and the quotes no full name took.
    by_surname = marsh.ask("What did Marsh say?")
    assert [d for d, _ in groups(by_surname)] == ["m-both", "m-plain", "m-president", "m-full-2", "m-full-1"]
    assert '"The food was superb," Marsh said.' not in elena.text
    # the "Marsh" of the article naming two Marshes may be Tom
    assert by_surname.notice == (
        "Some of these articles name the speaker only as “Marsh”: they may not all be Elena Marsh."
    )
    assert elena.notice is None


def test_who_said_names_the_person_a_surname_alone_is(marsh: QA) -> None:
    # The article writes only "President Marsh": the heading names her as the People list does.
    for question in ("Who said this budget keeps our word?", "Who said 'This budget keeps our word'?"):
        answer = marsh.ask(question)
        assert speakers(answer) == ["Elena Marsh"] and [c.doc_id for c in answer.citations] == ["m-president"]


def test_transliterations_of_one_surname_are_one_person() -> None:
    """ "Zelensky", "Zelenskyy" and "Zelenskiy" are one man's name as outlets spell it: one key, one People entry."""
    from qa_app.people import PeopleIndex, make_entry
    from qa_app.quotes import find_quotes
    from qa_app.records import ArticleRecord

    assert name_key("Volodymyr Zelenskyy") == name_key("Volodymyr Zelensky") == name_key("Volodymyr Zelenskiy")
    assert mentioned("volodymyr zelensky", mention_keys("President Volodymyr Zelenskyy spoke."))
    assert fold("Whisky and the sky") == "whisky and the sky"  # only the name endings fold
    texts = {
        "a": 'Volodymyr Zelensky spoke. "We will hold the line," Zelensky said.',
        "b": 'Volodymyr Zelenskyy spoke again. "We need more help," Zelenskyy said.',
        "c": '"The talks go on," Volodymyr Zelenskiy said.',
    }
    entries = {}
    for doc_id, text in texts.items():
        record = ArticleRecord(doc_id, doc_id, "Outlet", "2023-01-02", None, [], doc_id, 1, "test", text=text)
        quotes = [q.to_dict() for q in find_quotes(text)]
        entries[doc_id] = make_entry(record, quotes)
    people = PeopleIndex(entries).people()
    assert [(p.quotes, p.articles) for p in people] == [(3, 3)]
    assert people[0].name in ("Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskiy")


def test_a_given_name_misspelled_now_and_then_is_the_same_person() -> None:
    """ "Volodymr Zelensky" in one article of eleven is Volodymyr Zelensky; two people whose given names differ by a
    letter and are seldom quoted ("Ashley Smith", "Ashlee Smith") stay two."""
    from qa_app.people import PeopleIndex, make_entry
    from qa_app.quotes import find_quotes
    from qa_app.records import ArticleRecord

    texts = {str(i): f'"We will hold the line {i}," Volodymyr Zelensky said.' for i in range(10)}
    texts["typo"] = '"We need more help," Volodymr Zelensky said.'
    texts["ashley"] = '"The water is rising," Ashley Smith said. "It is cold," Ashlee Smith said.'
    entries = {}
    for doc_id, text in texts.items():
        record = ArticleRecord(doc_id, doc_id, "Outlet", "2023-01-02", None, [], doc_id, 1, "test", text=text)
        entries[doc_id] = make_entry(record, [q.to_dict() for q in find_quotes(text)])
    people = PeopleIndex(entries).people()
    assert [(p.name, p.quotes, p.articles) for p in people] == [
        ("Volodymyr Zelensky", 11, 11),
        ("Ashlee Smith", 1, 1),
        ("Ashley Smith", 1, 1),
    ]


def test_identity_rules_by_hand() -> None:
    from collections import Counter

    from qa_app.identity import Surnames, titles_before

    text = "President Joe Biden met Mr. Biden and first lady Jill Biden."
    spellings = {"Joe Biden": "joe biden", "Biden": "biden", "Jill Biden": "jill biden"}
    assert titles_before(text, spellings) == ("biden\tmr", "jill biden\tfirst lady", "joe biden\tpresident")
    rule = Surnames(
        {"joe biden": 90, "hunter biden": 5, "jill biden": 5, "biden": 40, "us. harry": 30, "harry": 9},
        Counter({("joe biden", "president"): 12, ("jill biden", "first lady"): 3, ("jill biden", "president"): 1}),
    )
    never = lambda full: False  # noqa: E731
    assert rule.person("biden", [], never) == "joe biden"  # 90 of 100 full-name quotes
    assert rule.person("biden", ["first lady"], never) == "jill biden"
    assert rule.person("biden", [], lambda full: full == "hunter biden") == "biden"  # the article names Hunter
    assert rule.person("biden", ["president"], lambda full: full == "hunter biden") == "joe biden"
    assert rule.person("harry", [], never) == "harry"  # "US. Harry" is no full name
    # After "Queen", "Prince" or "Sir" a name is a first name: the Queen's "Elizabeth" is not Tania Elizabeth, the one
    # full name ending in it; nor is it the surname's majority holder
    royal = Surnames({"tania elizabeth": 30, "elizabeth": 12, "prince harry": 4}, Counter())
    assert royal.person("elizabeth", [], never) == "tania elizabeth"
    assert royal.person("elizabeth", ["queen"], never) == "elizabeth"
    assert royal.person("elizabeth", ["princess", "queen"], never) == "elizabeth"


# names of no person ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("How did Apple respond to the fine?", "apple-fine"),
        ("How did Wall Street react to the rate rise?", "wall-street"),
        ("What did Congress say about the farm bill?", "congress-bill"),
    ],
)
def test_a_name_of_no_person_gets_the_ordinary_answer(marsh: QA, question: str, doc_id: str) -> None:
    answer = marsh.ask(question)
    assert "not quoted" not in answer.text and answer.mentions == []
    assert not answer.refused and answer.citations[0].doc_id == doc_id


def test_a_person_mentioned_but_never_quoted_is_still_refused(marsh: QA) -> None:
    answer = marsh.ask("What did Lund say about the farm bill?")
    assert answer.refused and answer.text == "Lund is mentioned in 1 article but not quoted."
    assert answer.mentions == ["congress-bill"]
    # The People view asks for a person's quotes: a name of no person is refused there, with its mentions.
    assert marsh.quotes("Apple").mentions == ["apple-fine"]


# the cache ------------------------------------------------------------------------------------------------
def test_the_cache_holds_plain_rows_and_a_new_process_loads_the_same_index(fresh, embedder, monkeypatch) -> None:
    import pickle

    from qa_app import people_sync

    monkeypatch.setattr(people_sync, "CACHE_MIN_ARTICLES", 1)  # the test corpus is small
    settings, _ = fresh
    qa = QA(settings, embedder)
    built = qa.people()
    qa.people_sync.wait_saved()
    with open(qa.people_sync._cache_path(), "rb") as f:
        fmt, _, rows = pickle.load(f)
    assert fmt == people_sync.CACHE_FORMAT and len(rows) == len(ARTICLES)
    plain = (str, int, tuple)
    assert all(type(row) is tuple and all(type(v) in plain for v in row) for row in rows)  # no objects to rebuild
    again = QA(settings, embedder)
    assert again.people() == built and again.people_sync.full_builds == 0
    assert again.quotes("Rutte", all_articles=True).citations == qa.quotes("Rutte", all_articles=True).citations


def test_a_speaker_named_by_one_word_in_several_articles_may_be_several_people(fresh, embedder) -> None:
    settings, feed = fresh
    kessler = [
        {"id": "k-port", "title": "Port reopens", "source": "Wire E", "published": "2025-06-01",
         "body": 'The port reopened on Monday. "Ships are moving again," Kessler said.'},
        {"id": "k-farm", "title": "Grain prices fall", "source": "Wire E", "published": "2025-06-02",
         "body": 'Grain prices fell on Tuesday. "Farmers are worried," Kessler said.'},
    ]  # fmt: skip
    pope = [
        {"id": "p-rome", "title": "Pope speaks", "source": "Wire E", "published": "2025-06-03",
         "body": 'Pope Francis spoke in Rome. "Peace is possible," Francis said.'},
        {"id": "p-lisbon", "title": "Pope travels", "source": "Wire E", "published": "2025-06-04",
         "body": 'Pope Francis landed in Lisbon. "The young give hope," Francis said.'},
    ]  # fmt: skip
    ingest(settings, embedder, write_feed(feed, ARTICLES + kessler + pope))
    qa = QA(settings, embedder)
    # one pope at a time: "Pope Francis" in each article is one man, though no article names him in full
    pope_answer = qa.ask("What did Pope Francis say?")
    assert [d for d, _ in groups(pope_answer)] == ["p-lisbon", "p-rome"] and pope_answer.notice is None
    answer = qa.ask("What did Kessler say?")
    assert [d for d, _ in groups(answer)] == ["k-farm", "k-port"]
    assert answer.notice == (
        "Each of these articles names the speaker only as “Kessler”: they may not all be one person."
    )
    assert answer.to_dict()["notice"] == answer.notice
    assert qa.ask("What did Rutte say?").notice is None  # named in full
    assert qa.quotes("Altman").notice is None  # one article


def test_a_people_row_of_a_surname_alone_shows_its_own_quotes(fresh, embedder) -> None:
    """The row "Okafor" (the article naming no Okafor in full) shows that article's quotes, not Sam Okafor's, whom a
    question by surname reads first; an API caller's name that is no row within the filters is read as a question."""
    from ui.people import People

    settings, feed = fresh
    named = {"o-1": "Sam Okafor", "o-2": "Sam Okafor", "o-3": "Ada Okafor", "o-4": "The harbour board"}
    ingest(settings, embedder, write_feed(feed, [
        {"id": doc_id, "title": f"Harbour report {i}", "source": "Wire F", "published": f"2025-07-0{i}",
         "body": f'{who} spoke on Monday. "Cargo is up {i} percent," Okafor said.'}
        for i, (doc_id, who) in enumerate(named.items(), 1)
    ]))  # fmt: skip
    qa = QA(settings, embedder)
    assert {p.name: p.quotes for p in qa.people("okafor")} == {"Sam Okafor": 2, "Ada Okafor": 1, "Okafor": 1}
    asked = qa.quotes("Okafor", all_articles=True)
    assert [d for d, _ in groups(asked)] == ["o-4", "o-2", "o-1"]  # Sam Okafor's, and "Okafor" alone
    row = qa.quotes("Okafor", exact=True)
    assert [d for d, _ in groups(row)] == ["o-4"] and row.notice is None
    shown, _ = People(qa).quotes("Okafor")
    assert "Cargo is up 4 percent" in shown and "Cargo is up 2 percent" not in shown
    before = qa.quotes("Okafor", filters=Filters(date_to="2025-07-03"), all_articles=True, exact=True)
    assert [d for d, _ in groups(before)] == ["o-2", "o-1"]


def test_the_people_view_shows_every_quote_of_an_article_and_the_chat_its_best_few(
    tmp_path: Path, base_settings, embedder
) -> None:
    from qa_app.answer import MAX_QUOTES

    words = ["The bridge is open", "Traffic will ease", "It cost less than planned", "We thank the workers"]
    words += ["The river is safe", "Next year we build a school"]
    narration = ["The crowd cheered.", "Workers packed up.", "A band played.", "Rain fell.", "Shops opened."]
    body = "Mayor Ingrid Holm opened the bridge on Monday.\n\n" + "\n\n".join(
        f'"{w}," Holm said.' + (f"\n\n{n}" if n else "") for w, n in zip(words, [*narration, ""], strict=True)
    )
    article = {"id": "bridge", "title": "Bridge opens", "source": "Wire E", "published": "2025-06-01", "body": body}
    settings = replace(base_settings, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    ingest(settings, embedder, write_feed(tmp_path / "feed.jsonl", [article]))
    qa = QA(settings, embedder)
    assert [(p.name, p.quotes) for p in qa.people("holm")] == [("Ingrid Holm", 6)]
    # The People view (and `qa_app quotes`) shows all the person's words, as many as the table counts.
    shown = qa.quotes("Ingrid Holm")
    assert [c.quote for c in shown.citations] == [f'"{w}," Holm said.' for w in words]
    # A chat answer shows the article's best few.
    assert len(qa.ask("What did Ingrid Holm say?").citations) == MAX_QUOTES


def test_a_chat_answer_leaves_out_a_sentence_a_longer_one_of_the_person_says_again(
    tmp_path: Path, base_settings, embedder
) -> None:
    bullet = "Mayor Ingrid Holm said the new bridge would open in May."
    lead = (
        "Mayor Ingrid Holm said on Monday that the new bridge would open in May, a month early, after the council "
        "approved the last funds."
    )
    quote = '"We are ready for the crowds," Holm said.'
    body = f"{bullet}\n\n{lead}\n\nThe council met for an hour.\n\n{quote}"
    article = {"id": "bridge", "title": "Bridge opens", "source": "Wire E", "published": "2025-06-01", "body": body}
    settings = replace(base_settings, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    ingest(settings, embedder, write_feed(tmp_path / "feed.jsonl", [article]))
    qa = QA(settings, embedder)
    assert [c.quote for c in qa.ask("What did Ingrid Holm say?").citations] == [lead, quote]
    assert [c.quote for c in qa.quotes("Ingrid Holm").citations] == [bullet, lead, quote]  # the People view: all


def test_a_hyphen_in_a_name_is_found_by_a_space_or_a_hyphen(tmp_path: Path, base_settings, embedder) -> None:
    body = 'Mayor Ingrid Vasquez-Holm opened the bridge. "The bridge is open," Vasquez-Holm said.'
    article = {"id": "bridge", "title": "Bridge opens", "source": "Wire E", "published": "2025-06-01", "body": body}
    settings = replace(base_settings, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    ingest(settings, embedder, write_feed(tmp_path / "feed.jsonl", [article]))
    qa = QA(settings, embedder)
    for query in ("vasquez holm", "Vasquez-Holm", "VASQUEZ-HOLM", "ingrid vasquez"):
        assert [p.name for p in qa.people(query)] == ["Ingrid Vasquez-Holm"], query
    assert qa.people("vasquezholm") == []


def test_a_chat_answer_shows_a_sentence_printed_in_two_articles_once(tmp_path: Path, base_settings, embedder) -> None:
    said = '"The bridge will open in May," Mayor Ingrid Holm said.'
    articles = [
        {"id": "a", "title": "Bridge news", "source": "Wire E", "published": "2025-06-02", "body": said},
        {
            "id": "b",
            "title": "City briefing",
            "source": "Wire E",
            "published": "2025-06-01",
            "body": f"Rain fell. {said}",
        },
    ]
    settings = replace(base_settings, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    ingest(settings, embedder, write_feed(tmp_path / "feed.jsonl", articles))
    qa = QA(settings, embedder)
    answer = qa.ask("What did Ingrid Holm say?")
    assert [(c.doc_id, c.quote) for c in answer.citations] == [("a", said)] and answer.more_articles == 0
    assert [c.doc_id for c in qa.quotes("Ingrid Holm").citations] == ["a", "b"]  # the People view: both


def test_a_topic_never_in_the_persons_words_needs_an_article_about_it(tmp_path: Path, base_settings, embedder) -> None:
    storm = {
        "id": "storm", "title": "Hurricane nears Florida", "source": "Wire F", "published": "2025-09-02",
        "body": 'Gov. Ron DeSantis declared an emergency. "Load up on water now," DeSantis said. Disney World '
        "closed its parks for two days.",
    }  # fmt: skip
    feud = {
        "id": "feud", "title": "DeSantis widens his feud with Disney", "source": "Wire F", "published": "2025-04-02",
        "body": 'Gov. Ron DeSantis signed the bill on Friday. "They crossed a line," DeSantis said.',
    }  # fmt: skip
    settings = replace(base_settings, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    ingest(settings, embedder, write_feed(tmp_path / "feed.jsonl", [storm]))
    qa = QA(settings, embedder)
    # Disney is only mentioned beside his words on the storm: not what he said about Disney.
    refused = qa.ask("What did Ron DeSantis say about Disney?")
    assert refused.refused and refused.text == "Ron DeSantis is quoted in 1 article, but not on this topic."
    ingest(settings, embedder, write_feed(tmp_path / "feed.jsonl", [storm, feud]))
    answer = QA(settings, embedder).ask("What did Ron DeSantis say about Disney?")
    assert [c.quote for c in answer.citations] == ['"They crossed a line," DeSantis said.']
