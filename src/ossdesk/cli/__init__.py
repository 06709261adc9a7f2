"""The `ossdesk` command: run, serve, worker, migrate, seed, createadmin, check, audit, advisories, sbom,
findings, scan, mail, search, secrets, version. This module builds the parser and runs a command; the
commands live by concern in admin, server, security and mail.

Errors a user can fix exit with status 2 and one line saying what and where.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ossdesk.cli.admin import (
    cmd_audit_verify,
    cmd_check,
    cmd_createadmin,
    cmd_migrate,
    cmd_search,
    cmd_secrets_key,
    cmd_secrets_rotate,
    cmd_seed,
    cmd_version,
)
from ossdesk.cli.common import CommandError
from ossdesk.cli.mail import cmd_mail
from ossdesk.cli.security import (
    cmd_advisories_import,
    cmd_findings_rematch,
    cmd_sbom_upload,
    cmd_scan,
    feed_import,
)
from ossdesk.cli.server import add_serve_options, cmd_run, cmd_serve, cmd_worker
from ossdesk.config.bootstrap import SetupError

__all__ = ["CommandError", "build_parser", "main"]


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
    add_serve_options(run)
    add_serve_options(add("serve", "run the web server and the background worker until Ctrl-C", cmd_serve))
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
    epss.set_defaults(handler=lambda a: feed_import(a, "epss"))
    kev = advisories_sub.add_parser("kev", help="import CISA's Known Exploited Vulnerabilities (JSON or CSV)")
    kev.add_argument("path")
    kev.set_defaults(handler=lambda a: feed_import(a, "kev"))
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
