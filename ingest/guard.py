"""Where a fetch may connect, and by when: public addresses only, every step within one deadline.

A server-side request forgery is a URL (or a redirect, or a DNS answer) that makes the app read a
service only it can reach: 127.0.0.1:6379, 169.254.169.254, an intranet page. The check therefore
sits where the connection is made, not on the URL: `GuardedBackend.connect_tcp` (httpcore's network
backend, through which every connection of every redirect hop goes) resolves the host once, checks
every address, and connects to a checked address itself, so a second DNS answer cannot differ.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpcore
import httpx

Allow = Callable[[str, int], bool]
"""Whether a fetch may connect to this IP address and port."""

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# getaddrinfo has no timeout of its own; in a thread, a stuck resolver costs that thread, not the deadline.
_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="qa-resolve")


class Refused(Exception):
    """A host that is (or resolves to) an address the policy refuses; `fetch` turns it into a `Failure`."""

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, compatible, 6to4, NAT64), if any.

    Example: _embedded_v4(IPv6Address("::ffff:127.0.0.1")) -> IPv4Address("127.0.0.1")
    """
    for v4 in (ip.ipv4_mapped, ip.sixtofour):
        if v4 is not None:
            return v4
    if int(ip) >> 32 == 0 and int(ip) > 1:  # ::a.b.c.d, the deprecated "compatible" form (not :: or ::1)
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local, unique-local,
    multicast, unspecified, CGNAT or reserved, nor an IPv6 form of such an IPv4 address.

    Example: is_public_address("8.8.8.8") -> True; is_public_address("::ffff:10.0.0.1") -> False
    """
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if (v4 := _embedded_v4(ip)) is not None:
            ip = v4
        elif ip.is_site_local:
            return False
    # is_global alone lets multicast through, and older Pythons differ on a few ranges: name them all.
    local = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
    return ip.is_global and not (local or ip.is_unspecified)


def public_only(address: str, port: int) -> bool:
    """The default policy: any port, public addresses only."""
    return is_public_address(address)


def anywhere(address: str, port: int) -> bool:
    """The policy with `allow_private_urls` on (an intranet, or the operator's own command line)."""
    return True


class Deadline:
    """The moment a whole fetch must be over; each connect, handshake, read and write gets what is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() >= self._end

    def cap(self, timeout: float | None, error: type[httpcore.TimeoutException]) -> float:
        """`timeout` cut to the time left; raises `error` when none is (a socket timeout of 0 would not block)."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise error(f"deadline of {self.seconds:g} s passed")
        return left if timeout is None else min(timeout, left)


def resolve(host: str, port: int, deadline: Deadline) -> list[str]:
    """The addresses of `host`, looked up once, within the deadline.

    Example: resolve("127.0.0.1", 80, deadline) -> ["127.0.0.1"] (an IP literal needs no lookup)
    """
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    lookup = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=deadline.cap(None, httpcore.ConnectTimeout))
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"looking up {host} timed out") from None
    except (OSError, UnicodeError):
        raise httpcore.ConnectError(f"unknown host {host}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.cap(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = self._deadline.cap(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sockets, opened only to addresses `allow` accepts, resolved once, within the deadline."""

    def __init__(self, deadline: Deadline, allow: Allow) -> None:
        self._deadline, self._allow, self._inner = deadline, allow, httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port, self._deadline)
        # One refused address refuses the name: which of them a connection would use is not ours to pick.
        if not addresses or not all(self._allow(address, port) for address in addresses):
            raise Refused(host)
        error: httpcore.ConnectError | None = None
        for address in addresses:  # the checked IP itself, never the name again
            try:
                cap = self._deadline.cap(timeout, httpcore.ConnectTimeout)
                stream = self._inner.connect_tcp(address, port, cap, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return DeadlineStream(stream, self._deadline)
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        raise Refused(path)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _Body(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool on `GuardedBackend` (httpx has no public way to pass a backend).

    httpcore's exceptions (and `Refused`) come through as they are: the one caller, `fetch`, handles them.
    """

    def __init__(self, deadline: Deadline, allow: Allow) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=GuardedBackend(deadline, allow)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.read(),
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core)
        return httpx.Response(
            response.status, headers=response.headers, stream=_Body(response), extensions=response.extensions
        )

    def close(self) -> None:
        self._pool.close()
