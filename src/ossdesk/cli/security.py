"""Security assurance from the command line: advisories import and the EPSS and KEV feeds, sbom upload,
findings rematch, and the offline scan."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from ossdesk.cli.common import CommandError, existing_path, progress_bar
from ossdesk.config.bootstrap import django_setup


def cmd_advisories_import(args: argparse.Namespace) -> int:
    path = existing_path(args.path, "advisories import", "folder or archive")
    django_setup()
    from ossdesk.accounts.actor import Actor
    from ossdesk.domain import osv
    from ossdesk.security.services import advisories_import

    try:
        total = osv.count_source(path)
    except (osv.OsvError, OSError) as error:
        raise CommandError(f"advisories import: {error}") from None
    with progress_bar(total, f"Importing {path.name}") as progress:
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


def feed_import(args: argparse.Namespace, kind: str) -> int:
    path = existing_path(args.path, f"advisories {kind}")
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
    path = existing_path(args.path, "sbom upload")
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
