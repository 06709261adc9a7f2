"""Demo forum: a few threads per demo product (see ossdesk.demo.PRODUCTS), one answered and accepted, one
from Old Mill Bakery, the Community-tier customer whose question cannot become a ticket.

Created through the services (so they are audited like anything else) and only once: running it again
finds the threads by title and changes nothing. The lead calls `demo_forum()` from the demo seed.
"""

from __future__ import annotations

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.demo import DEMO_PASSWORD
from ossdesk.accounts.models import User
from ossdesk.customers.models import Contact, Organization
from ossdesk.customers.services import contact_create
from ossdesk.forum import services
from ossdesk.forum.models import Thread
from ossdesk.products.models import Product

# Old Mill Bakery's only contact has no sign-in; the forum needs one to show a Community customer asking.
OLD_MILL = ("old-mill-bakery", "Owen Price", "owen@oldmill.example")

# (product, asker's e-mail or user name, title, question, [(replier, answer)], index of accepted reply)
THREADS: list[tuple[str, str, str, str, list[tuple[str, str]], int | None]] = [
    (
        "PostgreSQL",
        "lars@fjord.example",
        "Autovacuum never finishes on a 200 GB table",
        "Our `shipments` table (200 GB, PostgreSQL 16) shows autovacuum running for hours and "
        "`n_dead_tup` still climbing. What should we look at first?",
        [
            (
                "erin",
                "Usually something holds the xmin horizon back. Check:\n\n"
                "```sql\nSELECT pid, state, xact_start FROM pg_stat_activity\n"
                "WHERE state = 'idle in transaction' ORDER BY xact_start;\n```\n\n"
                "Then `pg_replication_slots` for an abandoned slot. For a table that size, set "
                "`autovacuum_vacuum_scale_factor = 0.02` on it.",
            ),
            ("marcus@meridian.example", "We had the same: a forgotten logical slot from a test CDC setup."),
        ],
        0,
    ),
    (
        "PostgreSQL",
        "ingrid@fjord.example",
        "pg_upgrade from 13 to 16: keep the old cluster around?",
        "Planning `pg_upgrade --link`. How long do people keep the old data directory before removing it?",
        [("dana@meridian.example", "With `--link` the old cluster is unusable once the new one starts.")],
        None,
    ),
    (
        "Apache Kafka",
        "marcus@meridian.example",
        "Consumer group keeps rebalancing every few minutes",
        "A group of 12 consumers on Kafka 3.9 rebalances every 3–5 minutes; processing is slow at times.",
        [
            (
                "sam",
                "Look at `max.poll.interval.ms` against your slowest batch, and consider static "
                "membership (`group.instance.id`) so restarts do not trigger rebalances.",
            )
        ],
        None,
    ),
    (
        "Django",
        "priya@brightside.example",
        "Is CONN_MAX_AGE safe with PgBouncer in transaction mode?",
        "We run Django 5.2 behind PgBouncer (transaction pooling). Should `CONN_MAX_AGE` stay at 0?",
        [
            (
                "erin",
                "Keep persistent connections off (`CONN_MAX_AGE = 0`) and set "
                "`DISABLE_SERVER_SIDE_CURSORS = True`: server-side cursors do not survive transaction "
                "pooling.",
            )
        ],
        0,
    ),
    (
        "Django",
        OLD_MILL[2],
        "Upgrading our shop from Django 4.2 to 5.2: what breaks?",
        "We are a small bakery running an online shop on Django 4.2. What should we check before 5.2?",
        [("priya@brightside.example", "Run the tests with `-W error::DeprecationWarning` on 4.2 first.")],
        None,
    ),
    (
        "Kubernetes",
        "dana@meridian.example",
        "Pods stuck in Terminating after a node drain",
        "After `kubectl drain` some pods stay in Terminating for hours on 1.31.",
        [("sam", "Check for finalizers on the pods and for volumes that cannot detach from the old node.")],
        None,
    ),
]


def _old_mill_member() -> User | None:
    slug, name, email = OLD_MILL
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return None
    contact: Contact = contact_create(
        actor=Actor.system("demo"),
        organization=organization,
        name=name,
        email=email,
        is_named=False,  # Community: no named contacts, so no cases; the forum is their channel
        portal_access=True,
        password=DEMO_PASSWORD,
    )
    return contact.user


def _user(key: str) -> User | None:
    return User.objects.filter(email=key).first() or User.objects.filter(username=key).first()


def demo_forum() -> int:
    """Create the demo threads that do not exist yet; returns how many were created."""
    _old_mill_member()
    created = 0
    for product_name, asker, title, question, replies, accepted in THREADS:
        product = Product.objects.filter(name=product_name).first()
        author = _user(asker)
        if product is None or author is None or Thread.objects.filter(title=title).exists():
            continue
        thread = services.thread_create(actor=actor_for(author), product=product, title=title, body=question)
        posts = []
        for replier, answer in replies:
            user = _user(replier)
            if user is not None:
                posts.append(services.post_create(actor=actor_for(user), thread=thread, body=answer))
        if accepted is not None and accepted < len(posts):
            services.thread_accept(actor=actor_for(author), thread=thread, post=posts[accepted])
        created += 1
    return created
