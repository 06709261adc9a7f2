"""Package URLs: the one place where an OSV ecosystem's package becomes a purl, and a purl becomes one again.

Every output that names a package (inventories, CSAF, OSV export, VEX, scan reports) builds its purl with
:func:`purl_for`, and every reader maps a purl back with :func:`package_for`, so that what ossdesk writes
it can read back as the same (ecosystem, name, version). packageurl-python does the encoding; this module
decides which part of an ecosystem's name is the purl's namespace and which qualifiers it needs, following
the purl specification's type definitions (github.com/package-url/purl-spec, PURL-TYPES):

* ``maven``: the namespace is the groupId (``org.apache.kafka:kafka-clients`` ->
  ``pkg:maven/org.apache.kafka/kafka-clients``);
* ``npm``: a scope is the namespace (``@babel/core`` -> ``pkg:npm/%40babel/core``);
* ``golang`` and ``composer``: all path segments but the last are the namespace;
* ``deb``, ``apk``, ``rpm``: the namespace is the distribution vendor (``debian``, ``alpine``, ``redhat``
  ...), the release goes into ``?distro=`` (``Debian:12`` -> ``distro=debian-12``, ``Alpine:v3.18`` ->
  ``distro=alpine-3.18``, as syft and Trivy write them) and an rpm epoch into ``?epoch=`` instead of the
  version (``1:1.1.1k-7.el8`` -> ``@1.1.1k-7.el8?epoch=1``); a Debian epoch stays in the version, as the
  deb type defines no epoch qualifier.

OSV's ``SemVer`` ecosystem is a version scheme, not a package registry: no purl type names it, so
:func:`purl_for` refuses it. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from packageurl import PackageURL
from packaging.utils import canonicalize_name

__all__ = [
    "DISTRO_ECOSYSTEMS",
    "PackageRef",
    "PurlError",
    "ecosystem_for_purl",
    "package_for",
    "purl_for",
    "purl_type_for",
]


class PurlError(ValueError):
    """A package that cannot be written as a purl, or a text that is not a purl."""


# Registries: one purl type per OSV ecosystem, and back.
_TYPE_BY_ECOSYSTEM: Final = {
    "PyPI": "pypi",
    "npm": "npm",
    "Maven": "maven",
    "Go": "golang",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "NuGet": "nuget",
    "Packagist": "composer",
    "Pub": "pub",
    "Hex": "hex",
    "CRAN": "cran",
    "Hackage": "hackage",
    "ConanCenter": "conan",
    "Bitnami": "bitnami",
    "Julia": "julia",
    "opam": "opam",
}
_ECOSYSTEM_BY_TYPE: Final = {purl_type: ecosystem for ecosystem, purl_type in _TYPE_BY_ECOSYSTEM.items()}

# Distributions: (purl type, namespace) per OSV ecosystem; the namespace names the distribution's vendor.
DISTRO_ECOSYSTEMS: Final = {
    "Debian": ("deb", "debian"),
    "Ubuntu": ("deb", "ubuntu"),
    "Alpine": ("apk", "alpine"),
    "Wolfi": ("apk", "wolfi"),
    "Chainguard": ("apk", "chainguard"),
    "Red Hat": ("rpm", "redhat"),
    "AlmaLinux": ("rpm", "almalinux"),
    "Rocky Linux": ("rpm", "rocky"),
    "openSUSE": ("rpm", "opensuse"),
    "SUSE": ("rpm", "suse"),
    "Mageia": ("rpm", "mageia"),
    "openEuler": ("rpm", "openeuler"),
    "Photon OS": ("rpm", "photon"),
    "Azure Linux": ("rpm", "azurelinux"),
}
_DISTRO_BY_NAMESPACE: Final = {
    (purl_type, namespace): ecosystem for ecosystem, (purl_type, namespace) in DISTRO_ECOSYSTEMS.items()
} | {
    # Other spellings found in the wild (Trivy, syft, vendors' own SBOMs).
    ("rpm", "rocky-linux"): "Rocky Linux",
    ("rpm", "sles"): "SUSE",
    ("rpm", "mariner"): "Azure Linux",
    ("apk", "alpaquita"): "Alpaquita",
}
# A deb or apk purl without a namespace is most likely from the distribution the type is named after.
_DEFAULT_DISTRO: Final = {"deb": "Debian", "apk": "Alpine"}


@dataclass(frozen=True, slots=True)
class PackageRef:
    """A package as its OSV ecosystem names it: ``ecosystem`` without a release (``Debian``), ``name`` in the
    ecosystem's convention (Maven ``group:artifact``, npm ``@scope/name``, Go module path), ``release``
    the distribution release when the purl says (``12`` for Debian 12), ``arch`` the architecture."""

    ecosystem: str | None
    name: str
    version: str | None
    release: str | None = None
    arch: str | None = None


def purl_type_for(ecosystem: str) -> str:
    """The purl type of an OSV ecosystem (``Debian:12`` -> ``deb``); PurlError when none names it."""
    base = ecosystem.split(":", 1)[0]
    if base in DISTRO_ECOSYSTEMS:
        return DISTRO_ECOSYSTEMS[base][0]
    try:
        return _TYPE_BY_ECOSYSTEM[base]
    except KeyError:
        raise PurlError(f"no purl type for the ecosystem {ecosystem!r}") from None


def purl_for(
    ecosystem: str,
    name: str,
    version: str | None = None,
    *,
    release: str | None = None,
    arch: str | None = None,
) -> str:
    """The canonical purl of a package; ``ecosystem`` may carry the release as OSV writes it (``Debian:12``).

    >>> purl_for("Maven", "org.apache.kafka:kafka-clients", "3.7.0")
    'pkg:maven/org.apache.kafka/kafka-clients@3.7.0'
    >>> purl_for("Red Hat:8", "openssl", "1:1.1.1k-7.el8")
    'pkg:rpm/redhat/openssl@1.1.1k-7.el8?distro=redhat-8&epoch=1'
    """
    base, _, in_ecosystem = ecosystem.partition(":")
    release = release or in_ecosystem or None
    if not name.strip():
        raise PurlError(f"{ecosystem} package without a name")
    qualifiers: dict[str, str] = {}
    namespace: str | None
    if base in DISTRO_ECOSYSTEMS:
        purl_type, namespace = DISTRO_ECOSYSTEMS[base]
        short: str = name
        if release:
            qualifiers["distro"] = _distro(base, namespace, release)
        if purl_type == "rpm" and version and ":" in version:
            epoch, _, version = version.partition(":")
            qualifiers["epoch"] = epoch
    else:
        purl_type = purl_type_for(base)
        namespace, short = _split_name(base, name)
    if arch:
        qualifiers["arch"] = arch
    try:
        return PackageURL(purl_type, namespace, short, version or None, qualifiers or None).to_string()
    except ValueError as error:
        raise PurlError(f"{ecosystem} package {name!r}: {error}") from None


def package_for(purl: str | PackageURL) -> PackageRef:
    """The package a purl names, in its ecosystem's words; ``ecosystem`` is None for a type OSV has not."""
    if isinstance(purl, str):
        try:
            purl = PackageURL.from_string(purl.strip())
        except ValueError as error:
            raise PurlError(f"{purl!r} is not a purl: {error}") from None
    ecosystem = ecosystem_for_purl(purl.type, purl.namespace)
    qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
    version = purl.version
    if version and qualifiers.get("epoch") and purl.type == "rpm":
        version = f"{qualifiers['epoch']}:{version}"
    release = None
    if ecosystem is not None and purl.namespace and (distro := qualifiers.get("distro")):
        release = _release(ecosystem, purl.namespace.lower(), distro)
    return PackageRef(
        ecosystem=ecosystem,
        name=_ecosystem_name(ecosystem, purl),
        version=version or None,
        release=release,
        arch=qualifiers.get("arch") or None,
    )


def ecosystem_for_purl(purl_type: str, namespace: str | None = None) -> str | None:
    """The OSV ecosystem of a purl type, or None when OSV has none for it.

    ``deb``, ``apk`` and ``rpm`` depend on the namespace (the distribution): ``pkg:deb/ubuntu/...`` is
    ``Ubuntu``, ``pkg:rpm/redhat/...`` is ``Red Hat``; an rpm of a distribution OSV does not cover (Fedora,
    CentOS) has no ecosystem.
    """
    purl_type = purl_type.lower()
    if purl_type not in ("deb", "apk", "rpm"):
        return _ECOSYSTEM_BY_TYPE.get(purl_type)
    if not namespace:
        return _DEFAULT_DISTRO.get(purl_type)
    return _DISTRO_BY_NAMESPACE.get((purl_type, namespace.lower()))


def _split_name(ecosystem: str, name: str) -> tuple[str | None, str]:
    """An ecosystem's package name as purl namespace and name."""
    if ecosystem == "Maven":
        group, _, artifact = name.rpartition(":")
        return group or None, artifact
    if ecosystem == "PyPI":
        return None, canonicalize_name(name)
    if ecosystem in ("npm", "Go", "Packagist"):
        namespace, _, short = name.rpartition("/")
        return namespace or None, short
    return None, name


def _ecosystem_name(ecosystem: str | None, purl: PackageURL) -> str:
    """The package name as ``ecosystem`` writes it, from a parsed purl."""
    namespace, name = purl.namespace, purl.name
    if ecosystem == "Maven":
        return f"{namespace}:{name}" if namespace else name
    if ecosystem == "PyPI":
        return canonicalize_name(name)
    if ecosystem == "npm" and namespace and not namespace.startswith("@"):
        namespace = "@" + namespace  # an npm namespace can only be a scope
    if ecosystem in DISTRO_ECOSYSTEMS or ecosystem == "Alpaquita":
        return name  # the namespace names the distribution, not a part of the package
    return f"{namespace}/{name}" if namespace else name


def _distro(ecosystem: str, namespace: str, release: str) -> str:
    """The ``distro`` qualifier for an OSV release: ``debian-12``; Alpine's ``v3.18`` is ``alpine-3.18``."""
    if ecosystem == "Alpine" and release.startswith("v"):
        release = release[1:]
    return f"{namespace}-{release}"


def _release(ecosystem: str, namespace: str, distro: str) -> str | None:
    """The OSV release from a ``distro`` qualifier; None when it names no release of this distribution.

    ``alpine-3.18.4`` (an installed system's full version) is OSV's ``v3.18``.
    """
    prefix = f"{namespace}-"
    if not distro.lower().startswith(prefix) or len(distro) == len(prefix):
        return None
    release = distro[len(prefix) :]
    if ecosystem == "Alpine":
        return "v" + ".".join(release.split(".")[:2])
    return release
