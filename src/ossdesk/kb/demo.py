"""Demo knowledge base: a handful of useful articles about the demo products (see ossdesk.demo.PRODUCTS).

Created through the services (so they are audited like anything else) and only once: running it again
finds the articles by slug and changes nothing. The lead calls `demo_kb()` from the demo seed.
"""

from __future__ import annotations

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.kb import services
from ossdesk.kb.models import Article, Visibility
from ossdesk.products.models import Product, ProductVersion

# (slug, title, visibility, product, versions, published, body)
ARTICLES: list[tuple[str, str, str, str | None, list[str], bool, str]] = [
    (
        "postgresql-vacuum-and-table-bloat",
        "PostgreSQL: autovacuum, dead tuples and table bloat",
        Visibility.PUBLIC,
        "PostgreSQL",
        [],
        True,
        """A table that keeps growing although its row count does not is usually **bloated**: updates and
deletes leave dead tuples behind, and VACUUM has not reclaimed them fast enough.

## Check

```sql
SELECT relname, n_live_tup, n_dead_tup, last_autovacuum
FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 10;
```

A dead-tuple count above about 20% of the live rows on a busy table means autovacuum is behind.

## Usual causes

- a long-running transaction, or an idle one (`idle in transaction`), holding back the xmin horizon;
- an abandoned replication slot or prepared transaction;
- `autovacuum_vacuum_cost_limit` too low for the write rate.

## Fix

1. End what holds the horizon back (`pg_stat_activity`, `pg_replication_slots`, `pg_prepared_xacts`).
2. Lower the table's `autovacuum_vacuum_scale_factor` (for example to 0.02) for large, busy tables.
3. Run `VACUUM (VERBOSE) table_name;`. Only `VACUUM FULL` or `pg_repack` return space to the
   operating system, and `VACUUM FULL` locks the table while it runs.

See the PostgreSQL manual, [Routine Vacuuming](https://www.postgresql.org/docs/current/routine-vacuuming.html).
""",
    ),
    (
        "kafka-consumer-lag",
        "Kafka: consumer lag keeps growing",
        Visibility.PUBLIC,
        "Apache Kafka",
        [],
        True,
        """Consumer **lag** is the distance between a partition's latest offset and the group's committed
offset.

## Measure it

```sh
kafka-consumer-groups.sh --bootstrap-server broker:9092 --describe --group my-group
```

Look at `LAG` per partition: lag on **one** partition points at a hot key or a stuck consumer; lag on
**all** partitions means the group cannot keep up.

## Common causes

| Symptom | Likely cause |
|---|---|
| Lag grows, then the group rebalances | processing takes longer than `max.poll.interval.ms` |
| One partition lags | skewed keys, or one slow consumer instance |
| All partitions lag after a deploy | slower processing per record, or fewer instances |

## What helps

- Add consumer instances, up to the number of partitions.
- Lower `max.poll.records`, or raise `max.poll.interval.ms`, when records are slow to process.
- Move slow work off the polling thread and commit after the work is done.
""",
    ),
    (
        "django-5-2-upgrade-notes",
        "Upgrading to Django 5.2 LTS",
        Visibility.PUBLIC,
        "Django",
        ["5.2"],
        True,
        """Django 5.2 is a long-term support release. Upgrade from 4.2 LTS through 5.0 and 5.1 in your test
suite, one release at a time, with deprecation warnings turned on:

```sh
python -Wd -m pytest
```

## Check before upgrading

- Python 3.10 or later is required.
- Remove code deprecated in 4.x: the warnings printed above name each place.
- Third-party packages: check each one's supported Django versions.

## Worth knowing

- Composite primary keys (`CompositePrimaryKey`) are new.
- `manage.py shell` imports your models automatically.

Read the [Django 5.2 release notes](https://docs.djangoproject.com/en/5.2/releases/5.2/) in full.
""",
    ),
    (
        "postgresql-major-upgrade-checklist",
        "PostgreSQL major upgrade checklist for supported customers",
        Visibility.CUSTOMERS,
        "PostgreSQL",
        ["16", "17"],
        True,
        """Planning a major upgrade (for example 16 to 17)? Raise a **proactive case** at least five business
days ahead, so that an engineer is on hand during your maintenance window.

1. Test `pg_upgrade --check` against a copy of production.
2. Note the extensions and their versions: `SELECT * FROM pg_extension;`.
3. Plan `ANALYZE` after the upgrade: statistics are not carried over.
4. Keep the old cluster until the application has run a full business day.

Your subscription covers our review of the upgrade plan; Enterprise customers can also use consulting hours.
""",
    ),
    (
        "kafka-broker-disk-full-runbook",
        "Runbook: Kafka broker disk almost full",
        Visibility.INTERNAL,
        "Apache Kafka",
        [],
        True,
        """**Internal runbook.** For S1/S2 cases where a customer's broker disk is above 90%.

1. Ask for `df -h` on the log directories and the topic sizes (`kafka-log-dirs.sh --describe`).
2. Find topics with an unbounded `retention.ms` or `retention.bytes`.
3. Agree a temporary retention with the customer before changing anything; record it on the ticket.
4. Never delete segment files by hand.
5. Afterwards: a proactive case to review retention and capacity.
""",
    ),
    (
        "django-admin-slow-changelist",
        "Django admin changelist is slow on large tables",
        Visibility.PUBLIC,
        "Django",
        [],
        False,
        """Draft: `show_full_result_count = False`, `list_select_related`, and a custom paginator that skips
`COUNT(*)` on large tables.
""",
    ),
]


def _author() -> Actor:
    engineer = User.objects.filter(role=Role.ENGINEER, is_active=True).order_by("pk").first()
    return actor_for(engineer) if engineer is not None else Actor.system("demo")


def demo_kb() -> int:
    """Create the demo articles that do not exist yet; returns how many were created."""
    actor = _author()
    created = 0
    for slug, title, visibility, product_name, versions, published, body in ARTICLES:
        if Article.objects.filter(slug=slug).exists():
            continue
        product = Product.objects.filter(name=product_name).first() if product_name else None
        chosen = list(ProductVersion.objects.filter(product=product, version__in=versions)) if product else []
        article = services.article_create(
            actor=actor,
            title=title,
            slug=slug,
            body=body,
            visibility=visibility,
            product=product,
            product_versions=chosen,
        )
        if published:
            services.article_publish(actor=actor, article=article)
        created += 1
    return created
