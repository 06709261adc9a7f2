"""Mail intake throughput (figures, never pass/fail), side by side with django-helpdesk.

N realistic messages, generated from a fixed seed: ~60 % new tickets from known contacts, ~40 % replies
threading onto earlier tickets (35 % from the original sender, 5 % from a colleague), ~10 % with a PDF-like
attachment of 20-200 KB; plain text, multipart/alternative and HTML-only bodies; replies quote history.

1. ossdesk over LMTP: the aiosmtpd receiver of `ossdesk mail lmtp` in a thread of this process, every
   message delivered with smtplib.LMTP over one connection. The worker is in immediate mode, so each
   message is stored, committed, then processed (ticket or reply) before the 250 is answered: the clock
   stops at the last 250 with everything processed.
2. ossdesk over IMAP: a Dovecot of our own (benchmarks/_dovecot.py), all N APPENDed to the INBOX (not
   timed), then `mailbox_fetch` (one poll: at most FETCH_LIMIT messages) repeated until nothing is new.
3. django-helpdesk over IMAP: installed from PyPI into its own virtualenv in a temp dir, a minimal SQLite
   project, a Queue reading another user of the same Dovecot loaded with the same N messages (threaded
   by its own `[queue-N]` subject token and In-Reply-To), timed `manage.py get_email`.
   django-helpdesk has no LMTP receiver, so LMTP is compared with ossdesk's own IMAP only.

Each ossdesk run gets a fresh data directory (a child process each); every run checks that no message
was lost or duplicated and that each reply landed on its ticket.

`python benchmarks/bench_mail.py [N]` (default 10000). `--no-peer` skips django-helpdesk; `--keep` keeps
the data directories and django-helpdesk's virtualenv and project (removed otherwise).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import smtplib
import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _dovecot
import _helpdesk

HERE = Path(__file__).resolve()
_NUMBERS = [int(a) for a in sys.argv[1:] if a.isdigit()]
N = _NUMBERS[0] if _NUMBERS else 10_000
SEED = 2025
DOMAIN = "mail.test"
SUPPORT = f"support@{DOMAIN}"
OSSDESK_USER, HELPDESK_USER, PASSWORD = f"ossdesk@{DOMAIN}", f"helpdesk@{DOMAIN}", "bench-imap-secret"
HELPDESK_PIN = _helpdesk.PIN
HELPDESK_SLUG = "bench"
CUSTOMERS, CONTACTS_EACH = 20, 5

# -- the messages ----------------------------------------------------------------------------------

SUBJECTS = [
    "Replication lag on the standby keeps growing",
    "Autovacuum not keeping up on the orders table",
    "Upgrade from 15 to 16 fails in pg_upgrade --check",
    "Connection pool exhausted during the nightly batch",
    "Query plan changed after ANALYZE, 40x slower",
    "WAL archive filling the disk",
    "Certificate rotation for client TLS",
    "Checkpoint warnings in the log since Tuesday",
    "Logical replication slot stuck",
    "Out of shared memory when creating partitions",
    "Backup restore test failed with missing WAL segment",
    "Question about the maintenance window next week",
]
SENTENCES = [
    "Since the deployment on Monday the primary reports a steadily rising lag.",
    "We have not changed the configuration apart from raising work_mem to 64MB.",
    "The standby is on the same hardware and in the same data centre.",
    "I attached the output of pg_stat_replication taken a few minutes ago.",
    "Our monitoring shows the I/O wait going up at the same time.",
    "The application team says nothing changed on their side.",
    "Could you tell us whether this is expected with the current settings?",
    "We can schedule a call any time between 9:00 and 17:00 CET.",
    "The problem shows only under the nightly load, never during the day.",
    "A restart of the service made it go away for about six hours.",
    "We run three application servers against this cluster, each with a pool of 50 connections.",
    "The error message is: could not extend file: No space left on device.",
    "This blocks our release, so a quick answer would be much appreciated.",
    "Below are the relevant lines from the log with timestamps in UTC.",
]
REPLIES = [
    "Thanks, that helped. The lag is back to normal since we applied the change.",
    "We tried the suggested setting but the warning still appears every few minutes.",
    "Here is the additional information you asked for.",
    "Can we close this? Everything has been stable for two days.",
    "Unfortunately it happened again tonight at 02:14 UTC.",
    "My colleague will follow up with the logs later today.",
]


@dataclass(frozen=True)
class Planned:
    """One message of the workload: what it is and what it should become."""

    index: int
    message_id: str
    sender: tuple[str, str]  # (name, address)
    customer: int
    subject: str
    new_ordinal: int  # for a new ticket: its position among the new tickets (1-based); else 0
    parent: int  # for a reply: the index of the message that opened the ticket; else -1
    parent_ordinal: int
    token_in_subject: bool
    shape: str  # "plain", "alternative" or "html"
    attachment: int  # bytes of the PDF-like attachment, 0 for none

    @property
    def is_reply(self) -> bool:
        return self.parent >= 0


def contacts() -> list[list[tuple[str, str]]]:
    """The known senders: CUSTOMERS customers with CONTACTS_EACH contacts each."""
    first = ["Ana", "Bo", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Jun"]
    last = ["Lima", "Berg", "Okafor", "Novak", "Sato", "Weber", "Costa", "Haddad", "Moreau", "Kim"]
    return [
        [
            (
                f"{first[(c + k) % 10]} {last[(c * 3 + k) % 10]}",
                f"{first[(c + k) % 10].lower()}.{k}@customer{c}.example",
            )
            for k in range(CONTACTS_EACH)
        ]
        for c in range(CUSTOMERS)
    ]


def plan(count: int, seed: int = SEED) -> list[Planned]:
    rng = random.Random(seed)
    people = contacts()
    planned: list[Planned] = []
    opened: list[Planned] = []
    for index in range(count):
        tag = hashlib.sha256(f"{seed}-{index}".encode()).hexdigest()[:12]
        message_id = f"<{index:06d}.{tag}@mua.customer.example>"
        shape = rng.choices(["plain", "alternative", "html"], weights=[50, 35, 15])[0]
        attachment = rng.randint(20_000, 200_000) if rng.random() < 0.10 else 0
        if index == 0 or rng.random() < 0.60:
            customer = rng.randrange(CUSTOMERS)
            item = Planned(
                index=index,
                message_id=message_id,
                sender=rng.choice(people[customer]),
                customer=customer,
                subject=f"{rng.choice(SUBJECTS)} ({rng.choice(['prod', 'staging', 'eu-west', 'us-east'])})",
                new_ordinal=len(opened) + 1,
                parent=-1,
                parent_ordinal=0,
                token_in_subject=False,
                shape=shape,
                attachment=attachment,
            )
            opened.append(item)
        else:
            # Most replies answer a recent ticket; some an older one.
            pool = opened[-300:] if rng.random() < 0.7 else opened
            root = rng.choice(pool)
            colleague = rng.random() < 0.125  # 5 % of all mail
            sender = root.sender
            if colleague:
                sender = rng.choice([p for p in people[root.customer] if p != root.sender])
            item = Planned(
                index=index,
                message_id=message_id,
                sender=sender,
                customer=root.customer,
                subject=root.subject,
                new_ordinal=0,
                parent=root.index,
                parent_ordinal=root.new_ordinal,
                token_in_subject=rng.random() < 0.7,  # the rest: the client dropped the token
                shape=shape,
                attachment=attachment,
            )
        planned.append(item)
    return planned


def _body(item: Planned) -> str:
    rng = random.Random(f"{SEED}-body-{item.index}")
    if not item.is_reply:
        paragraphs = [" ".join(rng.sample(SENTENCES, rng.randint(2, 5))) for _ in range(rng.randint(1, 3))]
        text = "Hello support,\n\n" + "\n\n".join(textwrap.fill(p, 72) for p in paragraphs)
        return f"{text}\n\nBest regards,\n{item.sender[0]}\n"
    quoted = "\n".join(f"> {line}" for line in textwrap.wrap(" ".join(rng.sample(SENTENCES, 3)), 70))
    return (
        f"{rng.choice(REPLIES)}\n\n{item.sender[0]}\n\n"
        f"On Mon, 3 Mar 2025 at 10:{item.index % 60:02d}, Support <{SUPPORT}> wrote:\n{quoted}\n"
    )


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
    head = "<head><style>p { font-family: Arial; }</style></head>"
    return f'<html>{head}<body><div dir="ltr">{paragraphs}</div></body></html>'


def _pdf(item: Planned) -> bytes:
    rng = random.Random(f"{SEED}-pdf-{item.index}")
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(item.attachment - 15)


def render(item: Planned, items: list[Planned], *, convention: str, ticket_base: int = 0) -> bytes:
    """The message's bytes, threaded the way `convention` ("ossdesk" or "helpdesk") expects: ossdesk by
    `[#N]` and its `<ossdesk.ticket.N@domain>` Message-IDs, django-helpdesk by `[slug-N]` and
    In-Reply-To its stored Message-ID of the first mail."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"{item.sender[0]} <{item.sender[1]}>"
    msg["To"] = f"Support <{SUPPORT}>"
    msg["Date"] = format_datetime(datetime(2025, 3, 3, 8, 0, tzinfo=UTC) + timedelta(seconds=37 * item.index))
    msg["Message-ID"] = item.message_id
    if item.is_reply:
        ticket = ticket_base + item.parent_ordinal
        root_id = items[item.parent].message_id
        if convention == "ossdesk":
            ours = f"<ossdesk.ticket.{ticket}@{DOMAIN}>"
            token = f"[#{ticket}] "
            msg["In-Reply-To"] = ours
            msg["References"] = f"{ours} {root_id}"
        else:
            token = f"[{HELPDESK_SLUG}-{ticket}] "
            msg["In-Reply-To"] = root_id
            msg["References"] = root_id
        msg["Subject"] = f"Re: {token if item.token_in_subject else ''}{item.subject}"
    else:
        msg["Subject"] = item.subject
    msg["MIME-Version"] = "1.0"
    text = _body(item)
    if item.shape == "html":
        msg.set_content(_html(text), subtype="html")
    else:
        msg.set_content(text)
        if item.shape == "alternative":
            msg.add_alternative(_html(text), subtype="html")
    if item.attachment:
        msg.add_attachment(
            _pdf(item), maintype="application", subtype="pdf", filename=f"diagnostics-{item.index}.pdf"
        )
    for depth, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_bench_{item.index}_{depth}")  # reproducible bytes
    return msg.as_bytes()


def describe(items: list[Planned]) -> dict[str, int]:
    return {
        "messages": len(items),
        "new": sum(not i.is_reply for i in items),
        "replies": sum(i.is_reply for i in items),
        "colleague replies": sum(i.is_reply and i.sender != items[i.parent].sender for i in items),
        "with attachment": sum(bool(i.attachment) for i in items),
        "html only": sum(i.shape == "html" for i in items),
    }


# -- ossdesk (in a child process with its own data directory) --------------------------------------


def _ossdesk_seed() -> Any:
    """The demo data set, plus CUSTOMERS Enterprise customers covering PostgreSQL with named contacts,
    and the support mailbox (its product PostgreSQL)."""
    from django.utils import timezone

    from ossdesk.accounts.actor import Actor
    from ossdesk.channels.models import Mailbox
    from ossdesk.customers.services import contact_create, organization_create
    from ossdesk.demo import demo_seed
    from ossdesk.plans.models import Plan
    from ossdesk.plans.services import plans_seed_defaults, subscription_create
    from ossdesk.products.models import Product

    actor = Actor.system("bench")
    plans_seed_defaults(actor=actor)  # as `ossdesk seed --demo` does
    demo_seed()
    product = Product.objects.get(name="PostgreSQL")
    today = timezone.localdate()
    for c, people in enumerate(contacts()):
        organization = organization_create(
            actor=actor, name=f"Customer {c}", slug=f"customer{c}", country="DE", timezone="Europe/Berlin"
        )
        subscription_create(
            actor=actor,
            organization=organization,
            plan=Plan.objects.get(code="enterprise"),
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            products=[product],
            deployments=2,
        )
        for name, address in people:
            contact_create(actor=actor, organization=organization, name=name, email=address, is_named=True)
    return Mailbox.objects.create(name="support", address=SUPPORT, product=product)


def _next_ticket_pk() -> int:
    from django.db import connection
    from django.db.models import Max

    from ossdesk.tickets.models import Ticket

    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [Ticket._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row else int(Ticket.objects.aggregate(m=Max("pk"))["m"] or 0)


def _ossdesk_counts() -> dict[str, int]:
    from ossdesk.channels.models import InboundMessage
    from ossdesk.tickets.models import Attachment, Message, Ticket

    return {
        "inbound": InboundMessage.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.filter(channel="email", from_customer=True).count(),
        "attachments": Attachment.objects.count(),
    }


def _ossdesk_verify(items: list[Planned], before: dict[str, int]) -> dict[str, Any]:
    from ossdesk.channels.models import InboundMessage
    from ossdesk.tickets.models import Message

    after = _ossdesk_counts()
    rows = {
        r["message_id"]: r
        for r in InboundMessage.objects.filter(message_id__in=[i.message_id for i in items]).values(
            "message_id", "status", "error", "ticket_id", "ticket_message_id"
        )
    }
    lost = [i.message_id for i in items if i.message_id not in rows]
    statuses = Counter(r["status"] for r in rows.values())
    errors = Counter(r["error"][:160] for r in rows.values() if r["status"] != "processed")
    misthreaded = sum(
        1
        for i in items
        if i.is_reply
        and i.message_id in rows
        and rows[i.message_id]["ticket_id"] != rows.get(items[i.parent].message_id, {}).get("ticket_id")
    )
    # One ticket message per inbound mail: more would be a duplicate, fewer a loss.
    message_ids = [r["ticket_message_id"] for r in rows.values() if r["ticket_message_id"]]
    per_message = Counter(message_ids)
    created_messages = after["messages"] - before["messages"]
    return {
        "inbound rows": after["inbound"] - before["inbound"],
        "tickets created": after["tickets"] - before["tickets"],
        "ticket messages created": created_messages,
        "attachments stored": after["attachments"] - before["attachments"],
        "statuses": dict(statuses),
        "errors": dict(errors.most_common(5)),
        "lost": len(lost),
        "duplicated": max(created_messages - len(rows), 0)
        + sum(c - 1 for c in per_message.values() if c > 1),
        "misthreaded replies": misthreaded,
        "rows without a ticket message": len(rows) - len(message_ids),
        "orphan messages": Message.objects.filter(channel="email", from_customer=True)
        .exclude(pk__in=message_ids)
        .count()
        - before["messages"],
    }


def _ossdesk_lmtp(items: list[Planned], payloads: list[bytes]) -> dict[str, Any]:
    from ossdesk.channels.lmtp import django_lmtp_controller

    port = _dovecot._free_port()
    controller = django_lmtp_controller(host="127.0.0.1", port=port)
    controller.start()
    answers: Counter[str] = Counter()
    try:
        started = time.perf_counter()
        client = smtplib.LMTP("127.0.0.1", port, timeout=120)
        for item, raw in zip(items, payloads, strict=True):
            try:
                client.sendmail(item.sender[1], [SUPPORT], raw)
                answers["250"] += 1
            except smtplib.SMTPException as exc:
                answers[f"{type(exc).__name__}: {exc}"[:160]] += 1
        client.quit()
        seconds = time.perf_counter() - started
    finally:
        controller.stop()
    return {"seconds": seconds, "connections": 1, "answers": dict(answers)}


def _ossdesk_imap(items: list[Planned], payloads: list[bytes], server: dict[str, Any]) -> dict[str, Any]:
    from ossdesk.channels import imap, intake, mailboxes
    from ossdesk.channels.models import Mailbox

    dovecot = _dovecot.Server(**{**server, "cert": Path(server["cert"]), "log": Path(server["log"])})
    started = time.perf_counter()
    _dovecot.append(dovecot, OSSDESK_USER, PASSWORD, payloads)
    loaded = time.perf_counter() - started
    mailbox = Mailbox.objects.get(name="support")
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host=dovecot.host,
        imap_port=dovecot.imaps_port,
        imap_security=Mailbox.Security.SSL,
        imap_username=OSSDESK_USER,
        imap_password=PASSWORD,
        folder="INBOX",
    )
    mailbox.refresh_from_db()
    polls = stored = 0
    started = time.perf_counter()
    while True:
        polls += 1
        got = mailboxes.mailbox_fetch(mailbox=mailbox)
        stored += got
        if not got:
            break
    pending = intake.inbound_process_pending(now=datetime.now(UTC) + timedelta(days=1))
    seconds = time.perf_counter() - started
    total, unseen = _dovecot.inbox_count(dovecot, OSSDESK_USER, PASSWORD)
    return {
        "seconds": seconds,
        "append seconds": loaded,
        "polls": polls,
        "per poll": imap.FETCH_LIMIT,
        "stored": stored,
        "left for the worker": pending,
        "server after": {"messages": total, "unseen": unseen},
    }


def ossdesk_child(mode: str, count: int, server: dict[str, Any] | None) -> None:
    os.environ["OSSDESK_MAIL_DOMAIN"] = DOMAIN
    os.environ["OSSDESK_MAIL_FROM"] = f"Support <{SUPPORT}>"
    if server:
        os.environ["OSSDESK_MAIL_CA_FILE"] = server["cert"]
    import _django

    data_dir = _django.setup()
    started = time.perf_counter()
    _ossdesk_seed()
    base = _next_ticket_pk()
    items = plan(count)
    payloads = [render(i, items, convention="ossdesk", ticket_base=base) for i in items]
    setup_seconds = time.perf_counter() - started
    before = _ossdesk_counts()
    if mode == "lmtp":
        run = _ossdesk_lmtp(items, payloads)
    else:
        assert server is not None
        run = _ossdesk_imap(items, payloads, server)
    result = {
        "mode": mode,
        "data dir": str(data_dir),
        "setup seconds": setup_seconds,
        "bytes": sum(len(p) for p in payloads),
        **run,
        **_ossdesk_verify(items, before),
    }
    print("RESULT " + json.dumps(result), flush=True)


def run_child(mode: str, count: int, server: _dovecot.Server | None) -> dict[str, Any]:
    argv = [sys.executable, str(HERE), str(count), "--ossdesk", mode]
    if server is not None:
        argv.append(json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in asdict(server).items()}))
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            _discard(Path(result["data dir"]))
            return result
    raise RuntimeError(f"ossdesk {mode} run failed (exit {done.returncode}):\n{done.stderr[-4000:]}")


def _discard(directory: Path) -> None:
    if "--keep" not in sys.argv:
        shutil.rmtree(directory, ignore_errors=True)


# -- django-helpdesk (its own virtualenv and project in a temp dir) ---------------------------------

# Run inside django-helpdesk's virtualenv: create the queue, then count what get_email made.
HELPDESK_DRIVER = """\
import json, os, sys
from collections import Counter
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from helpdesk.models import FollowUp, FollowUpAttachment, Queue, Ticket

if sys.argv[1] == "setup":
    config = json.loads(sys.argv[2])
    Queue.objects.create(
        title="Bench", slug=config["slug"], email_address=config["address"], allow_email_submission=True,
        email_box_type="imap", email_box_host=config["host"], email_box_port=config["port"],
        email_box_ssl=True, email_box_user=config["user"], email_box_pass=config["password"],
        email_box_imap_folder="INBOX", email_box_interval=0, logging_type="none",
    )
    for name, address in config["senders"]:
        get_user_model().objects.create_user(username=address, email=address, first_name=name)
    print(json.dumps({"django": django.get_version()}))
else:
    expected = json.load(open(sys.argv[2]))  # [message_id, parent message_id or null]
    rows = list(FollowUp.objects.values_list("message_id", "ticket_id"))
    seen = Counter(m for m, _ in rows)
    ticket_of = {m: t for m, t in rows}
    wanted = {m for m, _ in expected}
    misthreaded = sum(
        1 for m, parent in expected if parent and m in ticket_of and ticket_of[m] != ticket_of.get(parent)
    )
    print(json.dumps({
        "tickets created": Ticket.objects.count(),
        "followups created": len(rows),
        "lost": len(wanted - set(seen)),
        "duplicated": sum(c - 1 for m, c in seen.items() if c > 1) + sum(1 for m in seen if m not in wanted),
        "misthreaded replies": misthreaded,
        "pdf attachments stored": FollowUpAttachment.objects.filter(filename__endswith=".pdf").count(),
        "attachments stored": FollowUpAttachment.objects.count(),
    }))
"""


def helpdesk_run(count: int, server: _dovecot.Server) -> dict[str, Any]:
    started = time.perf_counter()
    helpdesk = _helpdesk.install(pin=HELPDESK_PIN)
    try:
        return _helpdesk_measure(helpdesk, count, server, started)
    finally:
        if "--keep" not in sys.argv:
            helpdesk.discard()


def _helpdesk_measure(
    helpdesk: _helpdesk.Helpdesk, count: int, server: _dovecot.Server, started: float
) -> dict[str, Any]:
    project = helpdesk.project()
    project.write("driver.py", HELPDESK_DRIVER)
    config = {
        "slug": HELPDESK_SLUG,
        "address": SUPPORT,
        "host": server.host,
        "port": server.imaps_port,
        "user": HELPDESK_USER,
        "password": PASSWORD,
        "senders": [p for people in contacts() for p in people],
    }
    django_version = json.loads(project.run("driver.py", "setup", json.dumps(config)))["django"]
    install_seconds = time.perf_counter() - started
    # Its own conventions: a fresh database numbers tickets 1, 2, ... in the order it reads the mail.
    items = plan(count)
    payloads = [render(i, items, convention="helpdesk") for i in items]
    started = time.perf_counter()
    _dovecot.append(server, HELPDESK_USER, PASSWORD, payloads)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    project.manage("get_email", "--quiet")
    seconds = time.perf_counter() - started
    total, unseen = _dovecot.inbox_count(server, HELPDESK_USER, PASSWORD)
    expected = helpdesk.base / "expected.json"
    expected.write_text(
        json.dumps([[i.message_id, items[i.parent].message_id if i.is_reply else None] for i in items])
    )
    counts = json.loads(project.run("driver.py", "verify", str(expected)))
    return {
        "version": helpdesk.version,
        "django": django_version,
        "install seconds": install_seconds,
        "append seconds": loaded,
        "seconds": seconds,
        "server after": {"messages": total, "unseen": unseen},
        **counts,
    }


# -- the report ------------------------------------------------------------------------------------


def _line(label: str, result: dict[str, Any], count: int) -> str:
    return (
        f"  {label:<34}{result['seconds']:>9.1f} s {count / result['seconds']:>9.1f} msg/s   "
        f"lost {result['lost']}, duplicated {result['duplicated']}, "
        f"misthreaded {result['misthreaded replies']}"
    )


def main() -> int:
    if "--ossdesk" in sys.argv:
        at = sys.argv.index("--ossdesk")
        mode = sys.argv[at + 1]
        server = json.loads(sys.argv[at + 2]) if len(sys.argv) > at + 2 else None
        ossdesk_child(mode, N, server)
        return 0
    import django

    items = plan(N)
    shape = describe(items)
    print(f"workload: {', '.join(f'{v:,} {k}' for k, v in shape.items())} (seed {SEED})")
    print(
        f"ossdesk on Django {django.get_version()}, Python {sys.version.split()[0]}, "
        "SQLite (the embedded default)"
    )
    results: dict[str, dict[str, Any]] = {}
    print(
        "\nossdesk, LMTP (receiver in-process, worker immediate: processed before each 250) ...", flush=True
    )
    results["lmtp"] = run_child("lmtp", N, None)
    peer: dict[str, Any] | str
    try:
        with _dovecot.running({OSSDESK_USER: PASSWORD, HELPDESK_USER: PASSWORD}) as server:
            print("ossdesk, IMAP (Dovecot over TLS, mailbox_fetch until nothing is new) ...", flush=True)
            results["imap"] = run_child("imap", N, server)
            if "--no-peer" in sys.argv:
                peer = "skipped (--no-peer)"
            else:
                print(
                    f"django-helpdesk, IMAP ({HELPDESK_PIN} into a new virtualenv, get_email) ...", flush=True
                )
                try:
                    peer = helpdesk_run(N, server)
                except Exception as exc:  # reported, never replaced by a made-up figure
                    peer = f"{type(exc).__name__}: {exc}"
    except _dovecot.DovecotUnavailable as exc:
        peer = f"no Dovecot: {exc}"
        print(f"IMAP runs skipped: {exc}")
    for key, result in results.items():
        print(f"\nossdesk {key}: {json.dumps(result, indent=1)}")
    if isinstance(peer, dict):
        print(f"\ndjango-helpdesk imap: {json.dumps(peer, indent=1)}")
    print(f"\n{N:,} messages ({results['lmtp']['bytes'] / 1e6:.1f} MB):")
    print(_line("ossdesk LMTP", results["lmtp"], N))
    if "imap" in results:
        print(_line("ossdesk IMAP", results["imap"], N))
    if isinstance(peer, dict):
        print(_line(f"django-helpdesk {peer['version']} IMAP", peer, N))
    else:
        print(f"  django-helpdesk IMAP: not measured: {peer}")
    print("  django-helpdesk LMTP: none (it has no LMTP receiver; it reads POP3, IMAP or a local directory)")
    if "imap" in results:
        lmtp_rate, imap_rate = N / results["lmtp"]["seconds"], N / results["imap"]["seconds"]
        print(f"\nossdesk LMTP / ossdesk IMAP: {lmtp_rate / imap_rate:.2f}×")
        if isinstance(peer, dict):
            ratio = imap_rate / (N / peer["seconds"])
            print(f"ossdesk IMAP / django-helpdesk IMAP: {ratio:.2f}× (target ≥ 2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
