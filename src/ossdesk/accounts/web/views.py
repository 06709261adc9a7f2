"""The account pages: a user's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ossdesk.accounts import services as account_services
from ossdesk.accounts.models import ApiToken, User
from ossdesk.accounts.web.forms import TokenForm
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors


def _user(request: HttpRequest) -> User:
    """The signed-in user (views that call this are behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = account_services.api_token_create(
                actor=actor, user=_user(request), name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "ossdesk/tokens.html",
        {"form": form, "new_key": new_key, "tokens": ApiToken.objects.filter(user=_user(request))},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=_user(request), pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    account_services.api_token_revoke(actor=request_actor(request), token=token)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("web:tokens")
