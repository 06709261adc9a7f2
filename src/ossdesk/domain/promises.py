"""What a customer is promised, in words: "first response within 10 min, 24/7", or "within 4 business
hours (Mon–Fri 09:00–17:00 Europe/Berlin)". Pure: the terms and the calendar in, a sentence out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ossdesk.domain.entitlements import TargetDuration

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(zip(DAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
ALL_DAY = (("00:00", "24:00"),)


def weekly_hours_label(weekly: Mapping[str, Sequence[Sequence[str]]]) -> str:
    """Opening hours in a line: "Mon–Fri 09:00–17:00", "Mon–Thu 08:00–16:00; Fri 08:00–12:00",
    "around the clock". Consecutive days with the same hours share one entry; closed days are left out."""
    hours = {day: tuple((str(a), str(b)) for a, b in weekly.get(day, ())) for day in DAYS}
    if all(hours[day] == ALL_DAY for day in DAYS):
        return "around the clock"
    runs: list[tuple[str, str, tuple[tuple[str, str], ...]]] = []
    for day in DAYS:
        if not hours[day]:
            continue
        if runs and runs[-1][2] == hours[day] and DAYS.index(runs[-1][1]) == DAYS.index(day) - 1:
            runs[-1] = (runs[-1][0], day, hours[day])
        else:
            runs.append((day, day, hours[day]))
    parts = []
    for first, last, intervals in runs:
        days = DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]}–{DAY_NAMES[last]}"
        parts.append(f"{days} {', '.join(f'{a}–{b}' for a, b in intervals)}")
    return "; ".join(parts) or "never open"


def response_promise(
    target: TargetDuration, coverage: str, weekly: Mapping[str, Sequence[Sequence[str]]], tz: str
) -> str:
    """How soon, in the terms the clock measures it: "within 10 min, 24/7" on the wall clock, else the
    business hours it counts in ("within 4 business hours (Mon–Fri 09:00–17:00 Europe/Berlin)")."""
    if coverage == "24x7" and not target.business:
        return f"within {target.label()}, 24/7"
    hours = weekly_hours_label(weekly)
    if hours == "around the clock":
        return f"within {target.label()}, 24/7"
    counted = "" if target.business else " of business hours"
    return f"within {target.label()}{counted} ({hours} {tz})"
