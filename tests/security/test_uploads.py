"""An upload can never silently make things look safer (issue 10, section 1), through every door.

Real advisories (osv-scanner's offline PyPI records) and real lockfiles; the critical advisory is
PYSEC-2021-98's own ranges under a critical CVSS vector. The rule under test, one service for all doors:
an inventory that reads as nothing (or skips more than it reads) is refused and changes nothing; one
that would close more than OSSDESK_UPLOAD_CONFIRM_CLOSING findings, or a critical one, is held until
confirmed (the web asks for any closing); reopened findings are counted and named like new and closed
ones; the audit entry names what closed and why.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ossdesk.audit.models import AuditEntry
from ossdesk.cli import main
from ossdesk.customers.services import deployment_create
from ossdesk.security import services
from ossdesk.security.models import Component, Finding, Sbom
from tests.accounts.factories import SYSTEM
from tests.products.factories import ProductFactory
from tests.security.factories import WEB_LOCKFILE, isolate_files
from tests.security.test_services import CRITICAL, OFFLINE, _cvss_record, _import
from tests.security.web_fixtures import client_for

pytestmark = pytest.mark.skipif(not OFFLINE.is_dir(), reason="../shared/data is not beside the checkout")

GARBAGE = b"django==\nflask>=\n!!!garbage line\n"
# WEB_LOCKFILE pins flask 1.0.0, django 1.11.29, requests 2.20.0: three findings, django's twice
# (PYSEC-2021-98 and the critical TEST-2026-1 with the same ranges).
ONLY_REQUESTS = b"requests==2.20.0\n"  # flask and django gone: three findings close, one critical
UPGRADED_FLASK = b"flask==2.2.5\ndjango==1.11.29\nrequests==2.20.0\n"  # closes flask's only


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    isolate_files(settings, tmp_path)


@pytest.fixture
def world(customers: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """acme's web deployment running WEB_LOCKFILE, with four open findings (one critical)."""
    records = tmp_path / "records"
    shutil.copytree(OFFLINE, records)
    _cvss_record(records, CRITICAL)
    _import(records)
    product = ProductFactory(name="Web", slug="web")
    acme = customers["acme"]
    web = deployment_create(actor=SYSTEM, organization=acme["org"], name="web", product=product)
    _upload(web, WEB_LOCKFILE.read_bytes())
    assert _open(web) == {"PYSEC-2021-98", "PYSEC-2023-62", "PYSEC-2023-74", "TEST-2026-1"}
    assert Finding.objects.get(advisory__osv_id="TEST-2026-1").severity == "critical"
    return {"web": web, "acme": acme, "records": records}


def _upload(deployment: Any, data: bytes, filename: str = "requirements.txt", **kwargs: Any) -> Any:
    return services.sbom_upload(actor=SYSTEM, deployment=deployment, filename=filename, data=data, **kwargs)


def _open(deployment: Any) -> set[str]:
    return set(
        Finding.objects.filter(deployment=deployment, status=Finding.Status.OPEN).values_list(
            "advisory__osv_id", flat=True
        )
    )


def _state(files: Path) -> tuple[Any, ...]:
    """Everything an upload could change: findings, inventories, components, audit, stored files."""
    return (
        sorted(Finding.objects.values_list("pk", "status", "version")),
        sorted(Sbom.objects.values_list("pk", "state", "current")),
        Component.objects.filter(current=True).count(),
        AuditEntry.objects.count(),
        sorted(p.name for p in files.rglob("*")),
    )


# --- the service: refusal, hold, confirm, audit -------------------------------------------------------------


def test_an_inventory_that_reads_nothing_is_refused_with_each_reason_and_nothing_changes(
    world: dict[str, Any], tmp_path: Path
) -> None:
    before = _state(tmp_path / "files")
    for data in (GARBAGE, b"django==1.11.29\nflask>=\n!!!garbage line\n"):
        with pytest.raises(ValidationError) as raised:
            _upload(world["web"], data, confirm=True)  # not even a confirmation lets it through
        messages = raised.value.message_dict["file"]
        assert messages[0] in (
            "requirements.txt: no package could be read (3 entries skipped)",
            "requirements.txt: more entries skipped (2) than read (1)",
        )
        assert all(m.startswith("requirements.txt: line ") for m in messages[1:])
        assert "cannot read '!!!garbage line'" in messages[-1]
    assert _state(tmp_path / "files") == before
    assert _open(world["web"]) == {"PYSEC-2021-98", "PYSEC-2023-62", "PYSEC-2023-74", "TEST-2026-1"}


def test_closing_a_critical_finding_is_held_until_confirmed(world: dict[str, Any]) -> None:
    web = world["web"]
    sbom, would = _upload(web, ONLY_REQUESTS)
    assert (sbom.state, sbom.current) == (Sbom.State.HELD, False)
    assert sbom.problems == ["it would close critical findings: TEST-2026-1"]
    assert (would.closed, sbom.changes["closed"]) == (3, 3)
    assert {(c["advisory"], c["severity"]) for c in sbom.changes["closed_findings"]} == {
        ("PYSEC-2021-98", "unknown"),
        ("PYSEC-2023-62", "unknown"),
        ("TEST-2026-1", "critical"),
    }
    # Held: nothing changed but the stored file.
    assert _open(web) == {"PYSEC-2021-98", "PYSEC-2023-62", "PYSEC-2023-74", "TEST-2026-1"}
    assert Sbom.objects.get(deployment=web, current=True).filename == WEB_LOCKFILE.name

    sbom, done = services.sbom_confirm(actor=SYSTEM, sbom=sbom)
    assert (sbom.state, sbom.current, sbom.confirmed, done.closed) == (Sbom.State.APPLIED, True, True, 3)
    assert _open(web) == {"PYSEC-2023-74"}
    entry = AuditEntry.objects.filter(object_id=str(sbom.pk)).latest("seq")
    assert entry.after["confirmed"] is True
    assert entry.after["findings_closed"] == 3
    assert {(c["advisory"], c["package"], c["reason"]) for c in entry.after["closed"]} == {
        ("PYSEC-2021-98", "django", "no longer runs an affected version"),
        ("TEST-2026-1", "django", "no longer runs an affected version"),
        ("PYSEC-2023-62", "flask", "no longer runs an affected version"),
    }
    with pytest.raises(ValidationError, match="applied, not held"):
        services.sbom_confirm(actor=SYSTEM, sbom=sbom)


def test_the_reasons_to_confirm_count_the_findings_in_words(world: dict[str, Any], settings: Any) -> None:
    settings.OSSDESK_UPLOAD_CONFIRM_CLOSING = 2
    sbom, _ = _upload(world["web"], ONLY_REQUESTS)
    assert sbom.problems == [
        "it would close 3 findings; closing more than 2 needs confirmation",
        "it would close critical findings: TEST-2026-1",
    ]


def test_closing_more_than_the_limit_is_held_and_a_confirmed_upload_applies_at_once(
    world: dict[str, Any], settings: Any
) -> None:
    web = world["web"]
    settings.OSSDESK_UPLOAD_CONFIRM_CLOSING = 0
    sbom, would = _upload(web, UPGRADED_FLASK)  # one finding closes, not critical
    assert (sbom.state, would.closed) == (Sbom.State.HELD, 1)
    assert sbom.problems == ["it would close 1 finding; closing any needs confirmation"]
    settings.OSSDESK_UPLOAD_CONFIRM_CLOSING = 1
    applied, done = _upload(web, UPGRADED_FLASK)
    assert (applied.state, done.closed) == (Sbom.State.APPLIED, 1)
    # The newer inventory supersedes the held one: it can no longer be applied over it.
    sbom.refresh_from_db()
    assert sbom.state == Sbom.State.DISCARDED
    assert "PYSEC-2023-62" not in _open(web)


def test_reopened_findings_are_counted_and_named(world: dict[str, Any]) -> None:
    web = world["web"]
    _upload(web, ONLY_REQUESTS, confirm=True)
    sbom, result = _upload(web, WEB_LOCKFILE.read_bytes())
    assert (result.reopened, result.closed, sbom.changes["reopened"], sbom.changes["new"]) == (3, 0, 3, 0)
    assert {(c["advisory"], c["reason"]) for c in sbom.changes["reopened_findings"]} == {
        ("PYSEC-2021-98", "affected version 1.11.29 is back"),
        ("TEST-2026-1", "affected version 1.11.29 is back"),
        ("PYSEC-2023-62", "affected version 1.0.0 is back"),
    }
    entry = AuditEntry.objects.filter(object_id=str(sbom.pk)).latest("seq")
    assert entry.after["findings_reopened"] == 3
    assert len(entry.after["reopened"]) == 3


def test_the_preview_is_what_the_upload_then_does_and_writes_nothing(
    world: dict[str, Any], tmp_path: Path
) -> None:
    web = world["web"]
    before = _state(tmp_path / "files")
    preview = services.sbom_preview(
        actor=SYSTEM, deployment=web, filename="requirements.txt", data=ONLY_REQUESTS
    )
    assert _state(tmp_path / "files") == before
    assert preview.needs_confirmation == ("it would close critical findings: TEST-2026-1",)
    _, done = _upload(web, ONLY_REQUESTS, confirm=True)
    planned = {(c.advisory, c.package, c.version, c.reason) for c in preview.match.closing}
    assert planned == {(c.advisory, c.package, c.version, c.reason) for c in done.closing}
    assert (preview.match.closed, preview.match.reopened, preview.match.created) == (
        done.closed,
        done.reopened,
        done.created,
    )


# --- the API --------------------------------------------------------------------------------------------


@pytest.fixture
def api(world: dict[str, Any], api_client_for: Any) -> Any:
    return api_client_for(world["acme"]["admin"].user)


def test_api_refuses_garbage_with_one_message_per_problem(world: dict[str, Any], api: Any) -> None:
    url = f"/api/deployments/{world['web'].pk}/sboms/"
    response = api.post(url, {"file": SimpleUploadedFile("requirements.txt", GARBAGE)}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]["file"]
    assert errors[0] == "requirements.txt: no package could be read (3 entries skipped)"
    assert len(errors) == 4
    assert Sbom.objects.filter(deployment=world["web"]).count() == 1


def test_api_dry_run_holds_and_confirms(world: dict[str, Any], api: Any) -> None:
    web = world["web"]
    url = f"/api/deployments/{web.pk}/sboms/"
    dry = api.post(
        f"{url}?filename=requirements.txt&dry_run=true", data=ONLY_REQUESTS, content_type="text/plain"
    )
    assert dry.status_code == 200, dry.json()
    body = dry.json()
    assert (body["changes"]["closed"], body["changes"]["reopened"], body["changes"]["new"]) == (3, 0, 0)
    assert body["needs_confirmation"] == ["it would close critical findings: TEST-2026-1"]
    assert Sbom.objects.filter(deployment=web).count() == 1

    held = api.post(url, {"file": SimpleUploadedFile("requirements.txt", ONLY_REQUESTS)}, format="multipart")
    assert held.status_code == 409, held.json()
    body = held.json()
    assert body["errors"] == {"confirm": ["it would close critical findings: TEST-2026-1"]}
    assert body["upload"]["state"] == "held"
    assert _open(web) == {"PYSEC-2021-98", "PYSEC-2023-62", "PYSEC-2023-74", "TEST-2026-1"}

    confirmed = api.post(body["confirm_url"])
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["match"]["closed"] == 3
    assert confirmed.json()["state"] == "applied"
    assert _open(web) == {"PYSEC-2023-74"}

    again = api.post(
        url,
        {"file": SimpleUploadedFile("requirements.txt", WEB_LOCKFILE.read_bytes()), "confirm": "true"},
        format="multipart",
    )
    assert again.status_code == 201
    assert again.json()["match"]["reopened"] == 3
    assert again.json()["changes"]["reopened"] == 3


def test_api_confirm_true_applies_at_once(world: dict[str, Any], api: Any) -> None:
    response = api.post(
        f"/api/deployments/{world['web'].pk}/sboms/?filename=requirements.txt&confirm=true",
        data=ONLY_REQUESTS,
        content_type="text/plain",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["changes"]["closed"] == 3


# --- the web --------------------------------------------------------------------------------------------


def test_web_upload_that_closes_anything_shows_the_diff_first(world: dict[str, Any], settings: Any) -> None:
    web = world["web"]
    client = client_for(world["acme"]["admin"].user)
    settings.OSSDESK_UPLOAD_CONFIRM_CLOSING = 10  # the API would apply it unasked; the web asks anyway
    response = client.post(
        f"/security/deployments/{web.pk}/upload/",
        {"file": SimpleUploadedFile("requirements.txt", UPGRADED_FLASK)},
    )
    held = Sbom.objects.get(deployment=web, state=Sbom.State.HELD)
    assert response.status_code == 302
    assert response["Location"] == f"/security/sboms/{held.pk}/confirm/"
    page = client.get(response["Location"]).content.decode()
    assert "Nothing has changed yet" in page
    assert "Closes as fixed (1)" in page
    assert "PYSEC-2023-62" in page
    assert "no longer runs an affected version" in page
    assert "PYSEC-2023-62" in _open(web)

    applied = client.post(f"/security/sboms/{held.pk}/confirm/", {"decision": "apply"})
    assert applied.status_code == 302
    assert "PYSEC-2023-62" not in _open(web)
    text = client.get(applied["Location"]).content.decode()
    assert "findings 0 new, 0 reopened, 1 closed." in text


def test_web_discard_leaves_the_inventory_and_warnings_are_not_a_plain_success(world: dict[str, Any]) -> None:
    web = world["web"]
    client = client_for(world["acme"]["admin"].user)
    response = client.post(
        f"/security/deployments/{web.pk}/upload/",
        {"file": SimpleUploadedFile("requirements.txt", ONLY_REQUESTS)},
    )
    held = Sbom.objects.get(deployment=web, state=Sbom.State.HELD)
    assert client.post(f"/security/sboms/{held.pk}/confirm/", {"decision": "discard"}).status_code == 302
    held.refresh_from_db()
    assert held.state == Sbom.State.DISCARDED
    assert len(_open(web)) == 4
    # Adds nothing, closes nothing, but skipped a line: shown as a warning, each line of it.
    data = WEB_LOCKFILE.read_bytes() + b"flask>=\n"
    response = client.post(
        f"/security/deployments/{web.pk}/upload/", {"file": SimpleUploadedFile("requirements.txt", data)}
    )
    assert response.status_code == 302
    text = client.get(response["Location"]).content.decode()
    assert '<li class="warning" role="status">requirements.txt read as requirements.txt' in text
    assert "1 warnings below." in text
    assert "requirements.txt: line 4: cannot read &#x27;flask&gt;=&#x27;" in text
    assert '<li class="success"' not in text


# --- the CLI --------------------------------------------------------------------------------------------


def test_cli_prints_warnings_refuses_garbage_dry_runs_and_needs_yes(
    world: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    target = f"acme/{world['web'].name}"
    garbage = tmp_path / "requirements.txt"
    garbage.write_bytes(GARBAGE)
    assert main(["sbom", "upload", target, str(garbage)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "ossdesk sbom upload: requirements.txt: no package could be read (3 entries skipped)"
    assert len(err) == 4
    assert all(line.startswith("ossdesk sbom upload: requirements.txt: line ") for line in err[1:])

    lockfile = tmp_path / "only" / "requirements.txt"
    lockfile.parent.mkdir()
    lockfile.write_bytes(ONLY_REQUESTS + b"flask>=\n")
    assert main(["sbom", "upload", target, str(lockfile), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "dry run, nothing changed: it would change findings 0 new, 0 reopened, 3 closed" in out
    assert "  closes TEST-2026-1 (critical) django 1.11.29: no longer runs an affected version" in out
    assert "needs --yes: it would close critical findings: TEST-2026-1" in out
    assert err.startswith("warning: requirements.txt: line 2: cannot read 'flask>='")

    assert main(["sbom", "upload", target, str(lockfile)]) == 2
    out, err = capsys.readouterr()
    assert "held, not applied" in out
    assert "ossdesk sbom upload: it would close critical findings: TEST-2026-1" in err.splitlines()
    assert len(_open(world["web"])) == 4

    assert main(["sbom", "upload", target, str(lockfile), "--yes"]) == 0
    out, _ = capsys.readouterr()
    assert "findings 0 new, 0 reopened, 3 closed" in out
    assert _open(world["web"]) == {"PYSEC-2023-74"}

    good = tmp_path / "good" / "requirements.txt"
    good.parent.mkdir()
    good.write_bytes(WEB_LOCKFILE.read_bytes())
    assert main(["sbom", "upload", target, str(good)]) == 0
    out, _ = capsys.readouterr()
    assert "findings 0 new, 3 reopened, 0 closed" in out
    assert "  reopens PYSEC-2023-62 (unknown) flask 1.0.0: affected version 1.0.0 is back" in out
