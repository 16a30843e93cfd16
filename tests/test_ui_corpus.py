"""ui/corpus.py: uploads stay in their folder under safe names; results per input; delete cleans up."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ui.corpus import Corpus, safe_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/Passwd report.txt", "Passwd_report.txt"),
        ("..\\..\\win.txt", "win.txt"),
        (".hidden.txt", "hidden.txt"),
        ("..", "upload"),
        ("", "upload"),
        ("###.txt", "upload.txt"),
        ("ü ñ.md", "ü_ñ.md"),
        ("news.jsonl.gz", "news.jsonl.gz"),
        ("con:t<>|.json", "con_t.json"),
        ("-rf .txt", "rf.txt"),
        ("a" * 300 + ".txt", "a" * 116 + ".txt"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


@pytest.fixture
def corpus(sample_index: Path, base_settings, embedder, tmp_path: Path) -> Corpus:
    from qa_app import QA

    shutil.copytree(sample_index, tmp_path / "index")
    settings = replace(base_settings, index_dir=tmp_path / "index", upload_dir=tmp_path / "up", max_file_bytes=10_000)
    return Corpus(QA(settings, embedder), settings)


def test_uploads_land_in_the_folder_and_delete_removes_them(corpus: Corpus, tmp_path: Path) -> None:
    src = tmp_path / "in" / "..evil name.txt"
    src.parent.mkdir()
    src.write_text("Quay Crane Arrives\n\nA new quay crane arrived at the port of Lowmouth on Tuesday.\n")
    outcome = corpus.ingest_file(str(src))
    assert outcome.ok and outcome.name == "evil_name.txt" and "added: evil_name.txt (1 passage)" in outcome.message
    assert [p.name for p in corpus.settings.upload_dir.iterdir()] == ["evil_name.txt"]
    assert "Quay Crane Arrives" in [row[0] for row in corpus.rows()]
    assert corpus.delete("evil_name.txt") == "Quay Crane Arrives"
    assert list(corpus.settings.upload_dir.iterdir()) == []
    assert "evil_name.txt" not in [row[-1] for row in corpus.rows()]


def test_an_upload_that_keeps_only_its_headline_says_so(corpus: Corpus, tmp_path: Path) -> None:
    src = tmp_path / "ad.json"
    src.write_text('{"title": "Walmart is slashing prices", "body": "1. How relevant is this ad to you?"}')
    outcome = corpus.ingest_file(str(src))
    assert outcome.ok
    note = "note: ad.json: only the headline kept, no article text left in its body"
    assert outcome.message == f"added: ad.json (1 passage); {note}"


def test_each_input_gets_a_result_with_its_reason(corpus: Corpus, tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("Big\n\n" + "word " * 3_000)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "empty.md").write_text("")
    outcomes = list(
        corpus.ingest(
            [str(tmp_path / n) for n in ("big.txt", "notes.pdf", "empty.md")], ["/etc/passwd", "ftp://x.example/a"]
        )
    )
    assert [o.ok for o in outcomes] == [False] * 5
    assert "over the 10,000-byte limit" in outcomes[0].message
    assert "unsupported file type" in outcomes[1].message
    assert "empty file" in outcomes[2].message
    assert all("not a URL" in o.message for o in outcomes[3:])
    assert sorted(p.name for p in corpus.settings.upload_dir.iterdir()) == ["empty.md"]


def test_reingest_reads_the_article_again(corpus: Corpus) -> None:
    [doc_id] = [row[-1] for row in corpus.rows()]
    outcome = corpus.reingest(doc_id)
    assert outcome.ok and outcome.message.startswith(f"unchanged: {doc_id}")
