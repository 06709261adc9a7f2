"""Every write of a satisfaction survey: made once per solve (by the solved mail or the sweep),
answered with one click or on the portal, optionally with a comment that makes the answer final."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ossdesk.accounts.access import can_rate_support
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User
from ossdesk.audit.services import audit_record
from ossdesk.surveys.models import Rating, SurveyResponse
from ossdesk.surveys.tokens import SURVEY_TTL, survey_token
from ossdesk.tickets.models import Status, Team, Ticket, TicketEvent

SURVEYOR = Actor.system("surveys")
COMMENT_MAX_CHARS = 5000


class SurveyClosed(ValidationError):
    """The survey can no longer be answered: it expired, or its comment was sent."""


def is_solve(event: TicketEvent) -> bool:
    return event.kind == TicketEvent.Kind.STATUS and event.value == Status.SOLVED


def _assignment_at(ticket: Ticket, event: TicketEvent) -> tuple[int | None, int | None]:
    """The engineer and team the ticket had when it was solved, from its last assignment event."""
    last = (
        TicketEvent.objects.filter(ticket_id=ticket.pk, kind=TicketEvent.Kind.ASSIGNED)
        .filter(Q(at__lt=event.at) | Q(at=event.at, pk__lt=event.pk))
        .order_by("-at", "-pk")
        .first()
    )
    if last is None:  # assigned without an event (imported or demo data): the ticket's own columns
        return ticket.assignee_id, ticket.team_id
    data = last.data or {}
    assignee = data.get("assignee")
    engineer_id = (
        User.objects.filter(pk=assignee).values_list("pk", flat=True).first()
        if isinstance(assignee, int)
        else None
    )
    team_name = data.get("team")
    team_id = Team.objects.filter(name=team_name).values_list("pk", flat=True).first() if team_name else None
    return engineer_id, team_id


def survey_for_solve(*, ticket: Ticket, event: TicketEvent, now: datetime | None = None) -> SurveyResponse:
    """The pending survey of one solve of a ticket, made on first call; later calls return the same row."""
    if not is_solve(event) or event.ticket_id != ticket.pk:
        raise ValueError(f"Event {event.pk} is not a solve of ticket #{ticket.pk}.")
    existing = SurveyResponse.objects.filter(ticket=ticket, solve_event=event).first()
    if existing is not None:
        return existing
    engineer_id, team_id = _assignment_at(ticket, event)
    try:
        with transaction.atomic():
            survey = SurveyResponse.objects.create(
                ticket=ticket,
                solve_event=event,
                organization_id=ticket.organization_id,
                contact_id=ticket.contact_id,
                engineer_id=engineer_id,
                team_id=team_id,
                token=survey_token(ticket.pk, event.pk),
                solved_at=event.at,
                created_at=now or timezone.now(),
            )
            audit_record(
                actor=SURVEYOR,
                action="create",
                instance=survey,
                after={
                    "ticket": ticket.pk,
                    "solve_event": event.pk,
                    "engineer": engineer_id,
                    "team": team_id,
                    "contact": ticket.contact_id,
                },
                organization_id=ticket.organization_id,
            )
    except IntegrityError:  # made meanwhile by the mail path or another sweep
        return SurveyResponse.objects.get(ticket=ticket, solve_event=event)
    return survey


def survey_links(survey: SurveyResponse) -> list[dict[str, str]]:
    """One absolute link per rating: a click on one records it."""
    base = settings.OSSDESK_MAIL_LINK_URL.rstrip("/")
    return [
        {
            "rating": value,
            "label": str(label),
            "url": base + reverse("web:survey-rate", args=[survey.token, value]),
        }
        for value, label in Rating.choices
    ]


def survey_mail_context(*, ticket: Ticket, event: TicketEvent) -> dict[str, Any]:
    """What the solved mail needs for its rating links; makes the solve's survey if it is not there yet."""
    return {"survey_links": survey_links(survey_for_solve(ticket=ticket, event=event))}


def surveys_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Make the surveys of recent solves that have none yet (the mail path makes most); returns how many.

    Solves older than the link lifetime get none: their link would be dead on arrival.
    """
    now = now or timezone.now()
    solves = (
        TicketEvent.objects.filter(
            kind=TicketEvent.Kind.STATUS, value=Status.SOLVED, at__gte=now - SURVEY_TTL
        )
        .exclude(pk__in=SurveyResponse.objects.values("solve_event_id"))
        .select_related("ticket")
        .order_by("pk")[:limit]
    )
    made = 0
    for event in solves:
        survey_for_solve(ticket=event.ticket, event=event, now=now)
        made += 1
    return made


def link_actor(survey: SurveyResponse) -> Actor:
    """Who answers through a survey link: the ticket's contact, with no sign-in (the token is the key)."""
    contact = survey.contact
    user = (
        contact.user if contact is not None and contact.user is not None and contact.user.is_active else None
    )
    label = f"{contact.email} (survey link)" if contact is not None else "survey link"
    return Actor(user=user, role=Role.CUSTOMER, organization_id=survey.organization_id, label=label)


@transaction.atomic
def survey_answer(
    *,
    actor: Actor,
    survey: SurveyResponse,
    rating: str,
    comment: str | None = None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Record a rating (the last click counts) and, optionally, a comment, which makes the answer final.

    Clicking the same rating again changes nothing and audits nothing.
    """
    if not can_rate_support(actor, survey.organization_id):
        raise PermissionDenied("Only the customer's own people answer its surveys.")
    if rating not in Rating.values:
        raise ValidationError({"rating": f"Choose from {', '.join(Rating.values)}."})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_CHARS:
        raise ValidationError({"comment": f"At most {COMMENT_MAX_CHARS} characters, please."})
    now = now or timezone.now()
    survey = SurveyResponse.objects.select_for_update().get(pk=survey.pk)
    if now >= survey.created_at + SURVEY_TTL:
        raise SurveyClosed({"rating": "This survey has expired."})
    if survey.is_final:
        raise SurveyClosed({"rating": "This survey was answered already; thank you."})
    before: dict[str, Any] = {"rating": survey.rating, "comment": survey.comment}
    changed = []
    if rating != survey.rating:
        survey.rating, survey.answered_at = rating, now
        changed += ["rating", "answered_at"]
    if comment:
        survey.comment, survey.commented_at = comment, now
        changed += ["comment", "commented_at"]
    if not changed:
        return survey
    survey.save(update_fields=changed)
    audit_record(
        actor=actor,
        action="update",
        instance=survey,
        before=before,
        after={"rating": survey.rating, "comment": survey.comment},
        organization_id=survey.organization_id,
    )
    return survey


def current_solve(ticket: Ticket) -> TicketEvent | None:
    """The solve event of the ticket's present cycle: solved now, or closed straight after that solve."""
    if ticket.status not in {Status.SOLVED, Status.CLOSED}:
        return None
    last_two = list(
        TicketEvent.objects.filter(ticket_id=ticket.pk, kind=TicketEvent.Kind.STATUS).order_by("-at", "-pk")[
            :2
        ]
    )
    for event in last_two:
        if is_solve(event):
            return event
        if event.value != Status.CLOSED:
            return None
    return None


def survey_answer_ticket(
    *, actor: Actor, ticket: Ticket, rating: str, comment: str | None = None
) -> SurveyResponse:
    """The portal's rating of a solved ticket: the survey of its present solve, made if need be."""
    if not can_rate_support(actor, ticket.organization_id):
        raise PermissionDenied("Only the customer's own people rate their tickets.")
    event = current_solve(ticket)
    if event is None:
        raise ValidationError({"rating": "Only a solved ticket can be rated."})
    if event.at < timezone.now() - SURVEY_TTL:
        raise SurveyClosed({"rating": "This ticket was solved too long ago to rate it."})
    survey = survey_for_solve(ticket=ticket, event=event)
    return survey_answer(actor=actor, survey=survey, rating=rating, comment=comment)
