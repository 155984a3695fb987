"""The one description of every source: who publishes it, where, in which format.

Each domain module defines its `Source` objects next to its parsers; `all_sources()` discovers
them, so this registry never has to be edited by hand.
"""

import importlib
import pkgutil
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sources.settings import BASE_URL_PREFIX, SNAPSHOT_DIR

OGDL = "Open Government Data License, Taiwan v1.0 (政府資料開放授權條款第1版)"

# What a source's numbers are, for auditors (marts.dim_source): the publisher's own file; a
# third party's table of official numbers (replaced when the official file arrives); figures
# typed from a printed or PDF table; or a fixture built in the publisher's format.
SOURCE_KINDS = ("publisher_file", "mirror_table", "transcription", "synthetic")

GITHUB_RAW = "https://raw.githubusercontent.com"
# The ntupsc/pscdata package's R data files (SEGIS and FIA mirror tables), by commit and file
PSCDATA_PATH = "/ntupsc/pscdata/{commit}/data/{file}"
SEGIS = "內政部統計處 社會經濟資料服務平台 (SEGIS)"


@dataclass(frozen=True)
class Snapshot:
    """A bundled copy of what the publisher serves at one URL (the URL's params)."""

    file: str
    params: Mapping[str, str] = field(default_factory=dict)
    synthetic: bool = False  # a fixture built in the publisher's format, not a real download


@dataclass(frozen=True)
class Source:
    id: str
    publisher: str
    dataset: str
    base_url: str  # scheme://host; HttpSettings.base_urls (TWRESAS_BASE_URL_<ID>) overrides it
    path: str  # path and query, with {placeholders} filled from params
    format: str  # json | csv | zip | px
    encoding: str
    cadence: str
    snapshots: tuple[Snapshot, ...] = ()
    kind: str = "publisher_file"  # one of SOURCE_KINDS
    licence: str = OGDL
    attribution: str = ""  # 「資料來源：<機關>」 as the licence asks
    notes: str = ""
    # Follow a redirect to another host (a publisher serving its files from a CDN); otherwise
    # such a redirect is refused, so a hijacked or misconfigured site cannot send us elsewhere.
    allow_other_host_redirect: bool = False

    def __post_init__(self):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.id):
            raise ValueError(f"source id must be snake_case: {self.id!r}")
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"source {self.id}: kind {self.kind!r} is not one of {SOURCE_KINDS}")

    @property
    def base_url_env(self) -> str:
        """The variable read_settings() takes this source's base URL from, if set."""
        return f"{BASE_URL_PREFIX}{self.id.upper()}"

    def url(self, base_url: str | None = None, **params) -> str:
        """The URL of one release at the publisher, or at `base_url` (a mirror, a test server:
        HttpSettings.url passes the one set for this source)."""
        return (base_url or self.base_url).rstrip("/") + self.path.format(**params)

    def snapshot_path(self, snapshot: Snapshot) -> Path:
        return SNAPSHOT_DIR / self.id / snapshot.file

    def snapshot_for(self, **params) -> Snapshot | None:
        wanted = {k: str(v) for k, v in params.items()}
        for snapshot in self.snapshots:
            if dict(snapshot.params) == wanted:
                return snapshot
        return None

    def snapshot_urls(self, base_url: str | None = None) -> dict[str, Snapshot]:
        """Prepared (percent-encoded) URL -> snapshot, as the snapshot adapter matches them."""
        return {prepared_url(self.url(base_url, **s.params)): s for s in self.snapshots}


def pscdata_source(*, id: str, publisher: str, dataset: str, commit: str, files: tuple[str, ...],
                   cadence: str, attribution: str, notes: str) -> Source:
    """A mirror table that reaches us as R data files (.rda, bzip2) of the ntupsc/pscdata
    package at one commit: the numbers are the publisher's, the files the package's."""
    return Source(
        id=id, publisher=publisher, dataset=dataset, base_url=GITHUB_RAW, path=PSCDATA_PATH,
        format="rda", encoding="binary", cadence=cadence, kind="mirror_table",
        attribution=attribution,
        snapshots=tuple(Snapshot(file, {"commit": commit, "file": file}) for file in files),
        notes=notes,
    )


def segis_source(*, id: str, dataset: str, commit: str, file: str, level: str,
                 notes: str) -> Source:
    """A SEGIS (內政部統計處 社會經濟資料服務平台) table of one release, as pscdata mirrors it
    (SEGIS serves its tables through an interactive platform, not as files)."""
    return pscdata_source(
        id=id, publisher=SEGIS, dataset=dataset, commit=commit, files=(file,),
        cadence="semiannual", attribution="資料來源：內政部統計處社會經濟資料服務平台",
        notes=f"SEGIS {level} statistics as an R data file of the ntupsc/pscdata package (MIT; "
        f"numbers as SEGIS published them, file theirs). {notes}",
    )


def prepared_url(url: str) -> str:
    return requests.Request("GET", url).prepare().url


def all_sources() -> dict[str, Source]:
    """Every `Source` defined at module level in the `sources` package."""
    import sources

    found: dict[str, Source] = {}
    for module_info in pkgutil.iter_modules(sources.__path__):
        module = importlib.import_module(f"sources.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, Source):
                if value.id in found and found[value.id] is not value:
                    raise ValueError(f"two sources share the id {value.id!r}")
                found[value.id] = value
    return dict(sorted(found.items()))
