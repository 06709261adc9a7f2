"""Full-text search over 1,000,000 messages: index build time and query latency (p50/p95), staff and customer.

    python benchmarks/bench_search.py                        # SQLite (FTS5), 1,000,000 messages
    python benchmarks/bench_search.py --messages 100000      # smaller
    python benchmarks/bench_search.py --postgres postgres://postgres@127.0.0.1:5432/ossdesk_bench_search

With --postgres the same run follows on PostgreSQL, in a database of that name that the benchmark drops
and creates (its name must contain "bench"). Messages are written straight into the tables (bulk inserts,
no services): ~10 per ticket, over 50 organisations, one in ten an internal note, text drawn from a
vocabulary with Zipf-like frequencies. Then `search_reindex()` builds the index, and ~200 queries of one
to three terms (some phrases, some prefixes) run through the `search` selector — facet counts, the ranked
page and its snippets, as the page and the API call it — once as staff and once as a customer.
Figures only: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

ORGANIZATIONS = 50
MESSAGES_PER_TICKET = 10
QUERIES = 200
SEED = 11


def _words(text: str) -> list[str]:
    return text.split()


# The head of the vocabulary: English function words (PostgreSQL's stop words, mostly), then the words a
# support desk for open-source infrastructure uses. Generated words make up the long tail.
FUNCTION_WORDS = _words(
    "the to and a of is in it that for on we this with be not you are have as at but or if from when"
    " can was after our an all so do there no by which would what will has about one more out up"
)
DOMAIN_WORDS = _words(
    "error server database replication cluster node upgrade version timeout connection query index"
    " table backup restore failover primary standby latency memory disk cpu log logs config configuration"
    " kafka broker topic partition consumer producer lag offset postgres postgresql vacuum bloat autovacuum"
    " checkpoint wal slot slots django migration deploy deployment kubernetes pod container image restart"
    " crash panic exception trace stack heap leak thread lock deadlock transaction commit rollback"
    " certificate tls ssl handshake proxy network dns firewall port socket packet retry queue worker job"
    " schedule cron alert metric monitoring dashboard grafana prometheus throughput performance slow"
    " regression patch release security vulnerability cve advisory sbom license compliance audit token"
    " password user role permission access denied authentication ldap saml oauth session cache redis"
    " eviction shard rebalance leader election quorum zookeeper raft snapshot compaction retention"
    " schema column constraint foreign key sequence trigger function plan planner statistics analyze"
    " storage volume mount filesystem inode quota network_policy ingress helm chart operator manifest"
)
SYLLABLES = _words("ka lo mi ne ra su ti vo ze ba de fi gu ho ju ke la mo nu pi ro sa te vu wi xa yo zu")


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    words = list(dict.fromkeys(FUNCTION_WORDS + DOMAIN_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_weights(size: int, exponent: float = 1.05) -> Any:
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    return weights / weights.sum()


def generate(messages: int) -> dict[str, Any]:
    """Organisations, tickets and messages, written in bulk; returns what the queries need."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ossdesk.accounts.actor import Actor
    from ossdesk.customers.services import organization_create
    from ossdesk.kb.models import Article
    from ossdesk.plans.services import plans_seed_defaults
    from ossdesk.products.services import product_create
    from ossdesk.tickets.models import Message, Ticket

    started = time.perf_counter()
    system = Actor.system("bench")
    plans_seed_defaults(actor=system)
    products = [product_create(actor=system, name=name) for name in ("PostgreSQL", "Apache Kafka", "Django")]
    organizations = [
        organization_create(actor=system, name=f"Customer {n}", country="DE", timezone="Europe/Berlin")
        for n in range(ORGANIZATIONS)
    ]
    rng = random.Random(SEED)
    nprng = np.random.default_rng(SEED)
    words = vocabulary(rng)
    weights = zipf_weights(len(words))
    vocab = np.array(words, dtype=object)
    now = timezone.now().replace(microsecond=0)
    ticket_count = max(1, messages // MESSAGES_PER_TICKET)

    def sentences(count: int, low: int, high: int) -> list[str]:
        lengths = nprng.integers(low, high, size=count)
        drawn = vocab[nprng.choice(len(words), size=int(lengths.sum()), p=weights)]
        out, at = [], 0
        for length in lengths.tolist():
            out.append(" ".join(drawn[at : at + length]))
            at += length
        return out

    with transaction.atomic():
        subjects = sentences(ticket_count, 4, 9)
        Ticket.objects.bulk_create(
            [
                Ticket(
                    organization=organizations[n % ORGANIZATIONS],
                    product=products[n % len(products)],
                    subject=subjects[n].capitalize(),
                    severity=rng.choice(["S2", "S3", "S4"]),
                    status=rng.choice(["open", "open", "waiting_on_customer", "solved", "closed"]),
                    opened_at=now - timedelta(minutes=n),
                    updated_at=now - timedelta(minutes=n),
                )
                for n in range(ticket_count)
            ],
            batch_size=5000,
        )
    first_ticket = Ticket.objects.order_by("pk").values_list("pk", flat=True).first()
    assert first_ticket is not None
    columns = "ticket_id, author_label, from_customer, is_public, body, channel, created_at"
    sql = f"INSERT INTO {Message._meta.db_table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
    chunk = 50_000
    for start in range(0, messages, chunk):
        count = min(chunk, messages - start)
        bodies = sentences(count, 12, 60)
        rows = []
        for offset, body in enumerate(bodies):
            n = start + offset
            ticket = first_ticket + n % ticket_count
            internal = n % 10 == 9
            when = connection.ops.adapt_datetimefield_value(now - timedelta(seconds=messages - n))
            rows.append((ticket, "bench", n % 2 == 0, not internal, body, "portal", when))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        print(f"  {start + count:,} messages written", flush=True)
    visibilities = ["public", "customers", "internal"]
    article_bodies = sentences(2000, 80, 300)
    Article.objects.bulk_create(
        [
            Article(
                title=" ".join(body.split()[:5]).capitalize(),
                slug=f"article-{n}",
                body=body,
                visibility=visibilities[n % 3],
                status="published" if n % 5 else "draft",
                product=products[n % len(products)],
            )
            for n, body in enumerate(article_bodies)
        ],
        batch_size=1000,
    )
    seconds = time.perf_counter() - started
    print(f"generated {ticket_count:,} tickets, {messages:,} messages, 2,000 articles in {seconds:.0f}s")
    return {"words": words, "organizations": [o.pk for o in organizations], "sample": sentences(200, 8, 9)}


def queries(words: list[str], sample: list[str], rng: random.Random) -> list[str]:
    """1–3 terms from the middle of the vocabulary (what people type: not the commonest words), one query
    in five a two-word phrase taken from real text, one in ten with a prefix."""
    middle = words[len(FUNCTION_WORDS) : 3000]
    weights = zipf_weights(len(middle)).tolist()
    out = []
    for n in range(QUERIES):
        terms = rng.choices(middle, weights=weights, k=rng.randint(1, 3))
        if n % 5 == 0:
            pair = sample[n % len(sample)].split()[2:4]
            terms = [f'"{" ".join(pair)}"', *terms[:1]]
        elif n % 10 == 1:
            terms[0] = terms[0][:4] + "*"
        out.append(" ".join(terms))
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(messages: int, database_url: str | None) -> None:
    _django.setup(database_url)
    from django.db import connection

    from ossdesk.accounts.actor import Actor
    from ossdesk.accounts.models import Role
    from ossdesk.search.models import Document
    from ossdesk.search.selectors import search
    from ossdesk.search.services import search_reindex

    print(f"--- {connection.vendor} ---", flush=True)
    world = generate(messages)
    started = time.perf_counter()
    search_reindex()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_document")
    documents = Document.objects.count()
    print(f"indexed {documents:,} documents in {time.perf_counter() - started:.0f}s", flush=True)

    rng = random.Random(SEED)
    staff = Actor(user=None, role=Role.ENGINEER, organization_id=None, label="bench staff")
    customers = [
        Actor(user=None, role=Role.CUSTOMER, organization_id=pk, label="bench customer")
        for pk in world["organizations"]
    ]
    texts = queries(world["words"], world["sample"], rng)
    for text in texts[:20]:  # warm the caches
        search(actor=staff, q=text)
    for label in ("staff", "customer"):
        timings, totals = [], []
        for n, text in enumerate(texts):
            actor = staff if label == "staff" else customers[n % len(customers)]
            began = time.perf_counter()
            results = search(actor=actor, q=text)
            timings.append((time.perf_counter() - began) * 1000)
            totals.append(results.total)
        print(
            f"{connection.vendor:10} {label:8} {len(texts)} queries: p50 {percentile(timings, 0.5):7.1f} ms  "
            f"p95 {percentile(timings, 0.95):7.1f} ms  max {max(timings):7.1f} ms  "
            f"matches per query: median {int(statistics.median(totals)):,}, max {max(totals):,}",
            flush=True,
        )


def fresh_postgres(url: str) -> str:
    """Drop and create the benchmark's own database; refuse a name that does not say it is one."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"--postgres: the database name must contain 'bench' (it is dropped): {name!r}")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (a scratch database)")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only == "sqlite":
        run(args.messages, None)
        return 0
    if args.only == "postgres":
        run(args.messages, fresh_postgres(args.postgres))
        return 0
    # Each database in a process of its own: Django's settings are made once per process.
    command = [sys.executable, __file__, "--messages", str(args.messages)]
    status = subprocess.call([*command, "--only", "sqlite"])
    if args.postgres:
        status |= subprocess.call([*command, "--only", "postgres", "--postgres", args.postgres])
    return status


if __name__ == "__main__":
    sys.exit(main())
