"""Mailboxes in the Django admin; saves go through the audited services (secrets never reach the log)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from ossdesk.audit.admin import ServiceAdmin
from ossdesk.channels import intake
from ossdesk.channels.models import Mailbox


class MailboxForm(forms.ModelForm):
    oauth_token_url = forms.URLField(required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Mailbox
        fields = [
            *("name", "address", "product", "severity", "is_active", "imap_host", "imap_port"),
            *("imap_security", "imap_username", "imap_auth", "imap_password", "folder", "processed_folder"),
            *("poll_seconds", "oauth_token_url", "oauth_client_id", "oauth_client_secret"),
            *("oauth_refresh_token", "oauth_scope"),
        ]
        widgets = {
            "imap_password": forms.PasswordInput(render_value=True),
            "oauth_client_secret": forms.PasswordInput(render_value=True),
        }


def _create(actor: Any, **fields: Any) -> Mailbox:
    return intake.mailbox_create(actor=actor, **fields)


def _update(actor: Any, obj: Mailbox, **changes: Any) -> Mailbox:
    return intake.mailbox_update(actor=actor, mailbox=obj, **changes)


def _delete(actor: Any, obj: Mailbox) -> None:
    intake.mailbox_delete(actor=actor, mailbox=obj)


@admin.register(Mailbox)
class MailboxAdmin(ServiceAdmin):
    form = MailboxForm
    list_display = ["name", "address", "product", "imap_host", "is_active", "last_polled_at", "last_error"]
    list_filter = ["is_active", "imap_auth"]
    search_fields = ["name", "address", "imap_host"]
    readonly_fields = ["oauth_access_token", "oauth_expires_at", "last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "address", "product", "severity", "is_active"]}),
        (
            "IMAP",
            {
                "fields": [
                    "imap_host", "imap_port", "imap_security", "imap_username", "imap_auth", "imap_password",
                    "folder", "processed_folder", "poll_seconds",
                ]
            },
        ),
        (
            "OAuth 2.0 (XOAUTH2)",
            {
                "fields": [
                    "oauth_token_url", "oauth_client_id", "oauth_client_secret", "oauth_refresh_token",
                    "oauth_scope", "oauth_access_token", "oauth_expires_at",
                ]
            },
        ),
        ("Last fetch", {"fields": ["last_polled_at", "last_error"]}),
    ]  # fmt: skip
    create_service = _create
    update_service = _update
    delete_service = _delete
