"""Satisfaction surveys: one per solve of a ticket, answered with one click from the solved mail or on
the portal; results per engineer, team, customer and period are read from these rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ossdesk.customers.models import Contact, Organization
from ossdesk.tickets.models import Team, Ticket, TicketEvent


class Rating(models.TextChoices):
    """Two answers, as Zendesk asks: one click each, and CSAT is simply good / answered."""

    GOOD = "good", "Good, I'm satisfied"
    BAD = "bad", "Bad, I'm unsatisfied"


class SurveyResponse(models.Model):
    """The survey of one solve cycle of a ticket: pending until the customer rates it.

    Keyed by (ticket, solve event): a ticket reopened and solved again gets a new survey. Engineer and
    team are the ticket's at the moment of the solve, so a later reassignment does not move the rating.
    The token in the mail's links is signed (django.core.signing) and expires SURVEY_TTL after sending.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="survey_responses")
    solve_event = models.ForeignKey(TicketEvent, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="survey_responses")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    comment = models.TextField(blank=True)
    token = models.CharField(max_length=200, unique=True)
    solved_at = models.DateTimeField(help_text="When the ticket was solved; results are grouped by it")
    created_at = models.DateTimeField(default=timezone.now, help_text="When the survey was made and sent")
    answered_at = models.DateTimeField(null=True, blank=True, help_text="The last rating click")
    commented_at = models.DateTimeField(
        null=True, blank=True, help_text="The comment was sent; the rating is final from then on"
    )

    class Meta:
        ordering = ["-solved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "solve_event"], name="one_survey_per_solve"),
        ]
        indexes = [
            models.Index(fields=["solved_at"]),
            models.Index(fields=["organization", "solved_at"]),
            models.Index(fields=["engineer", "solved_at"]),
            models.Index(fields=["team", "solved_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} survey {self.rating or 'pending'}"

    @property
    def is_answered(self) -> bool:
        return bool(self.rating)

    @property
    def is_final(self) -> bool:
        return self.commented_at is not None
