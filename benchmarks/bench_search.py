"""Full-text search over 1,000,000 messages (figures, never pass/fail), side by side with django-helpdesk.

    python benchmarks/bench_search.py                        # SQLite, 1,000,000 messages (~7 minutes)
    python benchmarks/bench_search.py --messages 20000       # quick: about a minute
    python benchmarks/bench_search.py --messages 100000 \\
        --postgres postgres://postgres@127.0.0.1:5432/ossdesk_bench_search

The corpus is generated from a fixed seed, the same texts on both sides: ~10 messages per ticket, over 50
organisations, one in ten an internal note, words drawn from a 30,000-word vocabulary with Zipf-like
frequencies.

1. ossdesk (a child process per database, fresh data directory): tickets and messages written straight
   into the tables (bulk inserts, no services), 2,000 articles, `search_reindex()` builds the index,
   planner statistics refreshed (the worker's hourly `optimize_database`; VACUUM ANALYZE on PostgreSQL).
   The queries run through the `search` selector — facet counts, the ranked page of 20 and its highlights,
   as the page and the API call it — once as staff and once as a customer.
2. django-helpdesk (`_helpdesk.PIN` from PyPI into a new virtualenv in a temp dir, a minimal project on the
   same engine): the same tickets (title = subject, description = first message) and every message as a
   FollowUp (the first repeats the description, as its intake does; internal notes not public),
   loaded with executemany in its own process, then ANALYZE. Each query is what its staff ticket list
   does for `?q=WORDS`: `query_to_base64` of the list's query parameters, then `get_query_class()(...)
   .get_datatables_context(draw, start=0, length=25)` — the whole body of its `datatables_ticket_list`
   view: count, filtered count and the first page of 25 serialised — as a staff user. It has no phrase or
   prefix syntax, so it is given the same words without the quotes and stars.

Both sides: the same 200 queries of one to three terms after the same 20 warm-up queries (not timed);
p50/p95/max and the ratio. Then a few check queries (single words, phrases, prefixes) compare which
tickets each side finds (hit counts only: django-helpdesk matches substrings of title and description,
ossdesk words and prefixes, stemmed, in the subject and every message).

With --postgres both sides repeat on PostgreSQL, each in a database of its own that the benchmark creates
and drops (ossdesk's is the URL's, whose name must contain "bench"; django-helpdesk's is that name plus
`_helpdesk`). `--no-peer` skips django-helpdesk; `--keep` keeps the data directories, django-helpdesk's
virtualenv and project, and the PostgreSQL databases.

Time on the 2-core development machine, both sides: 20,000 messages about a minute on SQLite;
1,000,000 messages about 7 minutes on SQLite and 17 on PostgreSQL — most of it generating and loading,
and django-helpdesk's queries, which read every ticket each time (figures in docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _helpdesk

HERE = Path(__file__).resolve()
ORGANIZATIONS = 50
MESSAGES_PER_TICKET = 10
QUERIES = 200
WARM_UP = 20
PAGE = 25  # django-helpdesk's default tickets_per_page (ossdesk's page is 20)
CHUNK = 50_000
SEED = 11
NOW = datetime(2026, 11, 28, tzinfo=UTC)
STATUSES = ["open", "open", "waiting_on_customer", "solved", "closed"]
SEVERITIES = ["S2", "S3", "S4"]
LONG_RUN = 500_000


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


# -- the corpus (the same on both sides) -----------------------------------------------------------


class Corpus:
    """The texts and ticket fields of a run of `messages` messages, from the seed alone (no database).

    Each part draws from a random stream of its own, so any part can be made without the others: the
    parent process makes the queries without generating a million messages, and ossdesk's child and
    django-helpdesk's loader get identical texts. Message n belongs to ticket n % tickets, so the first
    `tickets` messages open their tickets; message n is an internal note when n % 10 == 9.
    """

    def __init__(self, messages: int) -> None:
        self.messages = messages
        self.tickets = max(1, messages // MESSAGES_PER_TICKET)
        self.words = vocabulary(random.Random(SEED))
        self._vocab = np.array(self.words, dtype=object)
        self._weights = zipf_weights(len(self.words))

    def _sentences(self, stream: tuple[int, ...], count: int, low: int, high: int) -> list[str]:
        rng = np.random.default_rng([SEED, *stream])
        lengths = rng.integers(low, high, size=count)
        drawn = self._vocab[rng.choice(len(self.words), size=int(lengths.sum()), p=self._weights)]
        out, at = [], 0
        for length in lengths.tolist():
            out.append(" ".join(drawn[at : at + length]))
            at += length
        return out

    def subjects(self) -> list[str]:
        return [s.capitalize() for s in self._sentences((1,), self.tickets, 4, 9)]

    def ticket_fields(self) -> tuple[list[str], list[str]]:
        """Each ticket's severity and status."""
        rng = np.random.default_rng([SEED, 0])
        return (
            rng.choice(SEVERITIES, size=self.tickets).tolist(),
            rng.choice(STATUSES, size=self.tickets).tolist(),
        )

    def bodies(self) -> Iterator[tuple[int, list[str]]]:
        """(index of the first, bodies) for every message, CHUNK at a time."""
        for number, start in enumerate(range(0, self.messages, CHUNK)):
            yield start, self._sentences((2, number), min(CHUNK, self.messages - start), 12, 60)

    def articles(self) -> list[str]:
        return self._sentences((3,), 2000, 80, 300)

    def sample(self) -> list[str]:
        """Sentences of real-looking text to take phrases from."""
        return self._sentences((4,), 200, 8, 9)

    def opened(self, ticket: int) -> datetime:
        return NOW - timedelta(minutes=ticket)

    def written(self, message: int) -> datetime:
        return NOW - timedelta(seconds=self.messages - message)


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


def check_queries(texts: list[str], subjects: list[str]) -> list[tuple[str, str]]:
    """(what, query) pairs whose hits can be compared between the two: single words and prefixes taken
    from the timed queries, phrases alone from the first tickets' subjects (so each finds at least that
    ticket), and two multi-word queries to show the gap."""
    singles = [t for t in texts if len(t.split()) == 1 and not t.endswith("*")][:5]
    prefixes = [t.split()[0] for t in texts if t.split()[0].endswith("*")][:2]
    phrases = ['"' + " ".join(s.split()[1:3]) + '"' for s in subjects[:3]]
    several = [t for t in texts if len(t.split()) == 2 and '"' not in t and "*" not in t][:2]
    return (
        [("word", t) for t in singles]
        + [("prefix", t) for t in prefixes]
        + [("phrase", t) for t in phrases]
        + [("two words", t) for t in several]
    )


def helpdesk_text(text: str) -> str:
    """What a django-helpdesk user types for the same search: the words, without quotes or stars."""
    return " ".join(word.strip('"').rstrip("*") for word in text.split())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(timings: list[float], totals: list[int]) -> dict[str, Any]:
    return {
        "p50": percentile(timings, 0.5),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "hits median": int(statistics.median(totals)),
        "hits max": max(totals),
        "no hits": sum(1 for t in totals if t == 0),
    }


# -- ossdesk (a child process per database) --------------------------------------------------------


def generate(corpus: Corpus) -> dict[str, Any]:
    """Organisations, tickets and messages, written in bulk; returns what the queries need."""
    from django.db import connection, transaction

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
    subjects = corpus.subjects()
    severities, statuses = corpus.ticket_fields()
    with transaction.atomic():
        Ticket.objects.bulk_create(
            [
                Ticket(
                    organization=organizations[n % ORGANIZATIONS],
                    product=products[n % len(products)],
                    subject=subjects[n],
                    severity=severities[n],
                    status=statuses[n],
                    opened_at=corpus.opened(n),
                    updated_at=corpus.opened(n),
                )
                for n in range(corpus.tickets)
            ],
            batch_size=5000,
        )
    first_ticket = Ticket.objects.order_by("pk").values_list("pk", flat=True).first()
    assert first_ticket is not None
    columns = "ticket_id, author_label, from_customer, is_public, body, channel, created_at"
    sql = f"INSERT INTO {Message._meta.db_table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
    adapt = connection.ops.adapt_datetimefield_value
    for start, bodies in corpus.bodies():
        rows = []
        for offset, body in enumerate(bodies):
            n = start + offset
            ticket = first_ticket + n % corpus.tickets
            rows.append((ticket, "bench", n % 2 == 0, n % 10 != 9, body, "portal", adapt(corpus.written(n))))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        print(f"  ossdesk: {start + len(bodies):,} messages written", flush=True)
    first_message = (
        Message.objects.filter(author_label="bench").order_by("pk").values_list("pk", flat=True)[0]
    )
    visibilities = ["public", "customers", "internal"]
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
            for n, body in enumerate(corpus.articles())
        ],
        batch_size=1000,
    )
    seconds = time.perf_counter() - started
    print(
        f"  ossdesk: {corpus.tickets:,} tickets, {corpus.messages:,} messages, 2,000 articles "
        f"in {seconds:.0f}s",
        flush=True,
    )
    return {
        "organizations": [o.pk for o in organizations],
        "first ticket": first_ticket,
        "first message": first_message,
        "seconds": seconds,
    }


def ossdesk_tickets(text: str, world: dict[str, Any], tickets: int) -> dict[str, list[int]]:
    """The tickets (by number, 0-based) whose subject or first message matches `text`, and those with
    any matching message, by ossdesk's own match condition (the selector's engine), staff scope."""
    from django.db import connection

    from ossdesk.search import query as search_query
    from ossdesk.search.selectors import _engine

    engine = _engine(search_query.parse(text))
    assert engine is not None
    match, params = engine.match()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.kind, d.object_id, d.ticket_id FROM {engine.tables} "  # noqa: S608
            f"WHERE {match} AND d.kind IN ('ticket', 'message')",
            params,
        )
        rows = cursor.fetchall()
    heading, anywhere = set(), set()
    for kind, object_id, ticket_id in rows:
        number = ticket_id - world["first ticket"]
        anywhere.add(number)
        if kind == "ticket" or object_id - world["first message"] < tickets:
            heading.add(number)
    return {"heading": sorted(heading), "anywhere": sorted(anywhere)}


def ossdesk_child(messages: int, database_url: str | None, workload: dict[str, Any], out: Path) -> None:
    import _django

    data_dir = _django.setup(database_url)
    from django.db import connection

    from ossdesk.accounts.actor import Actor
    from ossdesk.accounts.models import Role
    from ossdesk.search.models import Document
    from ossdesk.search.selectors import search
    from ossdesk.search.services import search_reindex
    from ossdesk.web.tasks import optimize_database

    corpus = Corpus(messages)
    world = generate(corpus)
    started = time.perf_counter()
    search_reindex()
    optimize_database()  # what the worker does hourly (SQLite only)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_document")
    documents = Document.objects.count()
    index_seconds = time.perf_counter() - started
    print(f"  ossdesk: indexed {documents:,} documents in {index_seconds:.0f}s", flush=True)

    staff = Actor(user=None, role=Role.ENGINEER, organization_id=None, label="bench staff")
    customers = [
        Actor(user=None, role=Role.CUSTOMER, organization_id=pk, label="bench customer")
        for pk in world["organizations"]
    ]
    texts = workload["queries"]
    for text in texts[:WARM_UP]:
        search(actor=staff, q=text)
    readers: dict[str, Any] = {}
    started = time.perf_counter()
    for label in ("staff", "customer"):
        timings, totals = [], []
        for n, text in enumerate(texts):
            actor = staff if label == "staff" else customers[n % len(customers)]
            began = time.perf_counter()
            results = search(actor=actor, q=text)
            timings.append((time.perf_counter() - began) * 1000)
            totals.append(results.total)
        readers[label] = {**summary(timings, totals), "timings": timings, "totals": totals}
    query_seconds = time.perf_counter() - started
    checks = [ossdesk_tickets(text, world, corpus.tickets) for _, text in workload["checks"]]
    result = {
        "engine": connection.vendor,
        "data dir": str(data_dir),
        "generate seconds": world["seconds"],
        "index seconds": index_seconds,
        "query seconds": query_seconds,
        "documents": documents,
        "readers": readers,
        "checks": checks,
    }
    out.write_text(json.dumps(result))


def ossdesk_run(
    messages: int, engine: str, database_url: str | None, workload: Path, keep: bool
) -> dict[str, Any]:
    out = workload.with_name(f"ossdesk-{engine}.json")
    argv = [
        sys.executable,
        str(HERE),
        "--messages",
        str(messages),
        "--child",
        engine,
        str(workload),
        str(out),
    ]
    if database_url:
        argv += ["--postgres", database_url]
    status = subprocess.call(argv)
    if status != 0:
        raise RuntimeError(f"ossdesk's {engine} run failed (exit {status})")
    result: dict[str, Any] = json.loads(out.read_text())
    if not keep:
        shutil.rmtree(result["data dir"], ignore_errors=True)
    return result


# -- django-helpdesk (its own virtualenv and project, its own process) -----------------------------

# Run with django-helpdesk's python in its project: `load` reads the corpus as JSON lines on stdin and
# writes it with executemany; `search WORKLOAD OUT FIRST` times its staff ticket search (the body of its
# datatables view) and writes the figures to OUT.
HELPDESK_DRIVER = """\
import json, os, sys, time
from datetime import UTC, datetime
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from helpdesk.models import FollowUp, Queue, Ticket, mk_secret
from helpdesk.query import get_query_class, query_to_base64
from helpdesk.user import HelpdeskUser

STAFF = "bench-staff"


def insert(model, names, rows):
    columns = ", ".join(model._meta.get_field(name).column for name in names)
    marks = ", ".join(["%s"] * len(names))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", rows)


def when(epoch):
    return connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(epoch, UTC))


def load():
    queue = Queue.objects.create(title="Bench", slug="bench", email_address="support@mail.test")
    get_user_model().objects.create_user(STAFF, "staff@mail.test", "unused-password", is_staff=True)
    first = None
    for line in sys.stdin:
        batch = json.loads(line)
        if "tickets" in batch:
            insert(
                Ticket,
                ["title", "description", "queue", "created", "modified", "submitter_email", "status",
                 "on_hold", "priority", "secret_key"],
                [(title, description, queue.pk, when(opened), when(opened), submitter, status, False,
                  priority, mk_secret()) for title, description, opened, submitter, status, priority
                 in batch["tickets"]],
            )
            first = Ticket.objects.order_by("pk").values_list("pk", flat=True).first()
            print(f"  django-helpdesk: {len(batch['tickets']):,} tickets written", flush=True)
        else:
            tickets, start = batch["ticket count"], batch["start"]
            rows = []
            for offset, body in enumerate(batch["bodies"]):
                n = start + offset
                title = "Ticket Opened" if n < tickets else "Comment"
                rows.append((first + n % tickets, when(batch["written"][offset]), title, body, n % 10 != 9))
            insert(FollowUp, ["ticket", "date", "title", "comment", "public"], rows)
            print(f"  django-helpdesk: {start + len(rows):,} follow-ups written", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(json.dumps({"first ticket": first}))


def datatables(query_class, huser, text, page):
    # ticket_list's query parameters for ?q=TEXT (no other filter), as its page encodes them, then what
    # its datatables_ticket_list view does with them on the first draw (no order sent: by created).
    params = {"filtering": {}, "filtering_null": {}, "sorting": "created", "sortreverse": None,
              "search_string": text}
    query = query_class(huser, base64query=query_to_base64(params))
    return query.get_datatables_context(draw=["1"], start=["0"], length=[str(page)])


def search(workload_path, out_path, first):
    work = json.load(open(workload_path))
    page, warm_up = work["page"], work["warm up"]
    query_class = get_query_class()
    huser = HelpdeskUser(get_user_model().objects.get(username=STAFF))
    texts = work["helpdesk queries"]
    for text in texts[:warm_up]:
        datatables(query_class, huser, text, page)
    timings, totals = [], []
    started = time.perf_counter()
    for text in texts:
        began = time.perf_counter()
        result = datatables(query_class, huser, text, page)
        timings.append((time.perf_counter() - began) * 1000)
        totals.append(result["recordsFiltered"])
    seconds = time.perf_counter() - started
    shown = next((t for t, n in zip(texts, totals) if n), texts[0])  # one that finds something
    with CaptureQueriesContext(connection) as captured:
        datatables(query_class, huser, shown, page)
    checks = []
    for _, text in work["checks"]:
        params = {"filtering": {}, "filtering_null": {}, "sorting": "created", "search_string": text}
        ids = query_class(huser, base64query=query_to_base64(params)).get().values_list("id", flat=True)
        checks.append(sorted(pk - first for pk in ids))
    sql = [(q["sql"], float(q["time"])) for q in captured.captured_queries]
    json.dump({"timings": timings, "totals": totals, "query seconds": seconds, "checks": checks,
               "sql query": shown, "sql": sql}, open(out_path, "w"))


if sys.argv[1] == "load":
    load()
else:
    search(sys.argv[2], sys.argv[3], int(sys.argv[4]))
"""


def helpdesk_load(project: _helpdesk.Project, corpus: Corpus) -> tuple[int, float]:
    """Stream the corpus into django-helpdesk's tables; (its first ticket id, seconds)."""
    started = time.perf_counter()
    process = project.popen("driver.py", "load", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdin is not None
    assert process.stdout is not None
    subjects = corpus.subjects()
    severities, statuses = corpus.ticket_fields()
    priority = {"S2": 2, "S3": 3, "S4": 4}
    status = {"open": 1, "waiting_on_customer": 1, "solved": 3, "closed": 4}  # Open, Resolved, Closed
    chunks = corpus.bodies()
    held: list[tuple[int, list[str]]] = []  # the first messages are the tickets' descriptions
    while sum(len(bodies) for _, bodies in held) < corpus.tickets:
        held.append(next(chunks))
    firsts = [body for _, bodies in held for body in bodies][: corpus.tickets]
    tickets = [
        (
            subjects[n],
            firsts[n],
            corpus.opened(n).timestamp(),
            f"contact{n % ORGANIZATIONS}@customer{n % ORGANIZATIONS}.test",
            status[statuses[n]],
            priority[severities[n]],
        )
        for n in range(corpus.tickets)
    ]

    def lines() -> Iterator[dict[str, Any]]:
        yield {"tickets": tickets}
        for start, bodies in [*held, *chunks]:
            written = [corpus.written(start + k).timestamp() for k in range(len(bodies))]
            yield {"ticket count": corpus.tickets, "start": start, "bodies": bodies, "written": written}

    for line in lines():
        process.stdin.write(json.dumps(line) + "\n")
        process.stdin.flush()
    process.stdin.close()
    output = []
    for text in process.stdout:
        if text.startswith("{"):
            output.append(text)
        else:
            print(text, end="", flush=True)
    if process.wait() != 0 or not output:
        raise RuntimeError(f"django-helpdesk's load failed (exit {process.returncode})")
    return int(json.loads(output[-1])["first ticket"]), time.perf_counter() - started


def helpdesk_run(
    helpdesk: _helpdesk.Helpdesk, engine: str, database_url: str | None, corpus: Corpus, workload: Path
) -> dict[str, Any]:
    database = _helpdesk.postgres_database(database_url) if database_url else None
    started = time.perf_counter()
    project = helpdesk.project(name=f"project-{engine}", database=database)
    project.write("driver.py", HELPDESK_DRIVER)
    migrate_seconds = time.perf_counter() - started
    first, load_seconds = helpdesk_load(project, corpus)
    print(f"  django-helpdesk: loaded in {load_seconds:.0f}s", flush=True)
    out = workload.with_name(f"helpdesk-{engine}.json")
    project.run("driver.py", "search", str(workload), str(out), str(first))
    result: dict[str, Any] = json.loads(out.read_text())
    return {
        **result,
        **summary(result["timings"], result["totals"]),
        "version": helpdesk.version,
        "migrate seconds": migrate_seconds,
        "load seconds": load_seconds,
    }


# -- PostgreSQL ------------------------------------------------------------------------------------


@dataclass
class Databases:
    """The PostgreSQL databases the run creates, dropped at the end unless kept."""

    admin: str
    names: list[str] = field(default_factory=list)

    def fresh(self, url: str) -> str:
        """Drop and create the database of `url`; refuse a name that does not say it is a benchmark's."""
        import psycopg

        name = urlparse(url).path.lstrip("/")
        if "bench" not in name:
            raise SystemExit(f"--postgres: the database name must contain 'bench' (it is dropped): {name!r}")
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return url

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _renamed(url: str, suffix: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=parsed.path + suffix))


# -- the report ------------------------------------------------------------------------------------


def _row(label: str, figures: dict[str, Any], unit: str) -> str:
    return (
        f"  {label:<30} p50 {figures['p50']:8.1f} ms  p95 {figures['p95']:8.1f} ms  "
        f"max {figures['max']:8.1f} ms   {unit} per query: median {figures['hits median']:,}, "
        f"max {figures['hits max']:,}, none for {figures['no hits']}"
    )


def report(
    engine: str, ours: dict[str, Any], peer: dict[str, Any] | str, checks: list[tuple[str, str]]
) -> None:
    staff = ours["readers"]["staff"]
    print(f"\n{engine}: {QUERIES} queries after {WARM_UP} warm-up queries")
    print(_row("ossdesk, staff", staff, "documents"))
    print(_row("ossdesk, customer", ours["readers"]["customer"], "documents"))
    if isinstance(peer, str):
        print(f"  django-helpdesk: not measured: {peer}")
        return
    print(_row(f"django-helpdesk {peer['version']}, staff", peer, "tickets"))
    print(
        f"  django-helpdesk / ossdesk (staff): p50 {peer['p50'] / staff['p50']:.1f}×, "
        f"p95 {peer['p95'] / staff['p95']:.1f}×, max {peer['max'] / staff['max']:.1f}×"
    )
    shapes: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    for sql, seconds in peer["sql"]:
        shape = re.sub(r"\d+", "N", " ".join(sql.split()[:12]))
        shapes[shape] += 1
        spent[shape] += seconds * 1000
    print(
        f"  django-helpdesk's SQL for {peer['sql query']!r}: {len(peer['sql'])} statements "
        "(time in the database, all of a kind):"
    )
    for shape, count in shapes.items():
        print(f"    {count:>2} × {spent[shape]:6.0f} ms  {shape} …")
    print("  tickets found: ossdesk by subject or first message | by any message; django-helpdesk (title,")
    print("  description and the other fields it searches); found by both / by one only:")
    for (what, text), theirs_list, od in zip(checks, peer["checks"], ours["checks"], strict=True):
        theirs, heading = set(theirs_list), set(od["heading"])
        print(
            f"    {what:<9} {text!r:<22} ossdesk {len(heading):>7,} | {len(od['anywhere']):>7,}"
            f"   django-helpdesk {len(theirs):>7,}   both {len(theirs & heading):>7,}"
            f"  only ossdesk {len(heading - theirs):>6,}  only django-helpdesk {len(theirs - heading):>6,}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages (default 1,000,000)")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (scratch databases)")
    parser.add_argument("--no-peer", action="store_true", help="skip django-helpdesk")
    parser.add_argument("--keep", action="store_true", help="keep data directories, virtualenv, databases")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "WORKLOAD", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, workload_path, out = args.child
        workload = json.loads(Path(workload_path).read_text())
        ossdesk_child(args.messages, args.postgres if engine == "postgres" else None, workload, Path(out))
        return 0

    import django

    started = time.perf_counter()
    corpus = Corpus(args.messages)
    texts = queries(corpus.words, corpus.sample(), random.Random(SEED))
    checks = check_queries(texts, corpus.subjects())
    scratch = Path(tempfile.mkdtemp(prefix="ossdesk-bench-search-"))
    # ossdesk gets the queries as typed (phrases quoted, prefixes starred), django-helpdesk without.
    workload_path = scratch / "workload.json"
    workload_path.write_text(json.dumps({"queries": texts, "checks": checks}))
    helpdesk_path = scratch / "helpdesk-workload.json"
    helpdesk_path.write_text(
        json.dumps(
            {
                "helpdesk queries": [helpdesk_text(t) for t in texts],
                "checks": [(what, helpdesk_text(text)) for what, text in checks],
                "page": PAGE,
                "warm up": WARM_UP,
            }
        )
    )
    print(
        f"{corpus.tickets:,} tickets, {corpus.messages:,} messages (seed {SEED}); ossdesk on Django "
        f"{django.get_version()}, Python {sys.version.split()[0]}"
    )
    if args.messages >= LONG_RUN:
        print(
            "(this takes a while: 1,000,000 messages took ~7 minutes on SQLite, ~17 on PostgreSQL, 2 cores)"
        )
    engines: list[tuple[str, str | None]] = [("sqlite", None)]
    databases = None
    if args.postgres:
        parsed = urlparse(args.postgres)
        databases = Databases(admin=urlunparse(parsed._replace(path="/postgres")))
        engines.append(("postgres", args.postgres))
    helpdesk: _helpdesk.Helpdesk | str = "skipped (--no-peer)"
    if not args.no_peer:
        print(f"django-helpdesk: {_helpdesk.PIN} from PyPI into a new virtualenv ...", flush=True)
        began = time.perf_counter()
        try:
            helpdesk = _helpdesk.install(postgres=bool(args.postgres))
            print(
                f"  django-helpdesk {helpdesk.version} on Django {helpdesk.django} "
                f"in {time.perf_counter() - began:.0f}s",
                flush=True,
            )
        except Exception as exc:  # reported, never replaced by a made-up figure
            helpdesk = f"{type(exc).__name__}: {exc}"
    results = []
    try:
        for engine, url in engines:
            print(f"\n--- {engine}: ossdesk ---", flush=True)
            began = time.perf_counter()
            ours_url = databases.fresh(url) if databases and url else None
            ours = ossdesk_run(args.messages, engine, ours_url, workload_path, args.keep)
            ours_seconds = time.perf_counter() - began
            peer: dict[str, Any] | str = helpdesk if isinstance(helpdesk, str) else ""
            peer_seconds = 0.0
            if isinstance(helpdesk, _helpdesk.Helpdesk):
                print(f"--- {engine}: django-helpdesk ---", flush=True)
                began = time.perf_counter()
                try:
                    peer_url = databases.fresh(_renamed(url, "_helpdesk")) if databases and url else None
                    peer = helpdesk_run(helpdesk, engine, peer_url, corpus, helpdesk_path)
                except Exception as exc:  # reported, never replaced by a made-up figure
                    peer = f"{type(exc).__name__}: {exc}"
                peer_seconds = time.perf_counter() - began
            results.append((engine, ours, peer, ours_seconds, peer_seconds))
    finally:
        if isinstance(helpdesk, _helpdesk.Helpdesk) and not args.keep:
            helpdesk.discard()
        if databases and not args.keep:
            databases.drop()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    for engine, ours, peer, ours_seconds, peer_seconds in results:
        report(engine, ours, peer, checks)
        print(
            f"  time: ossdesk {ours_seconds:.0f}s (generate {ours['generate seconds']:.0f}s, index "
            f"{ours['index seconds']:.0f}s for {ours['documents']:,} documents, "
            f"queries {ours['query seconds']:.0f}s)"
            + (
                f"; django-helpdesk {peer_seconds:.0f}s (project {peer['migrate seconds']:.0f}s, load "
                f"{peer['load seconds']:.0f}s, queries {peer['query seconds']:.0f}s)"
                if isinstance(peer, dict)
                else ""
            )
        )
    print(f"\nwhole run {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
