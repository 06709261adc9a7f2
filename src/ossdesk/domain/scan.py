"""Scanning an inventory against OSV advisories, and the scanner's output formats. Pure Python.

An :class:`AdvisoryIndex` maps (ecosystem, normalised name) to the advisories' ``affected`` entries of
that package; :func:`scan` parses each component's version once and checks it against the entries of
its key only, so scanning costs a dictionary lookup per package plus the range checks of the few
advisories that name it. Output follows osv-scanner's conventions: JSON with, for each package, its
ecosystem, name, version and purl and its matching advisories (id, aliases, severity, fixed versions);
SARIF 2.1.0 for code-scanning tools; CycloneDX VEX (affected statements) for SBOM tools.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from ossdesk.domain import osv
from ossdesk.domain.inventory import Component

# CycloneDX's rating methods, by CVSS version (the spec's scoreMethod enumeration).
CYCLONEDX_METHOD: Mapping[str, str] = {"2.0": "CVSSv2", "3.0": "CVSSv3", "3.1": "CVSSv31", "4.0": "CVSSv4"}
SEVERITY_RANK: Mapping[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3, "none": 4, "unknown": 5}
SARIF_LEVEL: Mapping[str, str] = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "note",
    "none": "note",
    "unknown": "warning",
}


@dataclass(frozen=True)
class AdvisoryInfo:
    """What a scan reports of an advisory, worked out once per advisory."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str
    cvss_score: float | None
    cvss_vector: str
    cvss_version: str = ""  # "2.0", "3.0", "3.1" or "4.0"; empty without a vector

    @classmethod
    def of(cls, record: osv.Record) -> AdvisoryInfo:
        scored = osv.score(record)
        return cls(
            id=record.id,
            aliases=record.aliases,
            summary=record.summary or record.details.split("\n", 1)[0][:200],
            severity=scored.label if scored else "unknown",
            cvss_score=scored.base if scored else None,
            cvss_vector=scored.vector if scored else "",
            cvss_version=scored.version if scored else "",
        )


@dataclass(frozen=True)
class Vulnerability:
    """One advisory matching one package version."""

    advisory: AdvisoryInfo
    fixed: tuple[str, ...]


@dataclass
class AdvisoryIndex:
    """(ecosystem, name_key) -> [(advisory, affected entry)]; withdrawn records are left out.

    Each package's entries are compiled into an :class:`osv.PackageMatcher` the first time the package
    is looked up (or all at once by :meth:`prepare`), so a version costs two binary searches however
    many advisories name its package.
    """

    entries: dict[tuple[str, str], list[tuple[AdvisoryInfo, osv.Affected]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    records: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    _matchers: dict[tuple[str, str], osv.PackageMatcher[Vulnerability]] = field(default_factory=dict)

    def add(self, record: osv.Record) -> None:
        if record.is_withdrawn:
            return
        info = AdvisoryInfo.of(record)
        self.records += 1
        for affected in record.affected:
            if affected.ecosystem and affected.name:
                key = affected.package_key
                self.entries[key].append((info, affected))
                self._matchers.pop(key, None)

    def matcher(self, key: tuple[str, str]) -> osv.PackageMatcher[Vulnerability] | None:
        found = self._matchers.get(key)
        if found is None:
            candidates = self.entries.get(key)
            if not candidates:
                return None
            ordered = sorted(candidates, key=lambda c: (SEVERITY_RANK.get(c[0].severity, 9), c[0].id))
            fixed: dict[str, list[str]] = defaultdict(list)
            for info, affected in ordered:
                fixed[info.id].extend(affected.fixed_versions())
            items = {
                info.id: Vulnerability(info, tuple(dict.fromkeys(fixed[info.id]))) for info, _ in ordered
            }
            found = self._matchers[key] = osv.PackageMatcher(
                ordered[0][1].ecosystem, [(items[info.id], affected) for info, affected in ordered]
            )
        return found

    def prepare(self) -> None:
        """Compile every package's matcher now (a long-lived index pays this once)."""
        for key in self.entries:
            self.matcher(key)

    @classmethod
    def from_records(cls, records: Iterable[osv.Record]) -> AdvisoryIndex:
        index = cls()
        for record in records:
            index.add(record)
        return index

    @classmethod
    def from_source(cls, items: Iterable[tuple[str, osv.Record | osv.OsvError]]) -> AdvisoryIndex:
        index = cls()
        for name, item in items:
            if isinstance(item, osv.OsvError):
                index.rejected.append((name, str(item)))
            else:
                index.add(item)
        return index


@dataclass(frozen=True)
class PackageResult:
    component: Component
    vulnerabilities: tuple[Vulnerability, ...]


@dataclass
class ScanResult:
    """The scan of one file: every package, with the advisories that affect its version."""

    source: str
    format: str
    packages: list[PackageResult]

    @property
    def vulnerable(self) -> list[PackageResult]:
        return [p for p in self.packages if p.vulnerabilities]

    @property
    def vulnerability_count(self) -> int:
        return sum(len(p.vulnerabilities) for p in self.packages)


def scan(source: str, format_name: str, components: Sequence[Component], index: AdvisoryIndex) -> ScanResult:
    """Match every component against the index: a dictionary lookup for its package, two binary searches
    for its version; results come most severe first."""
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    packages: list[PackageResult] = []
    nothing: tuple[Vulnerability, ...] = ()
    for component in components:
        ecosystem, version = component.ecosystem, component.version
        if not ecosystem or not version:
            packages.append(PackageResult(component, nothing))
            continue
        key = keys.get((ecosystem, component.name))
        if key is None:
            key = keys[(ecosystem, component.name)] = (
                osv.ecosystem_base(ecosystem),
                osv.normalise_name(ecosystem, component.name),
            )
        matcher = index.matcher(key)
        packages.append(PackageResult(component, matcher.match(version) if matcher is not None else nothing))
    return ScanResult(source=source, format=format_name, packages=packages)


# --- output -------------------------------------------------------------------------------------------------


def to_json(results: Sequence[ScanResult], *, only_vulnerable: bool = False) -> dict[str, Any]:
    """osv-scanner-like JSON: results per source, packages with their vulnerabilities."""
    return {
        "results": [
            {
                "source": {"path": result.source, "type": result.format},
                "packages": [
                    {
                        "package": {
                            "ecosystem": p.component.ecosystem,
                            "name": p.component.name,
                            "version": p.component.version,
                            "purl": p.component.purl,
                        },
                        "vulnerabilities": [
                            {
                                "id": v.advisory.id,
                                "aliases": list(v.advisory.aliases),
                                "summary": v.advisory.summary,
                                "severity": v.advisory.severity,
                                "cvss_score": v.advisory.cvss_score,
                                "cvss_vector": v.advisory.cvss_vector or None,
                                "fixed": list(v.fixed),
                            }
                            for v in p.vulnerabilities
                        ],
                    }
                    for p in result.packages
                    if p.vulnerabilities or not only_vulnerable
                ],
            }
            for result in results
        ]
    }


def sarif_uri(path: str) -> str:
    """A file path as the URI reference SARIF's ``artifactLocation.uri`` must be: an absolute path becomes a
    ``file://`` URI, a relative one a relative reference; spaces and other reserved characters are
    percent-encoded (``my dir/requirements.txt`` -> ``my%20dir/requirements.txt``)."""
    if "://" in path:
        return path  # already a URL (a scan of a downloaded SBOM names it so)
    posix = PureWindowsPath(path).as_posix() if "\\" in path else path
    if PurePosixPath(posix).is_absolute():
        return PurePosixPath(posix).as_uri()
    if PureWindowsPath(path).drive:
        return PureWindowsPath(path).as_uri()
    return quote(posix, safe="/")


def to_sarif(results: Sequence[ScanResult], *, tool_version: str) -> dict[str, Any]:
    """SARIF 2.1.0: one rule per advisory, one result per vulnerable package in each file."""
    rules: dict[str, dict[str, Any]] = {}
    findings: list[dict[str, Any]] = []
    for result in results:
        for package in result.vulnerable:
            for vulnerability in package.vulnerabilities:
                advisory = vulnerability.advisory
                rules.setdefault(
                    advisory.id,
                    {
                        "id": advisory.id,
                        "shortDescription": {"text": advisory.summary or advisory.id},
                        "helpUri": f"https://osv.dev/vulnerability/{advisory.id}",
                        "properties": {
                            "aliases": list(advisory.aliases),
                            "security-severity": (
                                str(advisory.cvss_score) if advisory.cvss_score is not None else None
                            ),
                        },
                    },
                )
                fixed = ", ".join(vulnerability.fixed) or "no fixed version yet"
                findings.append(
                    {
                        "ruleId": advisory.id,
                        "level": SARIF_LEVEL.get(advisory.severity, "warning"),
                        "message": {
                            "text": f"{package.component.name} {package.component.version} is affected by "
                            f"{advisory.id} ({advisory.severity}); fixed in {fixed}."
                        },
                        "locations": [
                            {"physicalLocation": {"artifactLocation": {"uri": sarif_uri(result.source)}}}
                        ],
                        "partialFingerprints": {
                            "package": f"{package.component.ecosystem}/{package.component.name}@"
                            f"{package.component.version}"
                        },
                    }
                )
    for rule in rules.values():
        if rule["properties"]["security-severity"] is None:
            del rule["properties"]["security-severity"]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ossdesk scan",
                        "version": tool_version,
                        "informationUri": "https://ossf.github.io/osv-schema/",
                        "rules": list(rules.values()),
                    }
                },
                "results": findings,
            }
        ],
    }


def to_cyclonedx_vex(results: Sequence[ScanResult], *, now: datetime | None = None) -> dict[str, Any]:
    """A CycloneDX 1.5 VEX document: each matched advisory with the packages it affects (state exploitable
    is not claimed: a scanner knows a version is affected, not that it is exploitable, so the analysis
    state is "in_triage" for a person to decide)."""
    now = now or datetime.now(UTC)
    components: dict[str, dict[str, Any]] = {}
    vulnerabilities: dict[str, dict[str, Any]] = {}
    for result in results:
        for package in result.vulnerable:
            ref = (
                package.component.purl
                or f"{package.component.ecosystem}:{package.component.name}@{package.component.version}"
            )
            components.setdefault(
                ref,
                {
                    "type": "library",
                    "bom-ref": ref,
                    "name": package.component.name,
                    "version": package.component.version or "",
                    **({"purl": package.component.purl} if package.component.purl else {}),
                },
            )
            for vulnerability in package.vulnerabilities:
                advisory = vulnerability.advisory
                entry = vulnerabilities.setdefault(
                    advisory.id,
                    {
                        "id": advisory.id,
                        "source": {"name": "OSV", "url": f"https://osv.dev/vulnerability/{advisory.id}"},
                        "references": [
                            {"id": alias, "source": {"name": "alias"}} for alias in advisory.aliases
                        ],
                        "description": advisory.summary,
                        "analysis": {"state": "in_triage"},
                        "affects": [],
                    },
                )
                if advisory.cvss_score is not None and advisory.cvss_version in CYCLONEDX_METHOD:
                    entry["ratings"] = [
                        {
                            "score": advisory.cvss_score,
                            "severity": advisory.severity,
                            "method": CYCLONEDX_METHOD[advisory.cvss_version],
                            "vector": advisory.cvss_vector,
                        }
                    ]
                if not entry["references"]:
                    del entry["references"]
                if {"ref": ref} not in entry["affects"]:
                    entry["affects"].append({"ref": ref})
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "ossdesk scan"}]},
        },
        "components": list(components.values()),
        "vulnerabilities": list(vulnerabilities.values()),
    }


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)
