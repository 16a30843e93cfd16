"""`python -m ingest`: read files, folders and URLs into the store."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from qa_app.errors import QAError

EXAMPLES = """examples:
  python -m ingest data/articles                # a folder, recursively
  python -m ingest news.jsonl.gz page.html https://example.com/story
  python -m ingest data/articles --prune        # also remove articles whose files are gone
  python -m ingest data/articles --json         # the summary as one JSON object
  python -m ingest data/articles --prune --dry-run  # what would change, without writing
  python -m ingest other/feed.jsonl --replace   # let its records take over doc ids stored from elsewhere

Supported: .txt .md .html/.htm .json .jsonl (each also .gz) and http(s) URLs.
URLs may point at this machine or the local network (loopback, private and link-local addresses):
this is the operator's own command line. The app refuses those unless QA_ALLOW_PRIVATE_URLS=1.
Re-ingest is by content hash: unchanged articles are skipped, changed ones replaced, the same
text under a second name is reported as a duplicate and stored once. On a terminal a progress
line shows articles/s and chunks/s. A killed ingest is finished by the next one.
A doc id already stored from another file or URL is not taken over (that article fails, the
rest goes in) unless --replace is given; the same file or URL read again is an update.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Ingest news articles into the Chroma store used by qa_app.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL", help="files, folders or http(s) URLs")
    parser.add_argument("--prune", action="store_true", help="remove stored articles whose file or record is gone")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--dry-run", action="store_true", help="only report what would change; write nothing")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace stored articles whose doc id another file or URL of these inputs also gives",
    )
    return parser


def _print_summary(summary: dict[str, object]) -> None:
    for key in ("added", "updated", "unchanged", "removed"):
        items = summary[key]
        assert isinstance(items, list)
        print(f"{key}: {len(items)}")
    duplicates = summary["duplicates"]
    assert isinstance(duplicates, list)
    if duplicates:
        print(f"duplicates: {len(duplicates)}")
        for d in duplicates:
            print(f"  {d['source']}: same text as {d['duplicate_of']}")
    failed = summary["failed"]
    assert isinstance(failed, list)
    print(f"failed: {len(failed)}")
    for f in failed:
        print(f"  {f['source']}: {f['error']}")
    if any(f.get("conflict") for f in failed):
        print("  (run again with --replace to replace the stored articles with those doc ids)")
    notes = summary["notes"]
    assert isinstance(notes, list)
    for n in notes:
        print(f"note: {n['source']}: {n['note']}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from ingest.pipeline import ingest
    from ingest.progress import progress_bar
    from qa_app.config import Settings

    try:
        settings = replace(Settings.from_env(), allow_private_urls=True)  # the operator's own machine
        if args.json or not sys.stdout.isatty():
            summary = ingest(args.inputs, settings, prune=args.prune, dry_run=args.dry_run, replace=args.replace)
        else:
            with progress_bar() as progress:
                summary = ingest(
                    args.inputs,
                    settings,
                    prune=args.prune,
                    progress=progress,
                    dry_run=args.dry_run,
                    replace=args.replace,
                )
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    data = summary.to_json()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        _print_summary(data)
    return 1 if summary.failed else 0
