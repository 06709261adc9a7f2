"""A go.mod upload meets the Go vulnerability database's standard-library records through the app's matching.

The records are the Go project's own (``../shared/data/advisories/osv-go.tar.gz``); which versions they
affect is read from their ranges, not written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ossdesk.accounts.actor import Actor
from ossdesk.customers.services import deployment_create
from ossdesk.domain import osv
from ossdesk.products.models import Product
from ossdesk.security import services
from ossdesk.security.models import Finding

GO_ADVISORIES = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "advisories" / "osv-go.tar.gz"
)
SYSTEM = Actor.system("tests")
# Two standard-library records: the first is fixed in Go 1.23.6, the second in 1.23.7.
RECORDS = ("GO-2025-3447", "GO-2025-3503")

pytestmark = pytest.mark.skipif(
    not GO_ADVISORIES.is_file(), reason="../shared/data is not beside the checkout"
)


@pytest.fixture
def go_records(tmp_path: Path) -> dict[str, osv.Record]:
    found = {}
    for name, data in osv.iter_members(GO_ADVISORIES):
        if Path(name).stem in RECORDS:
            (tmp_path / Path(name).name).write_bytes(data)
            found[Path(name).stem] = osv.load_record(data, name)
    assert set(found) == set(RECORDS)
    return found


def test_go_mod_upload_opens_and_closes_findings_on_the_standard_library(customers, go_records, tmp_path):
    report = services.advisories_import(actor=SYSTEM, path=tmp_path)
    assert report.added == len(RECORDS)
    deployment = deployment_create(
        actor=SYSTEM,
        organization=customers["acme"]["org"],
        name="edge proxy",
        product=Product.objects.create(name="Edge proxy", slug="edge-proxy", ecosystem="Go"),
    )

    def upload(go_mod: bytes) -> set[tuple[str, str, str, str]]:
        services.sbom_upload(actor=SYSTEM, deployment=deployment, filename="go.mod", data=go_mod)
        return set(
            Finding.objects.filter(deployment=deployment, status=Finding.Status.OPEN).values_list(
                "advisory__osv_id", "ecosystem", "name", "version"
            )
        )

    on_go_line = upload(
        b"module example.com/proxy\n\ngo 1.23.5\n\nrequire github.com/BurntSushi/toml v1.0.0\n"
    )
    expected = {
        (osv_id, "Go", "stdlib", "1.23.5")
        for osv_id, record in go_records.items()
        if any(a.name == "stdlib" and a.affects("1.23.5") for a in record.affected)
    }
    assert expected == {(osv_id, "Go", "stdlib", "1.23.5") for osv_id in RECORDS}
    assert on_go_line == expected

    # The toolchain line names the Go that builds the module: 1.23.6 has the first fix, not the second.
    on_toolchain = upload(b"module example.com/proxy\n\ngo 1.23.5\ntoolchain go1.23.6\n")
    assert on_toolchain == {("GO-2025-3503", "Go", "stdlib", "1.23.6")}
    closed = Finding.objects.get(deployment=deployment, advisory__osv_id="GO-2025-3447", version="1.23.5")
    assert closed.status == Finding.Status.FIXED
