"""Hybrid retrieval on a small real store: filters, the time prior, and the derived lexical index."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from qa_app.retrieve import Filters, Retriever, time_prior
from tests.conftest import SAMPLE, USER_ARTICLE

# Made-up articles: two outlets, two stories told twice at different dates.
RECORDS = [
    {
        "id": "harbor-2024-03",
        "title": "Harbor bridge reopens after repairs",
        "source": "Daily Planet",
        "published_at": "2024-03-10",
        "body": "The harbor bridge in Port Alden reopened on Sunday after eight months of repairs. "
        "Mayor Lena Ortiz said the repairs cost 41 million dollars.\n\n"
        '"Traffic will flow again," Ortiz said.',
    },
    {
        "id": "harbor-2024-09",
        "title": "Harbor bridge closes again for inspection",
        "source": "Daily Planet",
        "published_at": "2024-09-02",
        "body": "The harbor bridge in Port Alden closed again on Monday for an inspection of its cables. "
        "Mayor Lena Ortiz said the bridge would reopen within two weeks.",
    },
    {
        "id": "orchard-2024-05",
        "title": "Apple orchard wins regional prize",
        "source": "Valley Courier",
        "published_at": "2024-05-20",
        "body": "The Hill Creek apple orchard won the regional prize for its cider. "
        "Owner Tomas Berg said the dry summer made the apples sweeter.",
    },
]


def _ingest(settings, embedder, paths: list[str], *, replace: bool = False):
    from ingest.pipeline import Ingestor

    summary = Ingestor(settings, embedder).run(paths, replace=replace)
    assert not summary.failed, summary.to_json()
    return summary


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "local.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    return folder / "local.jsonl"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory, corpus: Path, base_settings, embedder) -> Retriever:
    from qa_app.store import Store

    settings = replace(
        base_settings,
        index_dir=tmp_path_factory.mktemp("retrieve") / "index",
        cache_dir=tmp_path_factory.mktemp("cache"),
    )
    _ingest(settings, embedder, [str(corpus), str(SAMPLE)])
    return Retriever(Store(settings, embedder), embedder)


def _ids(retriever: Retriever, question: str, filters: Filters | None = None, mode: str = "hybrid") -> list[str]:
    return [doc_id for doc_id, _ in retriever.retrieve(question, filters, mode=mode).articles]  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_each_signal_finds_the_article(retriever: Retriever, mode: str) -> None:
    assert _ids(retriever, "Which orchard won a prize for its cider?", mode=mode)[0] == "orchard-2024-05"
    assert _ids(retriever, "What did Rutte say about Russia?", mode=mode)[0] == USER_ARTICLE


def test_passages_belong_to_the_returned_articles(retriever: Retriever) -> None:
    found = retriever.retrieve("harbor bridge repairs cost")
    assert found.passages and {p.doc_id for p in found.passages} <= {d for d, _ in found.articles}
    assert found.passages[0].doc_id == found.articles[0][0]


@pytest.fixture(params=["ids then mask", "chroma where"])
def narrow(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Filtered dense search both ways: nearest ids kept by the mask, or Chroma's own `where`."""
    import qa_app.retrieve

    monkeypatch.setattr(qa_app.retrieve, "NARROW_FILTER", 0.0 if request.param == "ids then mask" else 1.1)


def test_source_filter(retriever: Retriever, narrow: None) -> None:
    ids = _ids(retriever, "harbor bridge", Filters(source="Valley Courier"))
    assert ids == ["orchard-2024-05"]  # dense still finds it; nothing of the other outlet
    assert set(_ids(retriever, "harbor bridge", Filters(source="daily planet"))) == {"harbor-2024-03", "harbor-2024-09"}
    assert _ids(retriever, "harbor bridge", Filters(source="No Such Outlet")) == []


def test_dense_scores_are_cosine_similarities_with_or_without_a_filter(
    retriever: Retriever, embedder, narrow: None
) -> None:
    """Filtered or not, a passage's dense score is the same: `1 - cosine distance`."""
    import numpy as np

    question = "How much did the harbor bridge repairs cost?"
    wide = Filters(date_from="2000-01-01")  # allows every dated passage: the same search, filtered
    unfiltered = {p.chunk.chunk_id: p.score for p in retriever.retrieve(question, mode="dense").passages}
    filtered = {p.chunk.chunk_id: p.score for p in retriever.retrieve(question, wide, mode="dense").passages}
    both = sorted(set(unfiltered) & set(filtered))
    assert both
    for cid in both:
        assert filtered[cid] == pytest.approx(unfiltered[cid], abs=1e-5)
    # The scale is the cosine similarity of the question and the stored passage vector.
    stored = retriever.store.chunks.get(ids=[both[0]], include=["embeddings"])  # inspects Chroma on purpose
    vector = np.asarray(stored["embeddings"][0])
    query = embedder.embed_query(question)
    cosine = float(vector @ query / (np.linalg.norm(vector) * np.linalg.norm(query)))
    assert unfiltered[both[0]] == pytest.approx(cosine, abs=1e-4)


@pytest.mark.parametrize(
    ("date_from", "date_to", "allowed"),
    [
        ("2024-03-10", "2024-03-10", {"harbor-2024-03"}),  # both ends inclusive
        ("2024-03-11", "2024-09-01", {"orchard-2024-05"}),
        ("2024-09-02", None, {"harbor-2024-09", USER_ARTICLE}),
        (None, "2024-03-09", set()),
    ],
)
def test_date_range_filter(
    retriever: Retriever, narrow: None, date_from: str | None, date_to: str | None, allowed: set
) -> None:
    ids = _ids(retriever, "harbor bridge orchard Rutte", Filters(date_from=date_from, date_to=date_to))
    assert set(ids) == allowed  # every article in the range, and nothing outside it


def test_as_of_prefers_the_article_published_shortly_before(retriever: Retriever) -> None:
    question = "What did Mayor Lena Ortiz say about the harbor bridge?"
    assert _ids(retriever, question, Filters(as_of="2024-03-12"))[0] == "harbor-2024-03"
    assert _ids(retriever, question, Filters(as_of="2024-09-05"))[0] == "harbor-2024-09"


def test_time_prior_is_soft() -> None:
    assert time_prior(100, 100) == 1.0
    assert 0 < time_prior(10, 100) < time_prior(90, 100) < 1.0
    assert time_prior(101, 100) == pytest.approx(0.1)  # after the date: down-weighted, not removed
    assert time_prior(-1, 100) == 1.0 and time_prior(50, None) == 1.0


def test_lexical_index_follows_the_store_generation(
    tmp_path: Path, corpus: Path, base_settings, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qa_app.lexical
    from qa_app.store import Store

    monkeypatch.setattr(qa_app.lexical, "CACHE_MIN_PASSAGES", 0)  # cache even this small store

    settings = replace(base_settings, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    _ingest(settings, embedder, [str(corpus)])
    retriever = Retriever(Store(settings, embedder), embedder)
    first = retriever.lexical
    retriever.retrieve("harbor bridge")
    assert retriever.lexical is first  # not rebuilt per query
    _ingest(settings, embedder, [str(SAMPLE)])  # another writer changes the store
    assert USER_ARTICLE in _ids(retriever, "Rutte sovereign country")
    assert retriever.lexical is not first
    # A new process with the same store loads the cached index instead of tokenizing again.
    retriever.wait_saved()
    again = Retriever(Store(settings, embedder), embedder)
    assert [c.chunk_id for c in again.lexical.chunks] == [c.chunk_id for c in retriever.lexical.chunks]
    assert list((tmp_path / "cache" / "lexical").iterdir())
    assert retriever.full_builds == 1 and again.full_builds == 0
    retriever.store.delete_article(USER_ARTICLE)
    retriever.store.bump()
    left = _ids(retriever, "Rutte sovereign country harbor bridge")
    assert left and USER_ARTICLE not in left
    # The store deleted and built again at the same place is a new store: its cache is not the old one's.
    from chromadb.api.shared_system_client import SharedSystemClient

    shutil.rmtree(settings.index_dir)
    SharedSystemClient.clear_system_cache()  # as a new process would find it
    _ingest(settings, embedder, [str(corpus)])
    rebuilt = Retriever(Store(settings, embedder), embedder)
    found = _ids(rebuilt, "Rutte sovereign country harbor bridge", mode="bm25")
    assert found and USER_ARTICLE not in found
    assert rebuilt.full_builds == 1


def test_works_against_a_chroma_server(store_settings, corpus: Path, embedder, tmp_path: Path) -> None:
    from qa_app.store import Store

    settings = replace(store_settings, cache_dir=tmp_path / "cache")
    _ingest(settings, embedder, [str(corpus)])
    retriever = Retriever(Store(settings, embedder), embedder)
    assert _ids(retriever, "cider prize", Filters(source="Valley Courier", as_of="2024-06-01"))[0] == "orchard-2024-05"


def test_lexical_index_scores_articles_and_their_best_passage() -> None:
    from qa_app.lexical import LexicalIndex, top_k
    from qa_app.records import ChunkRecord

    def chunk(doc: str, n: int) -> ChunkRecord:
        return ChunkRecord(f"{doc}:{n}", doc, "h", n, n * 100, n * 100 + 50, source="Outlet", published_ts=10)

    # Passages arrive interleaved; the index groups them by article.
    chunks = [chunk("a", 0), chunk("b", 0), chunk("a", 1)]
    texts = ["river flood warning", "apple harvest festival", "flood flood barrier built"]
    index = LexicalIndex.from_chunks(chunks, texts)
    assert index.doc_ids == ["a", "b"]
    scores = index.passage_scores("flood")
    best = index.per_article_max(scores)
    assert best[0] == scores.max() > 0 and best[1] == 0
    assert index.article_scores("apple harvest")[1] > index.article_scores("apple harvest")[0] == 0
    assert [index.chunks[i].chunk_id for i, _ in top_k(scores, 5)] == ["a:1", "a:0"]
    assert index.passage_scores("").sum() == 0 and index.idf("unseen") > index.idf("flood")


def test_lexical_cache_keeps_a_few_large_indexes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qa_app.lexical
    from qa_app.lexical import LexicalIndex
    from qa_app.records import ChunkRecord

    index = LexicalIndex.from_chunks([ChunkRecord("a:0", "a", "h", 0, 0, 5)], ["flood"])
    index.save(tmp_path / "small.pkl")
    assert not (tmp_path / "small.pkl").exists()  # a tiny index rebuilds faster than it loads
    monkeypatch.setattr(qa_app.lexical, "CACHE_MIN_PASSAGES", 0)
    for n in range(6):
        index.save(tmp_path / f"store{n}.pkl")
    assert len(list(tmp_path.glob("*.pkl"))) == qa_app.lexical.CACHE_KEEP
    loaded = LexicalIndex.load(tmp_path / "store5.pkl")
    assert loaded is not None and loaded.article_hashes() == {"a": "h"}
    assert LexicalIndex.load(tmp_path / "missing.pkl") is None
    (tmp_path / "store5.pkl").write_bytes(b"not a pickle")
    assert LexicalIndex.load(tmp_path / "store5.pkl") is None


def _write(folder: Path, name: str, records: list[dict]) -> str:
    path = folder / name
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return str(path)


def test_store_changes_update_the_lexical_index_without_a_full_build(
    tmp_path: Path, store_settings, corpus: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process adds, deletes and changes articles; the index follows by updates alone."""
    import qa_app.lexical
    from qa_app.store import Store

    monkeypatch.setattr(qa_app.lexical, "CACHE_MIN_PASSAGES", 0)
    settings = replace(store_settings, cache_dir=tmp_path / "cache")
    _ingest(settings, embedder, [str(corpus)])
    retriever = Retriever(Store(settings, embedder), embedder)
    assert _ids(retriever, "harbor bridge")[0].startswith("harbor")
    zeppelin = {
        "id": "zeppelin-2024-06",
        "title": "Airship returns to the valley",
        "source": "Valley Courier",
        "published_at": "2024-06-01",
        "body": "A zeppelin flew over Hill Creek on Saturday for the first time in fifty years.",
    }
    _ingest(settings, embedder, [_write(tmp_path, "new.jsonl", [zeppelin])])
    assert _ids(retriever, "zeppelin", mode="bm25") == ["zeppelin-2024-06"]

    Store(settings, embedder).delete_article("orchard-2024-05")
    Store(settings, embedder).bump()
    for mode in ("bm25", "hybrid", "dense"):
        found = _ids(retriever, "Which orchard won a prize for its cider? Hill Creek harbor", mode=mode)
        assert found and "orchard-2024-05" not in found
    lexical = retriever.lexical
    assert "harbor-2024-03" in lexical.doc_index and "orchard-2024-05" not in lexical.doc_index
    assert any(cid.startswith("harbor-2024-03:") for cid in lexical.position)
    assert not any(cid.startswith("orchard-2024-05:") for cid in lexical.position)

    changed = {
        **RECORDS[0],
        "body": RECORDS[0]["body"].replace('"Traffic will flow again," Ortiz said.', "A lighthouse was restored."),
    }
    assert _ids(retriever, "traffic flow", mode="bm25") == ["harbor-2024-03"]  # the old version's words
    # Another file now holds this record: a doc id stored from another origin is taken over only on request.
    _ingest(settings, embedder, [_write(tmp_path, "changed.jsonl", [changed])], replace=True)
    assert _ids(retriever, "lighthouse restored", mode="bm25") == ["harbor-2024-03"]
    assert _ids(retriever, "traffic flow", mode="bm25") == []  # gone with the old version
    found = retriever.retrieve("harbor bridge lighthouse traffic")
    version = retriever.store.get_article("harbor-2024-03").hash
    assert {p.chunk.hash for p in found.passages if p.doc_id == "harbor-2024-03"} == {version}
    assert retriever.full_builds == 1  # every change above was an update

    # A process started after one more change loads the index saved before it and updates it.
    retriever.wait_saved()
    glacier = {**zeppelin, "id": "glacier-2024-06", "title": "Glacier tours", "body": "The glacier tours reopened."}
    _ingest(settings, embedder, [_write(tmp_path, "more.jsonl", [glacier])])
    later = Retriever(Store(settings, embedder), embedder)
    assert set(_ids(later, "zeppelin glacier", mode="bm25")) == {"zeppelin-2024-06", "glacier-2024-06"}
    assert later.full_builds == 0
