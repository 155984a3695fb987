"""GX Data Docs that work offline.

GX's pages load jQuery, Bootstrap, bootstrap-table, Font Awesome and Vega from CDNs; without a
network the index is blank, because bootstrap-table draws its table of validation runs. The
same files, at the versions GX names, are vendored in `expectations/data_docs_vendor/` (taken
from the npm registry by `python -m expectations.data_docs`, with their licences and sha256 in
SOURCES.json), copied into the site, and every page GX writes is pointed at the copies.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent / "data_docs_vendor"
SITE_VENDOR = Path("static") / "vendor"  # inside the Data Docs site
DATA_DOCS_SITE = "local_site"  # GX's default site, under gx/uncommitted/data_docs/


def data_docs_index(gx_root: Path) -> Path:
    """The Data Docs of the GX project at `gx_root`, whose `gx/` folder (config, validation
    history, Data Docs) is output."""
    return gx_root / "gx" / "uncommitted" / "data_docs" / DATA_DOCS_SITE / "index.html"


@dataclass(frozen=True)
class Vendored:
    """An npm package whose files GX's pages load from a CDN."""

    package: str  # npm name@version: the version the CDN URL names
    urls: dict[str, str]  # CDN URL in GX's pages -> the same file in the package
    also: tuple[str, ...] = ()  # files those load in turn (fonts), and the licence
    licence_file: str | None = "LICENSE"

    @property
    def files(self) -> tuple[str, ...]:
        licence = (self.licence_file,) if self.licence_file else ()
        return (*self.urls.values(), *self.also, *licence)


_UNPKG_TABLE = "https://unpkg.com/bootstrap-table@1.19.1/dist/"
_FA_FONTS = tuple(f"webfonts/fa-{name}.woff2"
                  for name in ("brands-400", "regular-400", "solid-900", "v4compatibility"))

VENDORED = (
    Vendored("jquery@3.7.1", {"https://code.jquery.com/jquery-3.7.1.min.js":
                              "dist/jquery.min.js"}, licence_file="LICENSE.txt"),
    # the licence is in the file's header (the package ships no LICENSE)
    Vendored("popper.js@1.12.9", {"https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/"
                                  "popper.min.js": "dist/umd/popper.min.js"}, licence_file=None),
    Vendored("bootstrap@4.3.1", {
        "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
            "dist/css/bootstrap.min.css",
        "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
            "dist/js/bootstrap.min.js",
    }),
    Vendored("bootstrap-table@1.19.1", {
        f"{_UNPKG_TABLE}bootstrap-table.min.css": "dist/bootstrap-table.min.css",
        f"{_UNPKG_TABLE}bootstrap-table.min.js": "dist/bootstrap-table.min.js",
        f"{_UNPKG_TABLE}extensions/filter-control/bootstrap-table-filter-control.min.js":
            "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    }),
    # GX's pages name 1.19.0 for the filter control's style sheet
    Vendored("bootstrap-table@1.19.0", {
        f"https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/{name}":
            f"dist/extensions/filter-control/{name}"
        for name in ("bootstrap-table-filter-control.css",
                     "bootstrap-table-filter-control.min.css")
    }),
    Vendored("bootstrap-datepicker@1.9.0", {
        "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
        "bootstrap-datepicker.min.css": "dist/css/bootstrap-datepicker.min.css",
        "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
        "bootstrap-datepicker.min.js": "dist/js/bootstrap-datepicker.min.js",
    }),
    Vendored("@forevolve/bootstrap-dark@1.1.0", {
        "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
        "bootstrap-prefers-dark.css": "dist/css/bootstrap-prefers-dark.css"}),
    Vendored("@fortawesome/fontawesome-free@6.6.0", {
        "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
            "css/all.min.css"}, also=_FA_FONTS, licence_file="LICENSE.txt"),
    # the CDN serves the newest of the major version: these were the newest when vendored
    Vendored("vega@5.33.1", {"https://cdn.jsdelivr.net/npm/vega@5": "build/vega.min.js"},
             licence_file=None),
    Vendored("vega-lite@5.23.0", {"https://cdn.jsdelivr.net/npm/vega-lite@5":
                                  "build/vega-lite.min.js"}),
    Vendored("vega-embed@6.29.0", {"https://cdn.jsdelivr.net/npm/vega-embed@6":
                                   "build/vega-embed.min.js"}),
)

# GX's logo is loaded from its web-assets bucket (with the data context id as a query string);
# the site's own static/images has the light logo
_GX_ASSETS = re.compile(
    r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/[\w.-]+"
    r"(\?[^\"'\s)]*)?")
# loading a local file with CORS (crossorigin, which integrity needs) fails on file:// URLs;
# the vendored files are checked by their sha256 instead
_CORS_ATTRIBUTES = re.compile(r'\s+(integrity|crossorigin)="[^"]*"')


@dataclass
class OfflineSite:
    pages: list[Path] = field(default_factory=list)  # the pages rewritten


def make_offline(site: Path, written_since: float) -> OfflineSite:
    """Copy the vendored files into `site` and point the pages written since `written_since`
    (a time.time()) at them, with the index, which every validation rewrites."""
    _copy_vendored(site)
    done = OfflineSite()
    for page in _pages_written_since(site, written_since) | {site / "index.html"}:
        if page.exists() and _point_at_copies(page, site):
            done.pages.append(page)
    return done


def external_resources(html: str) -> list[str]:
    """URLs a page would load from the network (scripts, style sheets, images, CSS url())."""
    loaded = re.findall(r'<(?:script|img)\b[^>]*\ssrc="(https?://[^"]+)"', html)
    loaded += re.findall(r'<link\b[^>]*\shref="(https?://[^"]+)"', html)
    loaded += re.findall(r"url\(['\"]?(https?://[^'\")]+)", html)
    return loaded


def _copy_vendored(site: Path) -> None:
    target = site / SITE_VENDOR
    for source in VENDOR_DIR.rglob("*"):
        copy = target / source.relative_to(VENDOR_DIR)
        if source.is_file() and (not copy.exists()
                                 or copy.stat().st_size != source.stat().st_size):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)


def _pages_written_since(site: Path, since: float) -> set[Path]:
    pages = set()
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            if name.endswith(".html") and path.stat().st_mtime >= since:
                pages.add(path)
    return pages


def _point_at_copies(page: Path, site: Path) -> bool:
    html = page.read_text(encoding="utf-8")
    to_site = Path(os.path.relpath(site, page.parent))
    rewritten = html
    for vendored in VENDORED:
        for url, file in vendored.urls.items():
            local = (to_site / SITE_VENDOR / vendored.package / file).as_posix()
            rewritten = re.sub(rf'(["\']){re.escape(url)}\1',
                               lambda match, local=local: f"{match[1]}{local}{match[1]}", rewritten)
    logo = (to_site / "static" / "images" / "logo-long.png").as_posix()
    rewritten = _GX_ASSETS.sub(logo, rewritten)
    # GX climbs one folder short from a validation page to the favicon: every reference to
    # the site's static folder is made relative to the page's own depth
    rewritten = re.sub(r"""(["'])(?:\.\.?/)*static/""",
                       lambda match: f"{match[1]}{to_site.as_posix()}/static/", rewritten)
    rewritten = re.sub(r"<(script|link)\b[^>]*>",
                       lambda tag: _CORS_ATTRIBUTES.sub("", tag[0]), rewritten)
    if rewritten == html:
        return False
    page.write_text(rewritten, encoding="utf-8")
    return True


def vendor(destination: Path = VENDOR_DIR) -> None:
    """Take the files of VENDORED from the npm registry (`npm pack`), into `destination`, and
    record each file's package, licence and sha256 in SOURCES.json."""
    sources = []
    shutil.rmtree(destination, ignore_errors=True)
    with tempfile.TemporaryDirectory() as scratch:
        for vendored in VENDORED:
            packed = subprocess.run(
                ["npm", "pack", "--silent", "--pack-destination", scratch, vendored.package],
                check=True, capture_output=True, text=True).stdout.split()[-1]
            with tarfile.open(Path(scratch) / packed) as archive:
                manifest = json.load(archive.extractfile("package/package.json"))
                for file in vendored.files:
                    body = archive.extractfile(f"package/{file}").read()
                    copy = destination / vendored.package / file
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    copy.write_bytes(body)
                    sources.append({"package": vendored.package,
                                    "licence": manifest.get("license"), "file": file,
                                    "sha256": hashlib.sha256(body).hexdigest()})
    (destination / "SOURCES.json").write_text(json.dumps(sources, indent=1) + "\n")


if __name__ == "__main__":
    vendor()
    print(f"vendored {len(VENDORED)} packages into {VENDOR_DIR}", file=sys.stderr)
