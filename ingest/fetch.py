"""URLs: canonical form, and fetching a page with a real HTTP client (timeout, size limit, redirects)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ingest.model import Failure
from qa_app.config import Settings

MAX_REDIRECTS = 5
USER_AGENT = "qa-app-ingest/1.0 (+offline news QA)"
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


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


def fetch(url: str, settings: Settings) -> Fetched | Failure:
    """GET a page, following up to 5 redirects, within `url_timeout` and `max_file_bytes`."""
    import httpx

    limit = settings.max_file_bytes
    try:
        with (
            httpx.Client(follow_redirects=True, timeout=settings.url_timeout, max_redirects=MAX_REDIRECTS) as client,
            client.stream("GET", url, headers={"User-Agent": USER_AGENT}) as response,
        ):
            if response.status_code >= 400:
                return Failure(url, f"HTTP {response.status_code} {response.reason_phrase}".strip(), url)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return Failure(url, f"response is {int(declared):,} bytes, over the {limit:,}-byte limit", url)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    return Failure(url, f"response is over the {limit:,}-byte limit", url)
                chunks.append(chunk)
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            final = str(response.url)
    except httpx.TimeoutException:
        return Failure(url, f"timed out after {settings.url_timeout:g} s", url)
    except httpx.TooManyRedirects:
        return Failure(url, f"more than {MAX_REDIRECTS} redirects", url)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Failure(url, f"cannot fetch: {exc or type(exc).__name__}", url)
    return Fetched(b"".join(chunks), kind, final)
