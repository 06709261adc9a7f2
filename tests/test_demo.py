"""The demo data set has what the Quick start promises, and seeding twice changes nothing."""

from __future__ import annotations

import pytest

from ossdesk.accounts.models import Role, User
from ossdesk.audit.models import AuditEntry
from ossdesk.customers.models import Contact, Organization
from ossdesk.demo import demo_seed
from ossdesk.plans.models import Agreement
from ossdesk.plans.selectors import entitlements_for
from ossdesk.products.models import ProductVersion

pytestmark = pytest.mark.django_db


def test_demo_seed(tiers):
    assert "4 customers" in demo_seed()
    roles = set(User.objects.values_list("role", flat=True))
    assert {Role.ENGINEER, Role.ACCOUNT_MANAGER, Role.SECURITY_ANALYST} <= roles
    plans = {o.slug: entitlements_for(organization=o).plan.code for o in Organization.objects.all()}
    assert plans == {
        "brightside-analytics": "starter",
        "fjord-logistics": "business",
        "meridian-health": "enterprise",
        "old-mill-bakery": "community",
    }
    meridian = Organization.objects.get(slug="meridian-health")
    ent = entitlements_for(organization=meridian)
    assert ent.source == "agreement"
    assert str(ent.terms.severity("S1").target("first_response")) == "10m"
    assert Agreement.objects.count() == 1
    assert ProductVersion.objects.filter(end_of_life_on__isnull=False).count() >= 10
    assert Contact.objects.filter(user__isnull=False).count() >= 3
    counts = (Organization.objects.count(), Contact.objects.count(), AuditEntry.objects.count())
    assert demo_seed() == "already present"
    assert (Organization.objects.count(), Contact.objects.count(), AuditEntry.objects.count()) == counts


def test_demo_seed_fills_security_channels_and_search(tiers):
    from ossdesk.accounts.actor import Actor
    from ossdesk.channels.mailboxes import mailbox_for_address
    from ossdesk.forum.models import Thread
    from ossdesk.kb.models import Article
    from ossdesk.search.selectors import search
    from ossdesk.security.models import Finding, Notice, VendorAdvisory
    from ossdesk.surveys.models import SurveyResponse

    summary = demo_seed()
    assert "6 advisories" in summary
    # A mailbox the LMTP receiver accepts mail for (`ossdesk mail send-test` writes to it).
    mailbox = mailbox_for_address("support@support.example.com")
    assert mailbox is not None
    assert (mailbox.imap_host, mailbox.product.name) == ("", "PostgreSQL")
    assert f"mailbox {mailbox.address} (LMTP)" in summary
    assert Finding.objects.filter(status="open", severity="critical").exists()
    assert Notice.objects.filter(ticket__isnull=False).exists()  # Meridian's critical finding
    assert set(VendorAdvisory.objects.values_list("status", flat=True)) == {"published", "draft"}
    assert Article.objects.filter(status="published").count() >= 5
    assert Thread.objects.filter(accepted_post__isnull=False).exists()
    assert SurveyResponse.objects.filter(answered_at__isnull=False).exists()
    # Searchable at once, before any worker sweep: a demo article's title words find it.
    title = Article.objects.filter(status="published", visibility="public").first().title
    hits = search(actor=Actor.system("tests"), q=title.split()[0])
    assert hits.total > 0


def test_the_seed_reports_the_tickets_it_made(tiers):
    from ossdesk.tickets.models import Ticket

    summary = demo_seed()
    assert f" {Ticket.objects.count()} tickets;" in summary  # the security tickets count too
    assert Ticket.objects.count() > 7


def test_the_seed_reports_the_findings_and_notices_it_made(tiers):
    from ossdesk.security.models import Finding, Notice

    summary = demo_seed()
    # The published vendor advisory's finding and notice count too, not only the import's.
    assert Finding.objects.filter(advisory__source="vendor").exists()
    assert f" {Finding.objects.count()} findings, {Notice.objects.count()} notices," in summary


def test_a_running_s1_is_kept_alive_from_each_start_up(tiers):
    from datetime import timedelta

    from django.utils import timezone

    from ossdesk.tickets.demo import LIVE_S1, demo_live_s1
    from ossdesk.tickets.models import TicketClock

    demo_seed()
    subject = LIVE_S1[3]
    seeded = TicketClock.objects.get(ticket__subject=subject, name="first_response")
    started = timezone.now().replace(microsecond=0)
    assert seeded.state == "running"
    assert seeded.due_at - started >= timedelta(minutes=8)  # Meridian's 10-minute S1, opened a minute ago
    assert demo_live_s1(now=started) is None  # alive: a start right after the seed raises nothing
    later = started + timedelta(minutes=25)  # the next start-up, after the first one breached
    fresh = demo_live_s1(now=later)
    assert fresh is not None
    assert fresh.opened_at == later - timedelta(minutes=1)
    clock = fresh.clocks.get(name="first_response")
    assert (clock.state, clock.due_at) == ("running", later + timedelta(minutes=9))
    assert demo_live_s1(now=later) is None  # one per start-up, not one per call
    assert TicketClock.objects.filter(ticket__subject=subject, name="first_response").count() == 2
