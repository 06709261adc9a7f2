"""Signing in and out and a user's API tokens, included by ossdesk.web.urls (so their names live in the
`web` namespace)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from ossdesk.accounts.web import views

urlpatterns = [
    path(
        "signin/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
