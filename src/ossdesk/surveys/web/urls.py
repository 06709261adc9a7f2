"""Survey pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.surveys.web import views

urlpatterns = [
    path("surveys/", views.results, name="survey-results"),
    path("surveys/export.csv", views.results_csv, name="survey-csv"),
    path("surveys/tickets/<int:pk>/", views.ticket_rate, name="survey-ticket"),
    path("survey/<str:token>/comment/", views.survey_comment, name="survey-comment"),
    path("survey/<str:token>/<str:rating>/", views.survey_rate, name="survey-rate"),
]
