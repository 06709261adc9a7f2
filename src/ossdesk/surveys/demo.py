"""Demo surveys: every solve among the demo's tickets gets its survey, answered an hour or two after the
solved mail, so the results page and the ticket pages have something to show."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from ossdesk.surveys.models import Rating
from ossdesk.surveys.services import link_actor, survey_answer, survey_for_solve
from ossdesk.tickets.models import Status, TicketEvent

# (rating, comment) in turn; most customers are happy, some say why not.
ANSWERS = [
    (Rating.GOOD, "Quick and precise: the concurrent index did it. Thank you!"),
    (Rating.GOOD, ""),
    (Rating.BAD, "Solved, but it took three rounds of questions to get there."),
    (Rating.GOOD, "Clear explanation of the root cause."),
]


@transaction.atomic
def demo_surveys() -> int:
    """Answered surveys for the demo's solved tickets (call after demo_tickets); returns how many."""
    solves = (
        TicketEvent.objects.filter(kind=TicketEvent.Kind.STATUS, value=Status.SOLVED)
        .select_related("ticket__contact__user")
        .order_by("at", "pk")
    )
    answered = 0
    for index, event in enumerate(solves):
        survey = survey_for_solve(ticket=event.ticket, event=event, now=event.at)
        if survey.is_answered:
            continue
        rating, comment = ANSWERS[index % len(ANSWERS)]
        survey_answer(
            actor=link_actor(survey),
            survey=survey,
            rating=rating,
            comment=comment or None,
            now=event.at + timedelta(minutes=45 + 30 * (index % 3)),
        )
        answered += 1
    return answered
