"""The REST API under /api/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from ossdesk.accounts.api.views import ApiTokenViewSet, me
from ossdesk.channels.api.views import InboundViewSet
from ossdesk.customers.api.views import ContactViewSet, OrganizationViewSet
from ossdesk.forum.api import views as forum_api
from ossdesk.kb.api import views as kb_api
from ossdesk.plans.api.views import AgreementViewSet, PlanViewSet, SubscriptionViewSet
from ossdesk.products.api.views import ProductVersionViewSet, ProductViewSet
from ossdesk.search.api.views import search_page
from ossdesk.security.api.deployments import DeploymentViewSet  # customers' deployments, with their SBOMs
from ossdesk.security.api.views import (
    AdvisoryViewSet,
    FindingViewSet,
    NoticeViewSet,
    SbomViewSet,
    VendorAdvisoryViewSet,
    VexViewSet,
    portfolio,
)
from ossdesk.surveys.api import views as surveys_api
from ossdesk.tickets.api.views import NotificationViewSet, TeamViewSet, TicketViewSet
from ossdesk.web.api_docs import RedocView, redoc_bundle
from ossdesk.web.health import health
from ossdesk.web.schema_view import CachedSchemaView
from ossdesk.webhooks.api.views import DeliveryViewSet, EndpointViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("contacts", ContactViewSet, basename="contact")
router.register("products", ProductViewSet, basename="product")
router.register("product-versions", ProductVersionViewSet, basename="product-version")
router.register("plans", PlanViewSet, basename="plan")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("teams", TeamViewSet, basename="team")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("deployments", DeploymentViewSet, basename="deployment")
router.register("sboms", SbomViewSet, basename="sbom")
router.register("advisories", AdvisoryViewSet, basename="advisory")
router.register("findings", FindingViewSet, basename="finding")
router.register("vex", VexViewSet, basename="vex")
router.register("vendor-advisories", VendorAdvisoryViewSet, basename="vendor-advisory")
router.register("notices", NoticeViewSet, basename="notice")
router.register("webhooks/endpoints", EndpointViewSet, basename="webhook-endpoint")
router.register("webhooks/deliveries", DeliveryViewSet, basename="webhook-delivery")
router.register("kb/articles", kb_api.ArticleViewSet, basename="kb-article")
router.register("forum/threads", forum_api.ThreadViewSet, basename="forum-thread")
router.register("forum/posts", forum_api.PostViewSet, basename="forum-post")
router.register("forum/bans", forum_api.BanViewSet, basename="forum-ban")
router.register("mail/inbound", InboundViewSet, basename="inbound-mail")
router.register("surveys/responses", surveys_api.SurveyResponseViewSet, basename="survey-response")

urlpatterns = [
    path("health", health, name="api-health"),
    path("me", me, name="api-me"),
    path("portfolio", portfolio, name="api-portfolio"),
    path("kb/suggest", kb_api.suggest, name="api-kb-suggest"),
    path("search/", search_page, name="api-search"),
    path("surveys/summary", surveys_api.summary, name="api-surveys-summary"),
    path("schema/", CachedSchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("redoc/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
    path("", include(router.urls)),
]
