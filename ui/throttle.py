"""Login throttling: after repeated wrong passwords from one client address, refuse logins for a while.

Gradio's `auth` check sees only the user name and password, not who is asking, so this is an
ASGI middleware around the app (passed to `launch` through `app_kwargs`). It watches POST
`/login`: Gradio answers a wrong password with 400 and a right one with 200. After `limit`
failures within `window` seconds, every attempt from that address (right password or not) gets
HTTP 429 until `cooldown` seconds have passed; a successful login clears the address's record.
Attempts still in flight count against the limit, so a burst of parallel guesses gains nothing.
The address is the TCP peer's: behind a reverse proxy, throttle there too.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LIMIT, WINDOW, COOLDOWN = 5, 60.0, 60.0
MAX_CLIENTS = 10_000  # addresses remembered before the stale ones are forgotten


@dataclass
class _Client:
    failures: deque[float] = field(default_factory=deque)
    in_flight: int = 0
    blocked_until: float = 0.0


class LoginThrottle:
    """ASGI middleware refusing `/login` with 429 for a client address after too many failures.

    Example: Middleware(LoginThrottle, limit=5, window=60, cooldown=60) in FastAPI's `middleware`.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int = LIMIT,
        window: float = WINDOW,
        cooldown: float = COOLDOWN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limit = limit
        self.window = window
        self.cooldown = cooldown
        self.clock = clock
        self.clients: dict[str, _Client] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        # No await between the check and the reservation: the event loop cannot interleave them.
        wait = self._reserve(address)
        if wait is not None:
            await _refuse(send, wait)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            self._settle(address, status)

    def _reserve(self, address: str) -> float | None:
        """Count an attempt as in flight; the seconds to wait instead when the address is blocked."""
        now = self.clock()
        if len(self.clients) > MAX_CLIENTS:
            self._forget(now)
        client = self.clients.setdefault(address, _Client())
        while client.failures and client.failures[0] <= now - self.window:
            client.failures.popleft()
        if client.blocked_until > now:
            return client.blocked_until - now
        if len(client.failures) + client.in_flight >= self.limit:
            client.blocked_until = now + self.cooldown
            return self.cooldown
        client.in_flight += 1
        return None

    def _settle(self, address: str, status: int) -> None:
        client = self.clients.setdefault(address, _Client())
        client.in_flight = max(0, client.in_flight - 1)
        if 200 <= status < 300:
            client.failures.clear()
        elif 400 <= status < 500:  # wrong credentials (a server error is not the guesser's fault)
            client.failures.append(self.clock())

    def _forget(self, now: float) -> None:
        """Drop addresses with nothing recent, so a scan of many addresses cannot grow memory forever."""
        for address, client in list(self.clients.items()):
            recent = client.failures and client.failures[-1] > now - self.window
            if not recent and client.in_flight == 0 and client.blocked_until <= now:
                del self.clients[address]


async def _refuse(send: Send, wait: float) -> None:
    seconds = max(1, math.ceil(wait))
    detail = f"Too many failed logins from your address: try again in {seconds} s."
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(seconds).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
