"""SLA clocks at their edges: a clock without a target or not running reports no share used, and asking
for no clocks gives none."""

from __future__ import annotations

from tests.domain.test_sla import BH, OPENED, S1, TICKET, at, evaluate


def test_asking_for_no_clocks_evaluates_none():
    assert evaluate(TICKET, BH, at("Mon 16:00"), clocks=[]) == {}


def test_a_clock_that_is_not_counting_has_used_no_share():
    states = evaluate(TICKET, BH, at("Mon 16:00"))
    waiting = states["next_response"]  # no customer message after the vendor's reply: nothing to answer
    assert str(waiting.target) == "2bh"
    assert waiting.remaining is None
    assert waiting.fraction == 0.0
    assert states["first_response"].fraction == 0.25  # 30 of 120 business minutes


def test_a_clock_without_a_target_has_used_no_share():
    resolution = evaluate([OPENED], S1, at("Mon 16:00"))["resolution"]
    assert resolution.target is None
    assert resolution.fraction == 0.0
