"""`{% ticket_survey ticket %}`: the "How did we do?" box on a solved ticket's page, for its customer."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ossdesk.doors.actor import request_actor
from ossdesk.surveys import selectors
from ossdesk.surveys.tokens import SURVEY_TTL
from ossdesk.surveys.web.forms import AnswerForm
from ossdesk.tickets.models import Status, Ticket

register = template.Library()


@register.inclusion_tag("surveys/_ticket_survey.html", takes_context=True)
def ticket_survey(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """Shown to the customer's people while the ticket's latest solve may still be rated; no query else."""
    actor = request_actor(context["request"])
    show = (
        actor.is_customer
        and ticket.status in {Status.SOLVED, Status.CLOSED}
        and ticket.solved_at is not None
        and ticket.solved_at >= timezone.now() - SURVEY_TTL
    )
    if not show:
        return {"show": False}
    survey = selectors.survey_for_ticket(actor=actor, ticket=ticket)
    if survey is not None and survey.solved_at != ticket.solved_at:
        survey = None  # an earlier solve's survey; this solve has none yet
    return {
        "show": True,
        "ticket": ticket,
        "survey": survey,
        "form": AnswerForm(initial={"rating": survey.rating if survey else ""}),
        "csrf_token": context.get("csrf_token"),
    }
