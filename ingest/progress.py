"""A live progress line for terminals: articles and chunks done, and their rates per second."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Task
    from rich.text import Text

    from ingest.pipeline import Progress


def rates(articles: int, chunks: int, seconds: float) -> str:
    """The progress line's text.

    Example: rates(30, 120, 10.0) -> "30 articles (3.0/s), 120 chunks (12.0/s)"
    """
    per = 1.0 / seconds if seconds > 0 else 0.0
    return f"{articles:,} articles ({articles * per:.1f}/s), {chunks:,} chunks ({chunks * per:.1f}/s)"


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A `Progress` callback drawing a spinner, counts, rates and elapsed time; gone when done."""
    from rich.progress import Progress as RichProgress
    from rich.progress import ProgressColumn, SpinnerColumn, TimeElapsedColumn

    class Rates(ProgressColumn):
        def render(self, task: Task) -> Text:
            from rich.text import Text

            return Text(rates(int(task.completed), int(task.fields.get("chunks", 0)), task.elapsed or 0.0))

    with RichProgress(SpinnerColumn(), Rates(), TimeElapsedColumn(), transient=True, refresh_per_second=4) as bar:
        task = bar.add_task("ingest", total=None, chunks=0)

        def update(articles: int, chunks: int) -> None:
            bar.update(task, completed=articles, chunks=chunks)

        yield update
