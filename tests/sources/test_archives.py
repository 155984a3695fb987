import io
import struct
import zipfile

import pytest

from sources.archives import extract_member, read_head, safe_members, stream_member
from sources.errors import SourceError
from sources.settings import SNAPSHOT_DIR

SEASON_115S1 = SNAPSHOT_DIR / "lvr_land" / "lvr_landcsv_115S1.zip"
SEASON_109S3 = SNAPSHOT_DIR / "lvr_land" / "lvr_landcsv_109S3.zip"  # members > a pipe buffer
LIMITS = {"source_id": "lvr_land", "max_total_bytes": 10**9, "max_ratio": 200}


def make_zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_real_season_zip_is_listed_and_extracted_byte_for_byte(tmp_path):
    members = safe_members(SEASON_115S1, **LIMITS)
    assert [m.filename for m in members] == ["a_lvr_land_a.csv"]
    path = extract_member(SEASON_115S1, members[0], tmp_path, source_id="lvr_land")
    assert path == tmp_path / "a_lvr_land_a.csv"
    data = path.read_bytes()
    assert data.startswith("鄉鎮市區,交易標的".encode())
    assert data.count(b"\r\n") == 81  # two header rows and 79 transactions, CRLF as published


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


def test_extract_never_writes_outside_the_directory_even_when_asked_directly(tmp_path):
    archive = make_zip({"../escaped.csv": b"pwned"})
    member = zipfile.ZipFile(io.BytesIO(archive)).infolist()[0]
    dest = tmp_path / "work"
    with pytest.raises(SourceError, match="zip slip"):
        extract_member(archive, member, dest, source_id="lvr_land")
    assert not (tmp_path / "escaped.csv").exists()


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


def test_header_lying_about_the_size_fails_instead_of_expanding(tmp_path):
    archive = bytearray(make_zip({"a_lvr_land_a.csv": b"A" * 1000}, zipfile.ZIP_STORED))
    central = archive.index(b"PK\x01\x02")
    struct.pack_into("<I", archive, central + 24, 10)  # declared uncompressed size: 10 bytes
    archive = bytes(archive)
    members = safe_members(archive, **LIMITS)
    with pytest.raises(SourceError, match="corrupt archive entry"):
        extract_member(archive, members[0], tmp_path, source_id="lvr_land")
    assert not (tmp_path / "a_lvr_land_a.csv").exists()


def test_streamed_member_is_the_extracted_member(tmp_path):
    [member] = safe_members(SEASON_115S1, **LIMITS)
    extracted = extract_member(SEASON_115S1, member, tmp_path, source_id="lvr_land")
    with stream_member(SEASON_115S1, member, tmp_path, source_id="lvr_land") as pipe:
        streamed = pipe.read_bytes()
    assert streamed == extracted.read_bytes()
    assert read_head(SEASON_115S1, member, 12, source_id="lvr_land") == streamed[:12]
    assert not pipe.exists()


def test_stream_of_a_corrupt_member_fails_when_read_through(tmp_path):
    archive = bytearray(make_zip({"a_lvr_land_a.csv": b"A" * 1000}, zipfile.ZIP_STORED))
    struct.pack_into("<I", archive, archive.index(b"PK\x01\x02") + 24, 10)
    [member] = safe_members(bytes(archive), **LIMITS)
    with pytest.raises(SourceError, match="corrupt archive entry"):
        with stream_member(bytes(archive), member, tmp_path, source_id="lvr_land") as pipe:
            pipe.read_bytes()


@pytest.mark.parametrize("reads", [0, 100], ids=["never-opened", "left-early"])
def test_stream_does_not_hang_when_the_reader_gives_up(tmp_path, reads):
    member = safe_members(SEASON_109S3, **LIMITS)[0]
    with pytest.raises(RuntimeError, match="reader failed"):
        with stream_member(SEASON_109S3, member, tmp_path, source_id="lvr_land") as pipe:
            if reads:
                with open(pipe, "rb") as handle:
                    assert len(handle.read(reads)) == reads
            raise RuntimeError("reader failed")
    assert list(tmp_path.iterdir()) == []
