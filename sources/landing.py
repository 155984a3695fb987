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
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sources import settings


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

    def read_bytes(self) -> bytes:
        if self.path is None:
            raise FileNotFoundError(f"nothing was landed for {self.source_id} [{self.url}]")
        return Path(self.path).read_bytes()


class LandingZone:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else settings.landing_dir()
        self.manifest_path = self.root / "manifest.jsonl"

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
    ) -> Landed:
        """Keep `body` (if any bytes arrived) and append one manifest row describing it."""
        path = sha = None
        if body:
            sha = hashlib.sha256(body).hexdigest()
            path = self._write_once(source_id, sha, extension, body)
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
        )
        self._append_manifest(landed)
        return landed

    def _write_once(self, source_id: str, sha: str, extension: str, body: bytes) -> Path:
        folder = self.root / source_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{sha}.{extension.lstrip('.')}"
        if path.exists():  # same content already kept: never rewrite it
            return path
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, path)
        return path

    def _append_manifest(self, landed: Landed) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(landed), ensure_ascii=False) + "\n"
        with open(self.manifest_path, "a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # concurrent runs append whole lines
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def manifest(self) -> list[dict]:
        if not self.manifest_path.exists():
            return []
        with open(self.manifest_path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
