"""Reading publishers' zip archives without trusting them.

A landed zip is untrusted input: its member names may climb out of the extraction directory
(zip slip), its sizes may hide a decompression bomb, and a cut-off download is a truncated
archive. Every such problem becomes a SourceError naming the source, the archive and the member.
"""

import io
import os
import re
import shutil
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from sources.errors import SourceError

Archive = bytes | str | Path

_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_members(
    archive: Archive, *, source_id: str, max_total_bytes: int, max_ratio: float
) -> list[zipfile.ZipInfo]:
    """The archive's file entries, after refusing the whole archive if any entry is unsafe.

    Unsafe: an absolute path, a drive letter, a `..` component (with / or \\ as separator),
    an entry that expands more than `max_ratio` times its compressed size, or entries that
    together expand beyond `max_total_bytes`.
    """
    location = _location(archive)
    with _open(archive, source_id) as zf:
        members = [info for info in zf.infolist() if not info.is_dir()]
    total = 0
    for info in members:
        problem = _unsafe_name(info.filename)
        if problem:
            raise SourceError(source_id, f"{location}:{info.filename}", problem)
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > max_ratio:
            raise SourceError(
                source_id,
                f"{location}:{info.filename}",
                f"entry expands {ratio:,.0f}x (limit {max_ratio:,.0f}x): refusing a zip bomb",
            )
        total += info.file_size
    if total > max_total_bytes:
        raise SourceError(
            source_id,
            location,
            f"entries expand to {total:,} bytes (limit {max_total_bytes:,}): refusing a zip bomb",
        )
    return members


def extract_member(
    archive: Archive, member: zipfile.ZipInfo, dest_dir: str | Path, *, source_id: str
) -> Path:
    """Write one member (from `safe_members`) under `dest_dir` and return its path.

    Never writes outside `dest_dir`. zipfile itself stops at the size the central directory
    declares and then checks the CRC, so a header that lies about the size fails here instead
    of expanding without bound.
    """
    location = f"{_location(archive)}:{member.filename}"
    problem = _unsafe_name(member.filename)
    if problem:
        raise SourceError(source_id, location, problem)
    root = Path(dest_dir).resolve()
    target = (root / member.filename).resolve()
    if not target.is_relative_to(root):
        raise SourceError(source_id, location, f"entry would be written outside {root}")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _open(archive, source_id) as zf, zf.open(member) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        target.unlink(missing_ok=True)
        raise SourceError(source_id, location, f"corrupt archive entry ({exc})") from exc
    return target


def read_head(archive: Archive, member: zipfile.ZipInfo, size: int, *, source_id: str) -> bytes:
    """The first `size` bytes of a member (headers, for checking before a full read)."""
    try:
        with _open(archive, source_id) as zf, zf.open(member) as src:
            return src.read(size)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise SourceError(
            source_id, f"{_location(archive)}:{member.filename}", f"corrupt archive entry ({exc})"
        ) from exc


@contextmanager
def stream_member(
    archive: Archive, member: zipfile.ZipInfo, dest_dir: str | Path, *, source_id: str
) -> Iterator[Path]:
    """A named pipe in `dest_dir` through which a reader gets the member's bytes.

    Decompression runs in a thread while the reader (DuckDB) parses, and nothing the size of
    the member touches the disk. The reader must open the pipe once and read it through; a
    corrupt member raises SourceError when the block ends.
    """
    location = f"{_location(archive)}:{member.filename}"
    pipe = Path(dest_dir) / f"member-{os.getpid()}-{threading.get_ident()}.fifo"
    os.mkfifo(pipe, 0o600)
    failure: list[BaseException] = []

    def feed() -> None:
        try:
            with _open(archive, source_id) as zf, zf.open(member) as src, open(pipe, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
        except BrokenPipeError:
            pass  # the reader stopped early and reports its own error
        except Exception as exc:  # raised in the caller's thread when the block ends
            failure.append(exc)

    feeder = threading.Thread(target=feed, name=f"unzip {member.filename}", daemon=True)
    feeder.start()
    try:
        yield pipe
    finally:
        while feeder.is_alive():
            # The reader never opened the pipe, or left early: open and close the read end so
            # the feeder's open() returns and its next write fails instead of blocking.
            os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
            feeder.join(timeout=0.05)
        pipe.unlink()
    if failure:
        exc = failure[0]
        if isinstance(exc, SourceError):
            raise exc
        raise SourceError(source_id, location, f"corrupt archive entry ({exc})") from exc


def _open(archive: Archive, source_id: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(archive) if isinstance(archive, bytes) else archive)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise SourceError(
            source_id, _location(archive), f"not a readable zip archive, truncated? ({exc})"
        ) from exc


def _location(archive: Archive) -> str:
    return "<zip bytes>" if isinstance(archive, bytes) else str(archive)


def _unsafe_name(name: str) -> str | None:
    # Zips made on Windows may use backslashes, which Windows extractors treat as separators.
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return f"entry {name!r} has an absolute path"
    if ".." in parts:
        return f"entry {name!r} climbs out of the extraction directory (zip slip)"
    return None
