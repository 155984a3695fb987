"""The raw landing zone: every body retrieved is kept, immutably, named by its content hash.

`landing/<source_id>/<sha256>.<ext>` holds the bytes (stored once however often they are
fetched); `landing/manifest.jsonl` gets one row per retrieval, accepted or rejected, so an
auditor can trace every published value back to the exact bytes it came from.
"""

import fcntl
import hashlib
import json
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sources.settings import read_settings


@dataclass(frozen=True)
class Landed:
    source_id: str
    url: str
    retrieved_at: str
    http_status: int | None
    bytes: int
    sha256: str | None
    mode: str
    path: str | None
    synthetic: bool
    accepted: bool
    problem: str | None
    final_url: str | None = None  # where the body came from, after redirects

    def read_bytes(self) -> bytes:
        if self.path is None:
            raise FileNotFoundError(f"nothing was landed for {self.source_id} [{self.url}]")
        return Path(self.path).read_bytes()


class DamagedManifestLine(UserWarning):
    """A manifest line that is not one JSON row (written by a version before whole-line
    appends, or edited by hand): reported and skipped, never a reason to stop reading."""


def landing_root(home: Path) -> Path:
    return home / "landing"


class LandingZone:
    def __init__(self, root: Path | None = None):
        """The zone under `root`; by default `landing/` of the environment's TWRESAS_HOME (a
        run is given its root by the `warehouse` resource)."""
        self.root = Path(root) if root else landing_root(read_settings().home)
        self.manifest_path = self.root / "manifest.jsonl"
        self.damaged_lines: list[int] = []  # line numbers the last manifest() read skipped

    def store(
        self,
        source_id: str,
        url: str,
        body: bytes | None,
        *,
        http_status: int | None,
        mode: str,
        extension: str,
        synthetic: bool = False,
        problem: str | None = None,
        final_url: str | None = None,
    ) -> Landed:
        """Keep `body` (if any bytes arrived) and append one manifest row describing it.

        Never a body without its row: when the row cannot be appended (a full disk), a body
        this call wrote is removed again before the OSError propagates."""
        path = sha = None
        created = False
        if body:
            sha = hashlib.sha256(body).hexdigest()
            path, created = self._write_once(source_id, sha, extension, body)
        landed = Landed(
            source_id=source_id,
            url=url,
            retrieved_at=datetime.now(UTC).isoformat(timespec="seconds"),
            http_status=http_status,
            bytes=len(body or b""),
            sha256=sha,
            mode=mode,
            path=str(path) if path else None,
            synthetic=synthetic,
            accepted=problem is None,
            problem=problem,
            final_url=final_url,
        )
        try:
            self._append_manifest(landed)
        except BaseException:
            if created:
                path.unlink(missing_ok=True)
            raise
        return landed

    def _write_once(self, source_id: str, sha: str, extension: str,
                    body: bytes) -> tuple[Path, bool]:
        """(path, whether this call created it). A failed write leaves no `.incoming-` file."""
        folder = self.root / source_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{sha}.{extension.lstrip('.')}"
        if path.exists():  # same content already kept: never rewrite it
            return path, False
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path, True

    def _append_manifest(self, landed: Landed) -> None:
        """Append the row as one whole line: one os.write under an exclusive lock; a write
        that fails or stops short (a full disk) is cut off again, so no half row is left for
        the next append to glue itself to."""
        self.root.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(asdict(landed), ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.manifest_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # concurrent runs append whole lines
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a line cut short by an older writer stays on its own
            try:
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(f"manifest row cut short: {written} of {len(line)} bytes "
                                  f"written to {self.manifest_path}")
                os.fsync(fd)
            except BaseException:
                os.ftruncate(fd, size)
                raise
        finally:
            os.close(fd)

    def remove_incomplete(self) -> list[Path]:
        """Remove the `.incoming-*` files of a writer that was killed mid-write (they have no
        manifest row and are not named by their hash). Only while no run is landing."""
        removed = sorted(self.root.glob("*/.incoming-*")) if self.root.is_dir() else []
        for path in removed:
            path.unlink(missing_ok=True)
        return removed

    def manifest(self) -> list[dict]:
        """Every row; a damaged line is skipped with a DamagedManifestLine warning naming it
        (its number is kept in `damaged_lines`), so one bad line never hides the others."""
        self.damaged_lines = []
        if not self.manifest_path.exists():
            return []
        rows = []
        with open(self.manifest_path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line.decode("utf-8"))
                    if not isinstance(row, dict):
                        raise ValueError("not a JSON object")
                except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
                    self.damaged_lines.append(number)
                    warnings.warn(f"{self.manifest_path}:{number}: damaged manifest line "
                                  f"skipped ({exc})", DamagedManifestLine, stacklevel=2)
                    continue
                rows.append(row)
        return rows
