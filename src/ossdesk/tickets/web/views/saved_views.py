"""The queue's saved views: save one, delete one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ossdesk.doors.actor import request_actor
from ossdesk.tickets import selectors
from ossdesk.tickets import services as ticket_services
from ossdesk.tickets.selectors import QueueFilter
from ossdesk.tickets.web.forms import SavedViewForm


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = SavedViewForm(request.POST)
    filters = QueueFilter.from_mapping(request.POST)
    back = f"{reverse('web:tickets')}?{urlencode(ticket_services.queue_filter_dict(filters))}"
    if form.is_valid():
        try:
            view = ticket_services.saved_view_save(
                actor=actor,
                name=form.cleaned_data["name"],
                filters=filters,
                shared=form.cleaned_data["shared"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
    else:
        messages.error(request, "Name the view to save it.")
    return redirect(back)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    view = selectors.saved_view_list(actor=actor).filter(pk=pk).first()
    if view is None:
        raise Http404("No such view.")
    ticket_services.saved_view_delete(actor=actor, view=view)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("web:tickets")
