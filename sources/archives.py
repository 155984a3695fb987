"""Reading publishers' zip archives without trusting them.

A landed zip is untrusted input: its member names may climb out of the extraction directory
(zip slip), its sizes may hide a decompression bomb, and a cut-off download is a truncated
archive. Every such problem becomes a SourceError naming the source, the archive and the member.
"""

import io
import itertools
import queue
import re
import shutil
import struct
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from zlib_ng import zlib_ng

from sources.errors import SourceError

Archive = bytes | str | Path

_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_members(
    archive: Archive, *, source_id: str, max_total_bytes: int, max_ratio: float
) -> list[zipfile.ZipInfo]:
    """The archive's file entries, after refusing the whole archive if any entry is unsafe.

    Unsafe: an absolute path, a drive letter, a `..` component (with / or \\ as separator),
    a name another entry has too in any letter case (its data would be read twice, or which
    one is meant is a guess), an entry that expands more than `max_ratio` times its compressed
    size, or entries that together expand beyond `max_total_bytes`.
    """
    location = _location(archive)
    with _open(archive, source_id) as zf:
        members = [info for info in zf.infolist() if not info.is_dir()]
    total = 0
    seen: dict[str, zipfile.ZipInfo] = {}
    for info in members:
        problem = _unsafe_name(info.filename)
        if problem:
            raise SourceError(source_id, f"{location}:{info.filename}", problem)
        first = seen.setdefault(info.filename.replace("\\", "/").casefold(), info)
        if first is not info:
            raise SourceError(source_id, f"{location}:{info.filename}",
                              f"duplicate member: the archive holds {first.filename!r} too")
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
def numbered_line_chunks(
    archive: Archive,
    member: zipfile.ZipInfo,
    dest_dir: str | Path,
    *,
    source_id: str,
    skip_lines: int = 0,
    chunk_lines: int = 1_000_000,
) -> Iterator[Iterator[Path]]:
    """The member's lines after the first `skip_lines`, in files of about `chunk_lines` lines,
    each line prefixed with its line number in the member and a comma: `3,<line 3>`.

    With the number as a first field, a CSV reader may split a chunk among threads and every
    row still knows its line. Unzipping and numbering run in a thread one chunk ahead of the
    reader, and a chunk is deleted when the next one is asked for, so at most three chunks are
    on disk at once. Lines end at '\\n' (a quoted field spanning lines would split its row,
    which then fails the reader's field count). Blank lines are left out; the numbers stay
    those of the member. A corrupt member raises SourceError when its chunks are read.
    """
    location = f"{_location(archive)}:{member.filename}"
    problem = _unsafe_name(member.filename)
    if problem:
        raise SourceError(source_id, location, problem)
    work = Path(tempfile.mkdtemp(prefix="chunks-", dir=dest_dir))
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        chunks = _write_numbered_chunks(archive, member, work, source_id, skip_lines, chunk_lines)
        try:
            for path in chunks:
                if not offer(path):
                    return
            offer(_END)
        except Exception as exc:  # raised again in the reader's thread
            offer(exc)
        finally:
            chunks.close()

    def consume() -> Iterator[Path]:
        previous = None
        while (item := ready.get()) is not _END:
            if previous:
                previous.unlink()
            if isinstance(item, SourceError):
                raise item
            if isinstance(item, Exception):  # a full disk, say
                raise SourceError(source_id, location, f"could not unzip ({item})") from item
            previous = item
            yield item

    producer = threading.Thread(target=produce, name=f"unzip {member.filename}", daemon=True)
    producer.start()
    try:
        yield consume()
    finally:
        stop.set()
        producer.join()
        shutil.rmtree(work)


_END = object()


def _write_numbered_chunks(
    archive: Archive,
    member: zipfile.ZipInfo,
    work: Path,
    source_id: str,
    skip_lines: int,
    chunk_lines: int,
) -> Iterator[Path]:
    next_line, chunk_start, carry, index = 1, 1, b"", 0
    path = work / f"{index:06d}.csv"
    out = open(path, "wb")
    try:
        for block in itertools.chain(_inflate(archive, member, source_id), [None]):
            end = block is None
            if end:  # the last line may lack its newline
                block, carry = (carry + b"\n" if carry else b""), b""
            else:
                block = carry + block
                cut = block.rfind(b"\n") + 1
                block, carry = block[:cut], block[cut:]
            numbered, next_line = _number_lines(block, next_line, skip_lines)
            out.write(numbered)
            if end or next_line - chunk_start >= chunk_lines:
                out.close()
                yield path  # possibly empty, when the member ended with the last chunk
                if end:
                    return
                index, chunk_start = index + 1, next_line
                path = work / f"{index:06d}.csv"
                out = open(path, "wb")
    finally:
        out.close()


# Compressed bytes per read. Larger blocks cost more in page faults than they save in calls
# (measured: 4 MiB blocks took 30% longer to unzip and number).
_BLOCK_BYTES = 256 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, (version ... sizes), name and extra lengths


def _inflate(archive: Archive, member: zipfile.ZipInfo, source_id: str) -> Iterator[bytes]:
    """The member's bytes in blocks, checked against the size and CRC the archive declares.

    zlib-ng inflates the deflate stream about twice as fast as zipfile's zlib; any other
    compression goes through zipfile.
    """
    location = f"{_location(archive)}:{member.filename}"
    if member.compress_type != zipfile.ZIP_DEFLATED or member.flag_bits & 0x1:
        size = 0
        with _open(archive, source_id) as zf, zf.open(member) as src:
            try:
                while block := src.read(_BLOCK_BYTES):  # zipfile checks the CRC
                    size += len(block)
                    yield block
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise SourceError(source_id, location, f"corrupt archive entry ({exc})") from exc
        if size != member.file_size:
            raise SourceError(
                source_id, location,
                f"corrupt archive entry ({size:,} of {member.file_size:,} bytes)",
            )
        return
    source = io.BytesIO(archive) if isinstance(archive, bytes) else open(archive, "rb")
    with source:
        source.seek(member.header_offset)
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(
            source.read(_LOCAL_HEADER.size).ljust(_LOCAL_HEADER.size, b"\0")
        )
        if signature != b"PK\x03\x04":
            raise SourceError(source_id, location, "corrupt archive entry (no local header)")
        source.seek(name_length + extra_length, io.SEEK_CUR)
        inflater, crc, size, left = zlib_ng.decompressobj(-15), 0, 0, member.compress_size
        try:
            while left and not inflater.eof:
                compressed = source.read(min(left, _BLOCK_BYTES))
                if not compressed:
                    break
                left -= len(compressed)
                # Never inflate past the declared size: a bomb stops here, not in memory.
                block = inflater.decompress(compressed, member.file_size - size + 1)
                if inflater.unconsumed_tail:
                    raise SourceError(source_id, location, "entry expands past its declared size")
                crc, size = zlib_ng.crc32(block, crc), size + len(block)
                yield block
        except zlib_ng.error as exc:
            raise SourceError(source_id, location, f"corrupt archive entry ({exc})") from exc
    if not inflater.eof or size != member.file_size or crc != member.CRC:
        raise SourceError(
            source_id, location,
            f"corrupt archive entry ({size:,} of {member.file_size:,} bytes, CRC "
            f"{'matches' if crc == member.CRC else 'differs'}, stream "
            f"{'complete' if inflater.eof else 'cut short'})",
        )


def _number_lines(block: bytes, first: int, skip_lines: int) -> tuple[bytes, int]:
    """Whole lines -> the same lines as `<number>,<line>`, numbering from `first`; lines
    numbered up to `skip_lines` and blank lines are left out. Also the next line's number."""
    lines = block.split(b"\n")
    lines.pop()  # after the block's last newline
    count = len(lines)
    numbers = range(first, first + count)
    if first <= skip_lines or b"" in lines or b"\r" in lines:
        kept = [(n, line) for n, line in zip(numbers, lines, strict=True)
                if n > skip_lines and line not in (b"", b"\r")]
        numbers, lines = [n for n, _ in kept], [line for _, line in kept]
    if not lines:
        return b"", first + count
    # One C-level join over interleaved number and line pieces: per-line Python formatting
    # would cost as much as the unzip.
    pieces = [b""] * (2 * len(lines))
    pieces[0::2] = ("\0\n%d," * len(lines) % tuple(numbers)).encode().split(b"\0")[1:]
    pieces[1::2] = lines
    pieces[0] = pieces[0][1:]
    pieces.append(b"\n")
    return b"".join(pieces), first + count


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
