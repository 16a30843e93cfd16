"""Real servers on free loopback ports: `chroma run` and `python app.py`, stopped when done.

with chroma_server(tmp) as chroma_url, app_process({"QA_CHROMA_URL": chroma_url}, tmp / "app.log") as url:
    ...  # url is "http://127.0.0.1:<port>/"
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler for local test web servers: `send` writes a whole response; nothing is logged."""

    def send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def web_server(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[http.server.ThreadingHTTPServer]:
    """A threading HTTP server for `handler` on a free 127.0.0.1 port, shut down on exit."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]  # a client gave up
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 180.0) -> None:
    """Return once something listens on `port`; fail if `proc` exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.25)
    raise TimeoutError(f"nothing listened on {port} within {timeout:g} s")


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a child process, killing it if it does not exit within 20 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cli_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment without its QA_* variables, plus `env`: what a child process gets."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    full_env.update(env)
    return full_env


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """A `chroma run` server on a free loopback port, its data and log in `path`; yields its URL."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if chroma is None:
        raise RuntimeError("the chroma CLI (from the chromadb package) is not installed")
    port = free_port()
    with open(path / "chroma.log", "wb") as log:
        proc = subprocess.Popen(
            [chroma, "run", "--path", str(path / "chroma"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(proc)


@contextmanager
def app_with_process(env: dict[str, str], log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python app.py` with the given QA_* settings on a free port; yields its URL and its process."""
    port = free_port()
    full_env = cli_env({**env, "QA_PORT": str(port), "QA_HOST": "127.0.0.1", "GRADIO_ANALYTICS_ENABLED": "False"})
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(port, proc)
            yield f"http://127.0.0.1:{port}/", proc
        finally:
            stop_process(proc)


@contextmanager
def app_process(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`python app.py` with the given QA_* settings on a free port; yields its URL."""
    with app_with_process(env, log_path) as (url, _):
        yield url
