"""Hybrid retrieval: BM25 and dense signals fused per article, with a soft time prior.

Five signals rank the articles: BM25 of their best passage, of their first passage (the lede)
and of the whole article; the dense cosine similarity of their best passage and of the article's
mean passage vector (both from `Store.nearest`, on one scale: `1 - cosine distance`). Each is scaled by its
best score and the weighted sum (or reciprocal-rank fusion) is multiplied by the time prior,
`exp(-days/half-life)` past a few flat days, which prefers articles published shortly before the
"as of" date. A question that names a date ("in November 2022", "on Sept. 4", "in 2021", `qa_app.dates`)
prefers the articles published in or shortly after it and those with a passage that mentions it.
Passages for the answer are those of the top articles, each article's best first.
Only passages of an article's committed version are used. The weights were tuned on the dev
split of RealTime QA (`benchmarks/quality.py`) when unfiltered dense search still scored
`exp(-distance)` (llama-index's scale) and filtered search `1 - distance`; since one scale is used,
`dense_passage`, `dense_article` and `dense_floor` (and the answer's MIN_AGREEMENT, which reads the
fused scores) may want retuning.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from qa_app.dates import MONTH_WORDS, Period, named_periods
from qa_app.lexical import LexicalIndex, top_k
from qa_app.lexical_sync import LexicalSync
from qa_app.records import ChunkRecord, published_ts
from qa_app.store import Store, chunk_where
from qa_app.text import bm25_tokenizer, terms

if TYPE_CHECKING:
    from qa_app.embed import Embedder

Mode = Literal["hybrid", "bm25", "dense"]
# A filter allowing less than this share of passages is left to Chroma's `where` (hand-set in ac4f15e, not tuned).
NARROW_FILTER = 0.05
MAX_NEAREST = 3000  # cap on the nearest ids asked of Chroma in one query (hand-set in ac4f15e, not tuned)


@dataclass(frozen=True)
class Tuning:
    """The knobs of fusion and the time prior.

    The weights, `flat_days` and the fusion kind were chosen on RealTime QA dev (`benchmarks/quality.py`)
    in 0831163 and d6e20f5, when the unfiltered dense similarities were `exp(-distance)`; the
    others were set in 59d77be/0831163 and not tuned.
    """

    fusion: Literal["score", "rrf"] = "score"  # the default since 0831163, chosen on dev with the weights
    rrf_k: float = 60.0  # the usual RRF constant (Cormack et al. 2009), not tuned here
    bm25_passage: float = 0.5  # tuned in d6e20f5
    bm25_article: float = 1.0  # tuned in d6e20f5
    bm25_lead: float = 1.0  # tuned in d6e20f5; BM25 of the article's first passage: a news lede states the story
    dense_passage: float = 0.5  # tuned in d6e20f5, on the old mixed dense scale
    dense_article: float = 1.0  # tuned in d6e20f5, on the old mixed dense scale
    dense_floor: float = 0.0  # cosine below which dense evidence counts for nothing (0831163, hand-set, not tuned)
    half_life_days: float = 30.0  # hand-set in 59d77be, not tuned
    flat_days: float = 3.0  # no decay within this many days before "as of" (tuned in d6e20f5)
    after_as_of: float = 0.1  # weight of articles published after the "as of" date (hand-set in 59d77be, not tuned)
    candidates: int = 100  # nearest passages and articles asked of Chroma, and per signal for RRF (59d77be, not tuned)
    # A question naming a date (hand-set, not tuned; see `period_priors`): an article published up to `period_grace`
    # days after the period reports on it; one published outside it that mentions it weighs `period_mention`
    # (with "as of", the reverse: "as of" asks for the news of its days), one that does neither `period_off`.
    # The answer reads only the top articles whose prior is at least `period_focus` of the best's: a sentence of
    # June's rate hike would otherwise answer for November's, the two being worded alike.
    period_grace: float = 14.0
    period_mention: float = 0.7
    period_off: float = 0.3
    period_focus: float = 0.5


@dataclass(frozen=True)
class Filters:
    """Restrictions and preferences for one question."""

    source: str | None = None
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    as_of: str | None = None  # prefer articles published shortly before this date


@dataclass
class Passage:
    """A retrieved passage with its score."""

    chunk: ChunkRecord
    score: float

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id


@dataclass(frozen=True)
class _Scope:
    """What one question may see, over the lexical index it started with."""

    lexical: LexicalIndex
    passages: np.ndarray  # mask over passage slots
    articles: np.ndarray  # mask over article slots: those with an allowed passage


@dataclass
class Retrieval:
    """What a search found: articles best first (doc_id, score), and their best passages."""

    articles: list[tuple[str, float]] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # Per article, its fused score before the time prior over the weight of the signals that
    # found anything: 1.0 when every signal scores it best. Low means no article really matches.
    agreement: list[float] = field(default_factory=list)
    priors: list[float] = field(default_factory=list)  # per article, its time prior (1.0 without "as of")


def time_prior(
    published: int, as_of: int | None, half_life: float = 30.0, after: float = 0.1, flat: float = 0.0
) -> float:
    """Weight of an article published on day `published` for a question asked on day `as_of`.

    Example: time_prior(100, 100) -> 1.0; an article 30 days older weighs exp(-1)
    """
    return float(time_priors(np.array([published]), as_of, half_life, after, flat)[0])


class Retriever:
    """Ranks articles and passages for a question; `sync` keeps its lexical index in step with the store."""

    def __init__(self, store: Store, embedder: Embedder, tuning: Tuning | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.tuning = tuning or Tuning()
        self.sync = LexicalSync(store)

    # the lexical index (qa_app/lexical_sync.py) ------------------------------------------------
    @property
    def lexical(self) -> LexicalIndex:
        """The lexical index, brought in step with the store first."""
        return self.sync.lexical

    @property
    def full_builds(self) -> int:
        return self.sync.full_builds

    def refresh(self, force: bool = False) -> None:
        self.sync.refresh(force)

    def wait_saved(self) -> None:
        self.sync.wait_saved()

    def article_count(self) -> int:
        return len(self.lexical.doc_index)

    # filters -----------------------------------------------------------------
    def allowed(self, filters: Filters, lexical: LexicalIndex) -> np.ndarray:
        """Mask over `lexical`'s passages that pass `filters` (the index a question started with)."""
        mask = lexical.live.copy()  # slots of removed articles never come back
        if filters.source:
            wanted = filters.source.lower()
            mask &= lexical.sources == wanted
        if filters.date_from:
            mask &= lexical.published >= published_ts(filters.date_from)
        if filters.date_to:
            mask &= (lexical.published >= 0) & (lexical.published <= published_ts(filters.date_to))
        return mask

    # signals -----------------------------------------------------------------
    def dense(self, vector: np.ndarray, filters: Filters, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the `k` nearest passages that pass `filters` (Chroma's `where`)."""
        where = chunk_where(
            filters.source,
            published_ts(filters.date_from) if filters.date_from else None,
            published_ts(filters.date_to) if filters.date_to else None,
        )
        return self.store.nearest(vector, k, where=where)

    def _nearest(self, vector: np.ndarray, filters: Filters, k: int, share: float) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest passages for a question whose filters allow
        `share` of the passages; the caller's mask keeps the allowed ones.

        Chroma answers a `where` query by scanning (~80-300 ms at 48k passages), so unless the
        filter is very narrow, ask for enough nearest ids to hold ~k allowed ones instead. Both
        ways return the same similarity for the same passage (`Store.nearest`).
        """
        if not (filters.source or filters.date_from or filters.date_to) or share < NARROW_FILTER:
            return self.dense(vector, filters, k)
        # x1.5: a margin over the expected k allowed ids, as the allowed share is uneven along the
        # ranking (hand-set in ac4f15e, not tuned).
        wanted = min(int(k / share * 1.5), MAX_NEAREST)
        return self.store.nearest(vector, wanted)

    def dense_articles(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(doc_id, cosine similarity) of the articles whose mean passage vector is nearest.

        Filters are applied by the caller: the collection is small, so asking for more is cheaper
        than a `where` query.
        """
        return self.store.nearest(vector, k, articles=True)

    # search ------------------------------------------------------------------
    def retrieve(
        self,
        query: str,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        limit: int = 10,
        exclude: frozenset[str] = frozenset(),
    ) -> Retrieval:
        """The best `limit` articles for `query` and the best passages of the top ones.

        `exclude` hides articles by doc id (evaluation asks questions whose evidence is hidden).
        """
        filters = filters or Filters()
        t = self.tuning
        lexical = self.lexical
        if filters.source:  # outlets match in any case; Chroma needs the stored spelling
            filters = replace(filters, source=lexical.source_names.get(filters.source.lower(), filters.source))
        scope = self._scope(filters, lexical, exclude)
        if not scope.passages.any() or (mode == "bm25" and not bm25_tokenizer(query)):
            return Retrieval()
        signals: list[tuple[float, np.ndarray]] = []  # (weight, a score per article; 0 = no evidence)
        p_bm25 = p_dense = np.zeros(len(lexical.chunks), dtype=np.float32)
        if mode in ("hybrid", "bm25"):
            p_bm25 = self._bm25_passages(query, scope)
            signals.append((t.bm25_passage, lexical.per_article_max(p_bm25)))
            signals.append((t.bm25_lead, self._bm25_lede(p_bm25, scope)))
            signals.append((t.bm25_article, self._bm25_articles(query, scope)))
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            p_dense = self._dense_passages(vector, filters, scope)
            signals.append((t.dense_passage, lexical.per_article_max(p_dense)))
            signals.append((t.dense_article, self._dense_articles(vector, scope)))
        prior, dated = self.prior(query, filters, lexical)
        found = self._rank(signals, p_bm25, p_dense, scope, prior, limit)
        if dated:  # the answer reads only the top articles whose prior is at least `period_focus` of the best's
            best = max(found.priors, default=0.0)
            kept = {d for (d, _), p in zip(found.articles, found.priors, strict=True) if p >= t.period_focus * best}
            found.passages = [p for p in found.passages if p.doc_id in kept]
        return found

    def prior(self, query: str, filters: Filters, lexical: LexicalIndex) -> tuple[np.ndarray, bool]:
        """Each article's time prior, from "as of" and from the dates the question names; and whether it names one.

        A month without a year is its latest one up to "as of", or without it up to the latest article.
        The refusal reads this prior as it reads the "as of" one (`qa_app.answer.STALE_WEIGHT`): with
        "as of", an article of a period over by then weighs `period_mention` and must match closely.
        """
        t = self.tuning
        as_of = published_ts(filters.as_of) if filters.as_of else None
        prior = time_priors(lexical.doc_published, as_of, t.half_life_days, t.after_as_of, t.flat_days)
        today = as_of if as_of is not None else int(lexical.doc_published.max(initial=-1))
        periods = named_periods(query, today if today >= 0 else None)
        if not periods:
            return prior, False
        return np.max([period_priors(p, prior, as_of, lexical, t) for p in periods], axis=0), True

    def _scope(self, filters: Filters, lexical: LexicalIndex, exclude: frozenset[str]) -> _Scope:
        """The passages and articles a question may see: live, passing `filters`, not in `exclude`."""
        mask = self.allowed(filters, lexical)
        if exclude:
            hidden = [lexical.doc_index[d] for d in exclude if d in lexical.doc_index]
            mask &= ~np.isin(lexical.doc_of, hidden)
        articles = np.zeros(len(lexical.doc_ids), dtype=bool)
        articles[lexical.doc_of[mask]] = True
        return _Scope(lexical, mask, articles)

    # one method a signal: a score per passage (`_passages`) or per article slot, 0 = no evidence ---
    def _bm25_passages(self, query: str, scope: _Scope) -> np.ndarray:
        """BM25 of each allowed passage (title + passage)."""
        return np.where(scope.passages, scope.lexical.passage_scores(query), 0.0).astype(np.float32)

    def _bm25_lede(self, p_bm25: np.ndarray, scope: _Scope) -> np.ndarray:
        """BM25 of each article's first passage: a news lede states the story."""
        return p_bm25[scope.lexical.doc_start]

    def _bm25_articles(self, query: str, scope: _Scope) -> np.ndarray:
        """BM25 of each allowed article's whole text."""
        return np.where(scope.articles, scope.lexical.article_scores(query), 0.0)

    def _dense_passages(self, vector: np.ndarray, filters: Filters, scope: _Scope) -> np.ndarray:
        """Cosine similarity (less `dense_floor`) of the nearest allowed passages.

        One nearest-neighbour query: a second one kept to the weeks before "as of" found nothing
        more on RealTime QA dev and costs ~90 ms (Chroma filters by brute force).
        """
        t, lexical = self.tuning, scope.lexical
        p_dense = np.zeros(len(lexical.chunks), dtype=np.float32)
        for cid, sim in self._nearest(vector, filters, t.candidates, float(scope.passages.mean())):
            pos = lexical.position.get(cid)
            if pos is not None and scope.passages[pos]:  # not a stale version, and allowed
                # 1e-6: found by the dense search counts, however weakly (hand-set, not tuned)
                p_dense[pos] = max(p_dense[pos], sim - t.dense_floor, 1e-6)
        return p_dense

    def _dense_articles(self, vector: np.ndarray, scope: _Scope) -> np.ndarray:
        """Cosine similarity (less `dense_floor`) of the allowed articles' mean vectors nearest to the question."""
        t, lexical = self.tuning, scope.lexical
        a_dense = np.zeros(len(lexical.doc_ids), dtype=np.float32)
        # Enough nearest articles to hold ~`candidates` allowed ones.
        k = min(int(t.candidates / float(scope.articles.mean())), MAX_NEAREST, len(lexical.doc_ids))
        for doc_id, sim in self.dense_articles(vector, k):
            j = lexical.doc_index.get(doc_id)
            if j is not None and scope.articles[j]:
                a_dense[j] = max(sim - t.dense_floor, 1e-6)
        return a_dense

    # fusion, prior, passages -----------------------------------------------------------------
    def _rank(
        self,
        signals: list[tuple[float, np.ndarray]],
        p_bm25: np.ndarray,
        p_dense: np.ndarray,
        scope: _Scope,
        prior: np.ndarray,
        limit: int,
    ) -> Retrieval:
        """Fuse the signals, weigh by the time prior, and take the top articles with their passages."""
        lexical = scope.lexical
        agreement = self._fuse(signals, len(lexical.doc_ids))
        ranked = top_k(np.where(scope.articles, agreement * prior, 0.0), limit)
        total = sum(w for w, scores in signals if scores.any()) or 1.0  # of the signals that found anything
        return Retrieval(
            articles=[(lexical.doc_ids[j], score) for j, score in ranked],
            passages=self._passages([j for j, _ in ranked], p_bm25, p_dense, scope),
            agreement=[float(agreement[j]) / total for j, _ in ranked],
            priors=[float(prior[j]) for j, _ in ranked],
        )

    @staticmethod
    def _passages(ranked: list[int], p_bm25: np.ndarray, p_dense: np.ndarray, scope: _Scope) -> list[Passage]:
        """The allowed passages of the `ranked` article slots, each article's best first.

        A passage scores its BM25 over the best passage's plus its dense score (1e-9: no division
        by zero when BM25 found nothing).
        """
        lexical = scope.lexical
        p_score = p_bm25 / max(float(p_bm25.max()), 1e-9) + p_dense
        passages = []
        for j in ranked:
            first = int(lexical.doc_start[j])
            last = int(lexical.doc_start[j + 1]) if j + 1 < len(lexical.doc_ids) else len(lexical.chunks)
            own = sorted(range(first, last), key=lambda pos: -p_score[pos])
            passages += [Passage(lexical.chunks[pos], float(p_score[pos])) for pos in own if scope.passages[pos]]
        return passages

    def _fuse(self, signals: list[tuple[float, np.ndarray]], n_docs: int) -> np.ndarray:
        """Weighted sum of each signal's scores over its best (score fusion), or of 1/(k + rank) (RRF)."""
        t = self.tuning
        fused = np.zeros(n_docs, dtype=np.float64)
        for weight, scores in signals:
            if weight == 0 or not scores.any():
                continue
            if t.fusion == "rrf":
                for rank, (j, _) in enumerate(top_k(scores, t.candidates), start=1):
                    fused[j] += weight / (t.rrf_k + rank)
            else:
                fused += weight * scores / float(scores.max())
        return fused


def time_priors(published: np.ndarray, as_of: int | None, half_life: float, after: float, flat: float) -> np.ndarray:
    """`time_prior` for every article at once.

    Example: time_priors(np.array([100, 50, 101]), 100, 30, 0.1, 0) -> [1.0, exp(-50/30), 0.1]
    """
    if as_of is None:
        return np.ones(len(published))
    days = as_of - published
    prior = np.exp(-np.maximum(days - flat, 0) / half_life)
    prior = np.where(days < 0, after, prior)
    return np.where(published < 0, 1.0, prior)


def period_priors(period: Period, prior: np.ndarray, as_of: int | None, lexical: LexicalIndex, t: Tuning) -> np.ndarray:
    """Each article's weight for a question naming `period`, given its "as of" `prior`.

    Without "as of": 1.0 for an article published in the period or within `period_grace` days after
    it, `period_mention` for one with a passage that mentions it (`mentions`), `period_off` for the
    rest. "As of" asks for the news of its days, so an article of those days that mentions the period
    keeps its `prior`, one published in a period over by then weighs `period_mention` (more when
    `prior` says so), and the rest `period_off` times `prior`. A period not over by "as of" ("in 2022"
    asked in July 2022) changes nothing for the articles published in it: `prior` already prefers them.
    """
    published = lexical.doc_published
    within = published_in(period, published, t.period_grace)
    outside = np.where(mentions(period, lexical), 1.0 if as_of is not None else t.period_mention, t.period_off)
    if as_of is None:
        return np.where(within, 1.0, outside)
    over = as_of > period.last + t.period_grace
    # An article published after "as of" stays down-weighted, whatever period it falls in.
    return np.where(
        within & (published <= as_of), np.maximum(prior, t.period_mention) if over else prior, outside * prior
    )


def published_in(period: Period, published: np.ndarray, grace: float) -> np.ndarray:
    """Per article, whether it was published in `period` or within `grace` days after it.

    Example: published_in(Period(first=10, last=20), np.array([9, 10, 25, 40, -1]), 14) -> [F, T, T, F, F]
    """
    return (published >= period.first) & (published <= period.last + grace) & (published >= 0)


def mentions(period: Period, lexical: LexicalIndex) -> np.ndarray:
    """Per article, whether a passage names `period`: its year, or its month (and day) written in an
    article of the months around it or in a passage that also writes its year.

    Example: for November 2022, "in November" in an article of 2022-12-02, or "Nov. 2022" in one of 2024
    """
    n = len(lexical.chunks)

    def holding(words: list[str]) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        for word in words:
            mask[lexical.term_passages(word)] = True
        return mask

    year = holding([period.year]) if period.year else np.zeros(n, dtype=bool)
    if period.month is None:
        return lexical.per_article_max(year) if n else np.zeros(0, dtype=bool)
    found = holding(terms(" ".join(MONTH_WORDS[period.month])))
    if period.day is not None:
        found &= holding([str(period.day), f"{period.day}{_suffix(period.day)}"])
    # An article looking ahead to the month within the two months before it, or back on it within the year after
    # it began (hand-set, not tuned): "the Fourth of July" in a June article is this July's.
    recent = (lexical.published >= period.first - 61) & (lexical.published <= period.first + 366)
    found &= year | recent
    return lexical.per_article_max(found) if n else np.zeros(0, dtype=bool)


def _suffix(day: int) -> str:
    """The ordinal suffix of a day of the month.

    Example: _suffix(1) -> "st"; _suffix(12) -> "th"; _suffix(22) -> "nd"
    """
    if day % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
