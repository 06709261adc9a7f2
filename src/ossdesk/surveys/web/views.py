"""Survey pages: the one-click rating behind the solved mail's links and its comment form (no sign-in,
the signed token is the credential), the portal's rating of a solved ticket, and the staff results
page with its CSV download. Each parses input, calls a survey selector or service, renders."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ossdesk.accounts.access import can_rate_support, can_view_survey_results, require
from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor
from ossdesk.surveys import selectors, services
from ossdesk.surveys.models import Rating, SurveyResponse
from ossdesk.surveys.tokens import SurveyLinkError
from ossdesk.surveys.web.chart import csat_chart
from ossdesk.surveys.web.forms import AnswerForm, ResultsFilterForm
from ossdesk.tickets import selectors as ticket_selectors
from ossdesk.tickets.models import Ticket

RATING_LABELS = dict(Rating.choices)
STAFF_ONLY = "Survey results are for the vendor's staff."


def _private(response: HttpResponse) -> HttpResponse:
    """A page reached by a credential in its address: never cached, never leaked as a referrer."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _link_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return _private(
        render(
            request, "surveys/link_error.html", {"message": message, "expired": status == 410}, status=status
        )
    )


def _thanks(
    request: HttpRequest,
    survey: SurveyResponse,
    *,
    form: AnswerForm | None = None,
    note: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "survey": survey,
        "subject": survey.ticket.subject,
        "rating_label": RATING_LABELS.get(survey.rating, ""),
        "form": form or AnswerForm(initial={"rating": survey.rating}),
        "note": note,
        "other_links": [
            {"url": reverse("web:survey-rate", args=[survey.token, value]), "label": label}
            for value, label in Rating.choices
            if value != survey.rating
        ],
    }
    return _private(render(request, "surveys/thanks.html", context, status=status))


@require_GET
def survey_rate(request: HttpRequest, token: str, rating: str) -> HttpResponse:
    """One click from the solved mail records the rating (again: the last click counts)."""
    try:
        survey = selectors.survey_for_token(token)
    except SurveyLinkError as exc:
        return _link_error(request, str(exc), exc.status)
    if rating not in Rating.values:
        return _link_error(request, "That is not one of the survey's answers.", 400)
    if survey.is_final:
        return _thanks(request, survey, note="Your answer was recorded already; thank you.")
    try:
        survey = services.survey_answer(actor=services.link_actor(survey), survey=survey, rating=rating)
    except services.SurveyClosed as exc:
        return _link_error(request, " ".join(exc.messages), 410)
    return _thanks(request, survey)


@require_POST
def survey_comment(request: HttpRequest, token: str) -> HttpResponse:
    """The thank-you page's form: the rating, possibly changed, and a comment (CSRF-protected)."""
    try:
        survey = selectors.survey_for_token(token)
    except SurveyLinkError as exc:
        return _link_error(request, str(exc), exc.status)
    if survey.is_final:
        return _thanks(request, survey, note="Your answer was recorded already; thank you.")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _thanks(request, survey, form=form, status=400)
    try:
        survey = services.survey_answer(
            actor=services.link_actor(survey),
            survey=survey,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except services.SurveyClosed as exc:
        return _link_error(request, " ".join(exc.messages), 410)
    note = "Thank you for your comment." if survey.is_final else "Thank you; your rating is saved."
    return _thanks(request, survey, note=note)


# --- the portal ---------------------------------------------------------------------------------------


def _ticket(actor: Actor, pk: int) -> Ticket:
    try:
        return ticket_selectors.ticket_get(actor=actor, pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


@login_required
@require_http_methods(["GET", "POST"])
def ticket_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in customer rates a solved ticket of their organisation (the ticket page's box posts here)."""
    actor = request_actor(request)
    ticket = _ticket(actor, pk)
    require(
        can_rate_support(actor, ticket.organization_id),
        "Customers rate their tickets; staff read the results at /surveys/.",
    )
    survey = selectors.survey_for_ticket(actor=actor, ticket=ticket)
    form = AnswerForm(request.POST or None, initial={"rating": survey.rating if survey else ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.survey_answer_ticket(
                    actor=actor,
                    ticket=ticket,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Thank you for rating our support.")
                return redirect(reverse("web:ticket", args=[ticket.pk]))
        status = 400
    context = {"ticket": ticket, "survey": survey, "form": form}
    return render(request, "surveys/ticket_rate.html", context, status=status)


# --- results (staff) -------------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> ResultsFilterForm:
    data = {
        "start": request.GET.get("from", ""),
        "end": request.GET.get("to", ""),
        "period": request.GET.get("period", ""),
    }
    return ResultsFilterForm(data)


def _range(form: ResultsFilterForm) -> tuple[date | None, date | None, str]:
    if not form.is_valid():
        return None, None, "month"
    return form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["period"]


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """CSAT and response rate overall, per engineer, team, customer and period; the latest comments."""
    actor = request_actor(request)
    require(can_view_survey_results(actor), STAFF_ONLY)
    form = _filters(request)
    start, end, period = _range(form)
    scope: dict[str, Any] = {"actor": actor, "date_from": start, "date_to": end}
    periods = selectors.survey_summary(group=period, **scope)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "period": period,
        "totals": selectors.survey_totals(**scope),
        "groups": [
            ("Per engineer", selectors.survey_summary(group="engineer", **scope)),
            ("Per team", selectors.survey_summary(group="team", **scope)),
            ("Per customer", selectors.survey_summary(group="customer", **scope)),
        ],
        "periods": periods,
        "chart": csat_chart(periods),
        "comments": selectors.survey_comments(**scope),
        "query": request.GET.urlencode(),
    }
    return render(request, "surveys/results.html", context, status=200 if form.is_valid() else 400)


CSV_COLUMNS = [
    "ticket",
    "subject",
    "customer",
    "contact",
    "engineer",
    "team",
    "solved_at",
    "sent_at",
    "rating",
    "answered_at",
    "comment",
]


def _cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@login_required
@require_GET
def results_csv(request: HttpRequest) -> HttpResponse:
    """Every survey in the range, one row each, as the results page filters them."""
    actor = request_actor(request)
    require(can_view_survey_results(actor), STAFF_ONLY)
    start, end, _ = _range(_filters(request))
    rows = selectors.survey_list(actor=actor, date_from=start, date_to=end).order_by("solved_at", "pk")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="surveys-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for survey in rows.iterator(chunk_size=500):
        writer.writerow(
            [
                _cell(value)
                for value in (
                    survey.ticket_id,
                    survey.ticket.subject,
                    survey.organization.name,
                    survey.contact.email if survey.contact else "",
                    survey.engineer.username if survey.engineer else "",
                    survey.team.name if survey.team else "",
                    survey.solved_at,
                    survey.created_at,
                    survey.rating,
                    survey.answered_at,
                    survey.comment,
                )
            ]
        )
    return response
