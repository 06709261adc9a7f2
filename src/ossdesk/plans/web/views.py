"""The public plan comparison page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ossdesk.domain.entitlements import Terms
from ossdesk.doors.presenters import comparison_rows
from ossdesk.plans.selectors import plan_list


def plans_compare(request: HttpRequest) -> HttpResponse:
    plans = list(plan_list())
    parsed = [(p.name, Terms.from_dict(p.terms)) for p in plans]
    return render(request, "ossdesk/plans.html", {"plans": plans, "rows": comparison_rows(parsed)})
