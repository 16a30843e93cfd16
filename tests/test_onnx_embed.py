"""The int8 ONNX embedder against the torch one: same vectors (nearly), order kept, exported once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa_app import onnx_embed
from qa_app.onnx_embed import OnnxEmbedding

SENTENCES = [
    "Hello",
    "The central bank raised interest rates by a quarter point on Wednesday.",
    "Wildfires forced thousands to flee their homes in northern California. 🔥🚒",
    "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen.",
    "In 2023, revenue rose 12.5% to $4.1bn (up from $3.6bn), the company said; shares fell 3%.",
    "  spaces,\ttabs and\nnew lines  ",
    # Far past 256 tokens: both backends must truncate the same way.
    "The committee met again to discuss the budget and the schedule for the new stadium. " * 40,
]


@pytest.fixture(scope="session")
def onnx_embedder(tmp_path_factory: pytest.TempPathFactory, base_settings):
    """The app's embedder with the ONNX backend, exported once into a temporary cache."""
    from qa_app.embed import load_embedder

    cache = tmp_path_factory.mktemp("qa-cache")
    return load_embedder(replace(base_settings, embed_backend="onnx", cache_dir=cache))


@pytest.fixture(scope="session")
def torch_embedder(base_settings):
    """The reference: the same model through sentence-transformers (torch), whatever the default backend."""
    from qa_app.embed import load_embedder

    reference = load_embedder(replace(base_settings, embed_backend="torch"))
    assert type(reference.model).__name__ == "HuggingFaceEmbedding"  # not the ONNX session again
    return reference


def test_vectors_match_torch_backend(onnx_embedder, torch_embedder) -> None:
    fast = onnx_embedder.embed_texts(SENTENCES)
    ref = torch_embedder.embed_texts(SENTENCES)
    assert fast.shape == (len(SENTENCES), 384)
    assert fast.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    cosines = (fast * ref).sum(axis=1)
    assert cosines.min() >= 0.98, dict(zip(SENTENCES, cosines.round(4), strict=True))


def test_query_vector_matches_torch_backend(onnx_embedder, torch_embedder) -> None:
    question = "When will the bridge reopen?"
    assert float(onnx_embedder.embed_query(question) @ torch_embedder.embed_query(question)) >= 0.98


def test_order_is_kept_when_lengths_differ(onnx_embedder) -> None:
    texts = [SENTENCES[i] for i in (6, 0, 4, 1, 5, 2, 3)]
    batch = onnx_embedder.embed_texts(texts)
    # The same texts in another order form the same length-sorted batch: the same vectors exactly.
    np.testing.assert_allclose(onnx_embedder.embed_texts(texts[::-1]), batch[::-1], atol=1e-6)
    one_by_one = np.stack([onnx_embedder.embed_query(t) for t in texts])
    similarity = batch @ one_by_one.T
    # Each row is its own text's vector; not bit-equal, since int8 activations are scaled per batch.
    assert (similarity.argmax(axis=1) == np.arange(len(texts))).all()
    assert np.diag(similarity).min() >= 0.97


def test_empty_input(onnx_embedder) -> None:
    assert onnx_embedder.model.embed([]).shape == (0, 384)
    assert onnx_embedder.embed_texts([]).shape == (0, 384)


def test_query_ranks_the_matching_passage_first(onnx_embedder) -> None:
    passages = [
        "The striker scored twice as United beat City 3-1 in the derby on Saturday.",
        "Simmer the tomatoes with garlic and olive oil for twenty minutes, then add basil.",
        "The harbor bridge in Port Alden reopened on Sunday after eight months of repairs.",
    ]
    vectors = onnx_embedder.embed_texts(passages)
    scores = vectors @ onnx_embedder.embed_query("Who won the football match?")
    assert scores.argmax() == 0
    scores = vectors @ onnx_embedder.embed_query("How long should I cook the tomato sauce?")
    assert scores.argmax() == 1


def test_second_load_reuses_the_cached_model(onnx_embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    model = onnx_embedder.model.model_file
    cache_dir = model.parents[2]
    assert model == onnx_embed.cached_model_path(onnx_embedder.model_path, cache_dir)
    stamp = model.stat().st_mtime_ns

    def no_export(*args: object) -> None:
        raise AssertionError("exported again instead of using the cache")

    monkeypatch.setattr(onnx_embed, "export_fp32", no_export)
    again = OnnxEmbedding.from_model_dir(onnx_embedder.model_path, cache_dir, onnx_embedder.tokenizer)
    assert again.model_file == model
    assert model.stat().st_mtime_ns == stamp
    assert [p.name for p in model.parent.iterdir()] == ["model.onnx"]  # no temporary files left
    np.testing.assert_allclose(again.embed(SENTENCES[:3]), onnx_embedder.model.embed(SENTENCES[:3]), atol=1e-6)


def test_failed_export_leaves_no_file(tmp_path: Path, onnx_embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_written(src: Path, out: Path) -> None:
        out.write_bytes(b"not a model")
        raise OSError("disk full")

    monkeypatch.setattr(onnx_embed, "export_fp32", lambda model_dir, out: out.write_bytes(b"fp32"))
    monkeypatch.setattr(onnx_embed, "quantize_int8", half_written)
    with pytest.raises(OSError, match="disk full"):
        onnx_embed.ensure_model(onnx_embedder.model_path, tmp_path)
    model = onnx_embed.cached_model_path(onnx_embedder.model_path, tmp_path)
    assert not model.exists()
    assert list(model.parent.iterdir()) == []
