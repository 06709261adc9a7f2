"""Large inventory uploads (issue 10, section 2): stored raw and answered at once (202), then read and
matched by the worker in short transactions, so that another customer's writes are never locked out;
caps on components per inventory and uploads in progress per organisation.

The SBOM is a real one (keycloak's CycloneDX, 903 components, from ../shared/data) and the advisories
are osv-scanner's offline records; the slice size is made small so that even it takes many slices.
"""

from __future__ import annotations

import tarfile
import threading
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.customers.services import deployment_create
from ossdesk.domain.inventory.testing import generate_cyclonedx
from ossdesk.plans.services import subscription_update
from ossdesk.security import services
from ossdesk.security.models import Component, Finding, Sbom
from ossdesk.security.services import inventories
from ossdesk.tickets import services as tickets
from ossdesk.tickets.models import Message
from tests.accounts.factories import SYSTEM
from tests.products.factories import ProductFactory
from tests.security.factories import WEB_LOCKFILE, isolate_files
from tests.security.test_services import OFFLINE, _import

SHARED = OFFLINE.parents[1]
LARGE_BOMS = SHARED / "sboms" / "cyclonedx" / "large-boms.tar.gz"
pytestmark = pytest.mark.skipif(not LARGE_BOMS.is_file(), reason="../shared/data is not beside the checkout")


def keycloak_bom() -> bytes:
    with tarfile.open(LARGE_BOMS) as archive:
        for member in archive:
            if "keycloak" in member.name.lower() and member.name.endswith(".json") and member.isfile():
                stream = archive.extractfile(member)
                assert stream is not None
                return stream.read()
    raise AssertionError("no keycloak SBOM in large-boms.tar.gz")


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    isolate_files(settings, tmp_path)
    settings.OSSDESK_UPLOAD_INLINE_BYTES = 10_000  # keycloak's SBOM (about 1 MiB) goes the large way


@pytest.fixture
def world(customers: dict[str, Any]) -> dict[str, Any]:
    _import()
    product = ProductFactory(name="Platform", slug="platform")
    acme, globex = customers["acme"], customers["globex"]
    web = deployment_create(actor=SYSTEM, organization=acme["org"], name="web", product=product)
    return {"web": web, "acme": acme, "globex": globex, "product": product}


def test_a_large_upload_is_answered_202_and_applied_by_the_worker(
    world: dict[str, Any], api_client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_client_for(world["acme"]["admin"].user)
    data = keycloak_bom()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            f"/api/deployments/{world['web'].pk}/sboms/",
            {"file": SimpleUploadedFile("bom.json", data)},
            format="multipart",
        )
    assert response.status_code == 202, response.json()
    assert response.json()["state"] == "received"
    location = response["Location"]
    assert location.endswith(f"/api/sboms/{response.json()['id']}/")
    assert client.get(location).json()["state"] == "received"
    assert not Component.objects.filter(deployment=world["web"]).exists()
    for task in queued:  # the worker's turn
        task()
    polled = client.get(location).json()
    assert (polled["state"], polled["current"]) == ("applied", True)
    assert (
        polled["component_count"]
        == Component.objects.filter(sbom_id=polled["id"], current=True).count()
        > 800
    )
    # Processing twice (a retried task) does nothing.
    assert services.sbom_process(sbom_id=polled["id"]) is None


def test_a_large_garbage_upload_is_refused_by_the_worker_with_its_reasons(
    world: dict[str, Any], api_client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_client_for(world["acme"]["admin"].user)
    garbage = b"".join(b"!!!garbage line %d\n" % n for n in range(1000))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/deployments/{world['web'].pk}/sboms/?filename=requirements.txt",
            data=garbage,
            content_type="text/plain",
        )
    assert response.status_code == 202
    polled = client.get(response["Location"]).json()
    assert polled["state"] == "refused"
    assert polled["problems"][0] == "requirements.txt: no package could be read (1000 entries skipped)"
    assert not Component.objects.filter(deployment=world["web"]).exists()


def test_components_per_inventory_and_uploads_in_progress_are_capped(
    world: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OSSDESK_UPLOAD_MAX_COMPONENTS = 100
    with django_capture_on_commit_callbacks(execute=True):
        sbom = services.sbom_receive(
            actor=SYSTEM, deployment=world["web"], filename="bom.json", data=keycloak_bom()
        )
    sbom.refresh_from_db()
    assert sbom.state == Sbom.State.REFUSED
    assert sbom.problems[0].endswith("components; the limit is 100 per inventory.")

    settings.OSSDESK_UPLOADS_IN_PROGRESS_PER_ORGANIZATION = 2
    data = WEB_LOCKFILE.read_bytes()
    with django_capture_on_commit_callbacks(execute=False):  # the worker is busy: nothing is processed
        for _ in range(2):
            services.sbom_receive(
                actor=SYSTEM, deployment=world["web"], filename="requirements.txt", data=data
            )
        with pytest.raises(Exception, match="2 uploads of this organisation are still being processed"):
            services.sbom_receive(
                actor=SYSTEM, deployment=world["web"], filename="requirements.txt", data=data
            )


@pytest.mark.django_db(transaction=True)
def test_another_customers_reply_goes_in_while_a_large_upload_is_processed(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventories, "UPLOAD_BATCH", 100)
    globex = world["globex"]
    subscription_update(
        actor=SYSTEM, subscription=globex["org"].subscriptions.get(), products=[world["product"]]
    )
    ticket = tickets.ticket_create(
        actor=actor_for(globex["admin"].user),
        organization=globex["org"],
        product=world["product"],
        severity="S3",
        subject="Replication lag",
        body="The standby is behind.",
    )
    seen: list[tuple[int, bool, str]] = []

    def reply_from_another_customer(sbom: Sbom, done: int, **_: Any) -> None:
        outcome: list[str] = []

        def reply() -> None:
            try:
                tickets.ticket_reply(
                    actor=actor_for(globex["admin"].user), ticket=ticket, body=f"Still behind ({done})"
                )
                outcome.append("ok")
            except Exception as error:  # the failure is what the test reports
                outcome.append(repr(error))
            finally:
                connection.close()

        worker = threading.Thread(target=reply)
        worker.start()
        worker.join(timeout=60)
        seen.append((done, connection.in_atomic_block, outcome[0] if outcome else "timed out"))

    services.batch_committed.connect(reply_from_another_customer, weak=False)
    try:
        with_slices = services.sbom_receive(
            actor=SYSTEM, deployment=world["web"], filename="bom.json", data=keycloak_bom()
        )
    finally:
        services.batch_committed.disconnect(reply_from_another_customer)
    with_slices.refresh_from_db()
    assert with_slices.state == Sbom.State.APPLIED
    assert len(seen) == -(-with_slices.component_count // 100) > 5
    assert all(outcome == "ok" and not in_transaction for _, in_transaction, outcome in seen), seen
    assert Message.objects.filter(ticket=ticket, body__startswith="Still behind").count() == len(seen)


def test_an_upload_left_half_done_by_a_killed_worker_is_resumed(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    data = keycloak_bom()
    with django_capture_on_commit_callbacks(execute=False):  # the tasks are lost
        fresh = services.sbom_receive(actor=SYSTEM, deployment=world["web"], filename="bom.json", data=data)
        stalled = services.sbom_receive(actor=SYSTEM, deployment=world["web"], filename="bom.json", data=data)
    long_ago = timezone.now() - timedelta(hours=1)
    # A worker claimed one, inserted a first slice, and was killed.
    Sbom.objects.filter(pk=stalled.pk).update(
        state=Sbom.State.PROCESSING, processing_since=long_ago, uploaded_at=long_ago
    )
    Component.objects.create(
        sbom=stalled, deployment=world["web"], name="half-done", name_key="half-done", current=False
    )
    assert services.sboms_resume() == 1  # the fresh one is still the worker's own
    stalled.refresh_from_db()
    assert stalled.state == Sbom.State.APPLIED
    assert Component.objects.filter(sbom=stalled).count() == stalled.component_count > 800
    assert not Component.objects.filter(name="half-done").exists()
    Sbom.objects.filter(pk=fresh.pk).update(uploaded_at=long_ago)
    assert services.sboms_resume() == 1
    fresh.refresh_from_db()
    assert fresh.state == Sbom.State.APPLIED


def _stored(deployment: Any) -> dict[str, Any]:
    """What an upload left on a deployment, without ids (two deployments compared)."""
    sboms = Sbom.objects.filter(deployment=deployment).order_by("pk")
    findings = Finding.objects.filter(deployment=deployment).select_related("advisory")
    return {
        "sboms": [
            (
                s.state,
                s.current,
                s.format,
                s.component_count,
                s.warnings,
                s.problems,
                _without_ids(s.changes),
            )
            for s in sboms
        ],
        "components": list(
            Component.objects.filter(deployment=deployment)
            .order_by("pk")
            .values_list("sbom__filename", "ecosystem", "name_key", "version", "purl", "name", "current")
        ),
        "findings": sorted(
            (f.advisory.osv_id, f.ecosystem, f.name_key, f.version, f.purl, f.status, f.status_reason)
            for f in findings
        ),
    }


def _without_ids(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        kind: [{k: v for k, v in c.items() if k != "finding"} for c in value]
        if isinstance(value, list)
        else value
        for kind, value in changes.items()
    }


@pytest.mark.parametrize("confirm", [False, True], ids=["held", "applied"])
def test_the_worker_stores_and_diffs_exactly_what_an_upload_in_the_request_does(
    world: dict[str, Any],
    confirm: bool,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OSSDESK_UPLOAD_CONFIRM_CLOSING = 1  # closing flask's findings needs confirmation
    # Many slices: each is evaluated on its own, and the sum must be the whole.
    monkeypatch.setattr(inventories, "UPLOAD_BATCH", 97)
    inline = world["web"]
    worker = deployment_create(
        actor=SYSTEM, organization=world["acme"]["org"], name="api", product=world["product"]
    )
    bom = keycloak_bom()
    for deployment in (inline, worker):  # the same findings to close: flask, flask-cors, pandas
        services.sbom_upload(
            actor=SYSTEM, deployment=deployment, filename="requirements.txt", data=WEB_LOCKFILE.read_bytes()
        )
    services.sbom_upload(actor=SYSTEM, deployment=inline, filename="bom.json", data=bom, confirm=confirm)
    with django_capture_on_commit_callbacks(execute=True):
        services.sbom_receive(actor=SYSTEM, deployment=worker, filename="bom.json", data=bom, confirm=confirm)
    expected, streamed = _stored(inline), _stored(worker)
    assert streamed == expected
    states = [row[0] for row in expected["sboms"]]
    assert states == ["applied", "applied" if confirm else "held"]
    assert expected["sboms"][-1][6]["closed"] >= 2
    assert expected["sboms"][-1][6]["new"] >= 1
    assert len(expected["components"]) > (900 if confirm else 0)


def _processing_peak(deployment: Any, count: int, capture: Any) -> tuple[int, int]:
    """The peak of Python memory while the worker processes a generated SBOM of `count` components
    (received beforehand), and the file's size."""
    with capture(execute=False):
        sbom = services.sbom_receive(
            actor=SYSTEM,
            deployment=deployment,
            filename="bom.json",
            data=generate_cyclonedx(count),
            confirm=True,
        )
    assert not tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        services.sbom_process(sbom_id=sbom.pk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    sbom.refresh_from_db()
    assert sbom.state == Sbom.State.APPLIED
    assert Component.objects.filter(sbom=sbom, current=True).count() == sbom.component_count == count
    return peak, sbom.size


def test_a_large_uploads_memory_grows_by_a_digest_per_component_not_by_its_objects(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(inventories, "UPLOAD_BATCH", 1000)
    small, small_size = _processing_peak(world["web"], 3000, django_capture_on_commit_callbacks)
    large, large_size = _processing_peak(world["web"], 12_000, django_capture_on_commit_callbacks)
    # Beyond the document's text (one byte a character here) and a slice, a component costs its offset
    # and two 16-byte digests in sets (about 200 bytes); its objects and row, kept, cost 600 or more.
    per_component = (large - small - (large_size - small_size)) / 9000
    assert per_component < 350, (per_component, small, large, small_size, large_size)
