"""Features a plan sells are listed from one registry: one that is not built yet reads "coming" on every
page that lists features, never as included; switching its flag on is all it takes to show it as working."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ossdesk.domain.entitlements import FEATURE_REGISTRY, FEATURES, Terms, feature_get
from ossdesk.plans.defaults import DEFAULT_PLANS
from tests.accounts.factories import PASSWORD

World = dict[str, dict[str, Any]]


def _row(html: str, label: str) -> list[str]:
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html, re.DOTALL)
    assert row is not None, label
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def _with_all_available(monkeypatch: Any) -> None:
    """As if the features still being built were done: the flag a later issue switches on."""
    done = tuple(dataclasses.replace(f, available=True) for f in FEATURE_REGISTRY)
    monkeypatch.setattr("ossdesk.doors.presenters.FEATURE_REGISTRY", done)


def test_registry_has_one_row_per_feature_and_covers_every_default_plan() -> None:
    assert len(set(FEATURES)) == len(FEATURE_REGISTRY)
    for plan in DEFAULT_PLANS:
        for code in Terms.from_dict(plan["terms"]).features:
            assert feature_get(code).code == code


def test_some_features_sold_today_are_still_coming() -> None:
    """The default plans sell monitoring and compliance reports, which ossdesk does not do yet."""
    coming = {f.code for f in FEATURE_REGISTRY if not f.available}
    assert {"monitoring", "proactive_monitoring", "compliance_reports"} <= coming
    assert feature_get("sbom_scanning").available


def test_plans_page_never_ticks_a_feature_that_is_not_built(tiers: Any, client: Any) -> None:
    html = client.get("/plans/").content.decode()
    for feature in FEATURE_REGISTRY:
        if feature.available:
            assert "coming" not in " ".join(_row(html, feature.label))
        else:
            cells = _row(html, f"{feature.label} (coming)")
            assert "✓" not in cells
            assert "coming" in cells  # Enterprise sells every feature
    assert _row(html, "Monitoring (coming)") == ["—", "—", "coming", "coming"]
    assert _row(html, "SBOM scanning") == ["—", "—", "✓", "✓"]


def test_plans_page_shows_a_feature_as_included_once_its_flag_is_on(
    tiers: Any, client: Any, monkeypatch: Any
) -> None:
    _with_all_available(monkeypatch)
    html = client.get("/plans/").content.decode()
    assert _row(html, "Monitoring") == ["—", "—", "✓", "✓"]
    assert "(coming)" not in html


def _portal_features(client: Any, contact: Any) -> list[tuple[str, str]]:
    client.login(username=contact.email, password=PASSWORD)
    html = client.get("/portal/").content.decode()
    return re.findall(r'<li class="(on|off|coming)">([^<]+)', html)


def test_portal_marks_features_not_built_as_coming(world: World, client: Any) -> None:
    features = {label.strip(): state for state, label in _portal_features(client, world["acme"]["contact"])}
    assert features["SBOM scanning"] == "on"  # Business includes it and it works
    assert features["Monitoring"] == "coming"  # Business sells it; not built yet
    assert features["Compliance reports"] == "off"  # not in Business
    assert "on" not in {features[f.label] for f in FEATURE_REGISTRY if not f.available}


def test_portal_shows_a_feature_as_included_once_its_flag_is_on(
    world: World, client: Any, monkeypatch: Any
) -> None:
    _with_all_available(monkeypatch)
    features = {label.strip(): state for state, label in _portal_features(client, world["acme"]["contact"])}
    assert features["Monitoring"] == "on"
    assert "coming" not in features.values()


def test_entitlements_api_names_the_features_still_coming(world: World, api_client_for: Any) -> None:
    contact = world["acme"]["admin"].user
    body = api_client_for(contact).get(f"/api/organizations/{world['acme']['org'].pk}/entitlements/").json()
    assert "monitoring" in body["features"]  # Business sells it
    assert body["features_coming"] == ["monitoring"]  # and it is not built yet
    assert set(body["features_coming"]) <= set(body["features"])
    assert "sbom_scanning" not in body["features_coming"]
