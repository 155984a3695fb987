"""One way to fetch a source: a `requests` session with timeouts, retries and size limits,
in live mode against the publisher, in snapshot mode against the bundled files.

Both modes go through the same session and the same checks, so parsing cannot tell them apart.
"""

import io
import mimetypes
from dataclasses import dataclass

import requests
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
        response.raw = io.BytesIO(body)
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
        retry = Retry(
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
    try:
        with session.get(
            url, timeout=(http.connect_timeout, http.read_timeout), stream=True
        ) as response:
            status = response.status_code
            content_type = response.headers.get("Content-Type", "")
            size = 0
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > http.max_bytes:
                    raise _TooLarge(http.max_bytes)
                received.append(chunk)
    except _TooLarge as exc:
        problem = f"response larger than the {exc.limit:,}-byte limit"
    except requests.RequestException as exc:
        problem = f"request failed ({type(exc).__name__}: {_first_line(exc)})"
    else:
        body = b"".join(received)
        problem = check_body(source, status, content_type, body)
    body = b"".join(received)
    landed = (landing or LandingZone()).store(
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


class _TooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else "no detail"


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
    return None
