"""Knowledge-base pages: the public list and article pages, the staff editor with its live preview,
suggestions while a customer writes a ticket, and linking articles to tickets.

Each parses input, calls a kb selector or service, renders; who reads what is the selectors' decision.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ossdesk.accounts.access import can_link_articles, can_read_internal_notes, can_write_articles, require
from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.kb import selectors, services
from ossdesk.kb.models import Article, ArticleLink
from ossdesk.kb.rendering import render_markdown
from ossdesk.kb.web.forms import ArticleForm, LinkArticleForm
from ossdesk.products.selectors import product_list
from ossdesk.tickets import selectors as ticket_selectors
from ossdesk.tickets.models import Ticket

PAGE_SIZE = 25
PREVIEW_MAX_CHARS = 200_000


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _article(actor: Actor, slug: str) -> Article:
    try:
        return selectors.article_get(actor=actor, slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


# --- reading ----------------------------------------------------------------------------------------------


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    """Everyone: the articles they may read, searched and filtered by product."""
    actor = request_actor(request)
    query = request.GET.get("q", "").strip()
    product_id = _int(request.GET.get("product"))
    articles = selectors.article_list(actor=actor, search=query, product_id=product_id).order_by(
        "title", "pk"
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "product_id": product_id,
        "products": product_list().order_by("name"),
        "can_write": can_write_articles(actor),
        "querystring": urlencode({k: v for k, v in (("q", query), ("product", product_id or "")) if v}),
    }
    template = "kb/_article_rows.html" if request.headers.get("HX-Request") else "kb/article_list.html"
    return render(request, template, context)


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = request_actor(request)
    article = _article(actor, slug)
    context = {
        "article": article,
        "can_write": can_write_articles(actor),
        "can_link": can_link_articles(actor),
        "shows_author": can_read_internal_notes(actor),
        "ticket_links": selectors.article_ticket_links(actor=actor, article=article),
    }
    return render(request, "kb/article_detail.html", context)


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Up to five articles for what is being typed: `q`, or a ticket form's `subject` and `body`."""
    actor = request_actor(request)
    text = " ".join(request.GET.get(key, "") for key in ("q", "subject", "body"))[:2000]
    articles = selectors.article_suggest(actor=actor, text=text, product_id=_int(request.GET.get("product")))
    return render(request, "kb/_suggestions.html", {"articles": articles})


# --- writing (staff) --------------------------------------------------------------------------------------


def _editor(request: HttpRequest, actor: Actor, article: Article | None) -> HttpResponse:
    require(can_write_articles(actor), services.WRITERS_ONLY)
    initial: dict[str, Any] = {}
    if article is not None:
        initial = {
            "title": article.title,
            "slug": article.slug,
            "product": article.product_id,
            "product_versions": [v.pk for v in article.product_versions.all()],
            "visibility": article.visibility,
            "body": article.body,
        }
    else:
        initial["product"] = _int(request.GET.get("product"))
    form = ArticleForm(request.POST or None, initial=initial)
    from_ticket = None
    if article is None:
        from_ticket = _source_ticket(actor, request.POST.get("from_ticket") or request.GET.get("ticket"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "slug": data["slug"],
            "body": data["body"],
            "visibility": data["visibility"],
            "product": data["product"],
            "product_versions": list(data["product_versions"]),
        }
        try:
            if article is None:
                saved = services.article_create(actor=actor, from_ticket=from_ticket, **fields)
            else:
                saved = services.article_update(actor=actor, article=article, **fields)
            if request.POST.get("publish"):
                saved = services.article_publish(actor=actor, article=saved)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            state = "published" if saved.is_published else "saved as a draft"
            messages.success(request, f"“{saved.title}” {state}.")
            return redirect("web:kb-article", slug=saved.slug)
    context = {
        "form": form,
        "article": article,
        "from_ticket": from_ticket,
        "preview": render_markdown(form["body"].value() or ""),
    }
    return render(request, "kb/article_form.html", context, status=400 if form.errors else 200)


def _source_ticket(actor: Actor, raw: str | None) -> Ticket | None:
    if not raw or not raw.isdigit():
        return None
    return ticket_selectors.ticket_list(actor=actor).filter(pk=int(raw)).first()


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, request_actor(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    actor = request_actor(request)
    require(can_write_articles(actor), services.WRITERS_ONLY)
    return _editor(request, actor, _article(actor, slug))


@login_required
@require_POST
def article_preview(request: HttpRequest) -> HttpResponse:
    """The editor's live preview: the same sanitised rendering the article page shows."""
    require(can_write_articles(request_actor(request)), services.WRITERS_ONLY)
    safe = render_markdown(request.POST.get("body", "")[:PREVIEW_MAX_CHARS])
    return render(request, "kb/_preview.html", {"preview": safe})


@login_required
@require_POST
def article_publish(request: HttpRequest, slug: str) -> HttpResponse:
    actor = request_actor(request)
    require(can_write_articles(actor), services.WRITERS_ONLY)
    article = _article(actor, slug)
    if request.POST.get("unpublish"):
        services.article_unpublish(actor=actor, article=article)
        messages.success(request, f"“{article.title}” is a draft again: only staff can read it.")
    else:
        services.article_publish(actor=actor, article=article)
        messages.success(request, f"“{article.title}” published.")
    return redirect("web:kb-article", slug=article.slug)


@login_required
@require_POST
def article_delete(request: HttpRequest, slug: str) -> HttpResponse:
    actor = request_actor(request)
    require(can_write_articles(actor), services.WRITERS_ONLY)
    article = _article(actor, slug)
    services.article_delete(actor=actor, article=article)
    messages.success(request, f"Deleted “{article.title}”.")
    return redirect("web:kb")


# --- tickets ----------------------------------------------------------------------------------------------


@login_required
@require_POST
def ticket_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link an article to a ticket from the ticket page's sidebar (staff)."""
    actor = request_actor(request)
    try:
        ticket = ticket_selectors.ticket_get(actor=actor, pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None
    require(can_link_articles(actor), services.LINKERS_ONLY)
    back = reverse("web:ticket", args=[ticket.pk]) + "#kb-links"
    form = LinkArticleForm(request.POST)
    article = None
    if form.is_valid():
        article = selectors.article_list(actor=actor).filter(pk=form.cleaned_data["article"]).first()
    if article is None:
        messages.error(request, "Choose an article to link.")
        return redirect(back)
    services.article_link_ticket(actor=actor, article=article, ticket=ticket)
    draft = "" if article.is_published else " It is still a draft: the customer sees it once published."
    messages.success(request, f"Linked “{article.title}”.{draft}")
    return redirect(back)


@login_required
@require_POST
def ticket_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    require(can_link_articles(actor), services.UNLINKERS_ONLY)
    try:
        link = selectors.article_link_get(actor=actor, pk=pk)
    except ArticleLink.DoesNotExist:
        raise Http404("No such link.") from None
    services.article_unlink_ticket(actor=actor, link=link)
    messages.success(request, f"Unlinked “{link.article.title}”.")
    return redirect(reverse("web:ticket", args=[link.ticket_id]) + "#kb-links")
