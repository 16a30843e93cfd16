"""Extractive answers: verbatim sentences of the retrieved articles, each with its citation.

Two paths: "what did X say" answers with the quotes attributed to X at ingest; any other
question answers with the sentences that best cover its terms. Both refuse when the articles
do not hold the answer: a person the question names is absent, or too little of the question's
weight (idf) is covered by the best passages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qa_app.cite import Answer, Citation, refusal
from qa_app.conversation import _SPEAKER_Q
from qa_app.quotes import attribution, quote_open_after, speaker_matches
from qa_app.retrieve import Passage
from qa_app.sentences import split_sentences
from qa_app.store import ArticleRecord
from qa_app.text import QUESTION_WORDS, STOPWORDS, terms, words

MIN_COVERAGE = 0.5  # share of the question's idf weight the best passage must hold
MAX_SENTENCES = 3
MAX_QUOTES = 4
TOP_ARTICLES = 5
PASSAGES_PER_ARTICLE = 4
SECOND_SENTENCE = 0.8  # a further sentence must score this share of the best one
W_CONTEXT = 0.3  # sentence score: its own coverage + these shares of other evidence
W_RANK = 0.15
W_SUBJECT = 0.2
_SAY_WORDS = "say said tell told think thought warn claim argue mean write add declare insist suggest stress else"

_NUMBER = re.compile(r"\d")
_MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:{_MONTHS}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|\d{{4}})\b")
_PLACE = re.compile(r"\b(?:in|at|from|near)\s+(?:the\s+)?[A-Z]")
_NAME = re.compile(r"\b[A-Z][a-z][\w'’-]*\b")

Idf = Callable[[str], float]


@dataclass
class Sentence:
    doc_id: str
    start: int
    end: int
    score: float
    rank: int


def asked_speaker(question: str) -> str | None:
    """The person whose words are asked for.

    Example: asked_speaker("what did carpenter say") -> "carpenter"
    """
    m = _SPEAKER_Q.search(question)
    if not m:
        return None
    who = re.sub(r"^(?:the|a|an)\s+", "", m["who"].strip(), flags=re.I)
    return who if len(who.split()) <= 4 else None


def named_in_question(question: str) -> list[str]:
    """Proper names the question uses (capitalised words past its first), lower-cased."""
    found = []
    for m in _NAME.finditer(question):
        word = m.group().lower()
        if m.start() == 0 or word in QUESTION_WORDS or word in STOPWORDS:
            continue
        found.append(re.sub(r"['’]s$", "", word))
    return found


def coverage(question_terms: list[str], text_terms: set[str], idf: Idf) -> float:
    """Share of the question's idf weight present in a text.

    Example: coverage(["a", "b"], {"a"}, lambda t: 1.0) -> 0.5
    """
    total = sum(idf(t) for t in question_terms)
    return sum(idf(t) for t in question_terms if t in text_terms) / total if total else 0.0


def _type_bonus(question: str, sentence: str) -> float:
    q = question.lower()
    if re.search(r"\bhow (?:many|much|long|old|far)\b|\bwhat (?:percentage|number|amount)\b", q):
        return 0.3 if _NUMBER.search(sentence) else -0.2
    if q.startswith("when") or "what year" in q or "what date" in q:
        return 0.3 if _DATE.search(sentence) else -0.1
    if q.startswith("where"):
        return 0.3 if _PLACE.search(sentence) else -0.3
    if q.startswith(("who", "whom")):
        return 0.1 if len(_NAME.findall(sentence)) > 1 else 0.0
    return 0.0


def build_answer(
    question: str,
    groups: list[list[tuple[str, int, int]]],
    articles: dict[str, ArticleRecord],
    retrieved: list[tuple[str, float]],
) -> Answer:
    """An answer from groups of (doc_id, start, end) sentences, each sentence with its own marker."""
    citations: list[Citation] = []
    parts: list[str] = []
    seen: set[tuple[str, int, int]] = set()
    for group in groups:
        for doc_id, start, end in group:
            if (doc_id, start, end) in seen:
                continue
            seen.add((doc_id, start, end))
            article = articles[doc_id]
            quote = article.text[start:end]
            n = len(citations) + 1
            citations.append(
                Citation(n, doc_id, article.title, article.source, article.url, article.published, quote, start, end)
            )
            parts.append(f"{' '.join(quote.split())} [{n}]")
    if not citations:
        return refusal(retrieved, question)
    return Answer(" ".join(parts), citations, False, retrieved, question)


def _utterances(article: ArticleRecord, speaker: str) -> list[tuple[bool, list[tuple[int, int]]]]:
    """The speaker's quote sentences as runs (direct?, spans): adjacent sentences of one kind.

    A sentence is direct when it holds quotation marks or sits inside a quotation that goes on.
    """
    runs: list[tuple[bool, list[tuple[int, int]]]] = []
    open_quote = False
    previous_end = -1
    for q in article.quotes:
        if not speaker_matches(str(q["speaker"]), speaker):
            continue
        start, end = int(q["start"]), int(q["end"])
        sentence = article.text[start:end]
        adjacent = previous_end >= 0 and not article.text[previous_end:start].strip()
        direct = any(c in sentence for c in '"“”') or (adjacent and open_quote)
        if runs and adjacent and runs[-1][0] == direct:
            runs[-1][1].append((start, end))
        else:
            runs.append((direct, [(start, end)]))
        open_quote = quote_open_after(sentence, open_quote and adjacent)
        previous_end = end
    return runs


def answer_speaker(
    question: str, speaker: str, articles: dict[str, ArticleRecord], order: list[str], idf: Idf
) -> list[list[tuple[str, int, int]]]:
    """The words of `speaker` in the best article: direct quotes first, the ones on the question's topic first.

    A run of quote sentences is kept whole; runs in quotation marks come before reported speech
    ("Rutte insisted Russia would not have a veto"), which fills what room is left.
    """
    ignore = set(terms(speaker)) | set(terms(_SAY_WORDS))
    topic = [t for t in terms(question) if t not in ignore]
    found: list[tuple[float, int, int, str, list[tuple[int, int]]]] = []
    for rank, doc_id in enumerate(order):
        article = articles[doc_id]
        for direct, run in _utterances(article, speaker):
            start, end = run[0][0], run[-1][1]
            window = article.title + " " + article.text[max(0, start - 300) : end]
            score = coverage(topic, set(terms(window)), idf) if topic else 1.0
            found.append((score, int(direct), rank, doc_id, run))
    if not found:
        return []
    best = max(f[0] for f in found)
    if topic and best < MIN_COVERAGE / 2:
        return []  # the speaker is quoted, but not about this
    chosen = [f for f in found if f[0] >= best * 0.5] if best > 0 else found
    top_doc = min(chosen, key=lambda f: (f[2], -f[0]))[3]
    runs = sorted((f for f in chosen if f[3] == top_doc), key=lambda f: (-f[0], -f[1], f[4][0][0]))
    picked: list[tuple[int, int]] = []
    for run in (f[4] for f in runs):
        if picked and len(picked) + len(run) > MAX_QUOTES:
            continue
        picked += run
    picked.sort()
    return [[(top_doc, start, end) for start, end in picked[:MAX_QUOTES]]]


def _is_subject(sentence: str, names: list[str]) -> bool:
    """Whether the sentence is about one of `names`: it opens with it, or it is the speaker.

    Example: _is_subject("On Monday, Putin's aide said no.", ["putin"]) -> True
    """
    opening = re.sub(r"^[^,]{0,60},\s+", "", sentence[:200])  # "On Monday, Putin ..."
    heads = " ".join(words(sentence)[:3] + words(opening)[:3])
    speaker, _ = attribution(sentence)
    heads += " " + (speaker or "").lower()
    return any(re.search(rf"\b{re.escape(n)}\b", heads) for n in names)


def answer_terms(
    question: str, passages: list[Passage], articles: dict[str, ArticleRecord], idf: Idf
) -> tuple[list[list[tuple[str, int, int]]], float]:
    """The sentences of the top passages that best cover the question, best first, and the support.

    Support is the best share of the question's idf weight that one passage (with its title)
    holds: the refusal threshold applies to it.
    """
    q_terms = list(dict.fromkeys(terms(question)))
    if not q_terms:
        return [], 0.0
    names = named_in_question(question)
    article_rank = {d: r for r, d in enumerate(dict.fromkeys(p.doc_id for p in passages))}
    per_article: dict[str, int] = {}
    best_cover = 0.0
    candidates: list[Sentence] = []
    for passage in passages:
        rank = article_rank[passage.doc_id]
        article = articles.get(passage.doc_id)
        room = PASSAGES_PER_ARTICLE * (2 if rank == 0 else 1)  # the best article is read further
        if article is None or rank >= TOP_ARTICLES or per_article.get(passage.doc_id, 0) >= room:
            continue
        per_article[passage.doc_id] = per_article.get(passage.doc_id, 0) + 1
        context = set(terms(article.title + " " + article.text[passage.chunk.start : passage.chunk.end]))
        c_cover = coverage(q_terms, context, idf)
        best_cover = max(best_cover, c_cover)
        for start, end in split_sentences(article.text, passage.chunk.start, passage.chunk.end):
            sentence = article.text[start:end]
            if len(words(sentence)) < 4:
                continue
            s_cover = coverage(q_terms, set(terms(sentence)), idf)
            score = s_cover + W_CONTEXT * c_cover + W_RANK / (1 + rank) + _type_bonus(question, sentence)
            if names and _is_subject(sentence, names):
                score += W_SUBJECT
            candidates.append(Sentence(passage.doc_id, start, end, score, rank))
    if not candidates:
        return [], best_cover
    candidates.sort(key=lambda s: s.score, reverse=True)
    best = candidates[0]
    chosen = [best]
    for c in candidates[1:]:
        if len(chosen) >= MAX_SENTENCES or c.score < best.score * SECOND_SENTENCE:
            break
        if all((c.doc_id, c.start) != (o.doc_id, o.start) for o in chosen):
            chosen.append(c)
    return [[(c.doc_id, c.start, c.end)] for c in chosen], best_cover


def compose(
    question: str,
    passages: list[Passage],
    articles: dict[str, ArticleRecord],
    retrieved: list[tuple[str, float]],
    idf: Idf,
) -> Answer:
    """The extractive answer to `question`, or a refusal."""
    order = [doc_id for doc_id, _ in retrieved[:TOP_ARTICLES] if doc_id in articles]
    corpus_text = " ".join(articles[d].title + " " + articles[d].text for d in order).lower()
    names = named_in_question(question)
    if any(name not in corpus_text for name in names):
        return refusal(retrieved, question)
    speaker = asked_speaker(question)
    if speaker:
        groups = answer_speaker(question, speaker, articles, order, idf)
    else:
        groups, support = answer_terms(question, passages, articles, idf)
        if support < MIN_COVERAGE:
            return refusal(retrieved, question)
    return build_answer(question, groups, articles, retrieved)
