"""`ossdesk scan`, `advisories import`, `sbom upload` as a user runs them: real processes.

The scanner's expectations are derived from the advisories themselves: a version the record lists in
`versions` is affected, and a version outside every listed one is affected only when a range says so —
checked with an independent, literal reading of the OSV specification's pseudo-code over `packaging`.
"""

from __future__ import annotations

import functools
import io
import json
import random
import tarfile
from pathlib import Path

import pytest
import yaml
from packaging.version import InvalidVersion, Version

from tests.archive_bombs import BOMB_BYTES, BOMB_NAME, zip_bomb
from tests.cli.test_cli import ossdesk

pytestmark = pytest.mark.sqlite_only

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OFFLINE = SHARED / "advisories" / "osv-scanner-offline-dbs"
PYPI_DUMP = SHARED / "advisories" / "osv-pypi.tar.gz"
FIXTURES = SHARED / "lockfiles" / "osv-scanner-fixtures" / "pkg" / "lockfile" / "fixtures"
needs_shared = pytest.mark.skipif(not OFFLINE.is_dir(), reason="../shared/data is not beside the checkout")


# libyaml's parser under the same safe constructor (as domain/osv.py reads them): the records come out
# identical to the pure-Python SafeLoader's, in a seventh of the time (2,661 records: 14 s of CPU).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _pypa_records() -> list[dict]:
    """Every record of the PyPI dump, read once per process (the tests only read them)."""
    records = []
    with tarfile.open(PYPI_DUMP) as archive:
        for member in archive:
            if member.isfile() and member.name.endswith(".yaml"):
                stream = archive.extractfile(member)
                assert stream is not None
                text = io.TextIOWrapper(stream, encoding="utf-8")
                records.append(yaml.load(text, Loader=_SAFE_LOADER))  # noqa: S506 - a safe loader
    return records


def _spec_affected(version: str, affected: dict) -> bool:
    """The OSV specification's evaluation, literally: `versions` list, then each ECOSYSTEM range's
    sorted events (introduced "0" before everything), with PEP 440 ordering from `packaging`."""
    if version in affected.get("versions", []):
        return True
    try:
        v = Version(version)
    except InvalidVersion:
        return False
    for rng in affected.get("ranges", []):
        if rng["type"] != "ECOSYSTEM":
            continue
        try:
            events = sorted(
                ((Version("0") if e.get("introduced") == "0" else Version(next(iter(e.values())))), e)
                for e in rng["events"]
            )
        except InvalidVersion:
            continue  # a range the ecosystem cannot order is skipped, as ossdesk does
        vulnerable = False
        for at, event in events:
            if "introduced" in event and (event["introduced"] == "0" or at <= v):
                vulnerable = True
            elif ("fixed" in event and at <= v) or ("last_affected" in event and at < v):
                vulnerable = False
        if vulnerable:
            return True
    return False


@needs_shared
def test_scan_of_pinned_pypi_versions_agrees_with_the_records(tmp_path):
    records = [r for r in _pypa_records() if not r.get("withdrawn")]
    by_package: dict[str, list[dict]] = {}
    candidates: dict[str, set[str]] = {}
    for record in records:
        for affected in record.get("affected", []):
            name = affected["package"]["name"].lower().replace("_", "-").replace(".", "-")
            by_package.setdefault(name, []).append({"id": record["id"], **affected})
            versions = set(affected.get("versions", []))
            for rng in affected.get("ranges", []):
                versions |= {e.get("fixed") for e in rng["events"] if e.get("fixed")}
            candidates.setdefault(name, set()).update(v for v in versions if v)
    rng = random.Random(20261128)
    picks = {}
    for name in rng.sample(sorted(candidates), 150):
        valid = sorted(v for v in candidates[name] if _valid(v))
        if valid:
            picks[name] = rng.choice(valid)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("".join(f"{name}=={version}\n" for name, version in sorted(picks.items())))
    result = ossdesk("scan", str(requirements), "--db", str(PYPI_DUMP), "--format", "json", data_dir=tmp_path)
    assert result.returncode == 1, result.stderr
    found = {
        (p["package"]["name"], p["package"]["version"]): {v["id"] for v in p["vulnerabilities"]}
        for r in json.loads(result.stdout)["results"]
        for p in r["packages"]
    }
    expected = {
        (name, version): {a["id"] for a in by_package[name] if _spec_affected(version, a)}
        for name, version in picks.items()
    }
    expected = {key: ids for key, ids in expected.items() if ids}
    # Known contradictions inside PyPA's own records (tests/domain/test_osv.py lists them) aside,
    # the scanner says exactly what the records say.
    quirks = {"PYSEC-2023-61", "PYSEC-2023-177", "PYSEC-2021-114"}
    assert {k: v - quirks for k, v in found.items()} == {
        k: v - quirks for k, v in expected.items() if v - quirks
    }
    assert len(expected) >= 50  # the sample holds plenty of vulnerable pins


def _valid(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


@needs_shared
def test_scan_exit_codes_and_formats(tmp_path, shared_schemas):
    clean = tmp_path / "requirements.txt"
    clean.write_text("django==99.0\n")
    result = ossdesk("scan", str(clean), "--db", str(OFFLINE), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no known vulnerabilities" in result.stdout

    vulnerable = tmp_path / "vulnerable app" / "requirements.txt"  # a space: SARIF wants a URI reference
    vulnerable.parent.mkdir()
    vulnerable.write_text("django==3.1.0\nflask==2.2.4\n")
    result = ossdesk("scan", str(vulnerable), "--db", str(OFFLINE), "--format", "json", data_dir=tmp_path)
    assert result.returncode == 1
    packages = json.loads(result.stdout)["results"][0]["packages"]
    django = next(p for p in packages if p["package"]["name"] == "django")
    assert django["package"] == {
        "ecosystem": "PyPI",
        "name": "django",
        "version": "3.1.0",
        "purl": "pkg:pypi/django@3.1.0",
    }
    vulnerability = next(v for v in django["vulnerabilities"] if v["id"] == "PYSEC-2021-98")
    assert set(vulnerability["aliases"]) == {"BIT-django-2021-33203", "CVE-2021-33203", "GHSA-68w8-qjq3-2gfm"}
    assert vulnerability["fixed"] == ["2.2.24", "3.1.12", "3.2.4"]

    result = ossdesk("scan", str(vulnerable), "--db", str(OFFLINE), "--format", "sarif", data_dir=tmp_path)
    sarif = json.loads(result.stdout)
    assert shared_schemas.errors("sarif", sarif) == []
    assert sarif["version"] == "2.1.0"
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == vulnerable.as_uri()
    assert "%20" in location["uri"]
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"PYSEC-2021-98", "PYSEC-2023-62"}

    result = ossdesk(
        "scan", str(vulnerable), "--db", str(OFFLINE), "--format", "cyclonedx-vex", data_dir=tmp_path
    )
    vex = json.loads(result.stdout)
    assert shared_schemas.errors("cyclonedx-1.5", vex) == []
    assert vex["bomFormat"] == "CycloneDX"
    assert {v["id"] for v in vex["vulnerabilities"]} >= {"PYSEC-2021-98"}
    assert all(v["affects"] for v in vex["vulnerabilities"])


@needs_shared
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.txt"], "missing.txt: no such file"),
        (["{bad}", "--db", "nowhere"], "--db nowhere: no such folder or archive"),
        (["{bad}", "--db", "{offline}"], "package-lock.json"),
    ],
)
def test_scan_bad_input_exits_2_with_one_line(tmp_path, args, message):
    bad = tmp_path / "package-lock.json"
    bad.write_text('{"lockfileVersion": 3, "packages": ')
    args = [a.format(bad=bad, offline=OFFLINE) for a in args]
    result = ossdesk("scan", *args, data_dir=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("ossdesk scan: ")


@needs_shared
@pytest.mark.parametrize(
    "fixture", ["npm/one-package.v2.json", "maven/one-package.xml", "cargo/one-package.lock"]
)
def test_scan_of_lockfile_fixtures_without_advisories_for_them(tmp_path, fixture):
    as_name = {"npm": "package-lock.json", "maven": "pom.xml", "cargo": "Cargo.lock"}[fixture.split("/")[0]]
    path = FIXTURES / fixture
    result = ossdesk(
        "scan",
        f"{as_name}:{path}",
        "--db",
        str(OFFLINE),
        "--format",
        "json",
        "--all-packages",
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    packages = json.loads(result.stdout)["results"][0]["packages"]
    assert len(packages) == 1
    assert packages[0]["vulnerabilities"] == []


@needs_shared
def test_scan_of_the_pip_fixture_against_the_pypi_dump(tmp_path):
    path = FIXTURES / "pip" / "multiple-packages-constrained.txt"
    result = ossdesk(
        "scan", f"requirements.txt:{path}", "--db", str(PYPI_DUMP), "--format", "json", data_dir=tmp_path
    )
    assert result.returncode == 1
    packages = {p["package"]["name"]: p for p in json.loads(result.stdout)["results"][0]["packages"]}
    django = {v["id"] for v in packages["django"]["vulnerabilities"]}
    assert packages["django"]["package"]["version"] == "2.2.24"
    # 2.2.24 is the first fixed version of PYSEC-2021-98, still inside PYSEC-2021-439's range.
    assert "PYSEC-2021-98" not in django
    assert "PYSEC-2021-439" in django
    records = {r["id"]: r for r in _pypa_records()}
    for name, package in packages.items():
        expected = {
            r["id"]
            for r in records.values()
            for a in r.get("affected", [])
            if a["package"]["name"].lower() == name
            and not r.get("withdrawn")
            and _spec_affected(package["package"]["version"], a)
        }
        assert {v["id"] for v in package["vulnerabilities"]} == expected, name


@needs_shared
def test_import_upload_and_scan_against_the_server_database(seeded_dir):
    result = ossdesk("advisories", "import", str(OFFLINE), data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    assert "28 records" in result.stdout
    again = ossdesk("advisories", "import", str(OFFLINE), data_dir=seeded_dir)
    assert "0 added, 0 updated, 28 unchanged" in again.stdout
    bad = ossdesk("advisories", "import", str(seeded_dir / "nothing"), data_dir=seeded_dir)
    assert bad.returncode == 2
    nothing = seeded_dir / "nothing"
    assert bad.stderr.strip() == f"ossdesk advisories import: {nothing}: no such folder or archive"

    requirements = seeded_dir / "requirements.txt"
    requirements.write_text("django==3.1.0\n")
    result = ossdesk("scan", str(requirements), "--format", "json", data_dir=seeded_dir)
    assert result.returncode == 1, result.stderr
    assert "PYSEC-2021-98" in result.stdout

    upload = ossdesk("sbom", "upload", "fjord/no-such", str(requirements), data_dir=seeded_dir)
    assert upload.returncode == 2
    assert "no deployment fjord/no-such" in upload.stderr


@needs_shared
def test_a_bomb_in_the_archive_is_one_rejected_record_and_the_rest_import(tmp_path, copy_migrated):
    # A zip here; tests/domain/test_osv.py reads the tar.gz bomb too (the same code after the member).
    records = {p.relative_to(OFFLINE).as_posix(): p.read_bytes() for p in sorted(OFFLINE.rglob("*.json"))}
    bomb = zip_bomb(tmp_path / "advisories.zip", records)
    vulnerable = tmp_path / "requirements.txt"
    vulnerable.write_text("django==3.1.0\n")
    scan = ossdesk("scan", str(vulnerable), "--db", str(bomb), "--format", "json", data_dir=tmp_path)
    assert scan.returncode == 1, scan.stderr  # vulnerabilities found with the rest of the records
    assert "Traceback" not in scan.stderr
    assert json.loads(scan.stdout)["results"][0]["packages"][0]["vulnerabilities"]

    copy_migrated(tmp_path)  # as `ossdesk migrate` would leave it, the archive beside the database
    result = ossdesk("advisories", "import", str(bomb), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{2 * len(records) + 1} records" in result.stdout
    advisories = {json.loads(data)["id"] for data in records.values()}  # some ids are in two files
    assert f"{len(advisories)} added" in result.stdout
    assert ", 1 rejected;" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        f"rejected {BOMB_NAME}: {BOMB_BYTES:,} bytes; a record may be at most 4,194,304 bytes"
    )
