"""The entry points: match advisories, deployments, an inventory not stored yet, or everything."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from ossdesk.security.matching.diff import apply_diff, plan_diff
from ossdesk.security.matching.lookup import (
    Evaluator,
    chunks,
    component_rows,
    components_with_keys,
    desired_hits,
    entries_for,
    entries_for_components,
)
from ossdesk.security.matching.results import Hit, Key, Match
from ossdesk.security.models import AffectedPackage, Finding


def match_advisories(advisory_ids: Iterable[int], *, now: datetime | None = None) -> Match:
    """Findings of these advisories across the whole portfolio, brought up to date."""
    ids = sorted(set(advisory_ids))
    result = Match()
    for chunk in chunks(ids, 2000):
        rows = list(
            AffectedPackage.objects.filter(advisory_id__in=chunk).values_list(
                "advisory_id", "position", "ecosystem", "name_key"
            )
        )
        entries = entries_for(rows)
        desired = desired_hits(components_with_keys(list(entries)), Evaluator(entries))
        existing = Finding.objects.filter(advisory_id__in=chunk)
        result += apply_diff(desired, existing, now=now)
    return result


def match_deployments(deployment_ids: Iterable[int], *, now: datetime | None = None) -> Match:
    """Findings of these deployments against every advisory, brought up to date."""
    ids = sorted(set(deployment_ids))
    components: list[tuple[Any, ...]] = []
    for chunk in chunks(ids):
        marks = ", ".join(["%s"] * len(chunk))
        components += component_rows(f"deployment_id IN ({marks})", list(chunk))
    desired = desired_hits(components, Evaluator(entries_for_components(components)))
    return apply_diff(desired, Finding.objects.filter(deployment_id__in=ids), now=now)


@dataclass(frozen=True)
class Evaluation:
    """What an inventory matches, computed once: previewed, then applied without evaluating it again."""

    deployment_id: int
    desired: dict[Key, Hit]


def evaluate_inventory(
    deployment_id: int, components: Sequence[tuple[str, str, str, str, str]]
) -> Evaluation:
    """The advisories these components (ecosystem, name_key, version, purl, name) match; reads only."""
    evaluation = Evaluation(deployment_id, {})
    evaluate_more(evaluation, components)
    return evaluation


def evaluate_more(evaluation: Evaluation, components: Sequence[tuple[str, str, str, str, str]]) -> None:
    """Add what further components of the same inventory match, in their order: an inventory evaluated
    a slice at a time equals one evaluated at once (a later version of a package wins either way)."""
    rows = [(evaluation.deployment_id, *component) for component in components]
    evaluation.desired.update(desired_hits(rows, Evaluator(entries_for_components(rows))))


def preview_deployment(inventory: Evaluation, *, now: datetime | None = None) -> Match:
    """What making this inventory the deployment's would do to its findings; nothing is written."""
    existing = Finding.objects.filter(deployment_id=inventory.deployment_id)
    return plan_diff(inventory.desired, existing, now=now or timezone.now()).result


def apply_inventory(inventory: Evaluation, *, now: datetime | None = None) -> Match:
    """The deployment's findings brought up to date with an inventory evaluated beforehand (so that the
    write transaction only writes)."""
    return apply_diff(
        inventory.desired, Finding.objects.filter(deployment_id=inventory.deployment_id), now=now
    )


def match_all(*, now: datetime | None = None) -> Match:
    """Every current component against every advisory: the full re-match."""
    rows = list(AffectedPackage.objects.values_list("advisory_id", "position", "ecosystem", "name_key"))
    entries = entries_for(rows)
    evaluator = Evaluator(entries)
    wanted = set(entries)
    components = (row for row in component_rows("1 = 1", []) if (row[1], row[2]) in wanted)
    desired = desired_hits(components, evaluator)
    return apply_diff(desired, Finding.objects.all(), now=now)
