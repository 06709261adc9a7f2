"""CSAF refusals the main CSAF tests do not reach: malformed products and advisories, documents whose
product tree uses full product names and relationships, vectors the CVSS library cannot compute, and an
installation without its schemas or its version."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from importlib import metadata
from typing import Any

import pytest
from tests.domain.test_csaf import DJANGO, MODIFIED, PUBLISHED, advisory

from ossdesk.domain import csaf
from ossdesk.domain.csaf import MANDATORY_TESTS, Revision, to_csaf, validate_csaf

PLATFORM = {"name": "Vendor platform 1.0", "product_id": "platform-1.0"}  # no purl: not every product has one
DJANGO_ID = "pypi/django@4.2.10-vendor1"


def with_platform(relates_to: str = "platform-1.0") -> dict[str, Any]:
    """The standard advisory, plus a platform product and 'django 4.2.10-vendor1 runs on it'."""
    document = to_csaf(advisory())
    tree = document["product_tree"]
    tree["full_product_names"] = [copy.deepcopy(PLATFORM)]
    tree["relationships"] = [
        {
            "category": "default_component_of",
            "full_product_name": {
                "name": "django 4.2.10-vendor1 on Vendor platform 1.0",
                "product_id": "platform-1.0:django",
            },
            "product_reference": DJANGO_ID,
            "relates_to_product_reference": relates_to,
        }
    ]
    return document


def mandatory_test(section: str):
    return next(test for s, _, test in MANDATORY_TESTS if s == section)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "product ' ': name is empty"),
        ({"ecosystem": ""}, "product 'django': ecosystem is empty"),
    ],
)
def test_affected_product_refuses_empty_names(changes, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        replace(DJANGO, **changes)


def test_vers_of_an_exact_version_is_refused():
    assert DJANGO.vers("<4.2.10-vendor1") == "vers:pypi/<4.2.10-vendor1"
    with pytest.raises(ValueError, match=r"^'4.2.10-vendor1' is not a range$"):
        DJANGO.vers("4.2.10-vendor1")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"tlp": "PURPLE"},
            "advisory 'OSSDESK-2026-0001': TLP 'PURPLE' is not one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED",
        ),
        (
            {"aliases": (" GHSA-vm8q-m57g-pff3",)},
            "advisory 'OSSDESK-2026-0001': alias ' GHSA-vm8q-m57g-pff3' is empty or has surrounding spaces",
        ),
        (
            {
                "revision": 2,
                "revision_history": (Revision(PUBLISHED, "Initial version."), Revision(MODIFIED, " ")),
            },
            "advisory 'OSSDESK-2026-0001': a revision has no summary",
        ),
    ],
)
def test_advisory_refuses_with_the_exact_message(changes, message):
    with pytest.raises(ValueError) as caught:
        advisory(**changes)
    assert str(caught.value) == message


def test_full_product_names_and_relationships_are_valid_csaf():
    assert validate_csaf(with_platform()) == []


def test_a_relationship_to_an_undefined_product_is_reported():
    problems = validate_csaf(with_platform(relates_to="platform-2.0"))
    assert problems == [
        "6.1.1 Missing Definition of Product ID: /product_tree/relationships/0/relates_to_product_reference: "
        "product id 'platform-2.0' is not defined in the product tree"
    ]


def test_a_full_product_name_defined_twice_is_reported():
    document = with_platform()
    document["product_tree"]["full_product_names"].append(copy.deepcopy(PLATFORM))
    assert validate_csaf(document) == [
        "6.1.2 Multiple Definition of Product ID: /product_tree/full_product_names/1: "
        "product id 'platform-1.0' is already defined at /product_tree/full_product_names/0"
    ]


@pytest.mark.parametrize(
    ("vector", "reason"),
    [
        ("CVSS:3.1/AV:N", 'Missing mandatory metrics "AC, PR, UI, S, C, I, A"'),
        ("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 'Duplicate metric "AV"'),
    ],
)
def test_a_vector_the_schema_accepts_but_cvss_cannot_compute(vector, reason):
    document = to_csaf(advisory())
    document["vulnerabilities"][0]["scores"][0]["cvss_v3"]["vectorString"] = vector
    assert validate_csaf(document) == [
        "6.1.9 Invalid CVSS computation: /vulnerabilities/0/scores/0/cvss_v3: "
        f"the vector cannot be computed: {reason}"
    ]


def test_the_inconsistent_cvss_test_compares_version_and_vector():
    # The schema ties a cvss_v3 version to its vector's prefix, so validate_csaf never gets here with a
    # mismatch; the test in MANDATORY_TESTS still says it when run on its own, as the list allows.
    document = to_csaf(advisory())
    document["vulnerabilities"][0]["scores"][0]["cvss_v3"]["version"] = "3.0"
    assert list(mandatory_test("6.1.10")(document)) == [
        "/vulnerabilities/0/scores/0/cvss_v3/version: is '3.0', the vector says '3.1'"
    ]
    assert validate_csaf(document)[0].startswith("schema: /vulnerabilities/0/scores/0/cvss_v3")


def test_a_date_that_is_not_a_string_fails_on_its_type_not_its_format():
    document = to_csaf(advisory())
    document["document"]["tracking"]["current_release_date"] = 20260305
    assert validate_csaf(document) == [
        "schema: /document/tracking/current_release_date: 20260305 is not of type 'string'"
    ]


def test_missing_schemas_are_named(monkeypatch, tmp_path):
    monkeypatch.setattr(csaf, "SCHEMA_DIR", tmp_path)
    csaf._csaf_validator.cache_clear()
    with pytest.raises(FileNotFoundError) as caught:
        validate_csaf(to_csaf(advisory()))
    assert str(caught.value).startswith("schema ")
    assert str(caught.value).endswith(f" is missing from {tmp_path} (is package data installed?)")


@pytest.fixture
def not_installed(monkeypatch):
    def version(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", version)
    csaf._engine_version.cache_clear()
    yield
    csaf._engine_version.cache_clear()


def test_an_engine_without_a_version_is_named_only(not_installed):
    document = to_csaf(advisory(), generated_at=MODIFIED + timedelta(hours=1))
    assert document["document"]["tracking"]["generator"] == {
        "date": "2026-03-05T15:00:00Z",
        "engine": {"name": csaf.ENGINE_NAME},
    }
