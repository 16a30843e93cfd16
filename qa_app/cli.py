"""`python -m qa_app`: ask questions, list and show the stored articles."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from qa_app.errors import QAError
from qa_app.vocab import parse_iso_date

EXAMPLES = """examples:
  python -m qa_app ask "What did Rutte say?"
  python -m qa_app ask "Where was he speaking?" --history turns.json
  python -m qa_app ask "What happened?" --source "RFE/RL" --as-of 2025-09-06 --json
  python -m qa_app ask --batch questions.jsonl --json > answers.jsonl
  python -m qa_app people --query rutte
  python -m qa_app quotes "Mark Rutte" --about Ukraine --all --json
  QA_LLM_URL=http://127.0.0.1:11434/v1 QA_LLM_MODEL=llama3.2 python -m qa_app ask "Why did Putin warn?"
  python -m qa_app docs
  python -m qa_app show rferl-2025-09-05-putin-warns-foreign-troops.txt --json
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qa_app",
        description="Answer questions about the ingested news articles, citing verbatim passages.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser(
        "ask", help="answer a question", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--history", type=Path, help="JSON file of earlier turns ([{role, content}, ...])")
    ask.add_argument(
        "--batch", type=Path, help="JSONL file of {question, history?, as_of?, source?, date_from?, date_to?}"
    )
    _filter_options(ask)
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    people = sub.add_parser(
        "people", help="list everyone quoted in the articles", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    people.add_argument("--query", default="", help="only names holding this (any case, accents or not)")
    quotes = sub.add_parser(
        "quotes", help="what one person said, by article", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    quotes.add_argument("name", help="the person (full name or surname)")
    quotes.add_argument("--about", help="only what they said on this topic")
    quotes.add_argument("--all", action="store_true", help="every article that quotes them, not only the first few")
    quotes.add_argument(
        "--exact", action="store_true",
        help="the name as `people` lists it, that person only (\"Biden\": the articles naming no Biden in full)",
    )  # fmt: skip
    for command in (people, quotes):
        _filter_options(command)
        command.add_argument("--json", action="store_true", help="print JSON")
    docs = sub.add_parser("docs", help="list the stored articles")
    docs.add_argument("--json", action="store_true", help="print a JSON list")
    show = sub.add_parser("show", help="show one stored article and its cleaned text")
    show.add_argument("doc_id")
    show.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", help="only articles from this outlet")
    parser.add_argument("--date-from", help="only articles published on or after this date (YYYY-MM-DD)")
    parser.add_argument("--date-to", help="only articles published on or before this date (YYYY-MM-DD)")
    parser.add_argument("--as-of", help="prefer articles published shortly before this date (YYYY-MM-DD)")


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QAError(f"{what} file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise QAError(f"{what} file {path} is not valid JSON: {exc}") from None


def _filters(spec: dict[str, Any]) -> Any:
    from qa_app.retrieve import Filters

    dates: dict[str, str | None] = {}
    for key in ("as_of", "date_from", "date_to"):
        value = spec.get(key)
        try:
            dates[key] = parse_iso_date(key.replace("_", "-"), str(value) if value else None)
        except ValueError as exc:
            raise QAError(str(exc)) from None
    return Filters(source=spec.get("source"), **dates)


def _read_batch(path: Path, settings: Any) -> list[tuple[str, list[Any] | None, Any]]:
    """(question, history, filters) of each line of a JSONL batch file; a bad line names itself."""
    from qa_app.qa import check_input

    if not path.is_file():
        raise QAError(f"batch file not found: {path}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise QAError(f"batch file {path} is not UTF-8 text") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QAError(f"{path}: line {number} is not valid JSON: {exc.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
            raise QAError(f"{path}: line {number} has no question")
        history = item.get("history")
        if history is not None and not isinstance(history, list):
            raise QAError(f"{path}: line {number}: history must be a list of turns")
        try:
            filters = _filters(item)
            check_input(item["question"], history, settings)
        except QAError as exc:
            raise QAError(f"{path}: line {number}: {exc}") from None
        items.append((item["question"], history, filters))
    return items


def _print_answer(answer: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    print(answer.text)
    if answer.notice:
        print(f"\nnote: {answer.notice}")
    if answer.removed:
        count = len(answer.removed)
        print(f"\n{count} sentence{'s' * (count != 1)} of the model's answer removed (not supported by the articles):")
        for r in answer.removed:
            print(f"    ({r.check}) {r.text}")
    by_article: dict[str, list[Any]] = {}
    for c in answer.citations:  # each article once, with the passages cited from it
        by_article.setdefault(c.doc_id, []).append(c)
    for cites in by_article.values():
        first = cites[0]
        meta = ", ".join(x for x in (first.source, first.published) if x)
        print(f"\n{' '.join(f'[{c.n}]' for c in cites)} {first.title}" + (f" ({meta})" if meta else ""))
        if first.url:
            print(f"    {first.url}")
        for c in cites:
            print(f"    [{c.n}] {c.quote}")  # verbatim, on a line of its own: quote marks of its own stay single
    if answer.more_articles:
        print(
            f"\n{answer.more_articles} more articles quote them (python -m qa_app quotes NAME --all shows every one)."
        )


def _ask(args: argparse.Namespace) -> None:
    from qa_app.config import Settings
    from qa_app.qa import QA, check_input

    settings = Settings.from_env()
    if args.batch:
        items = _read_batch(args.batch, settings)  # all lines checked before the models load
        qa = QA(settings)
        for question, history, filters in items:
            _print_answer(qa.ask(question, history, filters), True)
            sys.stdout.flush()
        return
    if not args.question or not args.question.strip():
        raise QAError("give a question, or --batch FILE")
    history = _read_json(args.history, "history") if args.history else None
    if history is not None and not isinstance(history, list):
        raise QAError(f"history file {args.history} must hold a JSON list of turns")
    filters = _filters(vars(args))
    check_input(args.question, history, settings)
    qa = QA(settings)
    _print_answer(qa.ask(args.question, history, filters), args.json)


def _people(args: argparse.Namespace) -> None:
    from qa_app.config import Settings
    from qa_app.qa import QA

    filters = _filters(vars(args))
    qa = QA(Settings.from_env())
    qa.store.require_articles()
    found = qa.people(args.query, filters)
    if args.json:
        print(json.dumps([p.to_dict() for p in found], ensure_ascii=False))
        return
    for p in found:
        quotes, articles = f"{p.quotes} quote{'s' * (p.quotes != 1)}", f"{p.articles} article{'s' * (p.articles != 1)}"
        print(f"{p.name}\t{quotes}\t{articles}\t{p.latest or '-'}")


def _quotes(args: argparse.Namespace) -> None:
    from qa_app.config import Settings
    from qa_app.qa import QA

    filters = _filters(vars(args))
    qa = QA(Settings.from_env())
    qa.store.require_articles()
    answer = qa.quotes(args.name, args.about, filters, all_articles=args.all, exact=args.exact)
    _print_answer(answer, args.json)


def _docs(args: argparse.Namespace) -> None:
    from qa_app.config import Settings
    from qa_app.qa import QA

    qa = QA(Settings.from_env())
    qa.store.require_articles()
    records = qa.docs()
    rows = [
        {
            "doc_id": r.doc_id,
            "title": r.title,
            "source": r.source,
            "published": r.published,
            "url": r.url,
            "chunks": r.chunks,
        }
        for r in records
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        print(
            f"{row['doc_id']}\t{row['published'] or '-'}\t{row['source'] or '-'}\t"
            f"{row['chunks']} chunks\t{row['title']}"
        )


def _show(args: argparse.Namespace) -> None:
    from qa_app.config import Settings
    from qa_app.qa import QA

    record = QA(Settings.from_env()).show(args.doc_id)
    data = {
        "doc_id": record.doc_id,
        "title": record.title,
        "source": record.source,
        "published": record.published,
        "url": record.url,
        "authors": record.authors,
        "chunks": record.chunks,
        "hash": record.hash,
        "quotes": record.quotes,
        "text": record.text,
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return
    print(record.title)
    print(", ".join(x for x in (record.source, record.published, ", ".join(record.authors)) if x))
    if record.url:
        print(record.url)
    print()
    print(record.text)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        {"ask": _ask, "people": _people, "quotes": _quotes, "docs": _docs, "show": _show}[args.command](args)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
