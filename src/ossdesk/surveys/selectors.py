"""Reads of surveys, scoped by who asks (staff see all, customers their organisation's), the link's
survey by its token, and the results: CSAT and response rate per engineer, team, customer and period."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from ossdesk.accounts.actor import Actor
from ossdesk.surveys.models import Rating, SurveyResponse
from ossdesk.surveys.tokens import SurveyLinkInvalid, token_pair
from ossdesk.tickets.models import Ticket

GROUPS = ("engineer", "team", "customer", "week", "month")


def survey_list(
    *, actor: Actor, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[SurveyResponse]:
    """Surveys the actor may read, solved within [date_from, date_to] (whole days, inclusive)."""
    qs = SurveyResponse.objects.select_related("ticket", "organization", "contact", "engineer", "team")
    if not actor.is_staff:
        qs = qs.filter(organization_id=actor.organization_id) if actor.organization_id else qs.none()
    if date_from is not None:
        qs = qs.filter(solved_at__gte=_day_start(date_from))
    if date_to is not None:
        qs = qs.filter(solved_at__lt=_day_start(date_to + timedelta(days=1)))
    return qs


def survey_get(*, actor: Actor, pk: int | str) -> SurveyResponse:
    return survey_list(actor=actor).get(pk=pk)


def survey_for_token(token: str) -> SurveyResponse:
    """The survey a link's token names; the token is the credential, so this read is not scoped.

    Raises SurveyLinkInvalid (forged, altered, or its survey is gone) or SurveyLinkExpired.
    """
    ticket_id, event_id = token_pair(token)
    survey = (
        SurveyResponse.objects.select_related("ticket", "contact__user")
        .filter(ticket_id=ticket_id, solve_event_id=event_id, token=token)
        .first()
    )
    if survey is None:
        raise SurveyLinkInvalid("This survey link is not valid.")
    return survey


def survey_for_ticket(*, actor: Actor, ticket: Ticket) -> SurveyResponse | None:
    """The survey of the ticket's latest solve, if the actor may read it."""
    return survey_list(actor=actor).filter(ticket=ticket).order_by("-solved_at", "-pk").first()


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass(frozen=True)
class Figures:
    """Counts of one group of surveys and the two rates read from them."""

    key: Any
    label: str
    sent: int
    answered: int
    good: int

    @property
    def bad(self) -> int:
        return self.answered - self.good

    @property
    def csat(self) -> float | None:
        """Per cent of answers that are good; None without answers."""
        return round(100 * self.good / self.answered, 1) if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None

    def as_dict(self) -> dict[str, Any]:
        key = self.key.isoformat() if isinstance(self.key, date) else self.key
        return {
            "key": key,
            "label": self.label,
            "sent": self.sent,
            "answered": self.answered,
            "good": self.good,
            "bad": self.bad,
            "csat": self.csat,
            "response_rate": self.response_rate,
        }


COUNTS = {
    "sent": Count("pk"),
    "answered": Count("pk", filter=~Q(rating="")),
    "good": Count("pk", filter=Q(rating=Rating.GOOD)),
}


def survey_totals(*, actor: Actor, date_from: date | None = None, date_to: date | None = None) -> Figures:
    """One line for everything the actor may read in the range: one query."""
    counts = (
        survey_list(actor=actor, date_from=date_from, date_to=date_to)
        .select_related(None)
        .order_by()
        .aggregate(**COUNTS)
    )
    return Figures(key="all", label="All", **counts)


def _period_label(value: Any, group: str) -> str:
    day = value.date() if isinstance(value, datetime) else value
    if group == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def survey_summary(
    *, actor: Actor, group: str, date_from: date | None = None, date_to: date | None = None
) -> list[Figures]:
    """Figures per engineer, team, customer (by name), or per week or month (in time order): one query."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    qs = survey_list(actor=actor, date_from=date_from, date_to=date_to).select_related(None).order_by()
    if group in {"week", "month"}:
        trunc = TruncWeek if group == "week" else TruncMonth
        periods = qs.annotate(period=trunc("solved_at")).values("period")
        # The stubs type values() rows without the counts annotated after it.
        rows = cast(Iterable[dict[str, Any]], periods.annotate(**COUNTS).order_by("period"))
        return [
            Figures(
                key=row["period"].date() if isinstance(row["period"], datetime) else row["period"],
                label=_period_label(row["period"], group),
                sent=row["sent"],
                answered=row["answered"],
                good=row["good"],
            )
            for row in rows
        ]
    fields = {
        "engineer": ("engineer_id", "engineer__display_name", "engineer__username"),
        "team": ("team_id", "team__name", "team__name"),
        "customer": ("organization_id", "organization__name", "organization__name"),
    }[group]
    empty = {"engineer": "Unassigned", "team": "No team", "customer": "—"}[group]
    figures = [
        Figures(
            key=row[fields[0]],
            label=row[fields[1]] or row[fields[2]] or empty,
            sent=row["sent"],
            answered=row["answered"],
            good=row["good"],
        )
        for row in qs.values(*dict.fromkeys(fields)).annotate(**COUNTS)
    ]
    return sorted(figures, key=lambda f: (f.key is None, f.label.lower(), f.key or 0))


def survey_comments(
    *, actor: Actor, date_from: date | None = None, date_to: date | None = None, limit: int = 20
) -> list[SurveyResponse]:
    """The latest answers with a comment."""
    return list(
        survey_list(actor=actor, date_from=date_from, date_to=date_to)
        .exclude(comment="")
        .order_by("-commented_at", "-pk")[:limit]
    )
