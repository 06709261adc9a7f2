"""Customer pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.customers.web import views

urlpatterns = [
    path("customers/", views.customer_list, name="customers"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("customers/<slug:slug>/", views.customer_detail, name="customer"),
    path("portal/", views.portal, name="portal"),
    path("contacts/confirm/<str:token>/", views.contact_proof, name="contact-proof"),
]
