"""OSV sources and records at their limits: archive members over the size cap, a single record file as a
source, fixed versions the ecosystem cannot order, and a package matcher asked twice."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile

import pytest

from ossdesk.domain import osv

RECORD = {
    "schema_version": "1.6.0",
    "id": "PYSEC-TEST-1",
    "modified": "2026-01-01T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "alpha"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
        }
    ],
}
BODY = json.dumps(RECORD).encode()
TOO_LARGE = f"{len(BODY):,} bytes; a record may be at most 100 bytes"


def test_a_zip_member_over_the_cap_is_reported_not_read(tmp_path):
    path = tmp_path / "advisories.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("advisories/PYSEC-TEST-1.json", BODY)
        archive.writestr("advisories/small.json", b"{}")
    members = list(osv.iter_members(path, max_bytes=100))
    assert members[0][0] == "advisories/PYSEC-TEST-1.json"
    assert isinstance(members[0][1], osv.OsvError)
    assert str(members[0][1]) == TOO_LARGE
    assert members[1] == ("advisories/small.json", b"{}")


def test_a_tar_member_over_the_cap_is_reported_not_read(tmp_path):
    path = tmp_path / "advisories.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("advisories/PYSEC-TEST-1.json", BODY), ("advisories/small.json", b"{}")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    members = list(osv.iter_members(path, max_bytes=100))
    assert members[0][0] == "advisories/PYSEC-TEST-1.json"
    assert isinstance(members[0][1], osv.OsvError)
    assert str(members[0][1]) == TOO_LARGE
    assert members[1] == ("advisories/small.json", b"{}")


def test_a_single_record_file_is_a_source_of_one(tmp_path):
    path = tmp_path / "PYSEC-TEST-1.json"
    path.write_bytes(BODY)
    assert osv.count_source(path) == 1
    assert [(name, record.id) for name, record in osv.iter_source(path)] == [
        ("PYSEC-TEST-1.json", "PYSEC-TEST-1")
    ]
    other = tmp_path / "notes.txt"
    other.write_text("not a record")
    with pytest.raises(osv.OsvError, match=r"notes\.txt: not a folder, \.zip, tarball or OSV record file$"):
        osv.count_source(other)


def test_fixed_versions_neither_the_ecosystem_nor_semver_can_order_keep_their_order():
    record = osv.parse_record(
        {
            **RECORD,
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "alpha"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": "2.0 final"}, {"fixed": "1.5"}],
                        }
                    ],
                }
            ],
        }
    )
    assert record.affected[0].fixed_versions() == ("2.0 final", "1.5")


def test_a_matcher_answers_a_repeated_version_from_its_cache():
    record = osv.parse_record(RECORD)
    matcher = osv.PackageMatcher("PyPI", [("PYSEC-TEST-1", record.affected[0])])
    first = matcher.match("1.0")
    assert first == ("PYSEC-TEST-1",)
    assert matcher.match("1.0") is first
    assert matcher.match("2.0") == ()
