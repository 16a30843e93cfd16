"""A small OpenAI-compatible chat server on 127.0.0.1, for tests and benchmarks of `QA_LLM_URL`.

It serves `POST /v1/chat/completions` (streamed as server-sent events when `"stream": true`, else one
JSON reply) and `GET /v1/models` from an in-process transformers model (`qa_app.gguf.GGUFModel`),
so the HTTP path runs the same model as `QA_LLM_GGUF`. To test what the app does with a broken
endpoint, `mode="garbage"` answers every chat with a body no client can read, and `mode="nonsense"`
streams well-formed replies of text no passage supports (`NONSENSE`), without a model.

    python -m harness.llm_server --gguf model.gguf --port 8088   # then QA_LLM_URL=http://127.0.0.1:8088/v1
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from qa_app.gguf import GGUFModel

NONSENSE = "Zorblax 9000 ate the moon on Tuesday [1]. Qwv zzk plorp [7]. Ok"


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, model: GGUFModel | None, mode: str = "model") -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.model = model
        self.mode = mode
        self.requests: list[dict[str, Any]] = []  # what clients sent, for tests to inspect
        self.paths: list[str] = []  # every request's method and path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


def chunk(model: str, delta: dict[str, str], finish: str | None = None) -> bytes:
    """One server-sent event of a streamed chat completion."""
    body = {
        "id": "chatcmpl-local",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read what matters from `requests`
        pass

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.paths.append(f"GET {self.path}")
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "local", "object": "model", "owned_by": "harness"}]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        self.server.paths.append(f"POST {self.path}")
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server.requests.append(request)
        if self.server.mode == "garbage":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if request.get("stream") else "application/json")
            self.end_headers()
            self.wfile.write(b"data: {not json at all\n\n<html>502 Bad Gateway</html>\n")
            return
        pieces = iter(NONSENSE.split(" ")) if self.server.mode == "nonsense" else self._generate(request)
        if self.server.mode == "nonsense":
            pieces = (p if i == 0 else " " + p for i, p in enumerate(pieces))
        if request.get("stream"):
            self._stream(request.get("model", "local"), pieces)
        else:
            text = "".join(pieces)
            message = {"role": "assistant", "content": text}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            reply = {"id": "chatcmpl-local", "object": "chat.completion", "created": int(time.time())}
            self._json(200, reply | {"model": request.get("model", "local"), "choices": [choice]})

    def _generate(self, request: dict[str, Any]) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        assert self.server.model is not None
        model = self.server.model.model_copy(update={"max_tokens": int(request.get("max_tokens") or 200)})
        messages = [ChatMessage(role=m["role"], content=m["content"]) for m in request.get("messages", [])]
        return (r.delta or "" for r in model.stream_chat(messages))

    def _stream(self, model: str, pieces: Iterator[str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            self.wfile.write(chunk(model, {"role": "assistant", "content": ""}))
            for piece in pieces:
                self.wfile.write(chunk(model, {"content": piece}))
                self.wfile.flush()
            self.wfile.write(chunk(model, {}, "stop") + b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client left (its deadline passed)
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()  # stops the generation now rather than when the generator is collected


def start(model: GGUFModel | None, port: int = 0, mode: str = "model") -> Server:
    """A server on 127.0.0.1 (`port` 0: any free port) answering in a daemon thread; `.shutdown()` stops it."""
    server = Server(port, model, mode)
    threading.Thread(target=server.serve_forever, name="llm-server", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, required=True, help="the GGUF model file to serve")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "qa_app")
    parser.add_argument("--max-tokens", type=int, default=200)
    args = parser.parse_args(argv)
    server = Server(args.port, GGUFModel.from_file(args.gguf, args.cache_dir, args.max_tokens))
    print(f"serving {args.gguf.name} at {server.url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
