"""Turn tickets, clocks and events into what the helpdesk pages lay out. No queries here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ossdesk.accounts.actor import shown_name
from ossdesk.domain.entitlements import SEVERITY_DEFINITIONS, Terms
from ossdesk.domain.sla import CLOCK_LABELS
from ossdesk.domain.sla import TargetDuration as Target
from ossdesk.doors.presenters import COVERAGE_LABELS
from ossdesk.tickets.models import SYSTEM_CHANNELS, Channel, Message, Status, Ticket, TicketEvent

SOON = timedelta(hours=2)  # the queue's "breaching soon" horizon
STATUS_LABELS = dict(Status.choices)
KIND_LABELS = dict(TicketEvent.Kind.choices)
CHANNEL_PHRASES = {
    "portal": "through the portal",
    "email": "by e-mail",
    "phone": "by phone",
    "dedicated": "through the dedicated channel",
    "api": "through the API",
    **{
        channel.value: f"by {channel.label}"
        for channel in (Channel.SYSTEM, Channel.SECURITY, Channel.MONITORING)
    },
}


def duration_label(seconds: float) -> str:
    """A short human length: "2 d 3 h", "3 h 05 min", "12 min", "under a minute"."""
    seconds = abs(int(seconds))
    minutes = seconds // 60
    if minutes < 1:
        return "under a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def target_label(target: str | None) -> str:
    if not target:
        return "no target"
    try:
        return Target.parse(target).label()
    except ValueError:
        return target


@dataclass(frozen=True)
class SlaBadge:
    """The queue's SLA cell: a colour (css), a short text and a longer explanation (title)."""

    css: str
    text: str
    title: str


def sla_badge(ticket: Ticket, now: datetime) -> SlaBadge:
    """From the ticket's stored SLA columns only, so a list of tickets costs no extra queries."""
    state, due = ticket.sla_state, ticket.next_due_at
    if not state:
        return SlaBadge("sla-none", "No SLA", "The customer's plan gives no response targets (best effort).")
    if due is not None and ticket.is_open:
        left = (due - now).total_seconds()
        when = f"due {due:%Y-%m-%d %H:%M} UTC"
        if left <= 0:
            return SlaBadge("sla-breached", f"overdue by {duration_label(left)}", f"Next target was {when}.")
        prefix = "Breached · " if state == "breached" else ""
        css = (
            "sla-breached"
            if state == "breached"
            else ("sla-soon" if left <= SOON.total_seconds() else "sla-ok")
        )
        return SlaBadge(css, f"{prefix}{duration_label(left)} left", f"Next target {when}.")
    if state == "breached":
        return SlaBadge("sla-breached", "Breached", "A target was missed.")
    if state == "paused":
        return SlaBadge("sla-paused", "Paused", "The clocks wait on the customer or a third party.")
    if state == "met":
        return SlaBadge("sla-met", "Met", "Every target so far was met.")
    return SlaBadge("sla-none", "—", "No clock is running.")


@dataclass(frozen=True)
class ClockCard:
    name: str
    label: str
    state: str
    target: str
    due_at: datetime | None
    stopped_at: datetime | None
    elapsed: str
    remaining: str
    overdue: bool
    percent: int
    pause_reason: str
    breaches: int


def clock_cards(summary: Iterable[Mapping[str, Any]]) -> list[ClockCard]:
    """One card per clock of `sla.clock_summary`, in the order the contract lists them."""
    order = list(CLOCK_LABELS)
    cards = []
    for row in sorted(summary, key=lambda r: order.index(r["name"]) if r["name"] in order else len(order)):
        remaining = row["remaining_seconds"]
        overdue = remaining is not None and remaining < 0
        cards.append(
            ClockCard(
                name=row["name"],
                label=row["label"],
                state=row["state"],
                target=target_label(row["target"]),
                due_at=row["due_at"],
                stopped_at=row["stopped_at"],
                elapsed=duration_label(row["elapsed_seconds"]),
                remaining=(
                    "—"
                    if remaining is None
                    else f"overdue by {duration_label(remaining)}"
                    if overdue
                    else f"{duration_label(remaining)} left"
                ),
                overdue=overdue,
                percent=min(100, round(row["fraction"] * 100)),
                pause_reason=row["pause_reason"] or "",
                breaches=row["breaches"],
            )
        )
    return cards


def severity_choice_label(severity: str, terms: Terms) -> str:
    """ "S1 — Production down or data at risk — first response 10 min, 24/7"."""
    text = f"{severity} — {SEVERITY_DEFINITIONS[severity]}"
    item = terms.severity(severity)
    if not terms.sla or not item.allowed:
        return text
    target = item.target("first_response")
    first = target.label() if target else "no first-response target"
    return f"{text} — first response {first}, {COVERAGE_LABELS[item.coverage]}"


def allowed_severities(terms: Terms) -> list[tuple[str, str]]:
    """The severities a customer's plan lets them raise, each with its definition and target."""
    return [
        (s, severity_choice_label(s, terms))
        for s in SEVERITY_DEFINITIONS
        if terms.sla and terms.severity(s).allowed
    ]


def event_text(event: TicketEvent, names: Mapping[str, str] | None = None) -> str:
    """What an event of the timeline says, in a line (`names`: see `timeline`)."""
    data = event.data or {}
    reason = f" — {data['reason']}" if data.get("reason") else ""
    kind = event.kind
    if kind == "opened":
        words = ["Opened"]
        if data.get("severity"):
            words.append(f"as {data['severity']}")
        if data.get("channel"):
            words.append(CHANNEL_PHRASES.get(data["channel"], f"via {data['channel']}"))
        if data.get("origin"):
            words.append(f"({data['origin']})")
        return " ".join(words)
    if kind == "status":
        return f"Status → {STATUS_LABELS.get(event.value, event.value)}{reason}"
    if kind == "severity":
        return f"Severity {data.get('from', '?')} → {event.value}{reason}"
    if kind == "assigned":
        team = f" ({data['team']})" if data.get("team") else ""
        assignee = data.get("assignee_name") or (names or {}).get(event.value) or event.value
        return f"Assigned to {assignee or 'nobody'}{team}"
    if kind == "workaround":
        return "Workaround given" + (f" — {data['note']}" if data.get("note") else "")
    if kind == "time_logged":
        kind_of = " consulting" if data.get("consulting") else ""
        return f"{duration_label(int(event.value or 0) * 60)}{kind_of} time logged" + (
            f" — {data['note']}" if data.get("note") else ""
        )
    if kind in {"sla_warning", "sla_breach"}:
        clock, _, level = event.value.partition(":")
        name = CLOCK_LABELS.get(clock, clock)
        return f"SLA breached: {name}" if kind == "sla_breach" else f"SLA warning: {name} at {level[4:]}%"
    if kind == "escalated":
        return f"Escalated to level {event.value}"
    if kind == "tagged":
        return f"Tags: {event.value.replace(',', ', ') or 'none'}"
    if kind == "reachability":
        return (
            "A contact reachable 24/7 is on record" if event.value == "yes" else "No contact reachable 24/7"
        )
    return KIND_LABELS.get(kind, kind) + (f": {event.value}" if event.value else "")


@dataclass(frozen=True)
class TimelineEntry:
    """A message (public reply or internal note) or another event, in time order."""

    at: datetime
    actor: str
    kind: str
    text: str = ""
    message: Message | None = None

    @property
    def is_message(self) -> bool:
        return self.message is not None


MESSAGE_KINDS = frozenset({"opened", "customer_message", "vendor_reply", "internal_note"})


def labels_to_resolve(events: Iterable[TicketEvent], messages: Iterable[Message]) -> set[str]:
    """Labels stored without a user that may be logins ("erin": rows written before display names were
    stored, or by the demo), for one lookup of their people's names."""
    labels = {e.actor_label for e in events if e.actor_id is None}
    labels |= {e.value for e in events if e.kind == "assigned" and not (e.data or {}).get("assignee_name")}
    labels |= {m.author_label for m in messages if m.author_id is None}
    return {label for label in labels if label}


def timeline(
    events: Iterable[TicketEvent], messages: Iterable[Message], names: Mapping[str, str] | None = None
) -> list[TimelineEntry]:
    """Events merged with the messages the viewer may see; a message shows once, with its event's time.

    `messages` is already scoped to the viewer: an event whose message is not among them is left out.
    `names` maps logins found in stored labels to the people's display names (`labels_to_resolve`).
    """
    names = names or {}

    def name(user: Any, label: str) -> str:
        if user is None and label in names:
            return names[label]
        return shown_name(user, label)

    visible = {m.pk: m for m in messages}
    shown: set[int] = set()
    entries: list[tuple[datetime, int, TimelineEntry]] = []
    for event in events:
        if event.message_id is not None:
            message = visible.get(event.message_id)
            if message is None:
                continue
            shown.add(message.pk)
            entries.append(
                (
                    event.at,
                    event.pk,
                    TimelineEntry(
                        event.at,
                        name(message.author, message.author_label),
                        event.kind,
                        event_text(event) if event.kind == "opened" else "",
                        message,
                    ),
                )
            )
        elif event.kind not in MESSAGE_KINDS:
            entries.append(
                (
                    event.at,
                    event.pk,
                    TimelineEntry(
                        event.at, name(event.actor, event.actor_label), event.kind, event_text(event, names)
                    ),
                )
            )
    for message in visible.values():  # messages stored without an event (none today) still show
        if message.pk not in shown:
            kind = (
                "customer_message"
                if message.from_customer
                else ("vendor_reply" if message.is_public else "internal_note")
            )
            entries.append(
                (
                    message.created_at,
                    0,
                    TimelineEntry(
                        message.created_at,
                        name(message.author, message.author_label),
                        kind,
                        "",
                        message,
                    ),
                )
            )
    return [entry for _, _, entry in sorted(entries, key=lambda item: (item[0], item[1]))]


def opened_by(ticket: Ticket, events: Iterable[TicketEvent]) -> str:
    """How the case came in, for the ticket's facts: "via Portal", or for a case ossdesk's own systems
    opened, who and why: "by ossdesk security (advisory OSSDESK-2026-0001)"."""
    if ticket.channel not in SYSTEM_CHANNELS:
        return f"via {ticket.get_channel_display()}"
    opened = next((e for e in events if e.kind == "opened"), None)
    origin = (opened.data or {}).get("origin") if opened is not None else None
    who = opened.actor_label if opened is not None and opened.actor_label else ticket.get_channel_display()
    return f"by {who}" + (f" ({origin})" if origin else "")
