"""CSAF 2.0 security advisories and OSV records for the vendor's own patched builds.

The vendor's analysts describe an advisory as a :class:`VendorAdvisory` ("django fixed in 4.2.11-vendor1");
:func:`to_csaf` turns it into a CSAF 2.0 document of the profile ``csaf_security_advisory`` and
:func:`to_osv` into an OSV record. :func:`validate_csaf` checks any CSAF 2.0 document against the official
JSON schema, fully offline, and then runs the mandatory tests of CSAF 2.0 section 6.1 that the schema
cannot express (the list is :data:`MANDATORY_TESTS`). Pure Python: no Django, no network, no clock.

Where things go in the CSAF document:

* ``product_tree``: one ``vendor`` branch (the publisher, whose builds these are) holding one
  ``product_name`` branch per :class:`AffectedProduct`, holding one ``product_version`` branch per exact
  version and one ``product_version_range`` branch per range. Every leaf carries a full product name
  whose ``product_id`` is ``"<purl type>/<name>@<version or vers range>"`` (``pypi/django@4.2.11-vendor1``):
  stable across revisions and readable, and a ``product_identification_helper.purl`` (with the version
  for an exact version, without it for a range).
* ``vulnerabilities``: one item per CVE (``cve``); the advisory's other identifiers (GHSA, PYSEC ...) go
  into every item's ``ids`` with the prefix as ``system_name``, since the advisory does not say which of
  several CVEs each belongs to. With no CVE there is one item carrying the ``ids``. Each item has
  ``notes`` (the details, as the profile requires), ``product_status`` (``known_affected`` for affected
  versions and ranges, ``fixed`` for fixed versions), one ``vendor_fix`` remediation per product that
  has affected versions (its ``remediation`` text, for those versions) and, for a CVSS v2 or v3 vector,
  a ``scores`` entry for all affected products. CSAF 2.0 has no place for CVSS v4, so a 4.0 vector is
  left out of the CSAF document (it does go into the OSV record).
* ``document``: ``notes`` carry the summary (``summary``) and the details (``description``);
  ``references`` the ``(summary, url)`` pairs; ``tracking`` the id, status, dates, version (the
  revision number as an integer version) and revision history.

``AffectedProduct.affected`` holds exact versions (``4.2.10-vendor2``) and ranges. A range is written as
the constraint part of a vers specifier: at most one lower bound ``>=`` and at most one upper bound
``<`` or ``<=``, joined by ``|`` (``<4.2.11-vendor1``, ``>=5.0|<5.0.3-vendor1``). Any other item is an exact
version. In CSAF a range becomes the canonical vers ``vers:<purl type>/<constraints>``; in OSV it becomes
an ``ECOSYSTEM`` range: ``introduced`` at the lower bound (``"0"`` without one), ``fixed`` at a ``<`` bound,
``last_affected`` at a ``<=`` bound. With no range at all, the OSV range is ``introduced: "0"`` plus
``fixed`` at the single fixed version; several fixed versions without ranges give no OSV range (nothing
would say where each release line starts, and an ``introduced: "0"`` range would misstate which versions
each fix covers), only the ``versions`` list of the exact affected versions.

OSV ids: the OSV schema's id pattern accepts the registered databases' prefixes (``GHSA-``, ``PYSEC-`` ...)
and ``x_``; the vendor has no registered prefix, so the default id is ``x_`` followed by the advisory id
(pass ``osv_id`` to choose another). The CVEs and other ids of an advisory about the vendor's rebuilds
are the upstream's, so they go into OSV's ``upstream`` (schema 1.7.0), not into ``aliases``.

Sources: the CSAF 2.0 JSON schema and the FIRST CVSS schemas it references are stored in ``schemas/``
(their README names where each comes from and its licence); the mandatory tests follow the CSAF 2.0
specification, section 6.1 (OASIS, docs.oasis-open.org/csaf/csaf/v2.0/).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from packageurl import PackageURL
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ossdesk.domain.purl import PurlError, purl_for, purl_type_for
from ossdesk.domain.versions.semver import SemverKey, strict_key

__all__ = [
    "ADVISORY_STATUSES",
    "FORMAT_CHECKER",
    "MANDATORY_TESTS",
    "TLP_LABELS",
    "AffectedProduct",
    "Revision",
    "VendorAdvisory",
    "describe_schema_error",
    "to_csaf",
    "to_osv",
    "validate_csaf",
]

ADVISORY_STATUSES: Final = ("draft", "interim", "final")
# TLP 2.0 (FIRST); CSAF 2.0 still writes TLP 1.0, where CLEAR was called WHITE and AMBER+STRICT did not exist.
TLP_LABELS: Final = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
CSAF_TLP: Final[Mapping[str, str]] = {
    "CLEAR": "WHITE",
    "GREEN": "GREEN",
    "AMBER": "AMBER",
    "AMBER+STRICT": "AMBER",
    "RED": "RED",
}
TLP_URL: Final = "https://www.first.org/tlp/"
CSAF_CATEGORY: Final = "csaf_security_advisory"
OSV_SCHEMA_VERSION: Final = "1.7.0"
ENGINE_NAME: Final = "ossdesk"

SCHEMA_DIR: Final = Path(__file__).with_name("schemas")
CSAF_SCHEMA_FILE: Final = "csaf_json_schema.json"
# The external $refs of the CSAF 2.0 schema, resolved to the stored copies of FIRST's schemas.
CVSS_SCHEMA_FILES: Final[Mapping[str, str]] = {
    "https://www.first.org/cvss/cvss-v2.0.json": "cvss-v2.0.json",
    "https://www.first.org/cvss/cvss-v3.0.json": "cvss-v3.0.json",
    "https://www.first.org/cvss/cvss-v3.1.json": "cvss-v3.1.json",
}

_CVE = re.compile(r"CVE-[0-9]{4}-[0-9]{4,}")
_FILENAME_UNSAFE = re.compile(r"[^+\-a-z0-9]+")
_CONSTRAINT = re.compile(r"(>=|<=|<|>|!=|=)?\s*(.*)")
_RANGE_START = ("<", ">", "=", "!")


@dataclass(frozen=True)
class VersionRange:
    """A range of versions: from ``lower`` (inclusive; ``None``: from the beginning) up to ``upper``.

    ``upper_inclusive`` tells ``<=`` from ``<``; ``upper`` ``None`` means no fix on this line yet.
    """

    lower: str | None
    upper: str | None
    upper_inclusive: bool

    def constraints(self) -> str:
        """The vers constraint part, lower bound first (vers wants constraints sorted by version)."""
        parts = []
        if self.lower is not None:
            parts.append(f">={self.lower}")
        if self.upper is not None:
            parts.append(f"{'<=' if self.upper_inclusive else '<'}{self.upper}")
        return "|".join(parts)


def parse_range(text: str) -> VersionRange | None:
    """The range written in ``text``, or ``None`` when it is an exact version. Raises ValueError if malformed.

    >>> parse_range(">=5.0|<5.0.3-vendor1")
    VersionRange(lower='5.0', upper='5.0.3-vendor1', upper_inclusive=False)
    >>> parse_range("4.2.10") is None
    True
    """
    if not text.startswith(_RANGE_START):
        return None
    lower: str | None = None
    upper: str | None = None
    upper_inclusive = False
    for raw in text.split("|"):
        match = _CONSTRAINT.fullmatch(raw.strip())
        operator, version = (match.group(1), match.group(2).strip()) if match else (None, "")
        if not operator or not version or any(c.isspace() for c in version):
            raise ValueError(f"range {text!r}: {raw.strip()!r} is not a comparator and a version")
        if operator == ">=" and lower is None:
            lower = version
        elif operator in ("<", "<=") and upper is None:
            upper, upper_inclusive = version, operator == "<="
        else:
            raise ValueError(
                f"range {text!r}: only one '>=' lower bound and one '<' or '<=' upper bound are supported"
                f" (OSV ranges cannot say {operator!r} or repeat a bound)"
            )
    return VersionRange(lower, upper, upper_inclusive)


@dataclass(frozen=True)
class Revision:
    """One released revision of an advisory: when, and what changed. Revision numbers count from 1."""

    date: datetime
    summary: str


@dataclass(frozen=True)
class AffectedProduct:
    """A package the vendor builds, with its affected versions or ranges and the vendor's fixed builds.

    ``affected`` items are exact versions or ranges (see the module doc: ``<4.2.11-vendor1``,
    ``>=5.0|<5.0.3-vendor1``); ``fixed`` items are exact versions; ``remediation`` is the vendor-fix text
    ("Upgrade to 4.2.11-vendor1 from the vendor repository"), required when anything is affected.
    """

    ecosystem: str
    name: str
    affected: tuple[str, ...]
    fixed: tuple[str, ...]
    remediation: str

    def __post_init__(self) -> None:
        label = f"product {self.name!r}"
        for attribute in ("ecosystem", "name"):
            if not getattr(self, attribute).strip():
                raise ValueError(f"{label}: {attribute} is empty")
        if not self.affected and not self.fixed:
            raise ValueError(f"{label}: neither affected nor fixed versions are given")
        if self.affected and not self.remediation.strip():
            raise ValueError(f"{label}: affected versions need a remediation text")
        for version in (*self.affected, *self.fixed):
            if not version.strip() or version != version.strip():
                raise ValueError(f"{label}: version {version!r} is empty or has surrounding spaces")
        for version in self.fixed:
            if parse_range(version) is not None:
                raise ValueError(f"{label}: fixed version {version!r} must be an exact version, not a range")
        for item in self.affected:
            parse_range(item)  # raises for a malformed range; a range it returns always has a bound
        duplicates = [v for v, n in Counter((*self.affected, *self.fixed)).items() if n > 1]
        if duplicates:
            raise ValueError(f"{label}: listed more than once (or both affected and fixed): {duplicates}")
        try:
            purl_for(self.ecosystem, self.name)
        except PurlError as error:
            raise ValueError(f"{label}: no valid purl: {error}") from None

    @property
    def purl_type(self) -> str:
        """The purl type of this package's ecosystem (``maven``, ``deb`` ...)."""
        return purl_type_for(self.ecosystem)

    @property
    def ranges(self) -> tuple[tuple[str, VersionRange], ...]:
        """The affected ranges, each with the text it was written as."""
        return tuple((item, r) for item in self.affected if (r := parse_range(item)) is not None)

    @property
    def exact_affected(self) -> tuple[str, ...]:
        """The affected items that are exact versions."""
        return tuple(item for item in self.affected if parse_range(item) is None)

    def purl(self, version: str | None = None) -> str:
        """This package's purl, with ``version`` if given, from the one purl builder."""
        return purl_for(self.ecosystem, self.name, version)

    def vers(self, item: str) -> str:
        """The canonical vers string for the affected range ``item``."""
        parsed = parse_range(item)
        if parsed is None:
            raise ValueError(f"{item!r} is not a range")
        return f"vers:{self.purl_type.lower()}/{parsed.constraints()}"

    def product_id(self, item: str) -> str:
        """The CSAF product id for an exact version or an affected range of this package."""
        label = item if parse_range(item) is None else self.vers(item)
        return f"{self.purl_type.lower()}/{self.name}@{label}"


@dataclass(frozen=True)
class VendorAdvisory:
    """A security advisory about the vendor's own patched builds, as the analysts write it.

    ``cves`` are CVE ids; ``aliases`` the advisory's other ids (GHSA, PYSEC ...); ``cvss_vector`` a CVSS
    v2, v3.0, v3.1 or v4.0 vector (3.x and 4.0 with their ``CVSS:`` prefix); ``references`` are
    ``(summary, url)`` pairs. ``revision`` is the number of the current revision (from 1);
    ``revision_history`` lists every revision in order (its length is ``revision``) and may be left
    empty only for revision 1, which is then dated ``published``.
    """

    id: str
    title: str
    summary: str
    details: str
    publisher_name: str
    publisher_namespace: str
    published: datetime
    modified: datetime
    revision: int
    status: str
    cves: tuple[str, ...]
    aliases: tuple[str, ...]
    cvss_vector: str | None
    products: tuple[AffectedProduct, ...]
    references: tuple[tuple[str, str], ...]
    revision_history: tuple[Revision, ...] = ()
    tlp: str = "CLEAR"
    withdrawn: datetime | None = None
    withdrawn_reason: str = ""

    def __post_init__(self) -> None:
        label = f"advisory {self.id!r}"
        if self.tlp not in TLP_LABELS:
            raise ValueError(f"{label}: TLP {self.tlp!r} is not one of {', '.join(TLP_LABELS)}")
        if self.withdrawn is not None and (self.status != "final" or not self.withdrawn_reason.strip()):
            raise ValueError(f"{label}: a withdrawn advisory is final and says why it was withdrawn")
        if not self.id or self.id != self.id.strip():
            raise ValueError(f"{label}: the id is empty or has surrounding spaces")
        for attribute in ("title", "summary", "details", "publisher_name"):
            if not getattr(self, attribute).strip():
                raise ValueError(f"{label}: {attribute} is empty")
        if not self.publisher_namespace.startswith(("https://", "http://")):
            raise ValueError(f"{label}: publisher_namespace must be a URL, got {self.publisher_namespace!r}")
        if self.status not in ADVISORY_STATUSES:
            raise ValueError(f"{label}: status {self.status!r} is not one of {ADVISORY_STATUSES}")
        for moment in (self.published, self.modified, *(r.date for r in self.revision_history)):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"{label}: {moment.isoformat()} has no time zone")
        if self.modified < self.published:
            raise ValueError(f"{label}: modified is before published")
        if self.revision < 1:
            raise ValueError(f"{label}: revision numbers start at 1")
        self._check_history(label)
        self._check_ids(label)
        if self.cvss_vector is not None:
            _cvss(self.cvss_vector)  # raises ValueError on a vector the cvss library rejects
        if not self.products:
            raise ValueError(f"{label}: no products")
        ids = Counter(p.product_id(v) for p in self.products for v in (*p.affected, *p.fixed))
        if clashes := [i for i, n in ids.items() if n > 1]:
            raise ValueError(f"{label}: products listed twice: {clashes}")
        for summary, url in self.references:
            if not summary.strip() or not url.startswith(("https://", "http://")):
                raise ValueError(f"{label}: reference ({summary!r}, {url!r}) needs a summary and a URL")

    def _check_history(self, label: str) -> None:
        if not self.revision_history:
            if self.revision != 1:
                raise ValueError(f"{label}: revision {self.revision} needs its revision history")
            return
        if len(self.revision_history) != self.revision:
            raise ValueError(
                f"{label}: revision {self.revision} but {len(self.revision_history)} revisions in the history"
            )
        dates = [r.date for r in self.revision_history]
        if dates != sorted(dates):
            raise ValueError(f"{label}: the revision history is not in date order")
        if dates[-1] > self.modified:
            raise ValueError(f"{label}: the last revision is dated after modified")
        if any(not r.summary.strip() for r in self.revision_history):
            raise ValueError(f"{label}: a revision has no summary")

    def _check_ids(self, label: str) -> None:
        for cve in self.cves:
            if not _CVE.fullmatch(cve):
                raise ValueError(f"{label}: {cve!r} is not a CVE id")
        for alias in self.aliases:
            if not alias.strip() or alias != alias.strip():
                raise ValueError(f"{label}: alias {alias!r} is empty or has surrounding spaces")
            if _CVE.fullmatch(alias):
                raise ValueError(f"{label}: {alias} is a CVE id; list it in cves")
        for kind, values in (("CVE", self.cves), ("alias", self.aliases)):
            if len(set(values)) != len(values):
                raise ValueError(f"{label}: a {kind} is listed twice")

    @property
    def history(self) -> tuple[Revision, ...]:
        """The revision history, with revision 1 at ``published`` when none was given."""
        return self.revision_history or (Revision(self.published, "Initial version."),)

    @property
    def filename(self) -> str:
        """The CSAF file name of this advisory (CSAF 2.0 section 5.1): the id in lower case, every run of
        characters other than ``+``, ``-``, ``a-z`` and ``0-9`` replaced by ``_``, and ``.json``."""
        return _FILENAME_UNSAFE.sub("_", self.id.lower()) + ".json"

    @property
    def canonical_url(self) -> str:
        """Where the vendor publishes this document: ``<namespace>/csaf/<year>/<filename>``."""
        return f"{self.publisher_namespace.rstrip('/')}/csaf/{self.published.year}/{self.filename}"


# --------------------------------------------------------------------------------------------------------
# CVSS
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Cvss:
    version: str  # "2.0", "3.0", "3.1" or "4.0"
    vector: str
    base_score: float
    base_severity: str  # upper case, as CSAF and FIRST write it


def _cvss(vector: str) -> _Cvss:
    """Parse and score a CVSS vector with the ``cvss`` library."""
    try:
        if vector.startswith("CVSS:4.0/"):
            v4 = CVSS4(vector)
            return _Cvss("4.0", v4.clean_vector(), _score(v4.base_score), str(v4.severity).upper())
        if vector.startswith("CVSS:3."):
            v3 = CVSS3(vector)
            version = vector[len("CVSS:") : len("CVSS:3.x")]
            return _Cvss(version, v3.clean_vector(), _score(v3.base_score), str(v3.severities()[0]).upper())
        v2 = CVSS2(vector)
        return _Cvss("2.0", v2.clean_vector(), _score(v2.base_score), "")
    except CVSSError as error:
        raise ValueError(f"invalid CVSS vector {vector!r}: {error}") from None


def _score(value: Decimal | float) -> float:
    return float(value)


def _csaf_score(parsed: _Cvss) -> tuple[str, dict[str, Any]] | None:
    """The CSAF ``scores[]`` key and object for a vector; ``None`` for CVSS v4 (CSAF 2.0 has no place)."""
    if parsed.version == "2.0":
        return "cvss_v2", {"version": "2.0", "vectorString": parsed.vector, "baseScore": parsed.base_score}
    if parsed.version in ("3.0", "3.1"):
        return "cvss_v3", {
            "version": parsed.version,
            "vectorString": parsed.vector,
            "baseScore": parsed.base_score,
            "baseSeverity": parsed.base_severity,
        }
    return None


# --------------------------------------------------------------------------------------------------------
# CSAF export
# --------------------------------------------------------------------------------------------------------
def to_csaf(advisory: VendorAdvisory, *, generated_at: datetime | None = None) -> dict[str, Any]:
    """The advisory as a CSAF 2.0 document of the profile ``csaf_security_advisory`` (see the module doc).

    ``generated_at`` goes into ``tracking.generator.date`` when given; the output depends on nothing else
    but the advisory (and the installed ossdesk version, named as the generator engine's version).
    """
    notes = [
        {"category": "summary", "text": advisory.summary, "title": "Summary"},
        {"category": "description", "text": advisory.details, "title": "Details"},
    ]
    if advisory.withdrawn is not None:
        notes.insert(0, {"category": "general", "text": advisory.withdrawn_reason, "title": "Withdrawn"})
    document: dict[str, Any] = {
        "category": CSAF_CATEGORY,
        "csaf_version": "2.0",
        "distribution": {"tlp": {"label": CSAF_TLP[advisory.tlp], "url": TLP_URL}},
        "lang": "en",
        "notes": notes,
        "publisher": {
            "category": "vendor",
            "name": advisory.publisher_name,
            "namespace": advisory.publisher_namespace,
        },
        "title": advisory.title,
        "tracking": _tracking(advisory, generated_at),
    }
    document["references"] = [
        {"category": "self", "summary": "This advisory, canonical URL", "url": advisory.canonical_url},
        *({"category": "external", "summary": summary, "url": url} for summary, url in advisory.references),
    ]
    built = {
        "document": document,
        "product_tree": {"branches": [_vendor_branch(advisory)]},
        "vulnerabilities": _vulnerabilities(advisory),
    }
    # Keys in order, as CSAF's recommended test 6.2.13 (Sorting) asks; sort_keys also copies every level.
    ordered: dict[str, Any] = json.loads(json.dumps(built, sort_keys=True))
    return ordered


def _tracking(advisory: VendorAdvisory, generated_at: datetime | None) -> dict[str, Any]:
    engine: dict[str, Any] = {"name": ENGINE_NAME}
    if version := _engine_version():
        engine["version"] = version
    generator: dict[str, Any] = {"engine": engine}
    if generated_at is not None:
        generator["date"] = _timestamp(generated_at)
    return {
        "current_release_date": _timestamp(advisory.modified),
        "generator": generator,
        "id": advisory.id,
        "initial_release_date": _timestamp(advisory.published),
        "revision_history": [
            {"date": _timestamp(r.date), "number": str(number), "summary": r.summary}
            for number, r in enumerate(advisory.history, start=1)
        ],
        "status": advisory.status,
        "version": str(advisory.revision),
    }


@cache
def _engine_version() -> str | None:
    try:
        return metadata.version("ossdesk")
    except metadata.PackageNotFoundError:
        return None


def _vendor_branch(advisory: VendorAdvisory) -> dict[str, Any]:
    product_branches = []
    for product in advisory.products:
        leaves = []
        for item in (*product.affected, *product.fixed):
            is_range = parse_range(item) is not None
            label = product.vers(item) if is_range else item
            leaves.append(
                {
                    "category": "product_version_range" if is_range else "product_version",
                    "name": label,
                    "product": {
                        "name": f"{product.name} {label}",
                        "product_id": product.product_id(item),
                        "product_identification_helper": {
                            "purl": product.purl(None if is_range else item),
                        },
                    },
                }
            )
        product_branches.append({"branches": leaves, "category": "product_name", "name": product.name})
    return {"branches": product_branches, "category": "vendor", "name": advisory.publisher_name}


def _vulnerabilities(advisory: VendorAdvisory) -> list[dict[str, Any]]:
    affected = [p.product_id(v) for p in advisory.products for v in p.affected]
    fixed = [p.product_id(v) for p in advisory.products for v in p.fixed]
    status: dict[str, list[str]] = {}
    if affected:
        status["known_affected"] = affected
    if fixed:
        status["fixed"] = fixed
    remediations = [
        {
            "category": "vendor_fix",
            "details": p.remediation,
            "product_ids": [p.product_id(v) for v in p.affected],
        }
        for p in advisory.products
        if p.affected
    ]
    scores = []
    score = _csaf_score(_cvss(advisory.cvss_vector)) if advisory.cvss_vector else None
    if score is not None and affected:
        key, cvss_object = score
        scores.append({key: cvss_object, "products": affected})
    ids = [{"system_name": _system_name(alias), "text": alias} for alias in advisory.aliases]
    v4_note = _cvss_v4_note(advisory.cvss_vector)

    items: list[dict[str, Any]] = []
    for cve in advisory.cves or (None,):
        item: dict[str, Any] = {}
        if cve is not None:
            item["cve"] = cve
        if ids:
            item["ids"] = ids
        item["notes"] = [{"category": "description", "text": advisory.details, "title": "Details"}]
        if v4_note is not None:
            item["notes"].append(v4_note)
        item["product_status"] = status
        if remediations:
            item["remediations"] = remediations
        if scores:
            item["scores"] = scores
        items.append(item)
    # The items share lists; a deep copy keeps a caller's edit to one item from changing the others.
    copied: list[dict[str, Any]] = json.loads(json.dumps(items))
    return copied


def _cvss_v4_note(vector: str | None) -> dict[str, str] | None:
    """CSAF 2.0's ``scores`` know CVSS v2 and v3 only: a v4 vector travels as a note of its vulnerability."""
    if not vector:
        return None
    parsed = _cvss(vector)
    if parsed.version != "4.0":
        return None
    return {
        "category": "other",
        "text": f"{parsed.vector} (base score {parsed.base_score}, {parsed.base_severity})",
        "title": "CVSS v4.0",
    }


def _system_name(identifier: str) -> str:
    """The numbering system of an id, by its prefix: ``GHSA-xxxx`` -> ``GHSA``."""
    prefix, separator, _ = identifier.partition("-")
    return prefix if separator and prefix else "other"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------------------------------------
# OSV export
# --------------------------------------------------------------------------------------------------------
def to_osv(advisory: VendorAdvisory, *, osv_id: str | None = None) -> dict[str, Any]:
    """The advisory as an OSV record (schema 1.7.0): one ``affected`` entry per product (see the module doc).

    ``osv_id`` defaults to ``x_<advisory id>``.
    """
    record: dict[str, Any] = {
        "schema_version": OSV_SCHEMA_VERSION,
        "id": osv_id or f"x_{advisory.id}",
        "modified": _timestamp(advisory.modified),
        "published": _timestamp(advisory.published),
        "summary": advisory.title,
        "details": f"{advisory.summary}\n\n{advisory.details}",
        "affected": [_osv_affected(p) for p in advisory.products],
    }
    if advisory.withdrawn is not None:
        record["withdrawn"] = _timestamp(advisory.withdrawn)
    upstream = [*advisory.cves, *advisory.aliases]
    if upstream:
        record["upstream"] = upstream
    if advisory.cvss_vector:
        parsed = _cvss(advisory.cvss_vector)
        kind = {"2.0": "CVSS_V2", "3.0": "CVSS_V3", "3.1": "CVSS_V3", "4.0": "CVSS_V4"}[parsed.version]
        record["severity"] = [{"type": kind, "score": parsed.vector}]
    if advisory.references:
        record["references"] = [{"type": "WEB", "url": url} for _, url in advisory.references]
    return record


def _osv_affected(product: AffectedProduct) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "package": {"ecosystem": product.ecosystem, "name": product.name, "purl": product.purl()},
    }
    ranges = []
    for _, parsed in product.ranges:
        events: list[dict[str, str]] = [{"introduced": parsed.lower or "0"}]
        if parsed.upper is not None:
            events.append({"last_affected" if parsed.upper_inclusive else "fixed": parsed.upper})
        ranges.append({"type": "ECOSYSTEM", "events": events})
    if not product.ranges and len(product.fixed) == 1:
        ranges.append({"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": product.fixed[0]}]})
    if ranges:
        entry["ranges"] = ranges
    if product.exact_affected:
        entry["versions"] = list(product.exact_affected)
    return entry


# --------------------------------------------------------------------------------------------------------
# Validation: the schema, then the mandatory tests
# --------------------------------------------------------------------------------------------------------
def validate_csaf(document: Mapping[str, Any]) -> list[str]:
    """Problems with a CSAF 2.0 document, each a readable line; empty when it is valid.

    First the official JSON schema (with FIRST's CVSS schemas for the ``scores``), offline; a document the
    schema rejects gets only those messages, as the mandatory tests assume its structure. Then the
    mandatory tests of :data:`MANDATORY_TESTS`, each message starting with the test's section number.
    """
    schema_errors = sorted(_csaf_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if schema_errors:
        return [f"schema: {line}" for error in schema_errors for line in describe_schema_error(error)]
    problems = []
    for section, name, test in MANDATORY_TESTS:
        problems += [f"{section} {name}: {message}" for message in test(document)]
    return problems


@cache
def _csaf_validator() -> Draft202012Validator:
    registry: Registry[Any] = Registry()
    for uri, filename in CVSS_SCHEMA_FILES.items():
        resource = Resource.from_contents(_load_schema(filename), default_specification=DRAFT202012)
        registry = registry.with_resource(uri, resource)
    return Draft202012Validator(
        _load_schema(CSAF_SCHEMA_FILE), registry=registry, format_checker=FORMAT_CHECKER
    )


def _load_schema(filename: str) -> dict[str, Any]:
    path = SCHEMA_DIR / filename
    if not path.is_file():
        raise FileNotFoundError(
            f"schema {filename} is missing from {SCHEMA_DIR} (is package data installed?)"
        )
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats apply to strings only; "type" judges the rest
    if not _RFC3339.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", value).replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False  # shaped right, but no such day or time (2026-02-30, 25:00)
    return True


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or (bool(_IRI.fullmatch(value)) and value.isascii())


def _is_iri(value: object) -> bool:
    return not isinstance(value, str) or bool(_IRI.fullmatch(value))


FORMAT_CHECKER: Final = FormatChecker(formats=())
"""The ``format`` keywords these schemas use, checked without jsonschema's optional packages.

``date-time`` is RFC 3339 (as JSON Schema 2020-12 defines it) and must be a real moment; ``uri`` and
``iri`` need a scheme and no character RFC 3986/3987 excludes (spaces, ``<>"{}|\\^```), ``uri`` ASCII only.
A light check, not a full RFC 3986 parser: it catches dates and links that are plainly wrong.
"""
FORMAT_CHECKER.checks("date-time")(_is_date_time)
FORMAT_CHECKER.checks("uri")(_is_uri)
FORMAT_CHECKER.checks("iri")(_is_iri)


def describe_schema_error(error: ValidationError) -> list[str]:
    """A JSON-schema error as readable ``/json/pointer: message`` lines.

    For ``oneOf``/``anyOf`` the reasons come from the alternative that came closest (fewest errors), so a
    CVSS 3.1 object with a bad score is reported as a bad score, not as "not CVSS 3.0".
    """
    if not error.context:
        pointer = "".join(f"/{part}" for part in error.absolute_path) or "/"
        return [f"{pointer}: {error.message}"]
    alternatives: dict[object, list[ValidationError]] = {}
    for cause in error.context:
        alternatives.setdefault(cause.relative_schema_path[0], []).append(cause)
    closest = min(alternatives.values(), key=len)
    return [line for cause in closest for line in describe_schema_error(cause)]


# The mandatory tests take a schema-valid document and yield one message per failure.
MandatoryTest = Callable[[Mapping[str, Any]], Iterable[str]]
_STATUS_GROUPS: Final[Mapping[str, tuple[str, ...]]] = {
    "affected": ("first_affected", "known_affected", "last_affected"),
    "not affected": ("known_not_affected",),
    "fixed": ("first_fixed", "fixed"),
    "under investigation": ("under_investigation",),
}


def _defined_products(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every full product name in the product tree, with its JSON pointer."""
    tree = document.get("product_tree", {})

    def walk(branches: Sequence[Mapping[str, Any]], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        for index, branch in enumerate(branches):
            here = f"{path}/{index}"
            if "product" in branch:
                yield f"{here}/product", branch["product"]
            yield from walk(branch.get("branches", []), f"{here}/branches")

    yield from walk(tree.get("branches", []), "/product_tree/branches")
    for index, product in enumerate(tree.get("full_product_names", [])):
        yield f"/product_tree/full_product_names/{index}", product
    for index, relationship in enumerate(tree.get("relationships", [])):
        yield f"/product_tree/relationships/{index}/full_product_name", relationship["full_product_name"]


def _branches(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    def walk(branches: Sequence[Mapping[str, Any]], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        for index, branch in enumerate(branches):
            yield f"{path}/{index}", branch
            yield from walk(branch.get("branches", []), f"{path}/{index}/branches")

    yield from walk(document.get("product_tree", {}).get("branches", []), "/product_tree/branches")


def _product_references(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every product id used outside a full product name, with its JSON pointer."""
    tree = document.get("product_tree", {})
    for g, group in enumerate(tree.get("product_groups", [])):
        for i, product_id in enumerate(group["product_ids"]):
            yield f"/product_tree/product_groups/{g}/product_ids/{i}", product_id
    for r, relationship in enumerate(tree.get("relationships", [])):
        for key in ("product_reference", "relates_to_product_reference"):
            yield f"/product_tree/relationships/{r}/{key}", relationship[key]
    for v, vulnerability in enumerate(document.get("vulnerabilities", [])):
        base = f"/vulnerabilities/{v}"
        for status, product_ids in vulnerability.get("product_status", {}).items():
            for i, product_id in enumerate(product_ids):
                yield f"{base}/product_status/{status}/{i}", product_id
        for list_name, key in (
            ("remediations", "product_ids"),
            ("threats", "product_ids"),
            ("flags", "product_ids"),
            ("scores", "products"),
        ):
            for n, entry in enumerate(vulnerability.get(list_name, [])):
                for i, product_id in enumerate(entry.get(key, [])):
                    yield f"{base}/{list_name}/{n}/{key}/{i}", product_id


def _test_missing_product_definition(document: Mapping[str, Any]) -> Iterator[str]:
    defined = {product["product_id"] for _, product in _defined_products(document)}
    for pointer, product_id in _product_references(document):
        if product_id not in defined:
            yield f"{pointer}: product id {product_id!r} is not defined in the product tree"


def _test_multiple_product_definition(document: Mapping[str, Any]) -> Iterator[str]:
    seen: dict[str, str] = {}
    for pointer, product in _defined_products(document):
        product_id = product["product_id"]
        if product_id in seen:
            yield f"{pointer}: product id {product_id!r} is already defined at {seen[product_id]}"
        else:
            seen[product_id] = pointer


def _test_missing_group_definition(document: Mapping[str, Any]) -> Iterator[str]:
    defined = {group["group_id"] for group in document.get("product_tree", {}).get("product_groups", [])}
    for v, vulnerability in enumerate(document.get("vulnerabilities", [])):
        for list_name in ("remediations", "threats", "flags"):
            for n, entry in enumerate(vulnerability.get(list_name, [])):
                for i, group_id in enumerate(entry.get("group_ids", [])):
                    if group_id not in defined:
                        yield (
                            f"/vulnerabilities/{v}/{list_name}/{n}/group_ids/{i}: "
                            f"product group id {group_id!r} is not defined in the product tree"
                        )


def _test_multiple_group_definition(document: Mapping[str, Any]) -> Iterator[str]:
    groups = document.get("product_tree", {}).get("product_groups", [])
    counts = Counter(group["group_id"] for group in groups)
    for group_id, count in counts.items():
        if count > 1:
            yield f"/product_tree/product_groups: product group id {group_id!r} is defined {count} times"


def _test_contradicting_status(document: Mapping[str, Any]) -> Iterator[str]:
    for v, vulnerability in enumerate(document.get("vulnerabilities", [])):
        status = vulnerability.get("product_status", {})
        members = {
            group: {pid for key in keys for pid in status.get(key, [])}
            for group, keys in _STATUS_GROUPS.items()
        }
        names = list(members)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                for product_id in sorted(members[first] & members[second]):
                    yield (
                        f"/vulnerabilities/{v}/product_status: product {product_id!r} is both {first!r} "
                        f"and {second!r}"
                    )


def _score_versions(score: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if "cvss_v2" in score:
        yield "2.0", score["cvss_v2"]
    if "cvss_v3" in score:
        yield score["cvss_v3"]["version"], score["cvss_v3"]


def _test_multiple_scores(document: Mapping[str, Any]) -> Iterator[str]:
    for v, vulnerability in enumerate(document.get("vulnerabilities", [])):
        counts = Counter(
            (product_id, version)
            for score in vulnerability.get("scores", [])
            for version, _ in _score_versions(score)
            for product_id in score["products"]
        )
        for (product_id, version), count in sorted(counts.items()):
            if count > 1:
                yield f"/vulnerabilities/{v}/scores: {count} CVSS v{version} scores for {product_id!r}"


def _test_cvss_computation(document: Mapping[str, Any]) -> Iterator[str]:
    for v, vulnerability in enumerate(document.get("vulnerabilities", [])):
        for s, score in enumerate(vulnerability.get("scores", [])):
            for key in ("cvss_v2", "cvss_v3"):
                if key not in score:
                    continue
                cvss_object = score[key]
                pointer = f"/vulnerabilities/{v}/scores/{s}/{key}"
                try:
                    expected = _computed_cvss(key, cvss_object["vectorString"])
                except (CVSSError, ValueError, KeyError) as error:
                    yield f"{pointer}: the vector cannot be computed: {error}"
                    continue
                for field, value in expected.items():
                    given = cvss_object.get(field)
                    if given is not None and given != value:
                        yield f"{pointer}/{field}: is {given!r}, the vector gives {value!r}"


def _computed_cvss(key: str, vector: str) -> dict[str, Any]:
    """The scores and severities a vector gives, by the CSAF/FIRST property name."""
    if key == "cvss_v2":
        v2 = CVSS2(vector)
        base, temporal, environmental = v2.scores()
        return _without_none(
            {"baseScore": base, "temporalScore": temporal, "environmentalScore": environmental}
        )
    v3 = CVSS3(vector)
    base, temporal, environmental = v3.scores()
    base_severity, temporal_severity, environmental_severity = v3.severities()
    return _without_none(
        {
            "baseScore": base,
            "baseSeverity": base_severity,
            "temporalScore": temporal,
            "temporalSeverity": temporal_severity,
            "environmentalScore": environmental,
            "environmentalSeverity": environmental_severity,
        }
    )


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        field: (float(value) if isinstance(value, Decimal | float | int) else str(value).upper())
        for field, value in values.items()
        if value is not None
    }


# CVSS property -> (vector metric, {letter: value}), base metrics only.
_V3_METRICS: Final[Mapping[str, tuple[str, Mapping[str, str]]]] = {
    "attackVector": ("AV", {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}),
    "attackComplexity": ("AC", {"L": "LOW", "H": "HIGH"}),
    "privilegesRequired": ("PR", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "userInteraction": ("UI", {"N": "NONE", "R": "REQUIRED"}),
    "scope": ("S", {"U": "UNCHANGED", "C": "CHANGED"}),
    "confidentialityImpact": ("C", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "integrityImpact": ("I", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "availabilityImpact": ("A", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
}
_V2_METRICS: Final[Mapping[str, tuple[str, Mapping[str, str]]]] = {
    "accessVector": ("AV", {"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}),
    "accessComplexity": ("AC", {"H": "HIGH", "M": "MEDIUM", "L": "LOW"}),
    "authentication": ("Au", {"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}),
    "confidentialityImpact": ("C", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "integrityImpact": ("I", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "availabilityImpact": ("A", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
}


def _test_inconsistent_cvss(document: Mapping[str, Any]) -> Iterator[str]:
    for v, vulnerability in enumerate(document.get("vulnerabilities", [])):
        for s, score in enumerate(vulnerability.get("scores", [])):
            for key, table in (("cvss_v2", _V2_METRICS), ("cvss_v3", _V3_METRICS)):
                if key not in score:
                    continue
                cvss_object = score[key]
                pointer = f"/vulnerabilities/{v}/scores/{s}/{key}"
                vector = cvss_object["vectorString"]
                metrics = dict(part.split(":", 1) for part in vector.split("/") if ":" in part)
                said = metrics.get("CVSS")
                if key == "cvss_v3" and said != cvss_object["version"]:
                    yield f"{pointer}/version: is {cvss_object['version']!r}, the vector says {said!r}"
                for field, (metric, values) in table.items():
                    given = cvss_object.get(field)
                    in_vector = values.get(metrics.get(metric, ""))
                    if given is not None and given != in_vector:
                        yield f"{pointer}/{field}: is {given!r}, the vector says {in_vector!r}"


def _test_purl(document: Mapping[str, Any]) -> Iterator[str]:
    for pointer, product in _defined_products(document):
        purl = product.get("product_identification_helper", {}).get("purl")
        if purl is None:
            continue
        try:
            PackageURL.from_string(purl)
        except ValueError as error:
            yield f"{pointer}/product_identification_helper/purl: {purl!r} is not a valid purl: {error}"


# Revision history and document version (6.1.14 to 6.1.22, 6.1.30).
_INTEGER_VERSION = re.compile(r"0|[1-9][0-9]*")


def _is_integer_version(number: str) -> bool:
    return bool(_INTEGER_VERSION.fullmatch(number))


def _version_key(number: str) -> tuple[int, ...] | SemverKey:
    return (int(number),) if _is_integer_version(number) else strict_key(number)


def _without_build(number: str) -> str:
    return number.split("+", 1)[0]


def _is_prerelease(number: str) -> bool:
    return "-" in _without_build(number)


def _major(number: str) -> int:
    return int(number.split(".", 1)[0].split("-", 1)[0].split("+", 1)[0])


def _tracking_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    tracking: Mapping[str, Any] = document["document"]["tracking"]
    return tracking


def _history_by_date(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The revision history sorted ascending by date (stable, so equal dates keep their order)."""
    history = _tracking_of(document)["revision_history"]
    return sorted(history, key=lambda item: _parse_timestamp(item["date"]))


def _parse_timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _homogeneous_versions(document: Mapping[str, Any]) -> bool:
    tracking = _tracking_of(document)
    numbers = [item["number"] for item in tracking["revision_history"]] + [tracking["version"]]
    return len({_is_integer_version(n) for n in numbers}) == 1


def _test_sorted_history(document: Mapping[str, Any]) -> Iterator[str]:
    if not _homogeneous_versions(document):
        return  # 6.1.30 reports it; the numbers cannot be ordered against each other
    numbers = [item["number"] for item in _history_by_date(document)]
    for earlier, later in itertools.pairwise(numbers):
        if _version_key(later) < _version_key(earlier):
            yield f"/document/tracking/revision_history: by date, number {later!r} comes after {earlier!r}"


def _test_latest_version(document: Mapping[str, Any]) -> Iterator[str]:
    tracking = _tracking_of(document)
    last = _without_build(_history_by_date(document)[-1]["number"])
    version = _without_build(tracking["version"])
    if tracking["status"] == "draft":
        last, version = last.split("-", 1)[0], version.split("-", 1)[0]
    if last != version:
        yield f"/document/tracking/version: is {tracking['version']!r}, the latest revision is {last!r}"


def _test_status_draft(document: Mapping[str, Any]) -> Iterator[str]:
    tracking = _tracking_of(document)
    version = tracking["version"]
    if (_major(version) == 0 or _is_prerelease(version)) and tracking["status"] != "draft":
        yield f"/document/tracking/status: version {version!r} needs 'draft', not {tracking['status']!r}"


def _test_released_history(document: Mapping[str, Any]) -> Iterator[str]:
    tracking = _tracking_of(document)
    if tracking["status"] not in ("final", "interim"):
        return
    for index, item in enumerate(tracking["revision_history"]):
        if _major(item["number"]) == 0:
            yield (
                f"/document/tracking/revision_history/{index}/number: {item['number']!r} in a "
                f"{tracking['status']!r} document"
            )


def _test_prerelease_history(document: Mapping[str, Any]) -> Iterator[str]:
    for index, item in enumerate(_tracking_of(document)["revision_history"]):
        if _is_prerelease(item["number"]):
            yield f"/document/tracking/revision_history/{index}/number: {item['number']!r} is a pre-release"


def _test_non_draft_version(document: Mapping[str, Any]) -> Iterator[str]:
    tracking = _tracking_of(document)
    if tracking["status"] in ("final", "interim") and _is_prerelease(tracking["version"]):
        version, status = tracking["version"], tracking["status"]
        yield f"/document/tracking/version: pre-release {version!r} in a {status!r} document"


def _test_missing_history_item(document: Mapping[str, Any]) -> Iterator[str]:
    if not _homogeneous_versions(document):
        return
    majors = [_major(item["number"]) for item in _history_by_date(document)]
    if majors[0] not in (0, 1):
        yield f"/document/tracking/revision_history: the first revision is {majors[0]}, not 0 or 1"
    for earlier, later in itertools.pairwise(majors):
        if later > earlier + 1:
            missing = ", ".join(str(n) for n in range(earlier + 1, later))
            yield f"/document/tracking/revision_history: no revision {missing} between {earlier} and {later}"


def _test_multiple_history_numbers(document: Mapping[str, Any]) -> Iterator[str]:
    numbers = Counter(item["number"] for item in _tracking_of(document)["revision_history"])
    for number, count in numbers.items():
        if count > 1:
            yield f"/document/tracking/revision_history: number {number!r} appears {count} times"


def _test_multiple_cve(document: Mapping[str, Any]) -> Iterator[str]:
    counts = Counter(v["cve"] for v in document.get("vulnerabilities", []) if "cve" in v)
    for cve, count in counts.items():
        if count > 1:
            yield f"/vulnerabilities: {cve} is used in {count} vulnerability items"


def _category(document: Mapping[str, Any]) -> str:
    category: str = document["document"]["category"]
    return category


def _test_profile_product_tree(document: Mapping[str, Any]) -> Iterator[str]:
    if _category(document) in ("csaf_security_advisory", "csaf_vex") and "product_tree" not in document:
        yield "/product_tree: is required by the profile"


def _test_profile_vulnerability_notes(document: Mapping[str, Any]) -> Iterator[str]:
    if _category(document) in ("csaf_security_advisory", "csaf_vex"):
        for index, vulnerability in enumerate(document.get("vulnerabilities", [])):
            if "notes" not in vulnerability:
                yield f"/vulnerabilities/{index}/notes: is required by the profile"


def _test_profile_product_status(document: Mapping[str, Any]) -> Iterator[str]:
    if _category(document) == "csaf_security_advisory":
        for index, vulnerability in enumerate(document.get("vulnerabilities", [])):
            if "product_status" not in vulnerability:
                yield f"/vulnerabilities/{index}/product_status: is required by the profile"


def _test_profile_vex_status(document: Mapping[str, Any]) -> Iterator[str]:
    if _category(document) == "csaf_vex":
        wanted = ("fixed", "known_affected", "known_not_affected", "under_investigation")
        for index, vulnerability in enumerate(document.get("vulnerabilities", [])):
            if not any(key in vulnerability.get("product_status", {}) for key in wanted):
                yield f"/vulnerabilities/{index}/product_status: needs one of {', '.join(wanted)}"


def _test_profile_vulnerability_id(document: Mapping[str, Any]) -> Iterator[str]:
    if _category(document) == "csaf_vex":
        for index, vulnerability in enumerate(document.get("vulnerabilities", [])):
            if "cve" not in vulnerability and "ids" not in vulnerability:
                yield f"/vulnerabilities/{index}: needs a cve or ids"


def _test_profile_vulnerabilities(document: Mapping[str, Any]) -> Iterator[str]:
    if _category(document) in ("csaf_security_advisory", "csaf_vex") and "vulnerabilities" not in document:
        yield "/vulnerabilities: is required by the profile"


def _test_remediation_reference(document: Mapping[str, Any]) -> Iterator[str]:
    for v, vulnerability in enumerate(document.get("vulnerabilities", [])):
        for r, remediation in enumerate(vulnerability.get("remediations", [])):
            if "product_ids" not in remediation and "group_ids" not in remediation:
                yield f"/vulnerabilities/{v}/remediations/{r}: names no product_ids or group_ids"


def _test_mixed_versioning(document: Mapping[str, Any]) -> Iterator[str]:
    if not _homogeneous_versions(document):
        yield "/document/tracking: version and revision numbers mix integer and semantic versioning"


_RANGE_WORDS: Final = (
    "<",
    "<=",
    ">",
    ">=",
    "after",
    "all",
    "before",
    "earlier",
    "later",
    "prior",
    "versions",
)


def _test_range_in_version(document: Mapping[str, Any]) -> Iterator[str]:
    for pointer, branch in _branches(document):
        if branch["category"] == "product_version":
            name = branch["name"].lower()
            if found := [word for word in _RANGE_WORDS if word in name]:
                yield f"{pointer}/name: {branch['name']!r} looks like a version range ({', '.join(found)})"


MANDATORY_TESTS: Final[tuple[tuple[str, str, MandatoryTest], ...]] = (
    ("6.1.1", "Missing Definition of Product ID", _test_missing_product_definition),
    ("6.1.2", "Multiple Definition of Product ID", _test_multiple_product_definition),
    ("6.1.4", "Missing Definition of Product Group ID", _test_missing_group_definition),
    ("6.1.5", "Multiple Definition of Product Group ID", _test_multiple_group_definition),
    ("6.1.6", "Contradicting Product Status", _test_contradicting_status),
    ("6.1.7", "Multiple Scores with same Version per Product", _test_multiple_scores),
    ("6.1.9", "Invalid CVSS computation", _test_cvss_computation),
    ("6.1.10", "Inconsistent CVSS", _test_inconsistent_cvss),
    ("6.1.13", "PURL", _test_purl),
    ("6.1.14", "Sorted Revision History", _test_sorted_history),
    ("6.1.16", "Latest Document Version", _test_latest_version),
    ("6.1.17", "Document Status Draft", _test_status_draft),
    ("6.1.18", "Released Revision History", _test_released_history),
    ("6.1.19", "Revision History Entries for Pre-release Versions", _test_prerelease_history),
    ("6.1.20", "Non-draft Document Version", _test_non_draft_version),
    ("6.1.21", "Missing Item in Revision History", _test_missing_history_item),
    ("6.1.22", "Multiple Definition in Revision History", _test_multiple_history_numbers),
    ("6.1.23", "Multiple Use of Same CVE", _test_multiple_cve),
    ("6.1.27.4", "Product Tree", _test_profile_product_tree),
    ("6.1.27.5", "Vulnerability Notes", _test_profile_vulnerability_notes),
    ("6.1.27.6", "Product Status", _test_profile_product_status),
    ("6.1.27.7", "VEX Product Status", _test_profile_vex_status),
    ("6.1.27.8", "Vulnerability ID", _test_profile_vulnerability_id),
    ("6.1.27.11", "Vulnerabilities", _test_profile_vulnerabilities),
    ("6.1.29", "Remediation without Product Reference", _test_remediation_reference),
    ("6.1.30", "Mixed Integer and Semantic Versioning", _test_mixed_versioning),
    ("6.1.31", "Version Range in Product Version", _test_range_in_version),
)
"""The CSAF 2.0 section 6.1 mandatory tests run here: (section, name as the specification titles it, test).

6.1.8 (Invalid CVSS) is the schema validation of the ``cvss_v2``/``cvss_v3`` objects against FIRST's
schemas, done before these. Not run: 6.1.3 (circular relationships), 6.1.11 (CWE names: needs the CWE
catalogue), 6.1.12 (language subtags: needs the IANA registry), 6.1.15, 6.1.24 to 6.1.26, 6.1.27.1 to
6.1.27.3, 6.1.27.9, 6.1.27.10, 6.1.28, 6.1.32, 6.1.33: none concerns what :func:`to_csaf` writes.
6.1.10 compares the base metric properties only.
"""
