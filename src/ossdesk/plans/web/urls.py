"""The plan comparison page, included by ossdesk.web.urls (its name lives in the `web` namespace)."""

from django.urls import path

from ossdesk.plans.web import views

urlpatterns = [
    path("plans/", views.plans_compare, name="plans"),
]
