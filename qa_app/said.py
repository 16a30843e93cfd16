"""Speaker answers across the corpus: what a person said, grouped by article; who said a quoted phrase.

"What did Rutte say?" answers with the person's quote sentences from every article that quotes them
(within the filters and the "as of" date): a heading line per article (title, outlet, date), then
that article's quotes of the person in article order, each with its [n]. Articles are newest first;
with a topic ("... about Ukraine", "How did Rutte respond to the drone strike?") only the words on
the topic are kept, the best first. Only the person's own quote sentences are ever shown: a
neighbour's quote is another `Said` of another person and never joins them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from qa_app.answer import MAX_QUOTES, MIN_COVERAGE, coverage
from qa_app.cite import Answer, Citation, verify
from qa_app.dates import Period, named_periods
from qa_app.identity import looks_like_person
from qa_app.lexical import LexicalIndex
from qa_app.people import Entry, PeopleIndex, allows, fold, name_key
from qa_app.quotes import quote_open_after
from qa_app.records import ArticleRecord
from qa_app.retrieve import Filters, Tuning, published_in
from qa_app.text import terms
from qa_app.vocab import ASKED_SPEECH_VERBS, REACTION_WORDS

# Not a topic of a speaker question: its speech or reaction words ("respond", "comments", "quote"), and "else".
# "wrote" stays a topic word ("what did X say he wrote"), as it always was.
_SPEECH = [v for v in ASKED_SPEECH_VERBS if v != "wrote"]
_NOT_TOPIC = set(terms(" ".join((*_SPEECH, *REACTION_WORDS, "else", "quote", "quotes"))))
ON_TOPIC = 0.5  # a run scoring this share of the best run's topic score is on the topic (as before, 1099a9c)
MENTIONS_READ = 10  # articles read to tell whether a name nobody quotes is a person's (hand-set)
REPEATS = 0.8  # a quote sentence with this share of its words in a longer one of the same article says it again
W_AROUND = 0.4  # topic score: the title and passage around a quote count this much beside its own words (hand-set)
_WHO_SAID = re.compile(
    r"^\s*who\s+(?P<verb>said|says|wrote|told|tweeted|declared|stated|warned|insisted)\b[\s,:]*"
    r"(?:that\s+)?(?P<phrase>.{8,}?)[\s?]*$",
    re.I | re.S,
)
# Without quotation marks, only a verb followed by the words said ("Who wrote the letter?" asks for no quote), and
# two content words at least ("Who said it first?" asks for none).
_UNQUOTED_VERBS = {"said", "says", "declared", "stated", "warned", "insisted"}
_QUOTE_MARK = re.compile(r"[\"“”]|(?<!\w)['‘’]|['‘’](?!\w)")  # not the apostrophe of "Russia's", "can't"

_TIME_WORD = re.compile(r"\b(?:in|during|since|from|through|throughout|until|of|early|late|mid)[\s-]+$", re.I)
# Titles one person holds at a time, before a name: every article writing "Pope Francis" means one man.
_ONE_HOLDER = ("pope", "king", "queen")

Fetch = Callable[[list[str]], dict[str, ArticleRecord]]


@dataclass
class _Run:
    """Adjacent quote sentences of one person in one article, of one kind (in quotation marks or not)."""

    entry: Entry
    positions: list[int]
    direct: bool
    score: float = 1.0
    said: float = 0.0  # the topic's share in its own words
    titled: float = 0.0  # the topic's share in its article's title

    @property
    def quotation(self) -> bool:
        """A quotation running over several sentences: shown whole or not at all."""
        return self.direct and len(self.positions) > 1


def said_phrase(question: str) -> str | None:
    """The words a "who said ..." question asks about, in quotation marks, in part or not at all, without them.

    Example: said_phrase("Who said 'Russia cannot win this war'?") -> "Russia cannot win this war"
    Example: said_phrase('Who said that Ukraine "will never surrender"?') -> "Ukraine will never surrender"
    """
    m = _WHO_SAID.match(question)
    if not m:
        return None
    phrase = " ".join(_QUOTE_MARK.sub("", m["phrase"]).split()).strip(" .,?")
    quoted = _QUOTE_MARK.search(m["phrase"]) is not None
    if not quoted and (m["verb"].lower() not in _UNQUOTED_VERBS or len(set(terms(phrase))) < 2):
        return None
    return phrase or None


def topic_terms(question: str, speaker: str) -> list[str]:
    """The question's terms other than the speaker's name and its speech words.

    Example: topic_terms("How did Rutte respond to the drone strike?", "Rutte") -> ["drone", "strike"]
    """
    ignore = set(terms(speaker)) | _NOT_TOPIC
    return [t for t in dict.fromkeys(terms(question)) if t not in ignore]


def runs_of(entry: Entry, positions: list[int]) -> list[_Run]:
    """A person's quote sentences of one article as runs: adjacent sentences of one kind.

    A sentence is direct when it holds quotation marks or sits inside a quotation that goes on.
    """
    runs: list[_Run] = []
    open_quote = False
    for i in positions:
        said = entry.quotes[i]
        adjacent = said.joined and bool(runs) and runs[-1].positions[-1] == i - 1
        direct = any(c in said.text for c in '"“”') or (adjacent and open_quote)
        if runs and adjacent and runs[-1].direct == direct:
            runs[-1].positions.append(i)
        else:
            runs.append(_Run(entry, [i], direct))
        open_quote = quote_open_after(said.text, open_quote and adjacent)
    return runs


def _score_runs(runs: list[_Run], topic: list[str], lexical: LexicalIndex) -> None:
    """Each run's topic score: the share of the topic's idf weight its own sentences hold, plus
    `W_AROUND` times the share its article's title and the passage around it hold (the lexical index's
    passages), so that a run saying nothing of the topic in an article about it still counts a little."""
    held = {t: set(lexical.term_passages(t).tolist()) for t in topic}
    for run in runs:
        own = set().union(*(run.entry.quotes[i].terms for i in run.positions))
        passage = lexical.passage_at(run.entry.doc_id, run.entry.quotes[run.positions[0]].start)
        around = set(run.entry.title_terms) | {t for t, slots in held.items() if passage in slots}
        run.said = coverage(topic, own, lexical.idf)
        run.titled = coverage(topic, set(run.entry.title_terms), lexical.idf)
        run.score = run.said + W_AROUND * coverage(topic, around, lexical.idf)


def _pick(runs: list[_Run], most: int | None = MAX_QUOTES) -> list[int]:
    """An article's quote positions to show, in article order: its best runs whole, direct quotes first, up to
    `most`, none that another says again (every one when `most` is None)."""
    if most is None:
        return sorted(i for run in runs for i in run.positions)
    picked: list[int] = []
    for run in sorted(_unrepeated(runs), key=lambda r: (-r.score, -r.direct, r.positions[0])):
        if picked and len(picked) + len(run.positions) > most:
            continue
        picked += run.positions
    return sorted(picked)[:most]


def _unrepeated(runs: list[_Run]) -> list[_Run]:
    """`runs` without the sentences whose words another, longer sentence of the person in the article mostly holds:
    a summary's bullet ("Putin warned that foreign troops would be "legitimate targets."") above the lead saying it
    again ("Putin has warned against the deployment of any foreign troops ..., declaring ..."). A quotation running
    over several sentences stays whole."""
    said = {i: set(run.entry.quotes[i].terms) for run in runs for i in run.positions}

    def repeated(i: int) -> bool:
        own = said[i]
        # Too few words say little: "Welker: What's your response?" is no repeat of a longer turn.
        return len(own) >= 4 and any(len(t) > len(own) and len(own & t) >= REPEATS * len(own) for t in said.values())

    kept = []
    for run in runs:
        positions = run.positions if run.quotation else [i for i in run.positions if not repeated(i)]
        if positions:
            kept.append(replace(run, positions=positions))
    return kept or runs


def _groups(
    index: PeopleIndex, quotes: dict[str, list[int]], topic: list[str], lexical: LexicalIndex, most: int | None
) -> list[tuple[Entry, list[int], float]]:
    """(article, quote positions, score) of each article of `quotes` ({doc_id: positions}), best first:
    newest first without a topic; with one, only the runs on it, by their score. `most`: see `_pick`."""
    runs = [run for doc_id, positions in quotes.items() for run in runs_of(index.entries[doc_id], positions)]
    if topic:
        _score_runs(runs, topic, lexical)
        if not any(r.said for r in runs):
            # Never in their own words: only articles about it by their title count, not one that mentions it in
            # passing ("What did DeSantis say about Disney?" is not answered by his words on a hurricane).
            runs = [r for r in runs if r.titled]
        best = max((r.score for r in runs), default=0.0)
        if best < MIN_COVERAGE / 2:  # quoted, but not about this (half the refusal bar, as before: bf17c23)
            return []
        runs = [r for r in runs if r.score >= best * ON_TOPIC]
    by_doc: dict[str, list[_Run]] = {}
    for run in runs:
        by_doc.setdefault(run.entry.doc_id, []).append(run)
    ranked = [(rs, max(r.score for r in rs)) for rs in by_doc.values()]
    if topic:
        ranked.sort(key=lambda g: (-g[1], -g[0][0].entry.ts, g[0][0].entry.doc_id))
    else:
        ranked.sort(key=lambda g: (-g[0][0].entry.ts, g[0][0].entry.doc_id))
    if most is None:  # everything: every article, every quote
        return [(rs[0].entry, _pick(rs, None), score) for rs, score in ranked]
    # A chat answer: no sentence an article shown before it (better or newer) prints word for word (an outlet prints
    # one paragraph in several articles); an article left with none is dropped.
    seen: set[str] = set()
    groups = []
    for rs, score in ranked:
        fresh = [replace(r, positions=kept) for r in rs if (kept := _unseen(r, seen))]
        picked = _pick(fresh, most) if fresh else []
        seen.update(fold(rs[0].entry.quotes[i].text) for i in picked)
        if picked:
            groups.append((rs[0].entry, picked, score))
    return groups


def _unseen(run: _Run, seen: set[str]) -> list[int]:
    """The positions of `run` whose sentences `seen` (folded texts) does not hold; a quotation stays whole unless all
    of it was seen."""
    kept = [i for i in run.positions if fold(run.entry.quotes[i].text) not in seen]
    return run.positions if kept and run.quotation else kept


def heading(record: ArticleRecord, who: str | None = None) -> str:
    """The line above an article's quotes: title, then outlet and date.

    Example: heading(record) -> "Putin Warns Against Foreign Troops In Ukraine (RFE/RL, 2025-09-05):"
    """
    meta = ", ".join(x for x in (record.source, record.published) if x)
    line = " ".join(record.title.split()) + (f" ({meta})" if meta else "")
    return f"{who}, in {line}:" if who else f"{line}:"


def grouped_answer(
    question: str, groups: list[tuple[Entry, list[int], float]], fetch: Fetch, more: int, *,
    speakers: Callable[[Entry, int], str] | None = None,
) -> Answer:  # fmt: skip
    """An answer of article groups: a heading line each, then its quote sentences with [n] markers.

    `speakers`: the name of the speaker of a quote (entry, position), for a heading naming them ("Who said ...?").
    An article whose stored version is no longer the one indexed is left out (the next question sees the new one).
    """
    articles = fetch([entry.doc_id for entry, _, _ in groups])
    citations: list[Citation] = []
    blocks: list[str] = []
    retrieved: list[tuple[str, float]] = []
    for entry, positions, score in groups:
        article = articles.get(entry.doc_id)
        if article is None or article.hash != entry.hash:
            continue
        sentences = []
        for i in positions:
            said = entry.quotes[i]
            n = len(citations) + 1
            citations.append(
                Citation(
                    n, article.doc_id, article.title, article.source, article.url, article.published,
                    article.text[said.start : said.end], said.start, said.end,
                )
            )  # fmt: skip
            sentences.append(f"{' '.join(said.text.split())} [{n}]")
        speaker = speakers(entry, positions[0]) if speakers else None
        blocks.append(heading(article, speaker) + "\n" + " ".join(sentences))
        retrieved.append((entry.doc_id, score))
    answer = Answer("\n\n".join(blocks), citations, False, retrieved, question, more_articles=more)
    verify(answer, {doc_id: a.text for doc_id, a in articles.items()})
    return answer


def speaker_answer(
    question: str, name: str, index: PeopleIndex, lexical: LexicalIndex, fetch: Fetch, *,
    filters: Filters | None = None, shown: int = 3, exclude: frozenset[str] = frozenset(), fallback: bool = True,
    every_quote: bool = False, exact: bool = False,
) -> Answer | None:  # fmt: skip
    """What `name` said (on the question's topic), grouped by article, `shown` articles at most
    (all when `shown` is 0), each with its best `MAX_QUOTES` quotes (all with `every_quote`); a refusal that
    says why; None when `name` is no person's name, or (`fallback`) a name nobody quotes that does not look
    like a person's ("Wall Street", "Congress"), so that the question is answered as any other.

    `exact`: `name` is a row of the People list, and means that person only. A surname alone then means the
    quotes of articles that name no one of it in full (the row "Biden"), not the Biden quoted most."""
    key = name_key(name)
    if key is None:
        return None
    exact = exact and bool(index.quotes_of(key, filters, exclude))
    person = key if exact else index.resolve(key, filters, exclude)
    if person is None:
        mentions = index.mentions(key, filters, exclude)
        if fallback and not looks_like_person(name, _texts(fetch, mentions)):
            return None
        return _not_quoted(question, name, mentions)
    quotes = index.asked(key, person, filters, exclude)
    who, periods, about = index.names[person], _when(question), question
    if periods:  # "What did Rutte say in 2025?": the date is no topic, but the articles' time
        dated = _reporting(index, quotes, periods)
        if not dated:
            when = " or ".join(question[p.span[0] : p.span[1]] for p in periods)
            return Answer(
                f"{who} is quoted in {_articles(len(quotes))}, but in none from {when}.", [], True, [], question
            )
        quotes = dated
        for period in reversed(periods):
            about = about[: period.span[0]] + about[period.span[1] :]
    topic = topic_terms(about, name)
    groups = _groups(index, quotes, topic, lexical, None if every_quote else MAX_QUOTES)
    if not groups:
        text = f"{who} is quoted in {_articles(len(quotes))}, but not on this topic."
        return Answer(text, [], True, [], question)
    cut = groups[:shown] if shown else groups
    answer = grouped_answer(question, cut, fetch, len(groups) - len(cut))
    answer.notice = _one_name_notice(index, key, person, [entry.doc_id for entry, _, _ in cut])
    return answer


def _when(question: str) -> list[Period]:
    """The dates a question names as the time of the words: a month or a day, or a year after "in", "during",
    "since"... ("What did Rutte say in 2025?"); not a year naming a topic ("about the 2024 election")."""
    return [
        p for p in named_periods(question, None) if p.month or _TIME_WORD.search(question, 0, p.span[0]) is not None
    ]


def _reporting(index: PeopleIndex, quotes: dict[str, list[int]], periods: list[Period]) -> dict[str, list[int]]:
    """The `quotes` ({doc_id: positions}) of articles that report on one of `periods`: published in it, or up to
    `Tuning.period_grace` days after, as retrieval reads a dated question (`retrieve.published_in`)."""
    docs = list(quotes)
    published = np.array([index.entries[d].ts for d in docs])
    within = np.any([published_in(p, published, Tuning.period_grace) for p in periods], axis=0)
    return {d: quotes[d] for d, keep in zip(docs, within, strict=True) if keep}


def _one_name_notice(index: PeopleIndex, key: str, person: str, doc_ids: list[str]) -> str | None:
    """A warning when articles of the answer never name the speaker in full, so they may be other people of the
    surname ("Williams": a prosecutor in one article, a player in another); None otherwise."""
    if " " in key or key not in index.by_person:
        return None  # asked by full name, or every quote of the surname is a full name's
    if any(all(f"{key}\t{title}" in index.entries[d].titles for d in doc_ids) for title in _ONE_HOLDER):
        return None  # "Pope Francis" in every article: one man
    alone = index.names[key]
    if person == key and len(doc_ids) > 1:
        return f"Each of these articles names the speaker only as “{alone}”: they may not all be one person."
    if person != key and not index.by_person[key].keys().isdisjoint(doc_ids):
        return f"Some of these articles name the speaker only as “{alone}”: they may not all be {index.names[person]}."
    return None


def _texts(fetch: Fetch, doc_ids: list[str]) -> list[str]:
    """The texts (title first) of the newest `MENTIONS_READ` of these articles: how they use a name."""
    return [a.title + "\n" + a.text for a in fetch(doc_ids[:MENTIONS_READ]).values()]


def _articles(n: int) -> str:
    return f"{n} article" if n == 1 else f"{n} articles"


def _not_quoted(question: str, name: str, mentions: list[str]) -> Answer:
    """The refusal for a person nobody quotes: how many articles mention them, or that none does."""
    shown = " ".join(w[:1].upper() + w[1:] if name.islower() else w for w in name.split())
    if mentions:
        text = f"{shown} is mentioned in {_articles(len(mentions))} but not quoted."
    else:
        text = f"No article mentions {shown}."
    return Answer(text, [], True, [], question, mentions=mentions)


def who_said(
    question: str, phrase: str, index: PeopleIndex, fetch: Fetch, *, filters: Filters | None = None,
    shown: int = 3, exclude: frozenset[str] = frozenset(),
) -> Answer | None:  # fmt: skip
    """Who said the words of `phrase`: each quote sentence holding them, word for word, else nearly all their content
    words near each other (`PeopleIndex.said_nearly`, the most and closest first), under a heading naming its speaker
    (`PeopleIndex.speaker_name`); None when no quote holds them (the question is then answered as any other)."""

    def allowed(found: list[tuple[str, int, float]]) -> list[tuple[Entry, int, float]]:
        return [(index.entries[d], i, s) for d, i, s in found if d not in exclude and allows(index.entries[d], filters)]

    hits = allowed([(d, i, 1.0) for d, i in index.said(phrase)]) or allowed(index.said_nearly(phrase))
    if not hits:
        return None
    hits.sort(key=lambda h: (-h[2], -h[0].ts, h[0].doc_id, h[1]))
    # One group per article and speaker, its sentences in article order: a phrase said three times in one article
    # is one heading, not three.
    by_speaker: dict[tuple[str, str], tuple[Entry, list[int], float]] = {}
    for entry, i, score in hits:
        by_speaker.setdefault((entry.doc_id, index.speaker_name(entry, i)), (entry, [], score))[1].append(i)
    groups = [(entry, sorted(positions), score) for entry, positions, score in by_speaker.values()]
    cut = groups[:shown] if shown else groups
    return grouped_answer(question, cut, fetch, len(groups) - len(cut), speakers=index.speaker_name)
