"""Satisfaction surveys, end to end: a solve makes one survey (however often the sweep runs), the solved
mail carries working one-click links (over a real SMTP server), a click records, a comment finalises,
reopening and solving again makes a new survey, expired and forged links get a clear page, customers see
only their own, and the results add up to figures computed by hand, in a constant number of queries."""

from __future__ import annotations

import csv
import io
import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.audit.models import AuditEntry
from ossdesk.channels import services as mail
from ossdesk.customers.models import Organization
from ossdesk.plans.services import subscription_update
from ossdesk.surveys import services
from ossdesk.surveys.demo import demo_surveys
from ossdesk.surveys.models import SurveyResponse
from ossdesk.surveys.tokens import SALT, SURVEY_TTL
from ossdesk.surveys.web.chart import csat_chart
from ossdesk.tickets import services as tickets
from ossdesk.tickets.models import Team, Ticket, TicketEvent
from tests.accounts.factories import SYSTEM, staff_user
from tests.products.factories import ProductFactory

LINK_RE = re.compile(r"https://desk\.example\.com(/survey/[^/\s\"<>]+/(good|bad)/)")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Inbox:
    """An SMTP handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 Accepted"

    def solved(self) -> list[EmailMessage]:
        return [m for m in self.messages if "Solved:" in str(m["Subject"])]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any, tmp_path: Path) -> None:
    settings.OSSDESK_MAIL_DOMAIN = "mail.test"
    settings.OSSDESK_MAIL_FROM = "Example Support <support@mail.test>"
    settings.OSSDESK_MAIL_LINK_URL = "https://desk.example.com"
    settings.OSSDESK_SMTP_HOST = ""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), ready_timeout=10)
    controller.start()
    settings.OSSDESK_SMTP_HOST = "127.0.0.1"
    settings.OSSDESK_SMTP_PORT = controller.port
    settings.OSSDESK_SMTP_STARTTLS = settings.OSSDESK_SMTP_SSL = False
    settings.OSSDESK_SMTP_USER = ""
    yield handler
    controller.stop()


@pytest.fixture
def desk(customers: dict[str, Any], staff: dict[str, User]) -> dict[str, Any]:
    """Acme and globex with a PostgreSQL ticket each, assigned to an engineer of the Database team."""
    product: Any = ProductFactory(name="PostgreSQL", slug="postgresql")
    engineer = staff[Role.ENGINEER]
    team = tickets.team_create(actor=SYSTEM, name="Database", members=[engineer])
    world: dict[str, Any] = {"engineer": engineer, "team": team, "staff": staff, "product": product}
    for key, entry in customers.items():
        subscription_update(actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=[product])
        ticket = tickets.ticket_create(
            actor=actor_for(entry["contact"].user),
            organization=entry["org"],
            product=product,
            severity="S3",
            subject=f"Vacuum never finishes on the {key} orders table",
            body="autovacuum has been running for two days.",
        )
        tickets.ticket_assign(actor=SYSTEM, ticket=ticket, assignee=engineer, team=team)
        world[key] = {**entry, "ticket": ticket}
    return world


def solve(desk: dict[str, Any], ticket: Ticket) -> TicketEvent:
    tickets.ticket_set_status(actor=actor_for(desk["engineer"]), ticket=ticket, status="solved")
    return ticket.events.filter(kind="status", value="solved").order_by("-pk").first()  # type: ignore[return-value]


def deliver() -> mail.SendReport:
    mail.mail_sweep()
    return mail.outbox_send_due()


def links_of(message: EmailMessage) -> dict[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    from_text = {rating: path for path, rating in LINK_RE.findall(text)}
    assert from_text == {rating: path for path, rating in LINK_RE.findall(html)}
    return from_text


def survey_audit(survey: SurveyResponse) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="surveys.surveyresponse", object_id=str(survey.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


# -- making surveys ------------------------------------------------------------------------------------


def test_a_solve_makes_one_survey_however_often_the_sweep_runs(desk: dict[str, Any]) -> None:
    ticket = desk["acme"]["ticket"]
    assert services.surveys_sweep() == 0  # nothing solved yet
    event = solve(desk, ticket)

    assert services.surveys_sweep() == 1
    assert services.surveys_sweep() == 0
    assert services.survey_for_solve(ticket=ticket, event=event) == SurveyResponse.objects.get()

    survey = SurveyResponse.objects.get()
    acme = desk["acme"]
    assert (survey.ticket, survey.solve_event, survey.organization, survey.contact) == (
        ticket,
        event,
        acme["org"],
        acme["contact"],
    )
    assert (survey.engineer, survey.team, survey.rating, survey.solved_at) == (
        desk["engineer"],
        desk["team"],
        "",
        event.at,
    )
    assert survey_audit(survey) == ["create"]
    assert "token" not in str(AuditEntry.objects.filter(object_type="surveys.surveyresponse").get().after)


def test_the_engineer_is_the_one_assigned_when_it_was_solved(desk: dict[str, Any]) -> None:
    ticket = desk["acme"]["ticket"]
    solve(desk, ticket)
    other = staff_user(Role.ENGINEER)
    tickets.ticket_assign(actor=SYSTEM, ticket=ticket, assignee=other)  # after the solve: does not count
    services.surveys_sweep()
    assert SurveyResponse.objects.get().engineer == desk["engineer"]


def test_solves_older_than_the_link_lifetime_get_no_survey(desk: dict[str, Any]) -> None:
    solve(desk, desk["acme"]["ticket"])
    later = datetime.now(UTC) + SURVEY_TTL + timedelta(hours=1)
    assert services.surveys_sweep(now=later) == 0


# -- the solved mail and its links -----------------------------------------------------------------------


def test_solved_mail_links_record_a_rating_with_one_click(desk: dict[str, Any], inbox: Inbox) -> None:
    ticket = desk["acme"]["ticket"]
    solve(desk, ticket)
    assert deliver().sent >= 1
    (message,) = inbox.solved()
    assert message["To"] == desk["acme"]["contact"].email
    links = links_of(message)
    assert set(links) == {"good", "bad"}
    survey = SurveyResponse.objects.get()  # the mail path made it
    assert survey.token in links["good"]
    assert services.surveys_sweep() == 0  # and the sweep finds it done

    anonymous = Client()
    response = anonymous.get(links["bad"])
    assert response.status_code == 200
    survey.refresh_from_db()
    assert (survey.rating, survey.answered_at is not None) == ("bad", True)
    html = response.content.decode()
    assert ticket.subject in html
    for secret in (desk["acme"]["org"].name, desk["acme"]["contact"].email, desk["engineer"].username):
        assert secret not in html  # the page shows the subject and nothing else of the ticket
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"

    # The last click before the comment counts; the same click again changes and audits nothing.
    assert anonymous.get(links["good"]).status_code == 200
    assert anonymous.get(links["good"]).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == "good"
    assert survey_audit(survey) == ["create", "update", "update"]
    entry = AuditEntry.objects.filter(object_id=str(survey.pk), action="update").order_by("-seq").first()
    assert entry is not None
    assert entry.actor_label == f"{desk['acme']['contact'].email} (survey link)"


def test_the_comment_form_is_csrf_protected_and_makes_the_answer_final(
    desk: dict[str, Any], inbox: Inbox
) -> None:
    solve(desk, desk["acme"]["ticket"])
    deliver()
    links = links_of(inbox.solved()[0])
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(links["good"]).content.decode()
    comment_url = links["good"].replace("/good/", "/comment/")
    assert f'action="{comment_url}"' in page

    forged = browser.post(comment_url, {"rating": "bad", "comment": "no token"})
    assert forged.status_code == 403
    survey = SurveyResponse.objects.get()
    assert (survey.rating, survey.comment) == ("good", "")

    csrf = CSRF_RE.search(page)
    assert csrf is not None
    response = browser.post(
        comment_url,
        {"csrfmiddlewaretoken": csrf.group(1), "rating": "good", "comment": "  Quick and kind.  "},
    )
    assert response.status_code == 200
    assert "Thank you for your comment." in response.content.decode()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment, survey.is_final) == ("good", "Quick and kind.", True)

    # Final: a later click or a second comment changes nothing, and says so.
    late = browser.get(links["bad"])
    assert late.status_code == 200
    assert "recorded already" in late.content.decode()
    again = browser.post(comment_url, {"csrfmiddlewaretoken": csrf.group(1), "rating": "bad", "comment": "x"})
    assert again.status_code == 200
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == ("good", "Quick and kind.")
    assert survey_audit(survey) == ["create", "update", "update"]


def test_an_empty_comment_keeps_the_rating_open(desk: dict[str, Any], inbox: Inbox) -> None:
    solve(desk, desk["acme"]["ticket"])
    deliver()
    links = links_of(inbox.solved()[0])
    client = Client()
    client.get(links["good"])
    response = client.post(links["good"].replace("/good/", "/comment/"), {"rating": "bad", "comment": ""})
    assert response.status_code == 200
    survey = SurveyResponse.objects.get()
    assert (survey.rating, survey.is_final) == ("bad", False)
    assert client.post(links["good"].replace("/good/", "/comment/"), {"rating": "meh"}).status_code == 400


def test_reopened_and_solved_again_gets_a_new_survey(desk: dict[str, Any], inbox: Inbox) -> None:
    acme = desk["acme"]
    ticket = acme["ticket"]
    first = solve(desk, ticket)
    deliver()
    Client().get(links_of(inbox.solved()[0])["bad"])

    tickets.ticket_set_status(actor=actor_for(acme["contact"].user), ticket=ticket, status="open")
    second = solve(desk, ticket)
    deliver()
    assert services.surveys_sweep() == 0
    assert len(inbox.solved()) == 2
    new_links = links_of(inbox.solved()[1])
    assert Client().get(new_links["good"]).status_code == 200

    surveys = {s.solve_event_id: s for s in SurveyResponse.objects.all()}
    assert set(surveys) == {first.pk, second.pk}
    assert (surveys[first.pk].rating, surveys[second.pk].rating) == ("bad", "good")
    assert surveys[first.pk].token != surveys[second.pk].token


# -- links that do not work --------------------------------------------------------------------------------


def test_expired_forged_and_malformed_links_get_a_clear_page(desk: dict[str, Any]) -> None:
    solve(desk, desk["acme"]["ticket"])
    services.surveys_sweep()
    survey = SurveyResponse.objects.get()
    client = Client()

    future = time.time() + SURVEY_TTL.total_seconds() + 3600
    with mock.patch("django.core.signing.time.time", return_value=future):
        expired = client.get(f"/survey/{survey.token}/good/")
    assert expired.status_code == 410
    assert "This survey has closed" in expired.content.decode()

    head, signature = survey.token.rsplit(":", 1)
    flipped = head + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    other_ticket = signing.dumps(
        [desk["globex"]["ticket"].pk, survey.solve_event_id], salt=SALT, compress=False
    )
    other_salt = signing.dumps([survey.ticket_id, survey.solve_event_id], salt="elsewhere", compress=False)
    for token in (flipped, "nonsense", other_ticket, other_salt, signing.dumps("x", salt=SALT)):
        response = client.get(f"/survey/{token}/good/")
        assert response.status_code == 400, token
        assert "does not work" in response.content.decode()
        assert client.post(f"/survey/{token}/comment/", {"rating": "good"}).status_code == 400
    assert client.get(f"/survey/{survey.token}/excellent/").status_code == 400

    survey.refresh_from_db()
    assert survey.rating == ""


def test_the_service_refuses_an_answer_after_the_lifetime(desk: dict[str, Any]) -> None:
    solve(desk, desk["acme"]["ticket"])
    services.surveys_sweep()
    survey = SurveyResponse.objects.get()
    late = survey.created_at + SURVEY_TTL
    with pytest.raises(services.SurveyClosed):
        services.survey_answer(actor=services.link_actor(survey), survey=survey, rating="good", now=late)


# -- the portal ---------------------------------------------------------------------------------------------


def test_a_signed_in_customer_rates_a_solved_ticket_on_its_page(desk: dict[str, Any], client: Client) -> None:
    acme = desk["acme"]
    ticket = acme["ticket"]
    client.force_login(acme["contact"].user)
    assert "How did we do?" not in client.get(f"/tickets/{ticket.pk}/").content.decode()  # not solved yet
    assert client.post(f"/surveys/tickets/{ticket.pk}/", {"rating": "good"}).status_code == 400

    solve(desk, ticket)
    assert "How did we do?" in client.get(f"/tickets/{ticket.pk}/").content.decode()
    response = client.post(f"/surveys/tickets/{ticket.pk}/", {"rating": "bad", "comment": "Took a while."})
    assert response.status_code == 302
    survey = SurveyResponse.objects.get()
    assert (survey.rating, survey.comment, survey.is_final) == ("bad", "Took a while.", True)
    assert "Took a while." in client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert services.surveys_sweep() == 0

    staff = Client()
    staff.force_login(desk["engineer"])
    assert "How did we do?" not in staff.get(f"/tickets/{ticket.pk}/").content.decode()
    assert staff.post(f"/surveys/tickets/{ticket.pk}/", {"rating": "good"}).status_code == 403


# -- tenancy ------------------------------------------------------------------------------------------------


def test_customers_see_only_their_own_responses(
    desk: dict[str, Any], client: Client, api_client_for: Any
) -> None:
    for key in ("acme", "globex"):
        solve(desk, desk[key]["ticket"])
    services.surveys_sweep()
    mine = SurveyResponse.objects.get(organization=desk["acme"]["org"])
    theirs = SurveyResponse.objects.get(organization=desk["globex"]["org"])
    services.survey_answer(
        actor=services.link_actor(theirs), survey=theirs, rating="bad", comment="globex says"
    )

    staff_api = api_client_for(desk["engineer"])
    assert {r["id"] for r in staff_api.get("/api/surveys/responses/").json()["results"]} == {
        mine.pk,
        theirs.pk,
    }
    for who in ("admin", "contact"):
        api = api_client_for(desk["acme"][who].user)
        response = api.get("/api/surveys/responses/")
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == [mine.pk]
        assert "globex" not in response.content.decode().lower()
        assert "token" not in response.json()["results"][0]
        assert api.get(f"/api/surveys/responses/{mine.pk}/").status_code == 200
        missing = api.get(f"/api/surveys/responses/{theirs.pk + 1000}/")
        foreign = api.get(f"/api/surveys/responses/{theirs.pk}/")
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == missing.json()
        assert api.post("/api/surveys/responses/", {"rating": "good"}).status_code == 405
        assert api.patch(f"/api/surveys/responses/{mine.pk}/", {"rating": "bad"}).status_code == 405
        summary = api.get("/api/surveys/summary", {"group": "customer"}).json()
        assert [row["label"] for row in summary["results"]] == ["Acme"]
        assert summary["totals"]["sent"] == 1

    # The web: the results are staff pages; another organisation's ticket answers like a missing one.
    client.force_login(desk["acme"]["admin"].user)
    assert client.get("/surveys/").status_code == 403
    assert client.get("/surveys/export.csv").status_code == 403
    globex_ticket = desk["globex"]["ticket"]
    assert client.get(f"/surveys/tickets/{globex_ticket.pk}/").status_code == 404
    assert client.post(f"/surveys/tickets/{globex_ticket.pk}/", {"rating": "good"}).status_code == 404
    assert client.get(f"/surveys/tickets/{globex_ticket.pk + 1000}/").status_code == 404
    with pytest.raises(PermissionDenied):  # the service's own gate, whatever the door
        services.survey_answer(actor=actor_for(desk["acme"]["admin"].user), survey=theirs, rating="good")
    theirs.refresh_from_db()
    assert theirs.rating == "bad"


# -- results ------------------------------------------------------------------------------------------------


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.fixture
def results(customers: dict[str, Any], staff: dict[str, User]) -> dict[str, Any]:
    """Seven surveys with known answers (see the table in the test below)."""
    product: Any = ProductFactory(name="Kafka", slug="kafka")
    ana, bo = staff_user(Role.ENGINEER), staff_user(Role.ENGINEER)
    ana.display_name, bo.display_name = "Ana", "Bo"
    ana.save()
    bo.save()
    database = tickets.team_create(actor=SYSTEM, name="Database", members=[ana])
    streaming = tickets.team_create(actor=SYSTEM, name="Streaming", members=[bo])
    acme, globex = customers["acme"]["org"], customers["globex"]["org"]
    rows = [
        (acme, ana, database, "2025-01-10", "good"),
        (acme, ana, database, "2025-01-20", "bad"),
        (acme, bo, streaming, "2025-01-25", ""),
        (globex, ana, database, "2025-02-03", "good"),
        (globex, bo, streaming, "2025-02-14", "good"),
        (globex, bo, streaming, "2025-02-28", "bad"),
        (acme, None, None, "2025-02-15", "good"),
    ]
    for organization, engineer, team, day, rating in rows:
        add_survey(organization, product, engineer, team, _at(day), rating)
    return {"ana": ana, "bo": bo, "database": database, "streaming": streaming, "product": product}


def add_survey(
    organization: Organization,
    product: Any,
    engineer: User | None,
    team: Team | None,
    at: datetime,
    rating: str,
) -> SurveyResponse:
    contact = organization.contacts.order_by("pk").first()
    ticket = Ticket.objects.create(
        organization=organization,
        contact=contact,
        product=product,
        subject=f"Case of {at:%Y-%m-%d}",
        severity="S3",
        opened_at=at - timedelta(days=1),
        updated_at=at,
        status="solved",
        solved_at=at,
    )
    if engineer is not None:
        TicketEvent.objects.create(
            ticket=ticket,
            at=at - timedelta(hours=2),
            kind="assigned",
            value=engineer.username,
            actor_label="routing",
            data={"assignee": engineer.pk, "team": team.name if team else None},
        )
    event = TicketEvent.objects.create(ticket=ticket, at=at, kind="status", value="solved", actor_label="x")
    survey = services.survey_for_solve(ticket=ticket, event=event, now=at)
    if rating:
        survey = services.survey_answer(
            actor=services.link_actor(survey), survey=survey, rating=rating, now=at + timedelta(hours=1)
        )
    return survey


def _figures(response: Any) -> dict[str, tuple[Any, ...]]:
    return {
        row["label"]: (
            row["sent"],
            row["answered"],
            row["good"],
            row["bad"],
            row["csat"],
            row["response_rate"],
        )
        for row in response.json()["results"]
    }


def test_summary_figures_match_a_hand_count(results: dict[str, Any], api_client_for: Any) -> None:
    api = api_client_for(results["ana"])

    def summary(group: str, **params: str) -> Any:
        response = api.get("/api/surveys/summary", {"group": group, **params})
        assert response.status_code == 200, response.content
        return response

    # (sent, answered, good, bad, CSAT %, response rate %), worked out by hand from the fixture's table.
    assert _figures(summary("engineer")) == {
        "Ana": (3, 3, 2, 1, 66.7, 100.0),
        "Bo": (3, 2, 1, 1, 50.0, 66.7),
        "Unassigned": (1, 1, 1, 0, 100.0, 100.0),
    }
    assert _figures(summary("team")) == {
        "Database": (3, 3, 2, 1, 66.7, 100.0),
        "Streaming": (3, 2, 1, 1, 50.0, 66.7),
        "No team": (1, 1, 1, 0, 100.0, 100.0),
    }
    assert _figures(summary("customer")) == {
        "Acme": (4, 3, 2, 1, 66.7, 75.0),
        "Globex": (3, 3, 2, 1, 66.7, 100.0),
    }
    month = summary("month")
    assert _figures(month) == {"2025-01": (3, 2, 1, 1, 50.0, 66.7), "2025-02": (4, 4, 3, 1, 75.0, 100.0)}
    assert [row["key"] for row in month.json()["results"]] == ["2025-01-01", "2025-02-01"]
    assert month.json()["totals"] == {
        "key": "all",
        "label": "All",
        "sent": 7,
        "answered": 6,
        "good": 4,
        "bad": 2,
        "csat": 66.7,
        "response_rate": 85.7,
    }
    weeks = {label: figures[0] for label, figures in _figures(summary("week")).items()}
    assert weeks == {"2025-W02": 1, "2025-W04": 2, "2025-W06": 1, "2025-W07": 2, "2025-W09": 1}

    # The range is by solve date, both ends inclusive.
    ranged = summary("customer", **{"from": "2025-02-01", "to": "2025-02-14"})
    assert _figures(ranged) == {"Globex": (2, 2, 2, 0, 100.0, 100.0)}
    assert api.get("/api/surveys/summary", {"group": "planet"}).status_code == 400
    assert api.get("/api/surveys/summary", {"from": "2025-03-01", "to": "2025-02-01"}).status_code == 400
    listed = api.get("/api/surveys/responses/", {"from": "2025-01-20", "to": "2025-01-25"}).json()
    assert listed["count"] == 2


def test_results_page_and_csv(results: dict[str, Any], client: Client) -> None:
    client.force_login(results["ana"])
    response = client.get("/surveys/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "66.7%" in html  # overall CSAT
    assert "85.7%" in html  # response rate
    assert html.count("<rect ") == 2  # one bar per month
    assert "2025-01" in html
    assert "2025-02" in html
    weekly = client.get("/surveys/", {"period": "week", "from": "2025-01-01", "to": "2025-01-31"})
    assert weekly.content.decode().count("<rect ") == 2  # W02 and W04
    assert client.get("/surveys/", {"from": "2025-03-01", "to": "2025-01-01"}).status_code == 400

    survey = SurveyResponse.objects.filter(rating="").get()
    services.survey_answer(
        actor=services.link_actor(survey),
        survey=survey,
        rating="bad",
        comment='=HYPERLINK("http://evil.test")',
        now=survey.created_at + timedelta(hours=1),
    )
    assert "HYPERLINK" in client.get("/surveys/").content.decode()  # among the latest comments

    exported = client.get("/surveys/export.csv", {"from": "2025-01-01", "to": "2025-01-31"})
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [row["rating"] for row in rows] == ["good", "bad", "bad"]
    assert rows[2]["comment"] == '\'=HYPERLINK("http://evil.test")'  # not run as a formula
    assert rows[0]["engineer"] == results["ana"].username


def test_results_page_query_count_does_not_grow(
    results: dict[str, Any], client: Client, customers: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client.force_login(results["ana"])
    client.get("/surveys/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/surveys/").status_code == 200
    others = [staff_user(Role.ENGINEER) for _ in range(3)]
    for index, engineer in enumerate(others):
        team = tickets.team_create(actor=SYSTEM, name=f"Team {index}", members=[engineer])
        for month in ("2025-03-05", "2025-04-05", "2025-05-05"):
            survey = add_survey(
                customers["globex"]["org"], results["product"], engineer, team, _at(month), "good"
            )
            services.survey_answer(
                actor=services.link_actor(survey),
                survey=survey,
                rating="good",
                comment=f"fine {index}",
                now=survey.created_at + timedelta(hours=2),
            )
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/surveys/").status_code == 200
    with CaptureQueriesContext(connection) as csv_queries:
        client.get("/surveys/export.csv")
    assert len(csv_queries.captured_queries) <= len(few.captured_queries)


def test_response_list_query_count_does_not_grow(
    results: dict[str, Any], customers: dict[str, Any], api_client_for: Any, django_assert_num_queries: Any
) -> None:
    api = api_client_for(results["ana"])
    api.get("/api/surveys/responses/")
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/surveys/responses/").json()["count"] == 7
    for _ in range(5):
        add_survey(
            customers["acme"]["org"], results["product"], results["bo"], None, _at("2025-03-01"), "bad"
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert api.get("/api/surveys/responses/").json()["count"] == 12


def test_the_chart_scales_bars_by_csat() -> None:
    class Row:
        def __init__(self, label: str, answered: int, csat: float | None) -> None:
            self.label, self.answered, self.csat = label, answered, csat

    chart = csat_chart([Row("2025-01", 4, 100.0), Row("2025-02", 2, 50.0), Row("2025-03", 0, None)])
    full, half, empty = chart.bars
    assert full.y == chart.top
    assert full.height == chart.baseline - chart.top
    assert half.height == full.height / 2
    assert (empty.height, empty.value) == (0, "—")
    assert full.x < half.x < empty.x
    assert [label for _, label in chart.gridlines] == ["0%", "50%", "100%"]


# -- every write is audited with an allowed action; the demo -----------------------------------------------


def test_survey_audit_actions_are_allowed_ones(results: dict[str, Any]) -> None:
    actions = set(
        AuditEntry.objects.filter(object_type="surveys.surveyresponse").values_list("action", flat=True)
    )
    assert actions == {"create", "update"}


def test_demo_surveys_answer_the_demos_solved_tickets(results: dict[str, Any]) -> None:
    pending = SurveyResponse.objects.filter(rating="").count()
    assert demo_surveys() == pending  # the one unanswered solve of the fixture
    assert demo_surveys() == 0
    assert not SurveyResponse.objects.filter(rating="").exists()
