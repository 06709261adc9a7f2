"""Forum pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.forum.web import views

urlpatterns = [
    path("forum/", views.forum_index, name="forum"),
    path("forum/bans/", views.bans, name="forum-bans"),
    path("forum/bans/<int:pk>/lift/", views.ban_lift, name="forum-ban-lift"),
    path("forum/t/<int:pk>/", views.thread_detail, name="forum-thread"),
    path("forum/t/<int:pk>/reply/", views.post_create, name="forum-reply"),
    path("forum/t/<int:pk>/accept/", views.thread_accept, name="forum-accept"),
    path("forum/t/<int:pk>/moderate/", views.thread_moderate, name="forum-thread-moderate"),
    path("forum/p/<int:pk>/moderate/", views.post_moderate, name="forum-post-moderate"),
    path("forum/<slug:slug>/", views.thread_list, name="forum-threads"),
    path("forum/<slug:slug>/new/", views.thread_create, name="forum-create"),
]
