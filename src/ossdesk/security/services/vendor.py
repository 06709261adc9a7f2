"""The vendor's own advisories: drafted, validated, submitted, published (as OSV and CSAF) and
withdrawn."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_analyse_security, can_publish_vendor_advisory, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.domain import csaf, osv
from ossdesk.domain.purl import DISTRO_ECOSYSTEMS, PurlError, purl_type_for
from ossdesk.domain.versions import ECOSYSTEMS, sort_key
from ossdesk.products.models import Product
from ossdesk.security import matching
from ossdesk.security.models import Advisory, VendorAdvisory
from ossdesk.security.payloads import advisory_payload
from ossdesk.security.services.advisories import ImportReport, record_digest, store_advisories
from ossdesk.security.services.feeds import priorities_refresh
from ossdesk.security.services.notices import notices_send
from ossdesk.webhooks.services import emit

VENDOR_FIELDS = (
    "title",
    "summary",
    "details",
    "product",
    "ecosystem",
    "package",
    "ranges",
    "affected_versions",
    "cves",
    "aliases",
    "cvss_vector",
    "remediation",
    "additional_packages",
    "tlp",
)
# What each package of an advisory says; the first package lives in the advisory's own fields.
PACKAGE_FIELDS = ("ecosystem", "package", "ranges", "affected_versions", "remediation")
MAX_PACKAGES = 50


def _next_tracking_id(year: int) -> str:
    prefix = f"OSSDESK-{year}-"
    taken = VendorAdvisory.objects.filter(tracking_id__startswith=prefix).values_list(
        "tracking_id", flat=True
    )
    numbers = [int(t.removeprefix(prefix)) for t in taken if t.removeprefix(prefix).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _check_version(ecosystem: str, version: str, path: str, errors: dict[str, str]) -> None:
    try:
        sort_key(ecosystem, version)
    except ValueError as error:
        errors[path] = str(error)


def _validate_vendor(fields: dict[str, Any]) -> None:
    from cvss import CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    errors: dict[str, str] = {}
    for name in ("title", "summary"):
        if not str(fields.get(name) or "").strip():
            errors[name] = "This field is required."
    _validate_package(fields, "", errors)
    more = fields.get("additional_packages") or []
    if not isinstance(more, list) or not all(isinstance(p, dict) for p in more):
        errors["additional_packages"] = f"A list of objects with {', '.join(PACKAGE_FIELDS)}."
        more = []
    if len(more) >= MAX_PACKAGES:
        errors["additional_packages"] = f"At most {MAX_PACKAGES} packages per advisory."
    for i, entry in enumerate(more):
        if unknown := sorted(set(entry) - set(PACKAGE_FIELDS)):
            errors[f"additional_packages.{i}"] = f"Not a field of a package: {', '.join(unknown)}."
        _validate_package(entry, f"additional_packages.{i}.", errors)
    named = [
        (fields.get("ecosystem"), fields.get("package")),
        *((p.get("ecosystem"), p.get("package")) for p in more),
    ]
    if len(set(named)) != len(named):
        errors["additional_packages"] = "A package is listed twice; give all its versions in one entry."
    if str(fields.get("tlp") or "CLEAR") not in VendorAdvisory.Tlp.values:
        errors["tlp"] = f"One of {', '.join(VendorAdvisory.Tlp.values)}."
    for i, cve in enumerate(fields.get("cves") or []):
        if not str(cve).upper().startswith("CVE-"):
            errors[f"cves.{i}"] = f"{cve!r} is not a CVE id (CVE-YYYY-NNNN)."
    vector = str(fields.get("cvss_vector") or "").strip()
    if vector:
        try:
            (CVSS4 if vector.startswith("CVSS:4.") else CVSS3)(vector)
        except (CVSSError, ValueError, KeyError) as error:
            errors["cvss_vector"] = f"Not a CVSS 3.x or 4.0 base vector: {error}"
    if errors:
        raise ValidationError(errors)


def _validate_package(fields: dict[str, Any], prefix: str, errors: dict[str, str]) -> None:
    """One package's fields (``prefix`` names where it is: ``""`` or ``"additional_packages.1."``)."""
    if not str(fields.get("package") or "").strip():
        errors[prefix + "package"] = "This field is required."
    ecosystem = fields.get("ecosystem") or ""
    # A distribution may name its release as OSV does (Debian:12, Alpine:v3.19): it goes into the purl.
    base, _, release = ecosystem.partition(":")
    if base not in ECOSYSTEMS or (release and (base not in DISTRO_ECOSYSTEMS or not release.strip())):
        errors[prefix + "ecosystem"] = (
            f"{ecosystem!r} is not an OSV ecosystem ossdesk orders: {', '.join(sorted(ECOSYSTEMS))}"
            " (a distribution with its release, e.g. Debian:12, Alpine:v3.19)."
        )
    else:
        try:
            purl_type_for(ecosystem)
        except PurlError:
            errors[prefix + "ecosystem"] = f"{ecosystem} names no package registry; a purl needs one."
    ranges = fields.get("ranges") or []
    if not isinstance(ranges, list) or not all(isinstance(r, dict) for r in ranges):
        errors[prefix + "ranges"] = 'A list of {"introduced": ..., "fixed": ...} objects.'
        ranges = []
    if not ranges and not fields.get("affected_versions"):
        errors[prefix + "ranges"] = "Say which versions are affected: a range or a list of versions."
    if prefix + "ecosystem" in errors:
        return
    for i, entry in enumerate(ranges):
        introduced = str(entry.get("introduced") or "0").strip()
        fixed = str(entry.get("fixed") or "").strip()
        if introduced != "0":
            _check_version(ecosystem, introduced, f"{prefix}ranges.{i}.introduced", errors)
        if fixed:
            _check_version(ecosystem, fixed, f"{prefix}ranges.{i}.fixed", errors)
    for i, version in enumerate(fields.get("affected_versions") or []):
        _check_version(ecosystem, str(version), f"{prefix}affected_versions.{i}", errors)


@transaction.atomic
def vendor_advisory_create(*, actor: Actor, **fields: Any) -> VendorAdvisory:
    """A draft vendor advisory, with the next tracking id of the year."""
    require(can_analyse_security(actor), "Only security analysts may write vendor advisories.")
    unknown = set(fields) - set(VENDOR_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a field of a vendor advisory."))
    _validate_vendor(fields)
    now = timezone.now()
    advisory = VendorAdvisory.objects.create(
        tracking_id=_next_tracking_id(now.year),
        author=actor.user,
        created_at=now,
        modified_at=now,
        **fields,
    )
    audit_record(actor=actor, action="create", instance=advisory, after=snapshot(advisory))
    return advisory


@transaction.atomic
def vendor_advisory_update(
    *,
    actor: Actor,
    advisory: VendorAdvisory,
    title: str | None = None,
    summary: str | None = None,
    details: str | None = None,
    product: Product | None = None,
    ecosystem: str | None = None,
    package: str | None = None,
    ranges: list[dict[str, Any]] | None = None,
    affected_versions: list[str] | None = None,
    cves: list[str] | None = None,
    aliases: list[str] | None = None,
    cvss_vector: str | None = None,
    remediation: str | None = None,
    additional_packages: list[dict[str, Any]] | None = None,
    tlp: str | None = None,
) -> VendorAdvisory:
    """Change a draft (or a published advisory: that makes a new revision to publish again); a field
    left None keeps its value (none of them may be empty of a value)."""
    require(can_analyse_security(actor), "Only security analysts may edit vendor advisories.")
    given: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "details": details,
        "product": product,
        "ecosystem": ecosystem,
        "package": package,
        "ranges": ranges,
        "affected_versions": affected_versions,
        "cves": cves,
        "aliases": aliases,
        "cvss_vector": cvss_vector,
        "remediation": remediation,
        "additional_packages": additional_packages,
        "tlp": tlp,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    if advisory.withdrawn_at is not None:
        raise ValidationError({"status": "A withdrawn advisory is final; write a new one."})
    fields = {name: getattr(advisory, name) for name in VENDOR_FIELDS} | changes
    _validate_vendor(fields)
    before = snapshot(advisory)
    for name, value in changes.items():
        setattr(advisory, name, value)
    advisory.status = VendorAdvisory.Status.DRAFT
    advisory.reviewer = None
    advisory.modified_at = timezone.now()
    advisory.save()
    audit_record(actor=actor, action="update", instance=advisory, before=before, after=snapshot(advisory))
    return advisory


@transaction.atomic
def vendor_advisory_submit(*, actor: Actor, advisory: VendorAdvisory) -> VendorAdvisory:
    """Ask for review: another analyst (or an admin) publishes it."""
    require(can_analyse_security(actor), "Only security analysts may submit vendor advisories.")
    if advisory.status != VendorAdvisory.Status.DRAFT:
        raise ValidationError(
            {"status": f"Only a draft can go to review; this one is {advisory.get_status_display().lower()}."}
        )
    vendor_csaf(advisory, draft=True)
    advisory.status = VendorAdvisory.Status.IN_REVIEW
    advisory.save(update_fields=["status"])
    audit_record(
        actor=actor, action="action", instance=advisory, after={"did": "submit", "status": advisory.status}
    )
    return advisory


@transaction.atomic
def vendor_advisory_publish(*, actor: Actor, advisory: VendorAdvisory) -> tuple[VendorAdvisory, ImportReport]:
    """Publish a reviewed advisory: a new revision, its OSV record in the advisory database, the portfolio
    matched, and notices to exactly the customers it affects."""
    require(can_analyse_security(actor), "Only security analysts may publish vendor advisories.")
    if advisory.status != VendorAdvisory.Status.IN_REVIEW:
        raise ValidationError({"status": "Submit the advisory for review first."})
    require(
        can_publish_vendor_advisory(actor, advisory.author_id),
        "Another analyst reviews and publishes what you wrote (four eyes).",
    )
    now = timezone.now()
    advisory.revision += 1
    advisory.status = VendorAdvisory.Status.PUBLISHED
    advisory.reviewer = actor.user
    advisory.published_at = advisory.published_at or now
    advisory.modified_at = now
    advisory.history = [
        *advisory.history,
        {"date": now.isoformat(), "summary": "Initial version." if advisory.revision == 1 else "Updated."},
    ]
    report, result = _vendor_release(advisory, now)
    emit("advisory.published", advisory_payload(advisory), organization_id=None)
    audit_record(
        actor=actor,
        action="action",
        instance=advisory,
        after={
            "did": "publish",
            "revision": advisory.revision,
            "findings": result.created,
            "notices": report.notices,
        },
    )
    return advisory, report


def _vendor_release(advisory: VendorAdvisory, now: datetime) -> tuple[ImportReport, matching.Match]:
    """Validate the new revision, put its OSV record into the advisory database and match the portfolio."""
    vendor_csaf(advisory)
    record = osv.parse_record(vendor_osv(advisory))
    data = json.dumps(record.raw, sort_keys=True).encode()
    report = ImportReport(seen=1)
    ids = store_advisories([(record, record_digest(data))], Advisory.Source.VENDOR, report)
    advisory.advisory = Advisory.objects.get(osv_id=record.id)
    advisory.save()
    priorities_refresh(advisory_ids=ids)
    result = matching.match_advisories(ids, now=now)
    report.findings = result.created
    report.notices = notices_send(result.opened)
    return report, result


@transaction.atomic
def vendor_advisory_withdraw(*, actor: Actor, advisory: VendorAdvisory, reason: str) -> VendorAdvisory:
    """Withdraw a published advisory: it stays published, with a final revision saying why; its OSV record
    is marked withdrawn, so the findings it opened close as not affected."""
    require(can_analyse_security(actor), "Only security analysts may withdraw vendor advisories.")
    if advisory.status != VendorAdvisory.Status.PUBLISHED:
        raise ValidationError({"status": "Only a published advisory can be withdrawn."})
    if advisory.withdrawn_at is not None:
        raise ValidationError({"status": "This advisory is already withdrawn."})
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why it is withdrawn: customers read it."})
    now = timezone.now()
    advisory.revision += 1
    advisory.withdrawn_at = now
    advisory.withdrawn_reason = reason
    advisory.modified_at = now
    advisory.history = [*advisory.history, {"date": now.isoformat(), "summary": f"Withdrawn: {reason}"}]
    _vendor_release(advisory, now)
    audit_record(
        actor=actor,
        action="action",
        instance=advisory,
        after={"did": "withdraw", "revision": advisory.revision, "reason": reason},
    )
    return advisory


def vendor_osv(advisory: VendorAdvisory) -> dict[str, Any]:
    """The advisory as an OSV record (id ``x_<tracking id>``: OSV keeps ``x_`` for unregistered databases)."""
    try:
        return csaf.to_osv(vendor_document(advisory))
    except ValueError as error:
        raise ValidationError({"osv": [str(error)]}) from None


def _affected_item(entry: dict[str, Any]) -> str:
    """A range as the CSAF builder writes it: ``>=3.2|<3.2.4+vendor1``, ``<1.0.1``, ``>=2.0``."""
    introduced = str(entry.get("introduced") or "0")
    fixed = str(entry.get("fixed") or "")
    lower = f">={introduced}" if introduced != "0" else ""
    upper = f"<{fixed}" if fixed else ""
    return "|".join(part for part in (lower, upper) if part) or ">=0"


def vendor_document(advisory: VendorAdvisory, *, draft: bool = False) -> csaf.VendorAdvisory:
    """The pure document the CSAF export is built from; ValueError when it cannot be one."""
    now = timezone.now()
    published = advisory.published_at or now
    history = tuple(
        csaf.Revision(date=datetime.fromisoformat(entry["date"]), summary=entry["summary"])
        for entry in advisory.history
    )
    revision = max(advisory.revision, 1)
    if len(history) != revision:
        history = ()
        revision = 1
    return csaf.VendorAdvisory(
        id=advisory.tracking_id,
        title=advisory.title,
        summary=advisory.summary,
        details=advisory.details or advisory.summary,
        publisher_name=settings.OSSDESK_VENDOR_NAME,
        publisher_namespace=settings.OSSDESK_VENDOR_URL,
        published=published,
        modified=max(advisory.modified_at or now, published),
        revision=revision,
        status="draft" if draft or advisory.status != VendorAdvisory.Status.PUBLISHED else "final",
        cves=tuple(c.upper() for c in advisory.cves),
        aliases=tuple(advisory.aliases),
        cvss_vector=advisory.cvss_vector or None,
        products=tuple(_affected_product(entry) for entry in vendor_packages(advisory)),
        references=(
            (
                "Vendor advisory",
                f"{settings.OSSDESK_VENDOR_URL.rstrip('/')}/advisories/{advisory.tracking_id}",
            ),
        ),
        revision_history=history,
        tlp=advisory.tlp,
        withdrawn=advisory.withdrawn_at,
        withdrawn_reason=advisory.withdrawn_reason,
    )


def vendor_packages(advisory: VendorAdvisory) -> list[dict[str, Any]]:
    """Every package the advisory covers, the first from its own fields, each with PACKAGE_FIELDS."""
    first = {name: getattr(advisory, name) for name in PACKAGE_FIELDS}
    return [
        first,
        *({name: entry.get(name) for name in PACKAGE_FIELDS} for entry in advisory.additional_packages),
    ]


def _affected_product(entry: dict[str, Any]) -> csaf.AffectedProduct:
    ranges = entry.get("ranges") or []
    fixed = tuple(dict.fromkeys(str(r["fixed"]) for r in ranges if r.get("fixed")))
    affected = tuple(
        dict.fromkeys([*(_affected_item(r) for r in ranges), *map(str, entry.get("affected_versions") or [])])
    )
    return csaf.AffectedProduct(
        ecosystem=entry["ecosystem"],
        name=entry["package"],
        affected=affected,
        fixed=fixed,
        remediation=entry.get("remediation")
        or (f"Upgrade to {', '.join(fixed)}." if fixed else "No fix yet."),
    )


def vendor_csaf(advisory: VendorAdvisory, *, draft: bool = False) -> dict[str, Any]:
    """The CSAF 2.0 document; a ValidationError says what is wrong when it cannot be built or is invalid."""
    try:
        document = csaf.to_csaf(vendor_document(advisory, draft=draft))
    except ValueError as error:
        raise ValidationError({"csaf": [str(error)]}) from None
    errors = csaf.validate_csaf(document)
    if errors:
        raise ValidationError({"csaf": errors[:10]})
    return document
