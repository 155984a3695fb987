"""One way to fetch a source: a `requests` session with timeouts, retries and size limits,
in live mode against the publisher, in snapshot mode against the bundled files.

Both modes go through the same session and the same checks, so parsing cannot tell them apart.
"""

import io
import mimetypes
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.util.retry import Retry

from sources.catalog import Snapshot, Source, all_sources, prepared_url
from sources.errors import SourceError
from sources.landing import Landed, LandingZone, landing_root
from sources.settings import HttpSettings, read_settings

USER_AGENT = "TW-RESAS/0.1 (+regional statistics warehouse; open data ingest)"
RETRY_STATUSES = (429, 500, 502, 503, 504)


MAX_REDIRECTS = 10
RETRIED_BODY_LIMIT = 1024**2  # error pages; a longer body is landed cut at this size


@dataclass
class _Attempts:
    """What the retries of one fetch did: the answers retried (urllib3 otherwise discards
    them, fetch() lands them), and why retrying stopped early, if it did."""

    url: str
    retries: int
    deadline: float
    max_retry_seconds: float
    started: float = field(default_factory=time.monotonic)
    retried: list[tuple[int, bytes]] = field(default_factory=list)
    gave_up: str | None = None


_ATTEMPTS: ContextVar[_Attempts | None] = ContextVar("attempts", default=None)


class _KeepingRetry(Retry):
    """urllib3's Retry, keeping the status and body of each response it retries, saying on the
    console what it waits for, and giving up once the next wait would pass the URL's deadline."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None):
        # Raises when the retries are used up: the final response stays unread, for fetch().
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        attempts = _ATTEMPTS.get()
        if attempts is None:
            return retry
        wait = retry._next_wait(response)
        if time.monotonic() + wait > attempts.deadline:
            spent = time.monotonic() - attempts.started
            attempts.gave_up = (
                f"gave up retrying after {spent:.0f} s: the next wait of {wait:.0f} s would pass"
                f" TWRESAS_HTTP_MAX_RETRY_SECONDS={attempts.max_retry_seconds:g}"
            )
            cause = error or urllib3.exceptions.ResponseError(attempts.gave_up)
            raise urllib3.exceptions.MaxRetryError(_pool, url, cause)
        if response is not None:
            try:
                body = response.read(RETRIED_BODY_LIMIT)
            except (urllib3.exceptions.HTTPError, OSError):
                body = b""  # the manifest row still records the status
            attempts.retried.append((response.status, body))
        return retry

    def _next_wait(self, response) -> float:
        if self.respect_retry_after_header and response is not None:
            retry_after = self.get_retry_after(response)  # capped at retry_after_max
            if retry_after:
                return retry_after
        return self.get_backoff_time()

    def sleep(self, response=None) -> None:
        attempts = _ATTEMPTS.get()
        wait = self._next_wait(response)
        if attempts is not None and wait >= 1:
            print(f"  waiting {wait:.0f} s to retry {attempts.url}: {self._why(response)}"
                  f" (retry {len(self.history)} of {attempts.retries})", flush=True)
        super().sleep(response)

    def _why(self, response) -> str:
        if response is None:
            last = self.history[-1].error if self.history else None
            return f"{type(last).__name__}" if last else "no answer"
        why = f"HTTP {response.status}"
        asked = response.headers.get("Retry-After")
        if asked and self.respect_retry_after_header:
            parsed = Retry.parse_retry_after(self.new(retry_after_max=float("inf")), asked)
            why += f", Retry-After {asked.strip()}"
            if parsed > self.retry_after_max:
                why += f" capped at TWRESAS_HTTP_MAX_RETRY_AFTER={self.retry_after_max:g}"
        return why


class SnapshotAdapter(BaseAdapter):
    """Answers requests for known publisher URLs with the bundled bytes; 404 for anything else,
    so snapshot mode can never reach the network."""

    def __init__(self, snapshots: dict[str, tuple[Source, Snapshot]]):
        super().__init__()
        self.snapshots = snapshots

    def send(self, request, **kwargs):
        response = requests.Response()
        response.url = request.url
        response.request = request
        match = self.snapshots.get(request.url)
        if match is None:
            body, response.status_code = b"no bundled snapshot for this URL", 404
            response.headers["Content-Type"] = "text/plain"
        else:
            source, snapshot = match
            body, response.status_code = source.snapshot_path(snapshot).read_bytes(), 200
            guessed = mimetypes.guess_type(snapshot.file)[0] or "application/octet-stream"
            response.headers["Content-Type"] = guessed
        response.headers["Content-Length"] = str(len(body))
        # a urllib3 response, as HTTPAdapter gives: fetch() reads both modes the same way
        response.raw = urllib3.HTTPResponse(
            body=io.BytesIO(body), headers=dict(response.headers), status=response.status_code,
            preload_content=False,
        )
        response.reason = "OK" if response.status_code == 200 else "Not Found"
        return response

    def close(self):
        pass


def make_session(http: HttpSettings) -> requests.Session:
    """A session in `http.mode`: the snapshot adapter, or urllib3's retries within the limits."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    if http.mode == "snapshot":
        adapter = SnapshotAdapter(
            {
                url: (source, snapshot)
                for source in all_sources().values()
                for url, snapshot in source.snapshot_urls(http.base_urls.get(source.id)).items()
            }
        )
    else:
        retry = _KeepingRetry(
            total=http.retries,
            backoff_factor=http.backoff_factor,
            backoff_jitter=http.backoff_factor / 2,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD"}),
            respect_retry_after_header=True,
            retry_after_max=http.max_retry_after,
            raise_on_status=False,  # the final 5xx is reported by fetch() with its source
        )
        adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass
class Fetcher:
    """What the fetches of a run share: the HTTP settings, one requests session (its
    connections and retry policy) and the landing zone every body is kept in."""

    http: HttpSettings
    landing: LandingZone
    session: requests.Session

    @classmethod
    def create(cls, http: HttpSettings, landing: LandingZone) -> "Fetcher":
        return cls(http, landing, make_session(http))

    @classmethod
    def from_environment(cls) -> "Fetcher":
        """For plain-Python callers (tests, a notebook): the settings of the environment.
        Dagster assets are given theirs by the `http` and `warehouse` resources."""
        settings = read_settings()
        return cls.create(settings.http, LandingZone(landing_root(settings.home)))


def fetch(source: Source, *, fetcher: Fetcher | None = None, **params) -> Landed:
    """Retrieve one URL of `source`, keep the bytes in the landing zone, and check them.

    Raises SourceError naming the source, the URL and the problem; whatever bytes arrived are
    landed (with the problem in the manifest) before it raises.
    """
    fetcher = fetcher or Fetcher.from_environment()
    snapshot = source.snapshot_for(**params) if fetcher.http.mode == "snapshot" else None
    return fetch_url(source, fetcher.http.url(source, **params), expected=source.format,
                     fetcher=fetcher, synthetic=bool(snapshot and snapshot.synthetic))


def fetch_url(
    source: Source,
    url: str,
    *,
    expected: str,
    fetcher: Fetcher | None = None,
    synthetic: bool = False,
) -> Landed:
    """fetch() for a URL of the publisher that is not one of the source's releases (a list of
    releases, say), whose body is checked as `expected` (json, csv, zip, html...)."""
    fetcher = fetcher or Fetcher.from_environment()
    http, landing, mode = fetcher.http, fetcher.landing, fetcher.http.mode
    url = prepared_url(url)
    final_url = url
    received: list[bytes] = []
    status = None
    attempts = _Attempts(url, http.retries, time.monotonic() + http.max_retry_seconds,
                         http.max_retry_seconds)
    reset = _ATTEMPTS.set(attempts)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            with fetcher.session.get(final_url, timeout=(http.connect_timeout, http.read_timeout),
                             stream=True, allow_redirects=False) as response:
                status = response.status_code
                content_type = response.headers.get("Content-Type", "")
                refused = None
                if response.is_redirect:
                    target = prepared_url(urljoin(final_url, response.headers["Location"]))
                    refused = _refused_redirect(source, url, target)
                    if refused is None:
                        final_url = attempts.url = target
                        continue
                    # requests has read a redirect's body already (to release the socket)
                    received.append(response.content[: http.max_bytes])
                    size = missing = 0
                else:
                    size, missing = _read_body(response, received, http.max_bytes)
            break
        else:
            size = missing = 0
            refused = f"more than {MAX_REDIRECTS} redirects"
    except _TooLarge as exc:
        problem = f"response larger than the {exc.limit:,}-byte limit"
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        problem = f"request failed ({_innermost_cause(exc)})"
    else:
        body = b"".join(received)
        problem = refused or (
            f"body truncated: {size:,} bytes received, {missing:,} more announced by"
            " Content-Length" if missing else check_body(expected, status, content_type, body)
        )
    finally:
        _ATTEMPTS.reset(reset)
    if problem and attempts.gave_up and attempts.gave_up not in problem:
        problem = f"{problem}; {attempts.gave_up}"
    for retried_status, retried_body in attempts.retried:
        _land(landing, source, url, retried_body, http_status=retried_status, mode=mode,
              extension=expected, synthetic=synthetic, final_url=final_url,
              problem=f"HTTP {retried_status}, retried")
    landed = _land(landing, source, url, b"".join(received), http_status=status, mode=mode,
                   extension=expected, synthetic=synthetic, final_url=final_url, problem=problem)
    if problem:
        raise SourceError(source.id, url, problem)
    return landed


def fetch_pages(source: Source, parse_page, *, fetcher: Fetcher | None = None,
                **params) -> list[tuple[Landed, object]]:
    """Every page of a paged API, as (landed page, what `parse_page` made of it).

    `parse_page(bytes) -> (parsed, page count)`: the API announces its page count on every
    page, and pages 1, 2, ... are fetched up to the last count announced. A count that is not
    between 0 and TWRESAS_HTTP_MAX_PAGES is refused before any further request."""
    fetcher = fetcher or Fetcher.from_environment()
    pages = []
    page, total_pages = 1, 1
    while page <= total_pages:
        landed = fetch(source, fetcher=fetcher, page=page, **params)
        parsed, total_pages = parse_landed(landed, parse_page)
        if not 0 <= total_pages <= fetcher.http.max_pages:
            raise SourceError(
                source.id, f"{landed.url} landed as {landed.path}",
                f"implausible page count {total_pages:,} (more than"
                f" TWRESAS_HTTP_MAX_PAGES={fetcher.http.max_pages:,})" if total_pages > 0
                else f"implausible page count {total_pages}",
            )
        pages.append((landed, parsed))
        page += 1
    return pages


def _land(landing: LandingZone, source: Source, url: str, body: bytes, **row) -> Landed:
    """landing.store, its failure (a full disk) as the source's one-line error."""
    try:
        return landing.store(source.id, url, body, **row)
    except OSError as exc:
        raise SourceError(
            source.id, url, f"cannot land {len(body):,} bytes in {landing.root} ({exc})"
        ) from exc


def _refused_redirect(source: Source, url: str, target: str) -> str | None:
    """Why a redirect from `url` to `target` is not followed, or None to follow it."""
    if urlsplit(target).hostname == urlsplit(url).hostname or source.allow_other_host_redirect:
        return None
    return (f"redirected to another host ({target}); set allow_other_host_redirect on the"
            " source if the publisher moved")


def _read_body(response, received: list[bytes], max_bytes: int) -> tuple[int, int]:
    """Read the body into `received`; (bytes read, bytes still announced by Content-Length).

    Read from urllib3, not iter_content, which drops what has arrived when the body stops
    short of its Content-Length; read1 returns what has arrived, so the bytes received before
    a stall or a reset are landed too."""
    response.raw.enforce_content_length = False
    size = 0
    while chunk := response.raw.read1(1 << 16, decode_content=True):
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge(max_bytes)
        received.append(chunk)
    return size, response.raw.length_remaining or 0


def parse_landed(landed: Landed, parse, *args):
    """`parse(bytes, *args)` on what was landed. A parser knows only the body; its SourceError
    then names the URL and the landed file, so the one-line error says where to look."""
    try:
        return parse(landed.read_bytes(), *args)
    except SourceError as exc:
        if exc.location != "body":
            raise
        location = f"{landed.url} landed as {landed.path}"
        raise SourceError(exc.source_id, location, exc.problem) from exc


class _TooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit


def _innermost_cause(exc: Exception) -> str:
    """'ReadTimeoutError: Read timed out. (read timeout=2)', not the requests/urllib3 wrapping
    (ConnectionError of MaxRetryError of ...), which pushes the cause past any length limit."""
    while True:
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, Exception) and exc.args and isinstance(exc.args[-1], Exception):
            inner = exc.args[-1]
        if not isinstance(inner, Exception):
            break
        exc = inner
    text = _POOL_PREFIX.sub("", str(exc)).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:200] if text else 'no detail'}"


_POOL_PREFIX = re.compile(r"^\S*Connection(Pool)?\([^)]*\): ")


def check_body(expected: str, status: int, content_type: str, body: bytes) -> str | None:
    """Is this what the publisher serves in format `expected`? None if so, else the problem."""
    if status != 200:
        return f"HTTP {status}"
    if not body:
        return "empty body"
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if expected != "html" and (
        head.startswith((b"<!doctype html", b"<html", b"<?xml")) or "text/html" in content_type
    ):
        return f"got an HTML page where {expected.upper()} was expected"
    if expected == "json" and not head.startswith((b"{", b"[")):
        return "body is not JSON"
    if expected == "zip" and not body.startswith(b"PK"):
        return "body is not a zip archive"
    # R's save() writes RDX2/RDX3, compressed with gzip, bzip2 or xz
    if expected == "rda" and not body.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"RDX")):
        return "body is not an R data file"
    return None
