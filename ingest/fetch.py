"""URLs: canonical form, and fetching a page safely (public addresses only, one deadline, size limit, redirects)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ingest.model import Failure
from qa_app.config import Settings

if TYPE_CHECKING:
    import httpx

    from ingest.guard import Allow, Deadline

MAX_REDIRECTS = 5
USER_AGENT = "qa-app-ingest/1.0 (+offline news QA)"
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


def is_url(value: str) -> bool:
    """Whether `value` is an http(s) URL; a scheme is case-insensitive ("HTTPS://Example.com")."""
    return value[:8].lower().startswith(("http://", "https://"))


def canonical_url(url: str) -> str:
    """A URL without fragment, tracking parameters or trailing slash; scheme and host lower-cased.

    Example: canonical_url("HTTPS://Example.com/a/?utm_source=x#top") -> "https://example.com/a"
    """
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), urlencode(query), ""))


@dataclass
class Fetched:
    """A downloaded page: its bytes, its content type (lower case, no parameters), where it ended."""

    data: bytes
    content_type: str
    final_url: str


def fetch(url: str, settings: Settings, *, allow: Allow | None = None) -> Fetched | Failure:
    """GET a page: at most 5 redirects, `url_timeout` seconds in all, `max_file_bytes`, public addresses only.

    Redirects are followed here, one hop at a time, and every connection of every hop is checked on the
    address it is made to (ingest/guard.py). `allow` replaces the address policy (tests allow one port);
    by default it is `settings.allow_private_urls`: public addresses only unless that is on.
    """
    import httpcore
    import httpx

    from ingest.guard import Deadline, GuardedTransport, Refused, anywhere, public_only

    deadline = Deadline(settings.url_timeout)
    policy = allow or (anywhere if settings.allow_private_urls else public_only)
    target = url
    try:
        with httpx.Client(
            transport=GuardedTransport(deadline, policy), timeout=settings.url_timeout, trust_env=False
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):  # the first request and up to 5 redirects
                if httpx.URL(target).scheme not in ("http", "https"):
                    return Failure(url, f"cannot fetch: {target.split(':')[0]} URLs are not supported", url)
                with client.stream("GET", target, headers={"User-Agent": USER_AGENT}) as response:
                    if not response.is_redirect:
                        return _read(response, url, settings.max_file_bytes, deadline)
                    target = str(response.url.join(response.headers["location"]))
            return Failure(url, f"more than {MAX_REDIRECTS} redirects", url)
    except Refused as exc:
        reason = f"{exc.host} is a private or local address (set QA_ALLOW_PRIVATE_URLS=1 to allow)"
        return Failure(url, f"refused: {reason}", url)
    except (httpx.TimeoutException, httpcore.TimeoutException):
        return Failure(url, f"timed out after {settings.url_timeout:g} s", url)
    except (httpx.HTTPError, httpx.InvalidURL, httpcore.NetworkError, httpcore.ProtocolError) as exc:
        return Failure(url, f"cannot fetch: {exc or type(exc).__name__}", url)


def _read(response: httpx.Response, url: str, limit: int, deadline: Deadline) -> Fetched | Failure:
    """The body of a final (non-redirect) response, within the size limit and the deadline."""
    import httpcore

    if response.status_code >= 400:
        return Failure(url, f"HTTP {response.status_code} {response.reason_phrase}".strip(), url)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return Failure(url, f"response is {int(declared):,} bytes, over the {limit:,}-byte limit", url)
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        # Every read ends by the deadline; a chunk decoded from bytes already buffered needs no read.
        if deadline.expired():
            raise httpcore.ReadTimeout("deadline passed")
        size += len(chunk)
        if size > limit:
            return Failure(url, f"response is over the {limit:,}-byte limit", url)
        chunks.append(chunk)
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return Fetched(b"".join(chunks), kind, str(response.url))
