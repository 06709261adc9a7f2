"""Running the installation: version, migrate, seed, createadmin, check, audit verify, secrets rotate and
key, search reindex."""

from __future__ import annotations

import argparse
import sys

from ossdesk import __version__
from ossdesk.cli.common import CommandError, progress_bar
from ossdesk.config.bootstrap import django_setup


def cmd_version(args: argparse.Namespace) -> int:
    print(f"ossdesk {__version__}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    django_setup(creates_database=True)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    from django.db import connection

    print(f"Database is up to date ({connection.vendor}: {connection.settings_dict['NAME']}).")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    django_setup()
    from ossdesk.accounts.actor import Actor
    from ossdesk.demo import demo_seed
    from ossdesk.plans.services import plans_seed_defaults

    created = plans_seed_defaults(actor=Actor.system("seed"))
    print(f"Tiers: {len(created)} created" if created else "Tiers: already present")
    if args.demo:
        summary = demo_seed()
        print(f"Demo data: {summary}")
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    django_setup()
    from django.conf import settings

    from ossdesk.accounts.services import admin_ensure

    user, generated = admin_ensure(
        username=args.username, email=args.email, password=settings.OSSDESK_ADMIN_PASSWORD
    )
    if generated:
        print(
            f"Admin account created: user {user.username}, password {generated}  (shown once; "
            "set OSSDESK_ADMIN_PASSWORD to choose one)"
        )
    else:
        print(f"Admin account: {user.username}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db.migrations.executor import MigrationExecutor

    from ossdesk.web.health import database_status, queue_status

    failures = 0
    try:
        call_command("check", deploy=args.deploy, fail_level="ERROR")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        failures += 1
    database = database_status()
    print(
        f"database: {'ok' if database['ok'] else 'FAILING'} ({database['vendor']})"
        + ("" if database["ok"] else f": {database['error']}")
    )
    failures += not database["ok"]
    if database["ok"]:
        from django.db import connection

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        print(
            f"migrations: {'up to date' if not pending else f'{len(pending)} pending (run ossdesk migrate)'}"
        )
        failures += bool(pending)
    queue = queue_status()
    print(
        f"queue: {'ok' if queue['ok'] else 'FAILING'} ({queue['backend']})"
        + (f", {queue['pending']} pending" if queue["ok"] else f": {queue['error']}")
    )
    failures += not queue["ok"]
    from ossdesk.channels.selectors import mail_status

    print(mail_status())
    return 1 if failures else 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    django_setup()
    from ossdesk.audit.services import audit_verify

    report = audit_verify()
    for problem in report.problems:
        print(f"audit entry #{problem.seq}: {problem.message}")
    if report.ok:
        print(f"Audit log intact: {report.checked} entries, head #{report.head_seq} {report.head_hash}")
        return 0
    print(f"Audit log FAILED verification: {len(report.problems)} problem(s) in {report.checked} entries")
    return 1


def cmd_secrets_rotate(args: argparse.Namespace) -> int:
    django_setup()
    from django.db import DatabaseError

    from ossdesk.accounts.actor import Actor
    from ossdesk.audit.secrets import secrets_rotate
    from ossdesk.crypto import SecretUnreadable

    try:
        report = secrets_rotate(actor=Actor.system("cli"))
    except SecretUnreadable as error:
        raise CommandError(f"secrets rotate: nothing was changed: {error}") from None
    except DatabaseError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CommandError(f"secrets rotate: the database: {first_line} (is it migrated?)") from None
    print(
        f"{report.rewritten} secret value(s) re-encrypted with the newest key "
        f"({report.plain} of them were plain text); {report.current} already were"
    )
    return 0


def cmd_secrets_key(args: argparse.Namespace) -> int:
    from ossdesk.crypto import key_generate

    print(key_generate())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    django_setup()
    from ossdesk.search.commands import run_search

    return run_search(args, progress_bar)
