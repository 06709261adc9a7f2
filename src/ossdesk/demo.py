"""The demo data set: a vendor with staff of every role, customers on each paid tier, products.

Created through the services (so it is audited like anything else) and only once: running it
again finds the demo customers and changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.demo import DEMO_PASSWORD
from ossdesk.accounts.models import Role, User
from ossdesk.accounts.services import staff_user_create
from ossdesk.channels.models import Mailbox
from ossdesk.customers.models import Contact, Organization
from ossdesk.customers.services import contact_create, organization_create
from ossdesk.forum.demo import demo_forum
from ossdesk.kb.demo import demo_kb
from ossdesk.plans.models import Plan
from ossdesk.plans.services import agreement_create, subscription_create
from ossdesk.products.models import Product
from ossdesk.products.services import product_create, product_version_create
from ossdesk.search.services import search_reindex
from ossdesk.security.demo import demo_security
from ossdesk.surveys.demo import demo_surveys
from ossdesk.tickets.demo import demo_teams, demo_tickets
from ossdesk.tickets.models import Ticket

STAFF = [
    ("erin", "erin@vendor.example", Role.ENGINEER, "Erin Okafor"),
    ("sam", "sam@vendor.example", Role.ENGINEER, "Sam Lindqvist"),
    ("alex", "alex@vendor.example", Role.ACCOUNT_MANAGER, "Alex Moreau"),
    ("sasha", "sasha@vendor.example", Role.SECURITY_ANALYST, "Sasha Ivanova"),
]

# (name, ecosystem, package, homepage, [(version, released, end of regular support, end of life)])
PRODUCTS = [
    (
        "PostgreSQL",
        "",
        "postgresql",
        "https://www.postgresql.org/",
        [
            ("13", date(2020, 9, 24), date(2024, 11, 14), date(2025, 11, 13)),
            ("14", date(2021, 9, 30), date(2025, 11, 13), date(2026, 11, 12)),
            ("15", date(2022, 10, 13), date(2026, 11, 12), date(2027, 11, 11)),
            ("16", date(2023, 9, 14), date(2027, 11, 11), date(2028, 11, 9)),
            ("17", date(2024, 9, 26), date(2028, 11, 9), date(2029, 11, 8)),
        ],
    ),
    (
        "Apache Kafka",
        "Maven",
        "org.apache.kafka:kafka-clients",
        "https://kafka.apache.org/",
        [
            ("3.7", date(2024, 2, 27), date(2025, 3, 18), date(2025, 11, 6)),
            ("3.9", date(2024, 11, 6), date(2026, 3, 18), date(2026, 11, 6)),
            ("4.0", date(2025, 3, 18), date(2026, 9, 1), date(2027, 3, 18)),
        ],
    ),
    (
        "Django",
        "PyPI",
        "django",
        "https://www.djangoproject.com/",
        [
            ("4.2", date(2023, 4, 3), date(2023, 12, 4), date(2026, 4, 30)),
            ("5.1", date(2024, 8, 7), date(2025, 4, 2), date(2025, 12, 2)),
            ("5.2", date(2025, 4, 2), date(2025, 12, 3), date(2028, 4, 30)),
        ],
    ),
    (
        "Kubernetes",
        "Go",
        "k8s.io/kubernetes",
        "https://kubernetes.io/",
        [
            ("1.31", date(2024, 8, 13), date(2025, 8, 28), date(2025, 10, 28)),
            ("1.33", date(2025, 4, 23), date(2026, 4, 28), date(2026, 6, 28)),
        ],
    ),
]

# slug, name, country, subdivision, time zone, frameworks, plan code, products, contacts
CUSTOMERS = [
    (
        "brightside-analytics",
        "Brightside Analytics",
        "US",
        "NY",
        "America/New_York",
        [],
        "starter",
        ["Django"],
        [
            ("Priya Shah", "priya@brightside.example", "+1 212 555 0101", "admin", True),
            ("Tom Becker", "tom@brightside.example", "", "contact", False),
        ],
    ),
    (
        "fjord-logistics",
        "Fjord Logistics",
        "NO",
        "",
        "Europe/Oslo",
        ["GDPR"],
        "business",
        ["PostgreSQL", "Apache Kafka"],
        [
            ("Ingrid Berg", "ingrid@fjord.example", "+47 22 55 01 01", "admin", True),
            ("Lars Nilsen", "lars@fjord.example", "+47 22 55 01 02", "contact", True),
            ("Mia Dahl", "mia@fjord.example", "", "contact", False),
        ],
    ),
    (
        "meridian-health",
        "Meridian Health",
        "US",
        "IL",
        "America/Chicago",
        ["HIPAA", "PCI-DSS"],
        "enterprise",
        ["PostgreSQL", "Apache Kafka", "Django", "Kubernetes"],
        [
            ("Dana Whitfield", "dana@meridian.example", "+1 312 555 0199", "admin", True),
            ("Marcus Lee", "marcus@meridian.example", "+1 312 555 0142", "contact", True),
            ("On-call desk", "oncall@meridian.example", "+1 312 555 0100", "contact", False),
        ],
    ),
    (
        "old-mill-bakery",
        "Old Mill Bakery",
        "GB",
        "",
        "Europe/London",
        ["GDPR", "PCI-DSS"],
        None,
        ["Django"],
        [("Hannah Cole", "hannah@oldmill.example", "", "admin", False)],
    ),
]

DEMO_SLUGS = [slug for slug, *_ in CUSTOMERS]


@transaction.atomic
def demo_seed(today: date | None = None) -> str:
    """Create the demo vendor and customers unless they exist; returns a one-line summary."""
    if Organization.objects.filter(slug__in=DEMO_SLUGS).exists():
        return "already present"
    today = today or timezone.localdate()
    actor = Actor.system("demo")
    staff = {}
    for username, email, role, display in STAFF:
        existing = User.objects.filter(username=username).first()
        staff[username] = existing or staff_user_create(
            actor=actor,
            username=username,
            email=email,
            role=role,
            password=DEMO_PASSWORD,
            display_name=display,
        )
    products: dict[str, Product] = {}
    for name, ecosystem, package, homepage, versions in PRODUCTS:
        product = Product.objects.filter(name=name).first()
        if product is None:
            product = product_create(
                actor=actor, name=name, ecosystem=ecosystem, package_name=package, homepage=homepage
            )
            for version, released, support_end, eol in versions:
                product_version_create(
                    actor=actor,
                    product=product,
                    version=version,
                    released_on=released,
                    end_of_support_on=support_end,
                    end_of_life_on=eol,
                )
        products[name] = product

    plans = {plan.code: plan for plan in Plan.objects.all()}
    for slug, name, country, subdiv, tz, frameworks, plan_code, product_names, contacts in CUSTOMERS:
        organization = organization_create(
            actor=actor,
            name=name,
            slug=slug,
            country=country,
            subdivision=subdiv,
            timezone=tz,
            compliance_frameworks=frameworks,
            account_manager=staff["alex"] if plan_code == "enterprise" else None,
        )
        covered = [products[p] for p in product_names]
        if plan_code is None:
            # A lapsed Starter subscription: the customer has fallen back to Community.
            subscription_create(
                actor=actor,
                organization=organization,
                plan=plans["starter"],
                starts_on=today - timedelta(days=500),
                ends_on=today - timedelta(days=135),
                products=covered,
            )
        else:
            subscription_create(
                actor=actor,
                organization=organization,
                plan=plans[plan_code],
                starts_on=today - timedelta(days=120),
                ends_on=today + timedelta(days=245),
                products=covered,
                deployments={"starter": 2, "business": 6}.get(plan_code, 25),
            )
        if plan_code == "enterprise":
            agreement_create(
                actor=actor,
                organization=organization,
                reference="MH-EA-2026-01",
                starts_on=today - timedelta(days=120),
                ends_on=today + timedelta(days=610),
                account_manager=staff["alex"],
                consulting_hours_bank=Decimal(80),
                fee_per_period=Decimal("18500.00"),
                currency="USD",
                overrides={
                    "severities": {"S1": {"first_response": "10m", "update_cadence": "30m"}},
                    "consulting_hours_per_year": 80,
                    "sla_credits": {
                        "percent_per_breach": "10",
                        "cap_percent_per_period": "30",
                        "period": "month",
                    },
                },
                notes="Hospital group: S1 answered within 10 minutes around the clock; HIPAA BAA signed.",
            )
        for contact_name, email, phone, contact_role, portal in contacts:
            contact_create(
                actor=actor,
                organization=organization,
                name=contact_name,
                email=email,
                phone=phone,
                role=contact_role,
                is_named=plan_code is not None,
                reachable_24x7=plan_code in {"enterprise", "business"} and bool(phone),
                portal_access=portal,
                password=DEMO_PASSWORD if portal else None,
            )
    demo_teams()
    demo_tickets()
    mailbox = _demo_mailbox(actor, products["PostgreSQL"])
    demo_surveys()
    security = demo_security()
    articles = demo_kb()
    threads = demo_forum()
    search_reindex()  # searchable at once, not after the worker's first sweep
    return (
        f"{len(STAFF)} staff, {len(PRODUCTS)} products, {len(CUSTOMERS)} customers, "
        f"{Contact.objects.filter(organization__slug__in=DEMO_SLUGS).count()} contacts, "
        f"{Ticket.objects.filter(organization__slug__in=DEMO_SLUGS).count()} tickets; "
        f"mailbox {mailbox.address} (LMTP); "
        f"security: {security}; {articles} articles, {threads} forum threads (demo password: {DEMO_PASSWORD})"
    )


def _demo_mailbox(actor: Actor, product: Product) -> Mailbox:
    """The support address `ossdesk mail lmtp` receives for (and `ossdesk mail send-test` writes to):
    mail from a customer's named contact opens a PostgreSQL case at S3."""
    from ossdesk.channels.mailboxes import mailbox_create
    from ossdesk.channels.threading import mail_domain

    address = f"support@{mail_domain()}"
    existing = Mailbox.objects.filter(address__iexact=address).first()
    return existing or mailbox_create(
        actor=actor, name="support", address=address, product=product, severity="S3"
    )
