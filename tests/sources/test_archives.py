import io
import struct
import zipfile
from contextlib import nullcontext

import pytest

from sources.archives import numbered_line_chunks, read_head, safe_members
from sources.errors import SourceError
from sources.settings import SNAPSHOT_DIR

SEASON_115S1 = SNAPSHOT_DIR / "lvr_land" / "lvr_landcsv_115S1.zip"
SEASON_109S3 = SNAPSHOT_DIR / "lvr_land" / "lvr_landcsv_109S3.zip"
LIMITS = {"source_id": "lvr_land", "max_total_bytes": 10**9, "max_ratio": 200}


def make_zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_real_season_zip_is_listed_and_its_head_read(tmp_path):
    members = safe_members(SEASON_115S1, **LIMITS)
    assert [m.filename for m in members] == ["a_lvr_land_a.csv"]
    head = read_head(SEASON_115S1, members[0], 4096, source_id="lvr_land")
    assert head.startswith("鄉鎮市區,交易標的".encode())
    assert head == zipfile.ZipFile(SEASON_115S1).read("a_lvr_land_a.csv")[:4096]


@pytest.mark.parametrize(
    "name",
    ["../evil.csv", "a/../../evil.csv", "/tmp/evil.csv", "C:/evil.csv", "C:\\evil.csv",
     "a\\..\\..\\evil.csv"],
)
def test_hostile_entry_names_refuse_the_whole_archive(tmp_path, name):
    archive = tmp_path / "season.zip"
    archive.write_bytes(make_zip({"a_lvr_land_a.csv": b"ok", name: b"pwned"}))
    with pytest.raises(SourceError) as info:
        safe_members(archive, **LIMITS)
    assert info.value.source_id == "lvr_land"
    assert name in info.value.location and str(archive) in info.value.location


def zip_of(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip whose entries may repeat a name (zipfile warns, and writes them)."""
    buffer = io.BytesIO()
    with pytest.warns(UserWarning, match="Duplicate name") if len(
            {name for name, _ in entries}) < len(entries) else nullcontext():
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in entries:
                zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("second", ["a_lvr_land_a.csv", "A_LVR_LAND_A.CSV", "A_lvr_land_A.csv"])
def test_a_member_named_twice_in_any_letter_case_refuses_the_archive(tmp_path, second):
    archive = tmp_path / "season.zip"
    archive.write_bytes(zip_of([("a_lvr_land_a.csv", b"1"), (second, b"1")]))
    with pytest.raises(SourceError, match="duplicate member: the archive holds "
                                          "'a_lvr_land_a.csv' too") as info:
        safe_members(archive, **LIMITS)
    assert info.value.location == f"{archive}:{second}"


def test_same_name_in_different_folders_is_left_to_the_reader():
    """Folders may hold files of one name (a repository archive's READMEs); whether two of
    them are one dataset is the loader's call (real_estate refuses a county file twice)."""
    archive = make_zip({"input/a_lvr_land_a.csv": b"1", "backup/a_lvr_land_a.csv": b"1"})
    assert len(safe_members(archive, **LIMITS)) == 2


def test_highly_compressed_entry_is_refused_as_a_bomb():
    archive = make_zip({"a_lvr_land_a.csv": b"0" * 10_000_000})  # deflates ~1000x
    with pytest.raises(SourceError, match="zip bomb") as info:
        safe_members(archive, **LIMITS)
    assert "a_lvr_land_a.csv" in info.value.location


def test_total_uncompressed_size_is_bounded():
    archive = make_zip({"a.csv": b"x" * 600, "b.csv": b"y" * 600}, zipfile.ZIP_STORED)
    assert len(safe_members(archive, **{**LIMITS, "max_total_bytes": 1200})) == 2
    with pytest.raises(SourceError, match="1,200 bytes"):
        safe_members(archive, **{**LIMITS, "max_total_bytes": 1199})


def test_truncated_download_names_source_and_file(tmp_path):
    archive = tmp_path / "truncated.zip"
    archive.write_bytes(SEASON_115S1.read_bytes()[:4000])
    with pytest.raises(SourceError, match="not a readable zip") as info:
        safe_members(archive, **LIMITS)
    assert info.value.source_id == "lvr_land"
    assert info.value.location == str(archive)


def read_chunks(archive, member, tmp_path, **options) -> list[bytes]:
    with numbered_line_chunks(archive, member, tmp_path, source_id="lvr_land", **options) as chunks:
        return [chunk.read_bytes() for chunk in chunks]


@pytest.mark.parametrize("chunk_lines", [10, 1_000_000])
def test_numbered_chunks_are_the_member_lines_with_their_numbers(tmp_path, chunk_lines):
    member = max(safe_members(SEASON_109S3, **LIMITS), key=lambda m: m.file_size)
    lines = zipfile.ZipFile(SEASON_109S3).read(member).split(b"\n")[:-1]
    (tmp_path / "work").mkdir()
    chunks = read_chunks(SEASON_109S3, member, tmp_path / "work", skip_lines=2,
                         chunk_lines=chunk_lines)
    expected = b"".join(b"%d,%b\n" % (n, line) for n, line in enumerate(lines, 1) if n > 2)
    assert b"".join(chunks) == expected
    assert len(chunks) == (1 if chunk_lines > len(lines) else pytest.approx(len(lines) / 10, 1))
    assert list((tmp_path / "work").iterdir()) == []  # chunks removed afterwards


def test_chunk_is_removed_when_the_next_is_asked_for(tmp_path):
    member = safe_members(SEASON_109S3, **LIMITS)[0]
    with numbered_line_chunks(
        SEASON_109S3, member, tmp_path, source_id="lvr_land", chunk_lines=1000
    ) as chunks:
        first = next(chunks)
        assert first.exists()
        second = next(chunks)
        assert second.exists() and not first.exists()


def test_blank_lines_are_left_out_and_a_last_line_needs_no_newline(tmp_path):
    archive = make_zip({"a.csv": b"h\r\n\r\nx,1\r\n\ny,2"})
    [member] = safe_members(archive, **LIMITS)
    assert b"".join(read_chunks(archive, member, tmp_path, skip_lines=1)) == (
        b"3,x,1\r\n5,y,2\n"
    )


@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2]
)
def test_every_compression_reads_the_same(tmp_path, compression):
    data = b"".join(b"row %d\n" % n for n in range(50_000))
    archive = make_zip({"a.csv": data}, compression)
    [member] = safe_members(archive, **LIMITS)
    chunks = read_chunks(archive, member, tmp_path)
    assert b"".join(chunks) == b"".join(b"%d,row %d\n" % (n + 1, n) for n in range(50_000))


NUMBERS = b"".join(b"A,%d\n" % n for n in range(250))


def lying_archive(declared_size: int, compression=zipfile.ZIP_DEFLATED) -> bytes:
    archive = bytearray(make_zip({"a_lvr_land_a.csv": NUMBERS}, compression))
    struct.pack_into("<I", archive, archive.index(b"PK\x01\x02") + 24, declared_size)
    return bytes(archive)


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("declared", [10, 5000], ids=["smaller", "larger"])
def test_member_not_matching_its_declared_size_fails(tmp_path, compression, declared):
    archive = lying_archive(declared, compression)
    [member] = safe_members(archive, **LIMITS)
    with pytest.raises(SourceError, match="corrupt archive entry|expands past") as info:
        read_chunks(archive, member, tmp_path)
    assert info.value.location.endswith(":a_lvr_land_a.csv")
    assert list(tmp_path.iterdir()) == []


def test_member_with_a_wrong_crc_fails(tmp_path):
    archive = bytearray(make_zip({"a_lvr_land_a.csv": NUMBERS}))
    crc_at = archive.index(b"PK\x01\x02") + 16
    struct.pack_into("<I", archive, crc_at, struct.unpack_from("<I", archive, crc_at)[0] ^ 1)
    [member] = safe_members(bytes(archive), **LIMITS)
    with pytest.raises(SourceError, match="CRC differs"):
        read_chunks(bytes(archive), member, tmp_path)


def test_cut_off_member_data_fails(tmp_path):
    data = SEASON_109S3.read_bytes()
    member = safe_members(SEASON_109S3, **LIMITS)[0]
    cut = data[: member.header_offset + member.compress_size // 2]
    with pytest.raises(SourceError, match="cut short"):
        read_chunks(cut, member, tmp_path)


def test_hostile_member_name_is_refused_even_when_asked_directly(tmp_path):
    archive = make_zip({"../escaped.csv": b"x\n"})
    member = zipfile.ZipFile(io.BytesIO(archive)).infolist()[0]
    (tmp_path / "work").mkdir()
    with pytest.raises(SourceError, match="zip slip"):
        read_chunks(archive, member, tmp_path / "work")
    assert [p.name for p in tmp_path.rglob("*")] == ["work"]


@pytest.mark.parametrize("reads", [0, 1], ids=["never-read", "left-early"])
def test_chunks_do_not_hang_when_the_reader_gives_up(tmp_path, reads):
    member = safe_members(SEASON_109S3, **LIMITS)[0]
    with pytest.raises(RuntimeError, match="reader failed"):
        with numbered_line_chunks(
            SEASON_109S3, member, tmp_path, source_id="lvr_land", chunk_lines=100
        ) as chunks:
            for _ in range(reads):
                next(chunks)
            raise RuntimeError("reader failed")
    assert list(tmp_path.iterdir()) == []


def test_damaged_deflate_stream_fails(tmp_path):
    archive = bytearray(SEASON_109S3.read_bytes())
    member = safe_members(SEASON_109S3, **LIMITS)[0]
    middle = member.header_offset + member.compress_size // 2
    archive[middle:middle + 64] = bytes(64)
    with pytest.raises(SourceError, match="corrupt archive entry") as info:
        read_chunks(bytes(archive), member, tmp_path)
    assert info.value.location.endswith(f":{member.filename}")
