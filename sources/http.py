"""One way to fetch a source: a `requests` session with timeouts, retries and size limits,
in live mode against the publisher, in snapshot mode against the bundled files.

Both modes go through the same session and the same checks, so parsing cannot tell them apart.
"""

import io
import mimetypes
import re
from contextvars import ContextVar
from dataclasses import dataclass

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.util.retry import Retry

from sources import settings
from sources.catalog import Snapshot, Source, all_sources, prepared_url
from sources.errors import SourceError
from sources.landing import Landed, LandingZone

USER_AGENT = "TW-RESAS/0.1 (+regional statistics warehouse; open data ingest)"
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float
    read_timeout: float
    retries: int
    backoff_factor: float
    max_bytes: int

    @classmethod
    def from_env(cls) -> "HttpSettings":
        return cls(
            connect_timeout=settings.env_float("TWRESAS_HTTP_CONNECT_TIMEOUT", 10),
            read_timeout=settings.env_float("TWRESAS_HTTP_READ_TIMEOUT", 60),
            retries=settings.env_int("TWRESAS_HTTP_RETRIES", 5),
            backoff_factor=settings.env_float("TWRESAS_HTTP_BACKOFF", 1.0),
            max_bytes=settings.env_int("TWRESAS_HTTP_MAX_BYTES", 2 * 1024**3),
        )


# The responses a fetch retried, collected for fetch() to land: urllib3 otherwise discards them.
_RETRIED: ContextVar[list[tuple[int, bytes]] | None] = ContextVar("retried", default=None)
RETRIED_BODY_LIMIT = 1024**2  # error pages; a longer body is landed cut at this size


class _KeepingRetry(Retry):
    """urllib3's Retry, keeping the status and body of each response it retries."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None):
        # Raises when the retries are used up: the final response stays unread, for fetch().
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        kept = _RETRIED.get()
        if response is not None and kept is not None:
            try:
                body = response.read(RETRIED_BODY_LIMIT)
            except (urllib3.exceptions.HTTPError, OSError):
                body = b""  # the manifest row still records the status
            kept.append((response.status, body))
        return retry


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


def make_session(mode: str | None = None, http: HttpSettings | None = None) -> requests.Session:
    mode = mode or settings.source_mode()
    http = http or HttpSettings.from_env()
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    if mode == "snapshot":
        adapter = SnapshotAdapter(
            {
                url: (source, snapshot)
                for source in all_sources().values()
                for url, snapshot in source.snapshot_urls().items()
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
            raise_on_status=False,  # the final 5xx is reported by fetch() with its source
        )
        adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def fetch(
    source: Source,
    *,
    landing: LandingZone | None = None,
    session: requests.Session | None = None,
    **params,
) -> Landed:
    """Retrieve one URL of `source`, keep the bytes in the landing zone, and check them.

    Raises SourceError naming the source, the URL and the problem; whatever bytes arrived are
    landed (with the problem in the manifest) before it raises.
    """
    mode = settings.source_mode()
    landing = landing or LandingZone()
    session = session or make_session(mode)
    http = HttpSettings.from_env()
    url = source.url(**params)
    snapshot = source.snapshot_for(**params) if mode == "snapshot" else None
    synthetic = bool(snapshot and snapshot.synthetic)
    received: list[bytes] = []
    status = None
    retried: list[tuple[int, bytes]] = []
    reset = _RETRIED.set(retried)
    try:
        with session.get(
            url, timeout=(http.connect_timeout, http.read_timeout), stream=True
        ) as response:
            status = response.status_code
            content_type = response.headers.get("Content-Type", "")
            # Read the body from urllib3, not iter_content, which drops what has arrived when
            # the body stops short of its Content-Length; read1 returns what has arrived, so
            # the bytes received before a stall or a reset are landed too.
            response.raw.enforce_content_length = False
            size = 0
            while chunk := response.raw.read1(1 << 16, decode_content=True):
                size += len(chunk)
                if size > http.max_bytes:
                    raise _TooLarge(http.max_bytes)
                received.append(chunk)
            missing = response.raw.length_remaining or 0
    except _TooLarge as exc:
        problem = f"response larger than the {exc.limit:,}-byte limit"
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        problem = f"request failed ({_innermost_cause(exc)})"
    else:
        body = b"".join(received)
        problem = (
            f"body truncated: {size:,} bytes received, {missing:,} more announced by"
            " Content-Length" if missing else check_body(source, status, content_type, body)
        )
    finally:
        _RETRIED.reset(reset)
    for retried_status, retried_body in retried:
        landing.store(source.id, prepared_url(url), retried_body, http_status=retried_status,
                      mode=mode, extension=source.format, synthetic=synthetic,
                      problem=f"HTTP {retried_status}, retried")
    body = b"".join(received)
    landed = landing.store(
        source.id,
        prepared_url(url),
        body,
        http_status=status,
        mode=mode,
        extension=source.format,
        synthetic=synthetic,
        problem=problem,
    )
    if problem:
        raise SourceError(source.id, prepared_url(url), problem)
    return landed


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


def check_body(source: Source, status: int, content_type: str, body: bytes) -> str | None:
    """Is this what the publisher serves for this source? None if so, else the problem."""
    if status != 200:
        return f"HTTP {status}"
    if not body:
        return "empty body"
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if source.format != "html" and (
        head.startswith((b"<!doctype html", b"<html", b"<?xml")) or "text/html" in content_type
    ):
        return f"got an HTML page where {source.format.upper()} was expected"
    if source.format == "json" and not head.startswith((b"{", b"[")):
        return "body is not JSON"
    if source.format == "zip" and not body.startswith(b"PK"):
        return "body is not a zip archive"
    # R's save() writes RDX2/RDX3, compressed with gzip, bzip2 or xz
    if source.format == "rda" and not body.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"RDX")):
        return "body is not an R data file"
    return None
