"""The `ossdesk` command: run, serve, worker, migrate, seed, createadmin, check, audit, advisories, sbom,
findings, scan, mail, search, secrets, version.

Errors a user can fix exit with status 2 and one line saying what and where.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from ossdesk import __version__
from ossdesk.config.bootstrap import SetupError, django_setup


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


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


def _existing_path(text: str, command: str, what: str = "file") -> Any:
    from pathlib import Path

    path = Path(text)
    if not path.exists():
        raise CommandError(f"{command}: {text}: no such {what}")
    return path


def _progress(total: int | None, label: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    return Progress(*columns, transient=False, disable=not sys.stderr.isatty(), console=_stderr_console())


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def cmd_advisories_import(args: argparse.Namespace) -> int:
    path = _existing_path(args.path, "advisories import", "folder or archive")
    django_setup()
    from ossdesk.accounts.actor import Actor
    from ossdesk.domain import osv
    from ossdesk.security.services import advisories_import

    try:
        total = osv.count_source(path)
    except (osv.OsvError, OSError) as error:
        raise CommandError(f"advisories import: {error}") from None
    with _progress(total, f"Importing {path.name}") as progress:
        task = progress.add_task("import", total=total)
        report = advisories_import(
            actor=Actor.system("cli"),
            path=path,
            progress=lambda n: progress.advance(task, n),
            notify=not args.no_notify,
        )
    for name, reason in report.rejected:
        print(f"rejected {name}: {reason}", file=sys.stderr)
    rate = report.seen / report.seconds if report.seconds else 0
    print(
        f"{report.seen:,} records in {report.seconds:.1f}s ({rate:,.0f}/s): {report.added:,} added, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged, {len(report.rejected):,} rejected; "
        f"{report.findings:,} new findings, {report.notices:,} notices"
    )
    return 0


def _feed(args: argparse.Namespace, kind: str) -> int:
    path = _existing_path(args.path, f"advisories {kind}")
    django_setup()
    from django.core.exceptions import ValidationError

    from ossdesk.accounts.actor import Actor
    from ossdesk.security.services import epss_import, kev_import

    importer = epss_import if kind == "epss" else kev_import
    try:
        report = importer(actor=Actor.system("cli"), data=path.read_bytes(), name=path.name)
    except ValidationError as error:
        raise CommandError(f"advisories {kind}: {' '.join(error.messages)}") from None
    for number, reason in report.rejected[:20]:
        print(f"rejected row {number}: {reason}", file=sys.stderr)
    print(
        f"{report.rows:,} {kind.upper()} rows imported, {len(report.rejected):,} rejected; "
        f"{report.advisories:,} advisories re-ranked"
    )
    return 0


def _finding_lines(changes: dict[str, Any]) -> list[str]:
    """One line per finding an upload opens, reopens or closes (as many as the record names)."""
    lines = []
    for key, verb in (
        ("closed_findings", "closes"),
        ("reopened_findings", "reopens"),
        ("new_findings", "opens"),
    ):
        for change in changes.get(key, []):
            why = f": {change['reason']}" if change["reason"] else ""
            lines.append(
                f"  {verb} {change['advisory']} ({change['severity']}) "
                f"{change['package']} {change['version']}{why}"
            )
    return lines


def _counts(changes: dict[str, Any]) -> str:
    return f"findings {changes['new']:,} new, {changes['reopened']:,} reopened, {changes['closed']:,} closed"


def cmd_sbom_upload(args: argparse.Namespace) -> int:
    path = _existing_path(args.path, "sbom upload")
    django_setup()
    from django.core.exceptions import ValidationError

    from ossdesk.accounts.actor import Actor
    from ossdesk.customers.models import Deployment
    from ossdesk.domain.entitlements import EntitlementDenied
    from ossdesk.security import services
    from ossdesk.security.models import Sbom

    organization, _, name = args.deployment.rpartition("/")
    deployments = Deployment.objects.select_related("organization")
    try:
        if args.deployment.isdigit():
            deployment = deployments.get(pk=int(args.deployment))
        else:
            deployment = deployments.get(organization__slug=organization, name=name)
    except Deployment.DoesNotExist:
        raise CommandError(
            f"sbom upload: no deployment {args.deployment} (give an id or customer-slug/name)"
        ) from None
    actor, data = Actor.system("cli"), path.read_bytes()
    where = f"{deployment.organization.slug}/{deployment.name}"
    try:
        if args.dry_run:
            preview = services.sbom_preview(actor=actor, deployment=deployment, filename=path.name, data=data)
        elif services.sbom_for_the_worker(len(data)):
            # Large: stored, then read and applied here in short transactions, as the worker would.
            received = services.sbom_receive(
                actor=actor, deployment=deployment, filename=path.name, data=data, via="cli", confirm=args.yes
            )
            del data
            services.sbom_process(sbom_id=received.pk)
            sbom = Sbom.objects.get(pk=received.pk)
            if sbom.state == Sbom.State.REFUSED:
                raise ValidationError(sbom.problems)
        else:
            sbom, _ = services.sbom_upload(
                actor=actor, deployment=deployment, filename=path.name, data=data, via="cli", confirm=args.yes
            )
    except (ValidationError, EntitlementDenied) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise CommandError("\n".join(f"sbom upload: {message}" for message in messages)) from None
    warnings = preview.warnings if args.dry_run else sbom.warnings
    for warning in warnings:
        print(f"warning: {path.name}: {warning}", file=sys.stderr)
    if args.dry_run:
        print(
            f"{where}: {preview.format}, {preview.component_count:,} components; dry run, nothing "
            f"changed: it would change {_counts(preview.changes)}"
        )
        print("\n".join(_finding_lines(preview.changes)) or "  no finding would change")
        for reason in preview.needs_confirmation:
            print(f"needs --yes: {reason}")
        return 0
    print(f"{where}: {sbom.format}, {sbom.component_count:,} components; ", end="")
    if sbom.state == sbom.State.HELD:
        print(f"held, not applied: it would change {_counts(sbom.changes)}")
        print("\n".join(_finding_lines(sbom.changes)))
        raise CommandError(
            "\n".join(
                [
                    *(f"sbom upload: {reason}" for reason in sbom.problems),
                    f"sbom upload: nothing changed; check the list above and run again with --yes to apply "
                    f"it (upload #{sbom.pk} waits for confirmation in the portal)",
                ]
            )
        )
    print(_counts(sbom.changes))
    lines = _finding_lines({**sbom.changes, "new_findings": []})
    if lines:
        print("\n".join(lines))
    return 0


def cmd_findings_rematch(args: argparse.Namespace) -> int:
    django_setup()
    from ossdesk.security.matching import match_all

    started = time.perf_counter()
    result = match_all()
    print(
        f"re-matched the portfolio in {time.perf_counter() - started:.1f}s: {result.created:,} new, "
        f"{result.closed:,} closed, {result.moved:,} moved, {result.reopened:,} reopened"
    )
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    from ossdesk.security.scanner import run_scan

    return run_scan(args, CommandError)


def cmd_mail(args: argparse.Namespace) -> int:
    django_setup()
    from ossdesk.channels.commands import run_mail

    return run_mail(args, CommandError)


def cmd_search(args: argparse.Namespace) -> int:
    django_setup()
    from ossdesk.search.commands import run_search

    return run_search(args, _progress)


def cmd_worker(args: argparse.Namespace) -> int:
    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from ossdesk.web.tasks import record_heartbeat

    record_heartbeat()
    huey_settings: Any = settings.HUEY
    threads = args.workers or huey_settings["consumer"]["workers"]
    queue = "Redis" if settings.REDIS is not None else "SQLite"
    # Huey's own start-up lines are INFO, which it prints only at OSSDESK_LOG_LEVEL=DEBUG: say one here.
    print(f"ossdesk worker: {threads} threads on the {queue} queue", flush=True)
    call_command("run_huey", workers=args.workers) if args.workers else call_command("run_huey")
    return 0


def _children(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    from django.conf import settings

    host = args.host or settings.OSSDESK_HOST
    port = args.port or settings.OSSDESK_PORT
    children = []
    if not args.no_web:
        children.append(
            (
                "web",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "ossdesk.config.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(args.web_workers or settings.OSSDESK_WEB_WORKERS),
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "10",
                    "--timeout",
                    "60",
                    "--no-control-socket",
                ],
            )
        )
    if not args.no_worker:
        children.append(("worker", [sys.executable, "-m", "ossdesk.cli", "worker"]))
    return children


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web server and the worker as one foreground process tree; a child that dies is started
    again (ossdesk.web.supervisor); Ctrl-C stops both."""
    django_setup()
    from django.conf import settings

    children = _children(args)
    if not children:
        raise CommandError("serve: --no-web and --no-worker together leave nothing to run")
    host = args.host or settings.OSSDESK_HOST
    port = args.port or settings.OSSDESK_PORT
    if not args.no_web and not _port_free(host, port):
        raise CommandError(f"serve: {host}:{port} is already in use (set OSSDESK_PORT or --port)")
    from ossdesk.web.supervisor import Child, supervise

    supervised = [Child(name, command) for name, command in children]
    if not args.no_web:
        print(f"ossdesk {__version__} is serving http://{host}:{port}/  (Ctrl-C stops it)", flush=True)
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = supervise(supervised, lambda: stopping)
    processes = [child.process for child in supervised if child.process is not None]
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for child in supervised:
        child.stopped()
    print("ossdesk stopped.", flush=True)
    return exit_code


def _demo_live_s1() -> None:
    from ossdesk.tickets.demo import demo_live_s1

    ticket = demo_live_s1()
    if ticket is not None:
        print(f"Demo: #{ticket.pk}, a running S1 for {ticket.organization.name}, raised again for this start")


def cmd_run(args: argparse.Namespace) -> int:
    """Everything `make run` does after installing: migrate, seed, ensure an admin, serve."""
    cmd_migrate(argparse.Namespace(verbose=False))
    cmd_seed(argparse.Namespace(demo=not args.no_demo))
    if not args.no_demo:
        _demo_live_s1()
    cmd_createadmin(argparse.Namespace(username="admin", email="admin@localhost"))
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    return cmd_serve(args)


def _add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default OSSDESK_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default OSSDESK_PORT or 8000)")
    parser.add_argument("--web-workers", type=int, help="web processes (default OSSDESK_WEB_WORKERS or 2)")
    parser.add_argument("--no-worker", action="store_true", help="serve the web only (workers run elsewhere)")
    parser.add_argument("--no-web", action="store_true", help="run the background worker only")


def _print_help_and_fail(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ossdesk", description="ossdesk: commercial open-source support platform"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands: list[tuple[str, str, Callable[[argparse.Namespace], int]]] = []

    def add(
        name: str, help_text: str, handler: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        commands.append((name, help_text, handler))
        return command

    run = add(
        "run", "migrate, seed (with demo data), ensure an admin and serve: what `make run` does", cmd_run
    )
    run.add_argument("--no-demo", action="store_true", help="seed the tiers only, no demo customers")
    _add_serve_options(run)
    _add_serve_options(add("serve", "run the web server and the background worker until Ctrl-C", cmd_serve))
    worker = add("worker", "run a background worker (the Huey consumer)", cmd_worker)
    worker.add_argument("--workers", type=int, help="worker threads (default OSSDESK_WORKER_THREADS or 2)")
    migrate = add("migrate", "create or upgrade the database schema", cmd_migrate)
    migrate.add_argument("--verbose", action="store_true")
    seed = add("seed", "create the four default tiers if absent", cmd_seed)
    seed.add_argument("--demo", action="store_true", help="also create the demo vendor staff and customers")
    admin = add(
        "createadmin",
        "make sure an admin account exists (password from OSSDESK_ADMIN_PASSWORD)",
        cmd_createadmin,
    )
    admin.add_argument("--username", default="admin")
    admin.add_argument("--email", default="admin@localhost")
    check = add("check", "check configuration, database, migrations and the queue", cmd_check)
    check.add_argument("--deploy", action="store_true", help="also run Django's deployment checks")
    audit = add("audit", "audit log tools", lambda a: _print_help_and_fail(audit))
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    verify = audit_sub.add_parser(
        "verify",
        help="verify the hash chain; reports changed or removed entries",
        description="verify the hash chain; reports changed or removed entries",
    )
    verify.set_defaults(handler=cmd_audit_verify)
    advisories = add(
        "advisories",
        "security advisories: OSV import, EPSS scores, the CISA KEV catalogue",
        lambda a: _print_help_and_fail(advisories),
    )
    advisories_sub = advisories.add_subparsers(dest="advisories_command", metavar="SUBCOMMAND")
    imp = advisories_sub.add_parser(
        "import",
        help="import OSV records from a folder, a .zip (as osv.dev publishes) or a .tar.gz; incremental",
        description="import OSV records from a folder, a .zip (as osv.dev publishes) or a .tar.gz; "
        "incremental by `modified`, idempotent; each bad record is reported and skipped",
    )
    imp.add_argument("path", help="folder, .zip or .tar.gz of OSV JSON/YAML records")
    imp.add_argument("--no-notify", action="store_true", help="match but send no notices (initial load)")
    imp.set_defaults(handler=cmd_advisories_import)
    epss = advisories_sub.add_parser("epss", help="import FIRST's EPSS scores (CSV, optionally .gz)")
    epss.add_argument("path")
    epss.set_defaults(handler=lambda a: _feed(a, "epss"))
    kev = advisories_sub.add_parser("kev", help="import CISA's Known Exploited Vulnerabilities (JSON or CSV)")
    kev.add_argument("path")
    kev.set_defaults(handler=lambda a: _feed(a, "kev"))
    sbom = add("sbom", "customers' inventories", lambda a: _print_help_and_fail(sbom))
    sbom_sub = sbom.add_subparsers(dest="sbom_command", metavar="SUBCOMMAND")
    upload = sbom_sub.add_parser(
        "upload",
        help="upload an SBOM or lockfile for a deployment and match it",
        description="upload an SBOM (CycloneDX, SPDX) or a lockfile for a deployment and match it",
    )
    upload.add_argument("deployment", help="deployment id, or customer-slug/deployment-name")
    upload.add_argument("path")
    upload.add_argument(
        "--dry-run",
        action="store_true",
        help="only print what the upload would open, reopen and close; change nothing",
    )
    upload.add_argument(
        "--yes",
        action="store_true",
        help="apply even if it closes more findings than OSSDESK_UPLOAD_CONFIRM_CLOSING, or a critical one",
    )
    upload.set_defaults(handler=cmd_sbom_upload)
    findings = add("findings", "vulnerability findings", lambda a: _print_help_and_fail(findings))
    findings_sub = findings.add_subparsers(dest="findings_command", metavar="SUBCOMMAND")
    rematch = findings_sub.add_parser(
        "rematch", help="re-match every current component against every advisory"
    )
    rematch.set_defaults(handler=cmd_findings_rematch)
    scan = add(
        "scan",
        "scan SBOMs and lockfiles against advisories, offline "
        "(exit 1: vulnerabilities found, 0: none, 2: bad input)",
        cmd_scan,
    )
    scan.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="SBOMs (CycloneDX, SPDX) or lockfiles; FORMAT:PATH names the format, "
        "e.g. requirements.txt:deps.txt",
    )
    scan.add_argument(
        "--db",
        metavar="PATH",
        help="an OSV dump (folder, .zip, .tar.gz); default: this server's advisory database",
    )
    scan.add_argument("--format", choices=["table", "json", "sarif", "cyclonedx-vex"], default="table")
    scan.add_argument(
        "--output", "-o", metavar="FILE", help="write the report here instead of standard output"
    )
    scan.add_argument("--all-packages", action="store_true", help="JSON: list packages with no advisory too")
    mail = add(
        "mail",
        "inbound e-mail: LMTP receiver, IMAP fetch, a test mail, retry",
        lambda a: _print_help_and_fail(mail),
    )
    mail_sub = mail.add_subparsers(dest="mail_command", metavar="SUBCOMMAND")
    lmtp = mail_sub.add_parser("lmtp", help="run the LMTP receiver an MTA (Postfix) delivers to")
    lmtp.add_argument("--host", help="address to listen on (default OSSDESK_MAIL_LMTP_HOST)")
    lmtp.add_argument("--port", type=int, help="port (default OSSDESK_MAIL_LMTP_PORT)")
    fetch = mail_sub.add_parser(
        "fetch", help="fetch new mail from the IMAP mailboxes once, or wait with --idle"
    )
    fetch.add_argument("--mailbox", metavar="NAME", help="only this mailbox")
    fetch.add_argument(
        "--idle", action="store_true", help="stay connected and fetch as mail arrives (IMAP IDLE)"
    )
    send_test = mail_sub.add_parser(
        "send-test", help="deliver a sample customer mail to the running LMTP receiver (`ossdesk mail lmtp`)"
    )
    send_test.add_argument(
        "--from", dest="sender", metavar="ADDRESS", help="sender (default: a demo contact)"
    )
    send_test.add_argument(
        "--to", metavar="ADDRESS", help="mailbox address (default: the first LMTP mailbox)"
    )
    send_test.add_argument("--host", help="receiver address (default OSSDESK_MAIL_LMTP_HOST)")
    send_test.add_argument("--port", type=int, help="receiver port (default OSSDESK_MAIL_LMTP_PORT)")
    retry = mail_sub.add_parser("retry", help="process a held, refused, quarantined or failed message again")
    retry.add_argument("id", type=int, help="the message's number in the mail inbox")
    for command in (lmtp, fetch, send_test, retry):
        command.set_defaults(handler=cmd_mail)
    search = add("search", "the full-text search index", lambda a: _print_help_and_fail(search))
    search_sub = search.add_subparsers(dest="search_command", metavar="SUBCOMMAND")
    search_sub.add_parser(
        "reindex", help="rebuild the index from tickets, messages and articles"
    ).set_defaults(handler=cmd_search)
    secrets = add(
        "secrets",
        "the keys that encrypt mailbox passwords, OAuth tokens and webhook secrets at rest",
        lambda a: _print_help_and_fail(secrets),
    )
    secrets_sub = secrets.add_subparsers(dest="secrets_command", metavar="SUBCOMMAND")
    secrets_sub.add_parser(
        "rotate",
        help="re-encrypt every stored secret with the newest key (the first in OSSDESK_ENCRYPTION_KEYS)",
        description="re-encrypt every stored secret with the newest key, the first in "
        "OSSDESK_ENCRYPTION_KEYS; values still in plain text are encrypted too. Afterwards the older "
        "keys can be removed.",
    ).set_defaults(handler=cmd_secrets_rotate)
    secrets_sub.add_parser(
        "key", help="print a new random key to put in front of OSSDESK_ENCRYPTION_KEYS"
    ).set_defaults(handler=cmd_secrets_key)
    add("version", "print the version", cmd_version)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except (CommandError, SetupError) as exc:
        for line in str(exc).splitlines() or [""]:  # one line per problem, each prefixed
            print(
                f"ossdesk {args.command}: {line}" if not line.startswith(args.command) else f"ossdesk {line}",
                file=sys.stderr,
            )
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from ossdesk.database.busy import is_database_busy

        if not is_database_busy(exc):
            raise
        # EX_TEMPFAIL: nothing was written; the same command can simply run again.
        print(
            f"ossdesk {args.command}: the database stayed busy (another long write); run it again",
            file=sys.stderr,
        )
        return 75


if __name__ == "__main__":
    sys.exit(main())
