"""The lexical index: bm25s's scores to the bit, and an index updated in place scoring like a fresh one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_app.lexical import Bm25, LexicalIndex
from qa_app.records import ChunkRecord

WORDS = ["flood", "river", "bridge", "harbor", "apple", "cider", "troop", "mayor"]
word_lists = st.lists(st.sampled_from(WORDS), max_size=12)


def bm25s_scores(docs: list[list[str]], query: list[str]) -> np.ndarray:
    """What bm25s (default parameters) scores, asked as the index asked it before it kept its own counts."""
    import bm25s
    from bm25s.tokenization import Tokenized

    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in docs]
    known = [vocab[t] for t in dict.fromkeys(query) if t in vocab]
    if not known:  # bm25s cannot index a corpus without a word
        return np.zeros(len(docs), dtype=np.float32)
    model = bm25s.BM25()
    model.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
    return np.asarray(model.get_scores(known), dtype=np.float32)


@settings(max_examples=200, deadline=None)
@given(docs=st.lists(word_lists, min_size=1, max_size=15), query=st.lists(st.sampled_from([*WORDS, "unseen"])))
def test_bm25_scores_like_bm25s(docs: list[list[str]], query: list[str]) -> None:
    vocab: dict[str, int] = {}
    bm25 = Bm25.of(docs, vocab)
    terms = [vocab[t] for t in dict.fromkeys(query) if t in vocab]
    np.testing.assert_array_equal(bm25.scores(terms), bm25s_scores(docs, query))


@settings(max_examples=100, deadline=None)
@given(
    docs=st.lists(word_lists, min_size=1, max_size=15),
    removed=st.sets(st.integers(0, 14)),
    added=st.lists(word_lists, max_size=5),
    query=st.lists(st.sampled_from(WORDS), min_size=1),
)
def test_bm25_with_rows_removed_and_added_scores_like_bm25s(
    docs: list[list[str]], removed: set[int], added: list[list[str]], query: list[str]
) -> None:
    vocab: dict[str, int] = {}
    gone = np.array(sorted(i for i in removed if i < len(docs)), dtype=np.int64)
    bm25 = Bm25.of(docs, vocab).updated(gone, added, vocab)
    kept = [doc for i, doc in enumerate(docs) if i not in set(gone.tolist())] + added
    terms = [vocab[t] for t in dict.fromkeys(query) if t in vocab]
    scores = bm25.scores(terms)
    assert not scores[gone].any()
    np.testing.assert_array_equal(scores[bm25.live], bm25s_scores(kept, query))
    np.testing.assert_array_equal(bm25.compacted().scores(terms), scores[bm25.live])


def article(doc_id: str, version: str, paragraphs: list[str]) -> tuple[list[ChunkRecord], list[str]]:
    """(chunks, texts) of an article's passages, as the store holds them."""
    title = f"{doc_id} news"
    chunks = [
        ChunkRecord(f"{doc_id}:{version}:{n}", doc_id, version, n, 100 * n, 100 * n + 50, title, "Outlet")
        for n in range(len(paragraphs))
    ]
    return chunks, paragraphs


def merged(*articles: tuple[list[ChunkRecord], list[str]]) -> tuple[list[ChunkRecord], list[str]]:
    chunks: list[ChunkRecord] = []
    texts: list[str] = []
    for a in articles:
        chunks += a[0]
        texts += a[1]
    return chunks, texts


def by_chunk(index: LexicalIndex, query: str) -> dict[str, float]:
    scores = index.passage_scores(query)
    return {c.chunk_id: float(scores[i]) for i, c in enumerate(index.chunks) if index.live[i]}


def by_article(index: LexicalIndex, query: str) -> dict[str, float]:
    scores = index.article_scores(query)
    return {d: float(scores[j]) for d, j in index.doc_index.items()}


STORIES = {
    "a": ["The river flood closed the harbor road.", "Flood barriers were built along the river."],
    "b": ["The apple harvest festival sold cider.", "Cider makers praised the dry summer."],
    "c": ["Troops crossed the bridge at dawn.", "The mayor thanked the troops."],
    "d": ["A new bridge over the river opened.", "The harbor mayor cut the ribbon.", "Traffic flowed."],
}
QUERIES = ["river flood", "cider apple harvest", "mayor bridge troops", "harbor", "unseen words", ""]


@given(
    first=st.lists(st.sampled_from(sorted(STORIES)), min_size=1, unique=True),
    removed=st.lists(st.sampled_from(sorted(STORIES)), unique=True),
    added=st.lists(st.sampled_from(sorted(STORIES)), unique=True),
    compact=st.booleans(),
)
@settings(max_examples=100, deadline=None)
def test_an_updated_index_scores_like_one_built_fresh(
    first: list[str], removed: list[str], added: list[str], compact: bool
) -> None:
    import qa_app.lexical

    # An article added is a new version (its last paragraph dropped), replacing any held one.
    new = {d: article(d, "v2", STORIES[d][:-1] or ["Corrected."]) for d in added}
    final = [article(d, "v1", STORIES[d]) for d in first if d not in removed and d not in added]
    fresh = LexicalIndex.from_chunks(*merged(*final, *new.values()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(qa_app.lexical, "COMPACT_SHARE", 0.0 if compact else 1.0)
        index = LexicalIndex.from_chunks(*merged(*(article(d, "v1", STORIES[d]) for d in first)))
        updated = index.updated(removed, [], []).updated(added, *merged(*new.values()))  # two store changes
    assert updated.article_hashes() == fresh.article_hashes()
    assert updated.n == fresh.n and set(updated.position) == set(fresh.position)
    for query in QUERIES:
        assert by_chunk(updated, query) == by_chunk(fresh, query)
        assert by_article(updated, query) == by_article(fresh, query)
        if query:
            assert updated.idf(query.split()[0]) == fresh.idf(query.split()[0])
    assert list(updated.doc_of[updated.doc_start]) == list(range(len(updated.doc_ids)))  # grouped by article
    assert all(updated.doc_ids[updated.doc_of[i]] == c.doc_id for i, c in enumerate(updated.chunks))


def test_removed_passages_are_dead_slots_until_a_compaction(monkeypatch) -> None:
    import qa_app.lexical

    index = LexicalIndex.from_chunks(*merged(*(article(d, "v1", STORIES[d]) for d in STORIES)))
    monkeypatch.setattr(qa_app.lexical, "COMPACT_SHARE", 1.0)
    kept = index.updated(["a"], [], [])
    assert len(kept.chunks) == len(index.chunks) and kept.n == index.n - 2
    assert not kept.live[:2].any() and "a" not in kept.doc_index and "a:v1:0" not in kept.position
    assert not kept.passage_scores("river flood")[:2].any() and not kept.article_scores("flood")[0]
    again = kept.updated([], *article("a", "v2", ["The flood receded."]))
    assert again.doc_ids == ["a", "b", "c", "d", "a"] and again.doc_index["a"] == 4
    assert again.article_scores("flood").argmax() == 4 and again.passage_scores("flood").argmax() == 9
    # A version removed, then the next one added by a later change: its slots follow the dead ones.
    twice = again.updated(["a"], [], []).updated([], *article("a", "v3", ["Flood again."]))
    assert twice.doc_ids[-2:] == ["a", "a"] and twice.doc_start[-1] == len(twice.chunks) - 1
    assert twice.per_article_max(twice.passage_scores("flood"))[-2:].tolist()[0] == 0
    assert twice.doc_index["a"] == 5 and twice.article_hashes()["a"] == "v3"
    monkeypatch.setattr(qa_app.lexical, "COMPACT_SHARE", 0.0)
    compacted = twice.updated(["b"], [], [])
    assert len(compacted.chunks) == compacted.n == 6 and compacted.live.all()
    assert compacted.doc_ids == ["c", "d", "a"] and compacted.article_hashes() == {"c": "v1", "d": "v1", "a": "v3"}
    assert index.n == 9 and index.live.all()  # the original is untouched
