"""ui/corpus.py: uploads stay in their folder under safe names; results per input; failed uploads and
deleted articles leave no file; re-ingest reads only what the app stored."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import USER_ARTICLE
from ui.corpus import Corpus, safe_name, uploaded_file


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
    assert list(corpus.settings.upload_dir.iterdir()) == []  # the empty file's copy was removed again


def test_reingest_reads_an_upload_again_and_refuses_other_files(corpus: Corpus, tmp_path: Path) -> None:
    src = tmp_path / "crane.txt"
    src.write_text("Quay Crane Arrives\n\nA new quay crane arrived at the port of Lowmouth on Tuesday.\n")
    assert corpus.ingest_file(str(src)).ok
    outcome = corpus.reingest("crane.txt")
    assert outcome.ok and outcome.message.startswith("unchanged: crane.txt")

    refused = corpus.reingest(USER_ARTICLE)  # ingested by the CLI from the sample folder
    assert not refused.ok
    assert refused.message == f"{USER_ARTICLE} was not added through the app; re-ingest it with python -m ingest"

    (corpus.settings.upload_dir / "crane.txt").unlink()
    (corpus.settings.upload_dir / "crane.txt").symlink_to(src)  # a symlink is never read
    refused = corpus.reingest("crane.txt")
    assert not refused.ok
    assert refused.message == "its uploaded file crane.txt is not a regular file; upload it again"


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("{up}/a.txt", "{up}/a.txt"),
        ("{up}/../a.txt", None),
        ("{up}/sub/a.txt", None),
        ("{up}", None),
        ("a.txt", None),
        ("https://example.com/{up}/a.txt", None),
        ("/etc/passwd", None),
    ],
)
def test_uploaded_file_is_only_a_file_directly_in_the_folder(tmp_path: Path, origin: str, expected: str | None) -> None:
    up = tmp_path.resolve() / "up"
    found = uploaded_file(origin.format(up=up), up)
    assert found == (Path(expected.format(up=up)) if expected else None)


def test_a_failed_upload_under_an_earlier_ones_name_restores_it(corpus: Corpus, tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_text('{"id": "a", "body": "The a story."}\n{"id": "b", "body": "The b story."}')
    assert corpus.ingest_file(str(tmp_path / "feed.jsonl")).ok
    before = (corpus.settings.upload_dir / "feed.jsonl").read_bytes()
    (tmp_path / "feed.jsonl").write_text('{"id": "a", "body": ')
    outcome = corpus.ingest_file(str(tmp_path / "feed.jsonl"))
    assert not outcome.ok and "malformed JSON" in outcome.message
    assert [p.name for p in corpus.settings.upload_dir.iterdir()] == ["feed.jsonl"]  # no backup left either
    assert (corpus.settings.upload_dir / "feed.jsonl").read_bytes() == before
    assert corpus.reingest("b").message.startswith("unchanged: a, b")


@pytest.mark.parametrize(
    ("source", "name", "shown"),
    [
        ("http://127.0.0.1:22/", "http://127.0.0.1:22/", "failed: refused"),
        ("/srv/news/uploads/feed.jsonl#3", "feed.jsonl", "failed: refused (feed.jsonl#3)"),
        ("/srv/news/uploads/a.txt", "a.txt", "failed: refused"),
    ],
)
def test_a_failure_names_its_input_once_and_never_a_server_folder(source: str, name: str, shown: str) -> None:
    from ingest.model import Failure
    from ingest.pipeline import Summary
    from ui.corpus import describe

    ok, message = describe(Summary(failed=[Failure(source, "refused")]), name)
    assert not ok and message == shown
