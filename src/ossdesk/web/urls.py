"""Web pages."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from ossdesk.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "signin/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("customers/<slug:slug>/", views.customer_detail, name="customer"),
    path("portal/", views.portal, name="portal"),
    path("plans/", views.plans_compare, name="plans"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("contacts/confirm/<str:token>/", views.contact_proof, name="contact-proof"),
    path("", include("ossdesk.tickets.web.urls")),
    path("", include("ossdesk.security.web.urls")),
    path("", include("ossdesk.channels.web.urls")),
    path("", include("ossdesk.kb.web.urls")),
    path("", include("ossdesk.forum.web.urls")),
    path("", include("ossdesk.search.web.urls")),
    path("", include("ossdesk.surveys.web.urls")),
]
