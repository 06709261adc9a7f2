"""The one purl builder: every ecosystem ossdesk orders round-trips, and each type follows the purl spec."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from ossdesk.domain.purl import PackageRef, PurlError, package_for, purl_for, purl_type_for
from ossdesk.domain.versions import ECOSYSTEMS

# One real package per ecosystem, named as the ecosystem (and OSV) names it.
SAMPLES: dict[str, tuple[str, str]] = {
    "PyPI": ("django", "4.2.11"),
    "npm": ("@babel/core", "7.24.0"),
    "Go": ("github.com/gorilla/mux", "v1.8.1"),
    "crates.io": ("tokio", "1.36.0"),
    "Hex": ("plug", "1.15.3"),
    "Pub": ("http", "1.2.1"),
    "Maven": ("org.apache.kafka:kafka-clients", "3.7.0"),
    "RubyGems": ("rails", "7.1.3"),
    "NuGet": ("Newtonsoft.Json", "13.0.3"),
    "Packagist": ("symfony/http-kernel", "6.4.4"),
    "Debian": ("openssl", "3.0.11-1~deb12u2"),
    "Ubuntu": ("openssl", "3.0.2-0ubuntu1.15"),
    "Alpine": ("openssl", "3.1.4-r5"),
    "Wolfi": ("openssl", "3.2.1-r0"),
    "Chainguard": ("openssl", "3.2.1-r0"),
    "Red Hat": ("openssl", "1:1.1.1k-7.el8_6"),
    "AlmaLinux": ("openssl", "1:3.0.7-25.el9"),
    "Rocky Linux": ("openssl", "1:3.0.7-24.el9"),
    "openSUSE": ("libopenssl3", "3.1.4-4.1"),
    "SUSE": ("libopenssl3", "3.0.8-150500.5.20.1"),
    "Mageia": ("openssl", "3.0.13-1.mga9"),
    "openEuler": ("openssl", "1:3.0.12-5.oe2403"),
    "Photon OS": ("openssl", "3.0.9-7.ph5"),
    "Azure Linux": ("openssl", "3.3.0-1.azl3"),
    "CRAN": ("ggplot2", "3.5.0"),
}
RELEASES = {"Debian": "12", "Ubuntu": "22.04:LTS", "Alpine": "v3.19", "Red Hat": "8", "openSUSE": "15.5"}
# OSV's SemVer is a version scheme, not a registry: no purl type names it.
NO_PURL_TYPE = {"SemVer"}


def test_every_ecosystem_has_a_sample() -> None:
    assert set(SAMPLES) | NO_PURL_TYPE == set(ECOSYSTEMS)


@pytest.mark.parametrize("ecosystem", sorted(set(ECOSYSTEMS) - NO_PURL_TYPE))
def test_round_trip_every_ecosystem(ecosystem: str) -> None:
    name, version = SAMPLES[ecosystem]
    purl = purl_for(ecosystem, name, version)
    assert package_for(purl) == PackageRef(ecosystem, name, version)
    assert PackageURL.from_string(purl).to_string() == purl  # canonical as written
    assert package_for(purl_for(ecosystem, name)) == PackageRef(ecosystem, name, None)


@pytest.mark.parametrize(("ecosystem", "release"), sorted(RELEASES.items()))
def test_round_trip_with_a_release_and_arch(ecosystem: str, release: str) -> None:
    name, version = SAMPLES[ecosystem]
    purl = purl_for(f"{ecosystem}:{release}", name, version, arch="x86_64")
    assert package_for(purl) == PackageRef(ecosystem, name, version, release, "x86_64")


@pytest.mark.parametrize("ecosystem", sorted(NO_PURL_TYPE))
def test_an_ecosystem_without_purl_type_is_refused(ecosystem: str) -> None:
    with pytest.raises(PurlError, match="no purl type"):
        purl_for(ecosystem, "anything", "1.0.0")


@pytest.mark.parametrize(
    ("ecosystem", "name", "version", "expected"),
    [
        # The purl spec's type definitions: maven's namespace is the groupId, npm's the scope (%40 encoded),
        # golang's and composer's the leading path segments.
        (
            "Maven",
            "org.apache.kafka:kafka-clients",
            "3.7.0",
            "pkg:maven/org.apache.kafka/kafka-clients@3.7.0",
        ),
        ("npm", "@babel/core", "7.24.0", "pkg:npm/%40babel/core@7.24.0"),
        ("Go", "github.com/gorilla/mux", "v1.8.1", "pkg:golang/github.com/gorilla/mux@v1.8.1"),
        ("Packagist", "symfony/http-kernel", "6.4.4", "pkg:composer/symfony/http-kernel@6.4.4"),
        ("PyPI", "Django_Rest", "1.0", "pkg:pypi/django-rest@1.0"),
        # Distributions: vendor namespace, release in ?distro=, rpm epoch in ?epoch=.
        (
            "Debian:12",
            "openssl",
            "3.0.11-1~deb12u2",
            "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12",
        ),
        ("Debian", "libc6", "1:2.36-9", "pkg:deb/debian/libc6@1:2.36-9"),
        ("Alpine:v3.19", "openssl", "3.1.4-r5", "pkg:apk/alpine/openssl@3.1.4-r5?distro=alpine-3.19"),
        (
            "Red Hat:8",
            "openssl",
            "1:1.1.1k-7.el8_6",
            "pkg:rpm/redhat/openssl@1.1.1k-7.el8_6?distro=redhat-8&epoch=1",
        ),
        ("Rocky Linux", "bash", "5.1.8-6.el9", "pkg:rpm/rocky/bash@5.1.8-6.el9"),
    ],
)
def test_purls_follow_the_spec(ecosystem: str, name: str, version: str, expected: str) -> None:
    assert purl_for(ecosystem, name, version) == expected


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        # What scanners write for installed systems: syft's full Alpine version is OSV's release line.
        (
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4",
            PackageRef("Alpine", "musl", "1.2.4-r2", "v3.18", "x86_64"),
        ),
        ("pkg:deb/debian/curl@7.88.1-10?distro=bookworm", PackageRef("Debian", "curl", "7.88.1-10")),
        ("pkg:rpm/fedora/curl@8.0.1-1.fc38", PackageRef(None, "fedora/curl", "8.0.1-1.fc38")),
        ("pkg:npm/babel/core@7.0.0", PackageRef("npm", "@babel/core", "7.0.0")),
    ],
)
def test_purls_from_other_tools(purl: str, expected: PackageRef) -> None:
    assert package_for(purl) == expected


def test_not_a_purl() -> None:
    with pytest.raises(PurlError, match="is not a purl"):
        package_for("maven:org.apache.kafka:kafka-clients")


def test_purl_type_for_a_release() -> None:
    assert purl_type_for("Debian:12") == "deb"
    assert purl_type_for("Maven") == "maven"


_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=12).filter(
    lambda s: s not in (".", "..") and s[0].isalnum()
)
_version = st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}(-[a-z0-9~+.]{1,8})?", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(group=_segment, artifact=_segment, version=_version)
def test_round_trip_maven_names(group: str, artifact: str, version: str) -> None:
    name = f"{group}:{artifact}"
    assert package_for(purl_for("Maven", name, version)) == PackageRef("Maven", name, version)


@settings(max_examples=60, deadline=None)
@given(
    ecosystem=st.sampled_from(
        ["npm", "Go", "Packagist", "crates.io", "RubyGems", "Hex", "Debian", "Red Hat"]
    ),
    parts=st.lists(_segment, min_size=1, max_size=3),
    version=_version,
    epoch=st.sampled_from(["", "1:", "12:"]),
)
def test_round_trip_names_and_versions(ecosystem: str, parts: list[str], version: str, epoch: str) -> None:
    if ecosystem == "npm":
        name = f"@{parts[0]}/{parts[-1]}" if len(parts) > 1 else parts[0]
    elif ecosystem in ("Go", "Packagist"):
        name = "/".join(parts)
    else:
        name = parts[-1]
    if ecosystem in ("Debian", "Red Hat"):
        version = epoch + version
    assert package_for(purl_for(ecosystem, name, version)) == PackageRef(ecosystem, name, version)
