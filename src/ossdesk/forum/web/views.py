"""Forum pages: the forums, a forum's threads, a thread with its replies, asking, answering, accepting,
and the staff's moderation controls.

Each parses input, calls a forum selector or service, renders; who reads and writes what is theirs to say.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ossdesk.accounts.access import can_accept_answer, can_moderate_forum, require
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.forum import selectors, services
from ossdesk.forum.models import Ban, Post, Thread
from ossdesk.forum.presenters import public_name
from ossdesk.forum.web.forms import AcceptForm, BanForm, LiftForm, PostForm, ReasonForm, ThreadForm
from ossdesk.products.models import Product

PAGE_SIZE = 20
MODERATORS_ONLY = "Only the support team moderates the forum."
STATES = {"answered": True, "unanswered": False}


def _product(slug: str) -> Product:
    try:
        return selectors.forum_get(slug=slug)
    except Product.DoesNotExist:
        raise Http404("No such forum.") from None


def _thread(actor: Actor, pk: int) -> Thread:
    try:
        return selectors.thread_get(actor=actor, pk=pk)
    except Thread.DoesNotExist:
        raise Http404("No such thread.") from None


def _post(actor: Actor, pk: int) -> Post:
    try:
        return selectors.post_get(actor=actor, pk=pk)
    except Post.DoesNotExist:
        raise Http404("No such reply.") from None


def _thread_url(thread: Thread, anchor: str = "") -> str:
    return reverse("web:forum-thread", args=[thread.pk]) + (f"#{anchor}" if anchor else "")


# --- reading ----------------------------------------------------------------------------------------------


@require_GET
def forum_index(request: HttpRequest) -> HttpResponse:
    """Every product's forum with its thread counts."""
    actor = request_actor(request)
    context = {"forums": selectors.forum_list(actor=actor), "can_moderate": can_moderate_forum(actor)}
    return render(request, "forum/index.html", context)


@require_GET
def thread_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A product's threads: searched by title, answered or not, newest activity first."""
    actor = request_actor(request)
    product = _product(slug)
    query = request.GET.get("q", "").strip()[:200]
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    threads = selectors.thread_list(
        actor=actor, product_id=product.pk, answered=STATES.get(state), search=query
    )
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "product": product,
        "page": page,
        "query": query,
        "state": state,
        "querystring": urlencode({k: v for k, v in (("q", query), ("state", state)) if v}),
        "write_refusal": services.write_refusal(actor),
    }
    template = "forum/_thread_rows.html" if request.headers.get("HX-Request") else "forum/thread_list.html"
    return render(request, template, context)


def _thread_page(
    request: HttpRequest, actor: Actor, thread: Thread, form: PostForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "thread": thread,
        "posts": list(selectors.post_list(actor=actor, thread=thread)),
        "form": form or PostForm(),
        "can_accept": can_accept_answer(actor, thread.author_id) and services.write_refusal(actor) is None,
        "can_moderate": can_moderate_forum(actor),
        "write_refusal": services.write_refusal(actor),
        "locked_for_me": thread.is_locked and not can_moderate_forum(actor),
    }
    return render(request, "forum/thread_detail.html", context, status=status)


@require_GET
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    return _thread_page(request, actor, _thread(actor, pk))


# --- asking and answering ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    actor = request_actor(request)
    product = _product(slug)
    form = ThreadForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_create(
                actor=actor, product=product, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
            )
        except services.RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Your question is posted.")
            return redirect(_thread_url(thread))
    if form.errors and status == 200:
        status = 400
    context = {"product": product, "form": form, "write_refusal": services.write_refusal(actor)}
    return render(request, "forum/thread_form.html", context, status=status)


@login_required
@require_POST
def post_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    thread = _thread(actor, pk)
    form = PostForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            post = services.post_create(actor=actor, thread=thread, body=form.cleaned_data["body"])
        except services.RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Your answer is posted.")
            return redirect(_thread_url(thread, f"post-{post.pk}"))
    return _thread_page(request, actor, thread, form, status=status)


@login_required
@require_POST
def thread_accept(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    thread = _thread(actor, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a reply to accept.")
        return redirect(_thread_url(thread))
    if form.cleaned_data["unaccept"]:
        services.thread_unaccept(actor=actor, thread=thread)
        messages.success(request, "The thread has no accepted answer any more.")
        return redirect(_thread_url(thread))
    post = selectors.post_list(actor=actor, thread=thread).filter(pk=form.cleaned_data["post"] or 0).first()
    if post is None:
        messages.error(request, "Choose a reply of this thread to accept.")
        return redirect(_thread_url(thread))
    services.thread_accept(actor=actor, thread=thread, post=post)
    messages.success(request, "Answer accepted: thank you for closing the loop.")
    return redirect(_thread_url(thread, f"post-{post.pk}"))


# --- moderation and staff actions -------------------------------------------------------------------------


@login_required
@require_POST
def thread_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """hide, unhide, lock, unlock (with a reason); turn into a ticket; draft a knowledge-base article."""
    actor = request_actor(request)
    require(can_moderate_forum(actor), MODERATORS_ONLY)
    thread = _thread(actor, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do.")
        return redirect(_thread_url(thread))
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "ticket":
            ticket = services.thread_to_ticket(actor=actor, thread=thread)
            messages.success(request, f"Turned into ticket #{ticket.pk}; the thread is locked.")
            return redirect("web:ticket", pk=ticket.pk)
        if action == "article":
            article = services.thread_to_article(actor=actor, thread=thread)
            messages.success(request, f"Drafted “{article.title}”: review and publish it.")
            return redirect("web:kb-article", slug=article.slug)
        operation = {
            "hide": services.thread_hide,
            "unhide": services.thread_unhide,
            "lock": services.thread_lock,
            "unlock": services.thread_unlock,
        }[action]
        operation(actor=actor, thread=thread, reason=reason)
    except (EntitlementDenied, ValidationError) as exc:
        text = str(exc) if isinstance(exc, EntitlementDenied) else " ".join(exc.messages)
        messages.error(request, f"Not done: {text}")
    else:
        messages.success(request, f"Thread {action}{'d' if action.endswith('e') else 'ed'}.")
    return redirect(_thread_url(thread))


@login_required
@require_POST
def post_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    require(can_moderate_forum(actor), MODERATORS_ONLY)
    post = _post(actor, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] not in {"hide", "unhide"}:
        messages.error(request, "Choose hide or unhide.")
        return redirect(_thread_url(post.thread, f"post-{post.pk}"))
    operation = services.post_hide if form.cleaned_data["action"] == "hide" else services.post_unhide
    try:
        operation(actor=actor, post=post, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, f"Not done: {' '.join(exc.messages)}")
    else:
        messages.success(request, "Reply hidden." if post.hidden else "Reply shown again.")
    return redirect(_thread_url(post.thread, f"post-{post.pk}"))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/forum/") else reverse("web:forum-bans")


@login_required
@require_http_methods(["GET", "POST"])
def bans(request: HttpRequest) -> HttpResponse:
    """Staff: the bans in force and past ones; POST bans a member (from a thread page)."""
    actor = request_actor(request)
    require(can_moderate_forum(actor), MODERATORS_ONLY)
    if request.method == "POST":
        form = BanForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why, and for how many days (empty = permanent).")
            return redirect(_back(request))
        try:
            user = selectors.forum_user_get(actor=actor, pk=form.cleaned_data["user"])
        except User.DoesNotExist:
            raise Http404("No such member.") from None
        days = form.cleaned_data["days"]
        until = timezone.now() + timedelta(days=days) if days else None
        try:
            services.ban_create(actor=actor, user=user, reason=form.cleaned_data["reason"], until=until)
        except ValidationError as exc:
            messages.error(request, f"Not done: {' '.join(exc.messages)}")
        else:
            length = f"for {days} day{'s' if days != 1 else ''}" if days else "permanently"
            messages.success(request, f"{public_name(user)} is banned {length}.")
        return redirect(_back(request))
    context: dict[str, Any] = {
        "in_force": selectors.ban_list(actor=actor, in_force=True),
        "past": selectors.ban_list(actor=actor, in_force=False)[:50],
    }
    return render(request, "forum/bans.html", context)


@login_required
@require_POST
def ban_lift(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    require(can_moderate_forum(actor), MODERATORS_ONLY)
    try:
        ban = selectors.ban_get(actor=actor, pk=pk)
    except Ban.DoesNotExist:
        raise Http404("No such ban.") from None
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the ban ends early.")
    else:
        services.ban_lift(actor=actor, ban=ban, reason=form.cleaned_data["reason"])
        messages.success(request, f"Ban of {public_name(ban.user)} lifted.")
    return redirect("web:forum-bans")
