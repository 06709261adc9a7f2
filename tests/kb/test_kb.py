"""The knowledge base: who reads what (web, API, suggestions), safe rendering, ranking, links to
tickets, the editor, query counts and the demo articles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.audit.models import AuditEntry
from ossdesk.kb import matching, selectors, services
from ossdesk.kb.demo import ARTICLES, demo_kb
from ossdesk.kb.models import Article, ArticleLink, ArticleStatus, Visibility
from ossdesk.kb.rendering import plain_summary, render_markdown
from ossdesk.plans.services import agreement_create
from tests.accounts.factories import SYSTEM, staff_user
from tests.kb.factories import World, publish
from tests.products.factories import ProductFactory

ANONYMOUS = Actor(user=None, role="anonymous", organization_id=None, label="anonymous")
KINDS = ["public", "customers", "internal", "draft"]
# Who reads which kind of article: anonymous visitors, acme's plain contact, an engineer.
MATRIX = {
    "anonymous": {"public"},
    "customer": {"public", "customers"},
    "staff": {"public", "customers", "internal", "draft"},
}


def _user(kb: World, who: str) -> Any:
    return {"anonymous": None, "customer": kb["acme"]["contact"].user, "staff": kb["engineer"]}[who]


# --- rendering ----------------------------------------------------------------------------------------------

HOSTILE = """# Title
<script>alert('xss')</script>
<img src="x" onerror="alert(1)">
<a href="javascript:alert(1)">click</a> [md link](javascript:alert(2)) <a href="JaVaScRiPt:alert(3)">mixed</a>
<div onclick="alert(4)" style="position:fixed">styled</div>
<iframe src="https://evil.example/"></iframe>
![plain http](http://example.com/a.png) ![data](data:image/png;base64,AAAA) ![https](https://example.com/b.png)
[fine](https://example.com/docs)
"""


def test_rendering_strips_scripts_handlers_and_dangerous_urls() -> None:
    html = render_markdown(HOSTILE)
    lowered = html.lower()
    for bad in (
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "javascript:",
        "style=",
        "<iframe",
        "data:",
        "http://",
    ):
        assert bad not in lowered, bad
    assert "<h1>Title</h1>" in html
    assert '<img alt="https" src="https://example.com/b.png">' in html
    assert '<a href="https://example.com/docs" rel="noopener noreferrer nofollow">fine</a>' in html


def test_rendering_keeps_the_conservative_set() -> None:
    source = (
        "## Steps\n\n1. one\n2. two\n\n- a\n- b\n\n> quoted\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```sql\nSELECT '<b>';\n```\n\nUse `VACUUM`."
    )
    html = render_markdown(source)
    for tag in ("<h2>", "<ol>", "<ul>", "<li>", "<blockquote>", "<table>", "<th>", "<td>", "<pre>", "<code>"):
        assert tag in html, tag
    assert "SELECT '&lt;b&gt;';" in html  # code is text, escaped


def test_summary_is_plain_text() -> None:
    assert plain_summary(render_markdown("# Hi\n\n**Bold** & <b>tags</b>")) == "Hi Bold & tags"
    assert plain_summary(render_markdown("word " * 200), length=30).endswith("…")


def test_service_stores_sanitised_html_and_the_page_never_shows_the_script(
    kb: World, web_for: Callable[..., Client]
) -> None:
    article = publish("Hostile", HOSTILE)
    assert "<script" not in article.body_html
    assert article.body == HOSTILE  # the source is kept as written
    html = web_for(None).get(f"/kb/{article.slug}/").content.decode()
    assert "alert(" not in html
    assert "onerror" not in html
    updated = services.article_update(actor=SYSTEM, article=article, body="<script>x()</script>**ok**")
    assert updated.body_html == "<p><strong>ok</strong></p>"


# --- who reads what -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(MATRIX))
def test_selector_visibility_matrix(who: str, kb: World) -> None:
    user = _user(kb, who)
    actor = actor_for(user) if user else ANONYMOUS
    visible = {a.pk for a in selectors.article_list(actor=actor)}
    for kind in KINDS:
        assert (kb["articles"][kind].pk in visible) == (kind in MATRIX[who]), kind


@pytest.mark.parametrize("who", list(MATRIX))
def test_web_list_and_detail_matrix(who: str, kb: World, web_for: Callable[..., Client]) -> None:
    client = web_for(_user(kb, who))
    listing = client.get("/kb/")
    assert listing.status_code == 200
    page = listing.content.decode()
    for kind in KINDS:
        article = kb["articles"][kind]
        allowed = kind in MATRIX[who]
        assert (article.title in page) == allowed, kind
        detail = client.get(f"/kb/{article.slug}/")
        assert detail.status_code == (200 if allowed else 404), kind
        if allowed:
            assert article.body_html in detail.content.decode()


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_api_list_and_retrieve_matrix(who: str, kb: World, api_client_for: Callable[..., Any]) -> None:
    api = api_client_for(_user(kb, who))
    response = api.get("/api/kb/articles/")
    assert response.status_code == 200
    listed = {item["id"] for item in response.json()["results"]}
    for kind in KINDS:
        article = kb["articles"][kind]
        allowed = kind in MATRIX[who]
        assert (article.pk in listed) == allowed, kind
        assert api.get(f"/api/kb/articles/{article.pk}/").status_code == (200 if allowed else 404), kind


def test_api_needs_sign_in(kb: World) -> None:
    assert Client().get("/api/kb/articles/").status_code in {401, 403}
    assert Client().get("/api/kb/suggest", {"q": "vacuum"}).status_code in {401, 403}


@pytest.mark.parametrize("who", list(MATRIX))
def test_suggestions_matrix(who: str, kb: World, web_for: Callable[..., Client], api_client_for: Any) -> None:
    """Every article mentions vacuum; suggestions are published ones the reader may see."""
    expected = MATRIX[who] - {"draft"}
    client = web_for(_user(kb, who))
    html = client.get("/kb/suggest/", {"q": "vacuum"}).content.decode()
    for kind in KINDS:
        assert (kb["articles"][kind].title in html) == (kind in expected), kind
    if who != "anonymous":
        results = api_client_for(_user(kb, who)).get("/api/kb/suggest", {"q": "vacuum"}).json()["results"]
        titles = {item["title"] for item in results}
        assert titles == {kb["articles"][kind].title for kind in expected}
        assert all(item["url"] == f"/kb/{item['slug']}/" for item in results)


def test_customer_whose_agreement_drops_the_kb_channel_reads_public_only(kb: World) -> None:
    today = timezone.localdate()
    agreement_create(
        actor=SYSTEM,
        organization=kb["acme"]["org"],
        reference="EA-NO-KB",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        overrides={"channels": ["portal", "email"]},
    )
    actor = actor_for(kb["acme"]["contact"].user)
    visible = {a.pk for a in selectors.article_list(actor=actor)}
    assert kb["articles"]["public"].pk in visible
    assert kb["articles"]["customers"].pk not in visible
    globex = actor_for(kb["globex"]["contact"].user)
    assert kb["articles"]["customers"].pk in {a.pk for a in selectors.article_list(actor=globex)}


def test_list_search_and_product_filter(kb: World, web_for: Callable[..., Client]) -> None:
    client = web_for(kb["acme"]["contact"].user)
    html = client.get("/kb/", {"q": "consumer lag"}).content.decode()
    assert "Kafka consumer lag" in html
    assert "Vacuum and table bloat" not in html
    html = client.get("/kb/", {"product": kb["kafka"].pk}).content.decode()
    assert "Kafka consumer lag" in html
    assert "Upgrade checklist" not in html
    partial = client.get("/kb/", {"q": "vacuum"}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="kb-rows"')
    api = client.get("/api/kb/articles/", {"search": "proactive upgrade"}).json()
    assert [item["title"] for item in api["results"]] == ["Upgrade checklist for customers"]


# --- suggestion ranking -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("the and of it", []),
        ("Consumers lagging!", ["consumer", "lagg"]),
        ("PostgreSQL 16 vacuum, vacuum", ["postgresql", "16", "vacuum"]),
        ("queries replicas", ["query", "replica"]),
    ],
)
def test_terms(text: str, expected: list[str]) -> None:
    assert matching.terms(text) == expected


def test_score_weights_title_over_body() -> None:
    assert matching.score(["bloat"], title="Bloat", body="") > matching.score(
        ["bloat"], title="", body="bloat"
    )
    assert matching.score(["x"], title="a", body="b", product_match=True) == 0  # no match, no bonus


def test_suggestions_rank_title_matches_first_and_respect_the_product(kb: World) -> None:
    staff = actor_for(kb["engineer"])
    body_only = publish("Storage notes", "Replication slots can cause bloat too.")
    ranked = selectors.article_suggest(actor=staff, text="table bloat", product_id=kb["postgres"].pk)
    titles = [a.title for a in ranked]
    assert titles[0] == "Vacuum and table bloat"  # both terms in the title, and the product's own
    assert [a.title for a in ranked if a.product_id is None] == ["Runbook: bloat emergency", body_only.title]
    assert "Kafka consumer lag" not in titles
    # Another product's articles are left out when a product is chosen; general ones stay.
    kafka = selectors.article_suggest(actor=staff, text="lag bloat", product_id=kb["kafka"].pk)
    assert {a.title for a in kafka} == {"Kafka consumer lag", "Runbook: bloat emergency", body_only.title}


def test_suggestions_are_at_most_five(kb: World) -> None:
    for n in range(8):
        publish(f"Vacuum tip {n}", "vacuum")
    assert len(selectors.article_suggest(actor=actor_for(kb["engineer"]), text="vacuum")) == 5


def test_new_ticket_form_asks_for_suggestions_as_the_customer_types(
    kb: World, web_for: Callable[..., Client]
) -> None:
    client = web_for(kb["acme"]["contact"].user)
    html = client.get("/tickets/new/").content.decode()
    assert 'hx-get="/kb/suggest/"' in html
    assert "keyup changed delay:400ms" in html
    # What htmx sends: the form's subject, body and product.
    response = client.get(
        "/kb/suggest/", {"subject": "table bloat", "body": "", "product": str(kb["postgres"].pk)}
    )
    assert "Vacuum and table bloat" in response.content.decode()
    assert client.get("/kb/suggest/", {"subject": "zzz"}).content.decode().strip() == ""


# --- links to tickets ---------------------------------------------------------------------------------------


def test_staff_link_an_article_and_the_customer_sees_it(kb: World, web_for: Callable[..., Client]) -> None:
    ticket = kb["acme"]["ticket"]
    staff = web_for(kb["engineer"])
    page = staff.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Link an article" in page
    assert "Vacuum and table bloat" in page  # offered (suggested from the subject)
    before = AuditEntry.objects.count()
    for kind in ("public", "internal"):
        response = staff.post(f"/kb/tickets/{ticket.pk}/link/", {"article": kb["articles"][kind].pk})
        assert response.status_code == 302
    staff.post(f"/kb/tickets/{ticket.pk}/link/", {"article": kb["articles"]["public"].pk})  # again: no-op
    assert ArticleLink.objects.filter(ticket=ticket).count() == 2
    assert AuditEntry.objects.count() == before + 2
    entry = AuditEntry.objects.order_by("-seq")[0]
    assert (entry.action, entry.organization_id) == ("create", kb["acme"]["org"].pk)

    staff_page = staff.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'id="kb-links"' in staff_page
    assert "Runbook: bloat emergency" in staff_page
    customer_page = web_for(kb["acme"]["contact"].user).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Vacuum and table bloat" in customer_page
    assert "Runbook: bloat emergency" not in customer_page  # internal: linked, but not for customers
    assert "Link an article" not in customer_page


def test_customer_cannot_link_nor_see_another_organisations_links(
    kb: World, web_for: Callable[..., Client]
) -> None:
    acme_ticket, globex_ticket = kb["acme"]["ticket"], kb["globex"]["ticket"]
    services.article_link_ticket(actor=SYSTEM, article=kb["articles"]["public"], ticket=globex_ticket)
    client = web_for(kb["acme"]["admin"].user)
    article = kb["articles"]["customers"].pk
    assert client.post(f"/kb/tickets/{acme_ticket.pk}/link/", {"article": article}).status_code == 403
    assert client.post(f"/kb/tickets/{globex_ticket.pk}/link/", {"article": article}).status_code == 404
    missing = globex_ticket.pk + 1000
    assert client.post(f"/kb/tickets/{missing}/link/", {"article": article}).status_code == 404
    link = ArticleLink.objects.get(ticket=globex_ticket)
    assert client.post(f"/kb/links/{link.pk}/delete/").status_code == 403
    assert ArticleLink.objects.count() == 1
    acme = actor_for(kb["acme"]["admin"].user)
    assert list(selectors.ticket_article_links(actor=acme, ticket=globex_ticket)) == []
    assert client.get(f"/tickets/{globex_ticket.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.article_link_ticket(actor=acme, article=kb["articles"]["public"], ticket=acme_ticket)


def test_staff_unlink(kb: World, web_for: Callable[..., Client]) -> None:
    ticket = kb["acme"]["ticket"]
    link = services.article_link_ticket(actor=SYSTEM, article=kb["articles"]["public"], ticket=ticket)
    response = web_for(kb["engineer"]).post(f"/kb/links/{link.pk}/delete/")
    assert response.status_code == 302
    assert not ArticleLink.objects.exists()
    assert AuditEntry.objects.order_by("-seq")[0].action == "delete"


# --- the editor ---------------------------------------------------------------------------------------------


def test_editor_is_staff_only(kb: World, web_for: Callable[..., Client]) -> None:
    customer = web_for(kb["acme"]["admin"].user)
    assert customer.get("/kb/new/").status_code == 403
    assert customer.post("/kb/new/", {"title": "x", "body": "y", "visibility": "public"}).status_code == 403
    assert customer.post("/kb/preview/", {"body": "# hi"}).status_code == 403
    slug = kb["articles"]["public"].slug
    assert customer.get(f"/kb/{slug}/edit/").status_code == 403
    assert customer.post(f"/kb/{slug}/delete/").status_code == 403
    assert web_for(None).get("/kb/new/").status_code == 302  # to sign in
    assert Article.objects.count() == 5


def test_editor_shows_form_errors(kb: World, web_for: Callable[..., Client]) -> None:
    client = web_for(kb["engineer"])
    page = client.get("/kb/new/").content.decode()
    assert 'hx-post="/kb/preview/"' in page
    response = client.post("/kb/new/", {"title": "", "body": "", "visibility": "nope"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "body", "visibility"}
    response = client.post(
        "/kb/new/",
        {
            "title": "Mixed versions",
            "body": "b",
            "visibility": "public",
            "product": kb["kafka"].pk,
            "product_versions": [kb["pg16"].pk],
        },
    )
    assert response.status_code == 400
    assert "Not versions of Apache Kafka" in response.context["form"].errors["product_versions"][0]
    assert not Article.objects.filter(title="Mixed versions").exists()


def test_editor_creates_publishes_edits_and_deletes(kb: World, web_for: Callable[..., Client]) -> None:
    client = web_for(kb["engineer"])
    ticket = kb["acme"]["ticket"]
    response = client.post(
        f"/kb/new/?ticket={ticket.pk}",
        {
            "title": "Replica lag after failover",
            "body": "Check `pg_stat_replication`.",
            "visibility": "customers",
            "product": kb["postgres"].pk,
            "product_versions": [kb["pg16"].pk],
            "from_ticket": ticket.pk,
            "publish": "1",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(title="Replica lag after failover")
    assert (article.slug, article.status, article.from_ticket_id) == (
        "replica-lag-after-failover",
        ArticleStatus.PUBLISHED,
        ticket.pk,
    )
    assert [v.pk for v in article.product_versions.all()] == [kb["pg16"].pk]
    assert "<code>pg_stat_replication</code>" in article.body_html
    actions = list(
        AuditEntry.objects.filter(object_type="kb.article", object_id=str(article.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["create", "action"]

    response = client.post(
        f"/kb/{article.slug}/edit/",
        {"title": "Replica lag after a failover", "slug": "", "body": "New *body*", "visibility": "public"},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.slug, article.body_html) == (
        "Replica lag after a failover",
        "replica-lag-after-a-failover",
        "<p>New <em>body</em></p>",
    )
    client.post(f"/kb/{article.slug}/publish/", {"unpublish": "1"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert client.post(f"/kb/{article.slug}/delete/").status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert AuditEntry.objects.order_by("-seq")[0].action == "delete"


def test_preview_renders_safely(kb: World, web_for: Callable[..., Client]) -> None:
    response = web_for(kb["engineer"]).post("/kb/preview/", {"body": "# Hi\n<script>x()</script>"})
    assert response.status_code == 200
    assert "<h1>Hi</h1>" in response.content.decode()
    assert "<script" not in response.content.decode()


def test_slugs_are_unique_and_avoid_reserved_paths(kb: World) -> None:
    first = services.article_create(actor=SYSTEM, title="New", body="x")
    second = services.article_create(actor=SYSTEM, title="New", body="x")
    assert (first.slug, second.slug) == ("new-article", "new-article-2")
    again = services.article_create(actor=SYSTEM, title="Vacuum and table bloat", body="x")
    assert again.slug == "vacuum-and-table-bloat-2"


def test_writers_are_the_four_staff_roles(kb: World) -> None:
    for role in ("admin", "engineer", "security_analyst", "account_manager"):
        services.article_create(actor=actor_for(staff_user(role)), title=f"By {role}", body="x")
    with pytest.raises(PermissionDenied):
        services.article_create(actor=actor_for(kb["acme"]["admin"].user), title="Mine", body="x")
    with pytest.raises(ValidationError):
        services.article_create(actor=SYSTEM, title="v", body="x", product_versions=[kb["pg16"]])


# --- API writes ---------------------------------------------------------------------------------------------


def test_api_staff_write_and_customers_cannot(kb: World, api_client_for: Callable[..., Any]) -> None:
    staff = api_client_for(kb["engineer"])
    response = staff.post(
        "/api/kb/articles/",
        {
            "title": "API article",
            "body": "**hi**",
            "visibility": "public",
            "product": kb["kafka"].pk,
            "publish": True,
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["body_html"], created["author"]) == (
        "published",
        "<p><strong>hi</strong></p>",
        kb["engineer"].username,
    )
    pk = created["id"]
    assert (
        staff.patch(f"/api/kb/articles/{pk}/", {"visibility": "internal"}).json()["visibility"] == "internal"
    )

    customer = api_client_for(kb["acme"]["admin"].user)
    before = AuditEntry.objects.count()
    assert customer.post("/api/kb/articles/", {"title": "x", "body": "y"}).status_code == 403
    public = kb["articles"]["public"].pk
    assert customer.patch(f"/api/kb/articles/{public}/", {"title": "Defaced"}).status_code == 403
    assert customer.delete(f"/api/kb/articles/{public}/").status_code == 403
    assert customer.patch(f"/api/kb/articles/{pk}/", {"title": "x"}).status_code == 404  # internal now
    assert AuditEntry.objects.count() == before
    assert staff.delete(f"/api/kb/articles/{pk}/").status_code == 204
    assert not Article.objects.filter(pk=pk).exists()


# --- query counts -------------------------------------------------------------------------------------------


def _more_articles(kb: World, n: int) -> None:
    for i in range(n):
        article = publish(f"Extra {i}", "vacuum", Visibility.CUSTOMERS, product=kb["postgres"])
        article.product_versions.set([kb["pg16"]])


@pytest.mark.parametrize("who", list(MATRIX))
def test_list_query_count_does_not_grow(
    who: str, kb: World, web_for: Callable[..., Client], django_assert_num_queries: Any
) -> None:
    client = web_for(_user(kb, who))
    with CaptureQueriesContext(connection) as few:
        client.get("/kb/")
    _more_articles(kb, 6)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/kb/")
    assert "Extra 5" in response.content.decode() or who == "anonymous"


def test_api_list_query_count_does_not_grow(
    kb: World, api_client_for: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    api = api_client_for(kb["acme"]["contact"].user)
    api.get("/api/kb/articles/")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        api.get("/api/kb/articles/")
    _more_articles(kb, 6)
    with django_assert_num_queries(len(few.captured_queries)):
        assert api.get("/api/kb/articles/").json()["count"] == 9


# --- demo ---------------------------------------------------------------------------------------------------


def test_demo_articles(db: Any, staff: Any) -> None:
    for name in ("PostgreSQL", "Apache Kafka", "Django"):
        ProductFactory(name=name)
    assert demo_kb() == len(ARTICLES)
    assert demo_kb() == 0  # once
    kinds = set(Article.objects.values_list("visibility", "status"))
    assert {(Visibility.INTERNAL, "published"), (Visibility.CUSTOMERS, "published")} <= kinds
    assert ("public", "draft") in kinds
    assert Article.objects.filter(product__isnull=True).count() == 0
    assert "<script" not in "".join(Article.objects.values_list("body_html", flat=True))
