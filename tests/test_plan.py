"""ingest/plan.py: a doc id stored from another file or URL is not taken over unless asked (`replace`,
`python -m ingest --replace`); the same file or URL read again is an update."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from ingest.plan import same_origin
from qa_app.audit import audit
from qa_app.store import Store
from tests.conftest import run_cli
from tests.test_load import write


@pytest.mark.parametrize(
    ("stored", "new", "same"),
    [
        ("/data/a.txt", "/data/a.txt", True),
        ("/data/a.txt", "/other/a.txt", False),
        ("https://x.org/a?utm_source=feed", "https://X.org/a/#top", True),
        ("https://x.org/a", "https://x.org/b", False),
        ("https://x.org/a", "/data/a", False),
    ],
)
def test_same_origin(stored: str, new: str, same: bool) -> None:
    assert same_origin(stored, new) is same


def test_a_doc_id_from_another_origin_fails_alone_unless_replace(base_settings, embedder, tmp_path: Path) -> None:
    settings = replace(base_settings, index_dir=tmp_path / "index")
    first, second = tmp_path / "first", tmp_path / "second"
    write(first / "a.txt", "Harbour Story Here\n\nThe harbour festival drew ten thousand visitors.\n")
    write(second / "a.txt", "School Story Here\n\nThe school board hired two teachers.\n")
    write(second / "b.txt", "Bridge Story Here\n\nThe old bridge reopened on Monday.\n")
    ingestor = Ingestor(settings, embedder)
    assert ingestor.run([str(first)]).added == ["a.txt"]

    summary = ingestor.run([str(second)])
    assert summary.added == ["b.txt"] and summary.updated == []
    [failure] = summary.failed
    origin_1, origin_2 = str((first / "a.txt").resolve()), str((second / "a.txt").resolve())
    assert failure.conflict and failure.source == origin_2
    assert failure.error == (
        f"doc id 'a.txt' already belongs to “Harbour Story Here” from {origin_1}; "
        f"not replaced by the one from {origin_2}"
    )
    store = Store(settings, embedder)
    assert store.get_article("a.txt").origin == origin_1
    assert "harbour festival" in store.get_article("a.txt").text

    write(first / "a.txt", "Harbour Story Here\n\nThe harbour festival drew twelve thousand visitors.\n")
    assert ingestor.run([str(first)]).updated == ["a.txt"]  # its own file again: an update

    replaced = ingestor.run([str(second)], replace=True)
    assert replaced.updated == ["a.txt"] and replaced.unchanged == ["b.txt"] and replaced.failed == []
    assert store.get_article("a.txt").origin == origin_2 and "school board" in store.get_article("a.txt").text
    assert audit(store) == []


def test_prune_keeps_an_article_whose_doc_id_was_refused(base_settings, embedder, tmp_path: Path) -> None:
    """The record moved to another file: refused (not a silent takeover), and prune does not delete the stored one."""
    settings = replace(base_settings, index_dir=tmp_path / "index")
    folder = tmp_path / "in"
    write(folder / "old.jsonl", json.dumps({"id": "x", "body": "The x council met on Monday."}))
    ingestor = Ingestor(settings, embedder)
    ingestor.run([str(folder)])
    (folder / "old.jsonl").unlink()
    write(folder / "new.jsonl", json.dumps({"id": "x", "body": "The x council met on Tuesday."}))
    summary = ingestor.run([str(folder)], prune=True)
    assert summary.removed == [] and [f.conflict for f in summary.failed] == [True]
    assert Store(settings, embedder).get_article("x").text == "The x council met on Monday."


def test_cli_refuses_a_taken_doc_id_then_replaces_it_with_the_flag(base_settings, embedder, tmp_path: Path) -> None:
    env = {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_CACHE_DIR": str(tmp_path / "cache")}
    write(tmp_path / "one" / "feed.jsonl", json.dumps({"id": "story-1", "body": "The harbour froze on Sunday."}))
    write(tmp_path / "two" / "wire.jsonl", json.dumps({"id": "story-1", "body": "The ferry sailed on Monday."}))
    assert run_cli("ingest", str(tmp_path / "one"), env=env).returncode == 0

    refused = run_cli("ingest", str(tmp_path / "two"), env=env)
    assert refused.returncode == 1
    assert "failed: 1" in refused.stdout and "already belongs to" in refused.stdout
    assert str(tmp_path / "one" / "feed.jsonl") in refused.stdout  # the operator's own paths, named in full
    assert "(run again with --replace to replace the stored articles with those doc ids)" in refused.stdout
    settings = replace(base_settings, index_dir=tmp_path / "index")
    assert Store(settings, embedder).get_article("story-1").text == "The harbour froze on Sunday."

    replaced = run_cli("ingest", str(tmp_path / "two"), "--replace", "--json", env=env)
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    summary = json.loads(replaced.stdout)
    assert summary["updated"] == ["story-1"] and summary["failed"] == []
    assert Store(settings, embedder).get_article("story-1").text == "The ferry sailed on Monday."
