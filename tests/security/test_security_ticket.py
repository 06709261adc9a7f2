"""The ticket ossdesk opens for an enterprise customer hit by a critical advisory says what it is: opened
by ossdesk security through the security channel, for the advisory by its public id, with the customer's
contact as the person reached — not "via Portal", not "raised by" a contact who did nothing, not x_…."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Role
from ossdesk.channels.models import MailKind, OutboundEmail
from ossdesk.channels.services import mail_sweep
from ossdesk.customers.services import deployment_create
from ossdesk.products.models import Product
from ossdesk.security import services
from ossdesk.security.models import Notice, Sbom
from ossdesk.tickets.models import Channel, Ticket
from tests.accounts.factories import SYSTEM
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory
from tests.security.factories import isolate_files


@pytest.fixture
def product(db: Any) -> Product:
    return ProductFactory(
        name="Django support", slug="django-support", ecosystem="PyPI", package_name="django"
    )


def _publish_critical_vendor_advisory(staff: dict[str, Any], product: Product) -> Any:
    author = actor_for(staff[Role.SECURITY_ANALYST])
    advisory = services.vendor_advisory_create(
        actor=author,
        title="Django: SQL injection in QuerySet.order_by backported fix",
        summary="Our 3.2 builds carry the upstream fix as 3.2.4+vendor1.",
        details="Upgrade from the vendor repository.",
        product=product,
        ecosystem="PyPI",
        package="django",
        ranges=[{"introduced": "3.2", "fixed": "3.2.4+vendor1"}],
        affected_versions=[],
        cves=["CVE-2099-0002"],
        aliases=[],
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        remediation="Install 3.2.4+vendor1.",
    )
    services.vendor_advisory_submit(actor=author, advisory=advisory)
    advisory, _ = services.vendor_advisory_publish(actor=actor_for(staff[Role.ADMIN]), advisory=advisory)
    return advisory


def test_a_security_ticket_names_its_real_channel_actor_and_advisory(
    tiers: Any, staff: dict[str, Any], product: Product, settings: Any, tmp_path: Any
) -> None:
    isolate_files(settings, tmp_path)
    bank = OrganizationFactory(name="Bank", slug="bank")
    today = timezone.localdate()
    subscribe(
        bank, tiers["enterprise"], starts_on=today, ends_on=today + timedelta(days=300), products=[product]
    )
    contact = contact_with_login(bank, role="admin")
    deployment = deployment_create(actor=SYSTEM, organization=bank, name="core", product=product)
    services.sbom_upload(
        actor=SYSTEM, deployment=deployment, filename="requirements.txt", data=b"django==3.2.3\n"
    )

    vendor = _publish_critical_vendor_advisory(staff, product)
    public_id = vendor.tracking_id
    assert vendor.advisory.osv_id == f"x_{public_id}"  # the OSV record keeps OSV's prefix ...
    assert vendor.advisory.public_id == public_id  # ... people see the vendor's own id

    notice = Notice.objects.get(organization=bank)
    assert notice.ticket is not None, notice.ticket_error
    ticket = Ticket.objects.get(organization=bank)
    assert ticket.channel == Channel.SECURITY
    assert ticket.subject == f"Security: {public_id} affects core"
    assert "x_" not in ticket.subject
    assert sorted(ticket.tags.values_list("name", flat=True)) == [public_id.lower(), "security"]
    assert ticket.contact == contact  # the person the vendor reaches ...
    opened = ticket.events.get(kind="opened")
    assert opened.actor_label == "ossdesk security"  # ... not the one who opened it
    assert opened.data["origin"] == f"advisory {public_id}"
    first = ticket.messages.get()
    assert first.from_customer is False
    assert first.body.startswith(f"{public_id}: ")

    client = Client()
    client.force_login(contact.user)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f"by ossdesk security (advisory {public_id})" in page
    assert "via Portal" not in page
    assert "x_OSSDESK" not in page
    listing = client.get("/tickets/?view=all").content.decode()
    row = listing[listing.index(f"#{ticket.pk}</a>") :]
    row = row[: row.index("</tr>")]
    assert '<td class="owner">ossdesk security</td>' in row
    assert contact.name not in row

    mail_sweep()  # the acknowledgement does not pretend the customer wrote in
    acknowledgement = OutboundEmail.objects.get(ticket=ticket, kind=MailKind.TICKET_CREATED).body_text
    assert f"ossdesk security opened ticket #{ticket.pk} (" in acknowledgement
    assert f"for Bank about Django support (advisory {public_id}):" in acknowledgement
    assert "we received your ticket" not in acknowledgement


def test_notices_and_security_pages_name_a_vendor_advisory_by_its_public_id(
    tiers: Any, staff: dict[str, Any], product: Product, settings: Any, tmp_path: Any
) -> None:
    isolate_files(settings, tmp_path)
    shop = OrganizationFactory(name="Shop", slug="shop")
    today = timezone.localdate()
    subscribe(
        shop, tiers["business"], starts_on=today, ends_on=today + timedelta(days=300), products=[product]
    )
    contact = contact_with_login(shop, role="admin")
    deployment = deployment_create(actor=SYSTEM, organization=shop, name="web", product=product)
    services.sbom_upload(
        actor=SYSTEM, deployment=deployment, filename="requirements.txt", data=b"django==3.2.3\n"
    )

    vendor = _publish_critical_vendor_advisory(staff, product)
    public_id = vendor.tracking_id
    notice = Notice.objects.get(organization=shop)
    assert contact.user.notifications.get().subject.startswith(f"{public_id} (critical) affects web")

    client = Client()
    client.force_login(contact.user)
    for url in ("/security/notices/", f"/security/notices/{notice.pk}/", "/security/findings/"):
        page = client.get(url).content.decode()
        assert public_id in page, url
        assert f">x_{public_id}<" not in page, url


def test_an_upload_that_closes_a_vendor_advisorys_finding_names_it_by_its_public_id(
    tiers: Any, staff: dict[str, Any], product: Product, settings: Any, tmp_path: Any
) -> None:
    isolate_files(settings, tmp_path)
    shop = OrganizationFactory(name="Shop", slug="shop")
    today = timezone.localdate()
    subscribe(
        shop, tiers["business"], starts_on=today, ends_on=today + timedelta(days=300), products=[product]
    )
    contact = contact_with_login(shop, role="admin")
    deployment = deployment_create(actor=SYSTEM, organization=shop, name="web", product=product)
    services.sbom_upload(
        actor=SYSTEM, deployment=deployment, filename="requirements.txt", data=b"django==3.2.3\n"
    )
    public_id = _publish_critical_vendor_advisory(staff, product).tracking_id

    client = Client()
    client.force_login(contact.user)
    upload = SimpleUploadedFile("requirements.txt", b"django==3.2.4+vendor1\n")
    response = client.post(f"/security/deployments/{deployment.pk}/upload/", {"file": upload}, follow=True)
    held = Sbom.objects.get(deployment=deployment, state=Sbom.State.HELD)
    assert held.changes["closed_findings"][0]["advisory"] == public_id
    assert f"it would close critical findings: {public_id}" in held.problems
    for page in (response, client.get(f"/security/deployments/{deployment.pk}/")):
        text = re.sub(r'href="[^"]*"', "", page.content.decode())  # addresses keep the record's id
        assert public_id in text
        assert f"x_{public_id}" not in text

    notice = Notice.objects.get(organization=shop)
    response = client.post(f"/security/notices/{notice.pk}/acknowledge/", follow=True)
    assert f"Notice of {public_id} acknowledged." in response.content.decode()

    staff_client = Client()
    staff_client.force_login(staff[Role.SECURITY_ANALYST])
    portfolio = staff_client.get("/security/").content.decode()
    assert f'#affected">{public_id}</a>' in portfolio
    assert f"x_{public_id}<" not in portfolio
