"""Version ordering per ecosystem, as each ecosystem's own tool orders versions.

``compare(ecosystem, a, b)`` returns -1, 0 or 1; ``sort_key(ecosystem, v)`` returns a key that sorts
consistently with it (a tuple for most ecosystems, an ordered object for Maven and PyPI). Parsing is
cached, since advisories repeat the same versions over and over.

Ecosystems go by their OSV names; a ``:suffix`` (``Debian:12``, ``Alpine:v3.18``, ``Ubuntu:22.04:LTS``,
``Red Hat:rhel_aus:8.4::appstream``) is ignored, and so is the case of the name. One module per family:

* PyPI: PEP 440 as ``packaging`` implements it (the reference implementation);
* npm: node-semver with ``loose``; SemVer (OSV's ``SEMVER`` range type), Go, crates.io, Hex, Pub:
  SemVer 2.0.0 precedence, each with its tool's grammar (:mod:`.semver`);
* Maven: Maven's ``ComparableVersion``; RubyGems: ``Gem::Version``; NuGet: ``NuGet.Versioning``;
  Packagist: PHP's ``version_compare``; CRAN: R's ``compareVersion``;
* Debian, Ubuntu: ``dpkg --compare-versions``; Alpine, Wolfi, Chainguard: apk-tools;
* Red Hat, AlmaLinux, Rocky Linux, openSUSE, SUSE, Mageia, openEuler, Photon OS, Azure Linux:
  ``rpm.labelCompare``.

``tests/domain/test_versions.py`` proves them against the tools' own answers: vectors generated here from
dpkg, rpm, Ruby, node-semver, the Rust ``semver`` crate, Go, Maven and PHP, and the shared vectors (from
packaging, apk, dpkg, Maven, PHP, RubyGems, R and NuGet's tests). Hex and Pub follow their specifications.

A version the ecosystem's tool would reject raises :class:`InvalidVersion` (a ``ValueError``) naming the
ecosystem and the string; an ecosystem with no scheme raises :class:`UnknownEcosystem` (also a
``ValueError``).

Callers evaluating OSV ranges must treat ``introduced: "0"`` as OSV's "from the beginning" marker before
comparing: ``0`` is not the smallest version everywhere (Maven ``0-alpha < 0``, Debian ``0~ < 0``) and
is not a valid npm or crates.io version at all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ossdesk.domain.versions._errors import InvalidVersion, SortKey, UnknownEcosystem, VersionSyntaxError
from ossdesk.domain.versions.apk import apk_key
from ossdesk.domain.versions.cran import cran_key
from ossdesk.domain.versions.dpkg import dpkg_key
from ossdesk.domain.versions.maven import maven_key
from ossdesk.domain.versions.nuget import nuget_key
from ossdesk.domain.versions.packagist import packagist_key
from ossdesk.domain.versions.pypi import pypi_key
from ossdesk.domain.versions.rpm import rpm_key
from ossdesk.domain.versions.rubygems import gem_key
from ossdesk.domain.versions.semver import cargo_key, go_key, lenient_key, npm_key, pub_key, strict_key

__all__ = ["ECOSYSTEMS", "InvalidVersion", "SortKey", "UnknownEcosystem", "compare", "sort_key"]

KeyFunction = Callable[[str], SortKey]

# OSV ecosystem name -> the function that parses a version of it into a sort key.
ECOSYSTEMS: dict[str, KeyFunction] = {
    "PyPI": pypi_key,
    "npm": npm_key,
    "SemVer": lenient_key,
    "Go": go_key,
    "crates.io": cargo_key,
    "Hex": strict_key,
    "Pub": pub_key,
    "Maven": maven_key,
    "RubyGems": gem_key,
    "NuGet": nuget_key,
    "Packagist": packagist_key,
    "Debian": dpkg_key,
    "Ubuntu": dpkg_key,
    "Alpine": apk_key,
    "Wolfi": apk_key,
    "Chainguard": apk_key,
    "Red Hat": rpm_key,
    "AlmaLinux": rpm_key,
    "Rocky Linux": rpm_key,
    "openSUSE": rpm_key,
    "SUSE": rpm_key,
    "Mageia": rpm_key,
    "openEuler": rpm_key,
    "Photon OS": rpm_key,
    "Azure Linux": rpm_key,
    "CRAN": cran_key,
}
_BY_FOLDED_NAME = {name.casefold(): (name, key) for name, key in ECOSYSTEMS.items()}


@lru_cache(maxsize=256)
def _scheme(ecosystem: str) -> tuple[str, KeyFunction]:
    """The canonical name and key function for an OSV ecosystem string (``Debian:12`` -> Debian)."""
    base = ecosystem.split(":", 1)[0].strip()
    try:
        return _BY_FOLDED_NAME[base.casefold()]
    except KeyError:
        raise UnknownEcosystem(ecosystem, sorted(ECOSYSTEMS)) from None


def sort_key(ecosystem: str, version: str) -> SortKey:
    """A key ordering ``version`` among versions of the same ecosystem, consistently with :func:`compare`.

    Keys of different ecosystems are not comparable with each other.
    """
    name, key = _scheme(ecosystem)
    try:
        return key(version)
    except VersionSyntaxError as error:
        raise InvalidVersion(name, version, str(error)) from None


def compare(ecosystem: str, a: str, b: str) -> int:
    """Compare two versions of ``ecosystem``: -1 if ``a`` is older, 0 if they are equal, 1 if newer."""
    key_a = sort_key(ecosystem, a)
    key_b = sort_key(ecosystem, b)
    return (key_b < key_a) - (key_a < key_b)
