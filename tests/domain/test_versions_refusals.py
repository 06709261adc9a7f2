"""Version strings each scheme refuses, with the reason its own tool gives, and the edges of 64-bit and
length limits; plus purls that cannot be built."""

from __future__ import annotations

import pytest

from ossdesk.domain.purl import PurlError, purl_for
from ossdesk.domain.versions import InvalidVersion, compare, sort_key
from ossdesk.domain.versions.maven import maven_key


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        (" ", "version string is empty"),
        (":1.0", "epoch in version is empty"),
        ("-1:1.0", "epoch in version is negative"),
        ("2147483648:1.0", "epoch in version is too big"),
        ("1:", "nothing after colon in version number"),
        ("-1", "version number is empty"),
        ("1.0_beta", "invalid character in version number"),
        ("1.0-1_2", "invalid character in revision number"),
    ],
)
def test_debian_versions_refused_with_dpkgs_reason(version, reason):
    with pytest.raises(InvalidVersion) as caught:
        sort_key("Debian", version)
    assert str(caught.value) == f"invalid Debian version {version!r}: {reason}"


def test_the_largest_epoch_dpkg_accepts_still_sorts():
    assert compare("Debian", "2147483647:1.0", "1:9.9") == 1


@pytest.mark.parametrize(
    ("ecosystem", "version", "reason"),
    [
        ("Maven", "1." * 128 + "1", "longer than 256 characters"),
        ("npm", "1.0.0-" + "a" * 251, "longer than 256 characters"),
        ("Pub", "9223372036854775808.0.0", "a version number does not fit in 64 bits"),
    ],
)
def test_overlong_versions_are_refused(ecosystem, version, reason):
    with pytest.raises(InvalidVersion) as caught:
        sort_key(ecosystem, version)
    assert str(caught.value) == f"invalid {ecosystem} version {version!r}: {reason}"


def test_the_longest_versions_allowed_still_parse():
    assert compare("Maven", "1." * 127 + "12", "1." * 127 + "2") == 1  # 256 characters
    assert compare("npm", "1.0.0-" + "a" * 250, "1.0.0") == -1  # 256 characters
    assert compare("Pub", "9223372036854775807.0.0", "1.0.0") == 1


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Dart's int.tryParse reads a 64-bit hex literal as two's complement: 0xFFFFFFFFFFFFFFFF is -1
        ("1.0.0-0xFFFFFFFFFFFFFFFF", "1.0.0-0", -1),
        ("1.0.0-0x7FFFFFFFFFFFFFFF", "1.0.0-0", 1),
        # beyond 64 bits it is no number: text, which sorts after every number
        ("1.0.0-0x10000000000000000", "1.0.0-1", 1),
        ("1.0.0-0x10000000000000000", "1.0.0-zz", -1),
    ],
)
def test_pub_hex_prerelease_parts_follow_dart(a, b, expected):
    assert compare("Pub", a, b) == expected


def test_a_maven_version_equals_only_maven_versions():
    assert maven_key("1.0") == maven_key("1")
    assert maven_key("1.0") != "1.0"
    assert maven_key("1.0") != 1


@pytest.mark.parametrize(
    ("ecosystem", "name", "message"),
    [
        ("PyPI", "   ", "PyPI package without a name"),
        ("Maven", "org.example:", "Maven package 'org.example:': Invalid purl: name is a required argument."),
        ("npm", "@scope/", "npm package '@scope/': Invalid purl: name is a required argument."),
        ("Go", "example.com/", "Go package 'example.com/': Invalid purl: name is a required argument."),
    ],
)
def test_purls_without_a_name_are_refused(ecosystem, name, message):
    with pytest.raises(PurlError) as caught:
        purl_for(ecosystem, name, "1.0")
    assert str(caught.value) == message
