"""The People tab's endpoints on the real app (served in-process on a free port), called through gradio_client.

The corpus is tests/test_ui_people.py's three articles; the one test goes through the endpoints in
order (list, search, quotes, show all, refusals, then an upload and a delete) on its own index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_app import serve, text_of
from tests.test_ui_people import SORENSEN, build_people_index

NO_FILTERS = ("All outlets", "", "", "")
CITED = r'<a class="qa-cite" href="#qa-cite:\d+:\d+:\d+:\w+:([^"]+)"'


@pytest.fixture
def people_app(base_settings, embedder, tmp_path: Path) -> Iterator[str]:
    index = build_people_index(tmp_path, base_settings, embedder)
    settings = replace(base_settings, index_dir=index, upload_dir=tmp_path / "uploads", speaker_articles=2)
    with serve(settings, embedder) as url:
        yield url


def _people(client, query: str = "", *filters: str) -> tuple[list[list], str]:
    table, note = client.predict(query, *(filters or NO_FILTERS), api_name="/people")
    assert table["headers"] == ["Name", "Quotes", "Articles", "Latest"]
    return table["data"], text_of(note)


def _quotes(client, name: str, about: str = "", api_name: str = "/person_quotes") -> str:
    """The quotes' HTML (the "Show all" button is no API output)."""
    return client.predict(name, about, *NO_FILTERS, api_name=api_name)


def test_people_endpoints_list_search_quote_and_stay_current(people_app: str, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    client = Client(people_app, verbose=False)
    rows, note = _people(client)
    assert rows[0][0] == SORENSEN and rows[0][2] == 3 and note == "3 people quoted"
    assert sorted(r[0] for r in rows[1:]) == ["Agnes Moller", "Tomás Ibáñez"]
    assert _people(client, "IBANEZ")[0] == [["Tomás Ibáñez", 1, 1, "2025-09-10"]]
    assert sorted(r[0] for r in _people(client, "", "Northern Post", "", "", "")[0]) == ["Agnes Moller", SORENSEN]

    shown = _quotes(client, SORENSEN)  # two articles of three (speaker_articles=2)
    assert '<a class="qa-cite" href="#qa-cite:1:' in shown
    assert len(set(re.findall(CITED, shown))) == 2
    everything = _quotes(client, SORENSEN, api_name="/person_quotes_all")
    assert set(re.findall(CITED, everything)) == {"library.md", "ferry.md", "budget.md"}
    for quote in ("The children were waiting", "Books should travel", "Every island deserves"):
        assert quote in text_of(everything)
    assert "qa-refusal" in _quotes(client, "Jonas Falk")

    with pytest.raises(AppError, match="The search is 101 characters long"):
        _people(client, "x" * 101)
    with pytest.raises(AppError, match="The name is 5,000 characters long"):
        _quotes(client, "x" * 5000)

    # An upload quoting someone new, then a delete: the next call sees each.
    story = tmp_path / "pier.md"
    story.write_text(
        "---\ntitle: Pier Repairs Begin\nsource: Coastal Gazette\ndate: 2025-09-20\n---\n\n# Pier Repairs Begin\n\n"
        'Work on the old pier started on Monday.\n\n"The pier will be ready by winter," said engineer Maren Holt.\n'
    )
    client.predict([handle_file(str(story))], "", api_name="/ingest")
    assert ["Maren Holt", 1, 1, "2025-09-20"] in _people(client)[0]
    client.predict("pier.md", api_name="/delete")
    assert "Maren Holt" not in [r[0] for r in _people(client)[0]]
