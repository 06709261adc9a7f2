"""The clock registry (ossdesk.domain.sla.CLOCK_SPECS) and the pause reasons: every table that names clock
kinds is read from it, so a row added there is a kind the terms, the policy, the pages and the notices
all know."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ossdesk.domain.calendar import BusinessCalendar
from ossdesk.domain.entitlements import CLOCKS, SEVERITIES, Terms
from ossdesk.domain.sla import (
    CLOCK_LABELS,
    CLOCK_NAMES,
    CLOCK_SPECS,
    DEFAULT_PAUSES,
    DEFAULT_WARNING_LEVELS,
    STATUSES,
    STOPPED_STATUSES,
    TARGET_KEYS,
    TARGET_LABELS,
    ClockSpec,
    Event,
    History,
    PauseReason,
    SlaPolicy,
    TargetDuration,
    _segments,  # the status segments the cycle rules are given
    clock_spec,
    clock_targets,
    evaluate,
    until_first_reply,
)
from ossdesk.plans.defaults import DEFAULT_PLANS

SPEC_IDS = [spec.name for spec in CLOCK_SPECS]
OPENED = datetime(2025, 4, 14, 10, 0, tzinfo=UTC)


def test_names_are_unique_codes_that_fit_the_stored_columns():
    assert len(set(CLOCK_NAMES)) == len(CLOCK_SPECS)
    for spec in CLOCK_SPECS:
        assert spec.name.isidentifier()
        assert spec.name == spec.name.lower()
        assert len(spec.name) <= 20  # TicketClock.name, SlaNotice.clock


@pytest.mark.parametrize("spec", CLOCK_SPECS, ids=SPEC_IDS)
def test_every_kind_has_a_label(spec: ClockSpec):
    assert spec.label.strip()
    assert spec.label[0].isupper()
    assert CLOCK_LABELS[spec.name] == spec.label


def test_labels_tell_kinds_apart():
    assert len(set(CLOCK_LABELS.values())) == len(CLOCK_SPECS)


@pytest.mark.parametrize("spec", CLOCK_SPECS, ids=SPEC_IDS)
def test_every_target_key_is_a_term_of_each_severity(spec: ClockSpec):
    assert spec.target_key in TARGET_KEYS
    assert spec.target_key in CLOCKS
    for plan in DEFAULT_PLANS:
        for severity in SEVERITIES:
            assert spec.target_key in plan["terms"]["severities"][severity], (plan["code"], severity)


@pytest.mark.parametrize("spec", CLOCK_SPECS, ids=SPEC_IDS)
def test_pauses_are_statuses_a_running_clock_can_have(spec: ClockSpec):
    assert spec.pauses <= set(STATUSES) - STOPPED_STATUSES
    assert DEFAULT_PAUSES[spec.name] == spec.pauses


@pytest.mark.parametrize("spec", CLOCK_SPECS, ids=SPEC_IDS)
def test_warning_levels_rise_below_the_target(spec: ClockSpec):
    assert list(spec.warnings) == sorted(set(spec.warnings))
    assert all(0 < level < 1 for level in spec.warnings)
    # A level is stored as "warnNN" (SlaNotice.level, 10 characters): whole percentages tell them apart.
    assert len({round(level * 100) for level in spec.warnings}) == len(spec.warnings)
    assert DEFAULT_WARNING_LEVELS[spec.name] == spec.warnings


@pytest.mark.parametrize("spec", CLOCK_SPECS, ids=SPEC_IDS)
def test_every_cycle_rule_starts_at_or_after_the_opening(spec: ClockSpec):
    reply, message = OPENED + timedelta(minutes=30), OPENED + timedelta(minutes=40)
    events = [Event(OPENED, "opened"), Event(reply, "vendor_reply"), Event(message, "customer_message")]
    now = OPENED + timedelta(hours=1)
    cycles = spec.cycles(History.of(events, _segments(events, now), now))
    assert cycles, spec.name
    for cycle in cycles:
        assert cycle.start >= OPENED
        assert cycle.stop is None or cycle.stop >= cycle.start


def test_target_keys_are_the_plans_targets_in_order_each_with_a_heading():
    assert TARGET_KEYS == ("first_response", "update_cadence", "workaround", "resolution")
    assert TARGET_LABELS["update_cadence"] == "Updates every"  # the plans' heading, not the clock's label
    assert all(label.strip() for label in TARGET_LABELS.values())
    # Every target key is set by some kind, and some kinds share one (next response: first response's).
    assert {spec.target_key for spec in CLOCK_SPECS} == set(TARGET_KEYS)
    assert clock_spec("next_response").target_key == "first_response"


def test_terms_read_a_target_per_key_and_the_policy_one_per_kind():
    raw = DEFAULT_PLANS[-1]["terms"]
    item = Terms.from_dict(raw).severity("S1")
    assert item.target("first_response") == TargetDuration(15, "m")
    assert item.target("resolution") == TargetDuration(72, "h")
    with pytest.raises(ValueError, match="unknown clock"):
        item.target("next_response")  # a kind, not a key of the terms
    targets = clock_targets(item.target)
    assert list(targets) == list(CLOCK_NAMES)
    assert targets["next_response"] == targets["first_response"] == TargetDuration(15, "m")


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown clock 'lunch'"):
        clock_spec("lunch")


def test_a_kind_added_to_the_registry_is_evaluated(monkeypatch):
    import ossdesk.domain.sla as sla

    extra = ClockSpec(
        "acknowledge",
        "Acknowledge",
        target_key="first_response",
        pauses=frozenset(),
        cycles=until_first_reply,
    )
    monkeypatch.setattr(sla, "_SPECS_BY_NAME", {**sla._SPECS_BY_NAME, extra.name: extra})
    policy = SlaPolicy(
        targets={"acknowledge": TargetDuration(1, "h")},
        coverage="24x7",
        business=BusinessCalendar.always_open("UTC"),
        warnings={"acknowledge": (0.25,)},
    )
    now = OPENED + timedelta(minutes=20)
    state = evaluate([Event(OPENED, "opened")], policy, now, ("acknowledge",))["acknowledge"]
    assert (state.label, state.state, state.due_at) == ("Acknowledge", "running", OPENED + timedelta(hours=1))
    assert state.warnings_crossed() == (0.25,)


# -- pause reasons ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_pauses_under_its_own_code_with_the_words_of_old(status: str):
    reason = PauseReason.for_status(status)
    assert reason.value == status
    assert reason.label == f"the ticket is {status.replace('_', ' ')}"
    assert not reason.ends_by_the_calendar


def test_the_calendar_pause_says_why_and_ends_by_itself():
    reason = PauseReason.NO_REACHABLE_CONTACT
    assert reason.label == "no contact reachable 24/7 is on record, so the clock runs in business hours"
    assert reason.ends_by_the_calendar
    assert [r for r in PauseReason if r.ends_by_the_calendar] == [reason]


def test_labels_are_unique_and_stored_codes_read_back():
    assert len({r.label for r in PauseReason}) == len(PauseReason)
    for reason in PauseReason:
        assert len(reason.value) <= 200  # TicketClock.pause_reason
        assert PauseReason.label_of(reason.value) == reason.label
    assert PauseReason.label_of("some older words") == "some older words"


def test_a_paused_state_keeps_the_code_and_shows_the_words():
    policy = SlaPolicy(
        targets={"resolution": TargetDuration(8, "h")},
        coverage="24x7",
        business=BusinessCalendar.always_open("UTC"),
    )
    events = [Event(OPENED, "opened"), Event(OPENED + timedelta(hours=1), "status", "waiting_on_customer")]
    state = evaluate(events, policy, OPENED + timedelta(hours=2), ("resolution",))["resolution"]
    assert state.pause is PauseReason.WAITING_ON_CUSTOMER
    assert state.pause_reason == "the ticket is waiting on customer"
