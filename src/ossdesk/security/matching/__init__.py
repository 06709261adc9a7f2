"""Matching advisories against the portfolio, by (ecosystem, normalised package name).

Three entry points, one diff:

* `match_advisories(ids)` — an advisory was imported, changed or published: look up the current components
  with its packages' keys (an index read), evaluate each distinct version once, diff against the findings
  of those advisories.
* `match_deployments(ids)` — a deployment has a new SBOM: look up the advisories of its packages' keys,
  diff against the findings of those deployments.
* `match_all()` — every current component against every advisory (after a large import, or on demand).

The diff creates findings that are new (open, or what a VEX statement says), updates the version of
those that moved, reopens fixed ones that came back, and closes as fixed those no longer matched (as not
affected when their advisory was withdrawn). Nothing is deleted: a finding's history stays.

`evaluate_inventory(id, components)` matches an inventory not stored yet; `preview_deployment` diffs it and
writes nothing, `apply_inventory` applies that same evaluation: what an upload would open, reopen and close
is decided by the very code that applies it.
`evaluate_more` adds a further slice of the same inventory, for an upload read a slice at a time.

Modules by concern: `results` (what a run returns), `lookup` (the join: records, entries, components,
hits), `runs` (the entry points), `diff` (plan and apply), `context` (per-run lookups), `vex`, `events`
(webhooks) and `rerank`. Callers import from here.
"""

from __future__ import annotations

from ossdesk.security.matching.lookup import advisory_records
from ossdesk.security.matching.rerank import rerank
from ossdesk.security.matching.results import (
    CHUNK,
    Change,
    Key,
    Match,
)
from ossdesk.security.matching.runs import (
    Evaluation,
    apply_inventory,
    evaluate_inventory,
    evaluate_more,
    match_advisories,
    match_all,
    match_deployments,
    preview_deployment,
)
from ossdesk.security.matching.vex import (
    VEX_TO_STATUS,
    purl_covers,
    vex_reason,
)

__all__ = [
    "CHUNK",
    "VEX_TO_STATUS",
    "Change",
    "Evaluation",
    "Key",
    "Match",
    "advisory_records",
    "apply_inventory",
    "evaluate_inventory",
    "evaluate_more",
    "match_advisories",
    "match_all",
    "match_deployments",
    "preview_deployment",
    "purl_covers",
    "rerank",
    "vex_reason",
]
