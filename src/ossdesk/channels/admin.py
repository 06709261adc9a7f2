"""Mailboxes in the Django admin; saves go through the audited services (secrets never reach the log), and
the secrets are write-only: the page never shows a stored one back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from ossdesk.channels import mailboxes
from ossdesk.channels.models import Mailbox
from ossdesk.doors.admin import ServiceAdmin

WRITE_ONLY = {
    "imap_password": "password",
    "oauth_client_secret": "client secret",
    "oauth_refresh_token": "refresh token",
}


class SecretField(forms.CharField):
    """A secret the page never shows back: left empty it keeps the stored one, typed it replaces it."""

    widget = forms.PasswordInput  # render_value=False: the stored value never reaches the browser

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(data)


class MailboxForm(forms.ModelForm[Mailbox]):
    oauth_token_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    imap_password = SecretField(label="IMAP password")
    clear_imap_password = forms.BooleanField(required=False, label="Remove the stored password")
    oauth_client_secret = SecretField(label="OAuth client secret")
    clear_oauth_client_secret = forms.BooleanField(required=False, label="Remove the stored client secret")
    oauth_refresh_token = SecretField(label="OAuth refresh token")
    clear_oauth_refresh_token = forms.BooleanField(required=False, label="Remove the stored refresh token")

    class Meta:
        model = Mailbox
        fields = [
            *("name", "address", "product", "severity", "is_active", "imap_host", "imap_port"),
            *("imap_security", "imap_username", "imap_auth", "imap_password", "folder", "processed_folder"),
            *("poll_seconds", "oauth_token_url", "oauth_client_id", "oauth_client_secret"),
            *("oauth_refresh_token", "oauth_scope"),
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, what in WRITE_ONLY.items():
            if name in self.fields:
                stored = bool(getattr(self.instance, name, ""))
                self.fields[name].help_text = (
                    f"A {what} is stored; leave this empty to keep it." if stored else f"No {what} is stored."
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, what in WRITE_ONLY.items():
            if cleaned.get(f"clear_{name}") and cleaned.get(name):
                self.add_error(name, f"Type a new {what} or remove the stored one, not both.")
            elif not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name, "")
        return cleaned


def _secrets_removed(fields: dict[str, Any]) -> dict[str, Any]:
    """The form's "remove the stored …" boxes as changes: a ticked box empties that secret."""
    for name in WRITE_ONLY:
        if fields.pop(f"clear_{name}", False):
            fields[name] = ""
    return fields


def _create(actor: Any, **fields: Any) -> Mailbox:
    return mailboxes.mailbox_create(actor=actor, **_secrets_removed(fields))


def _update(actor: Any, obj: Mailbox, **changes: Any) -> Mailbox:
    return mailboxes.mailbox_update(actor=actor, mailbox=obj, **_secrets_removed(changes))


def _delete(actor: Any, obj: Mailbox) -> None:
    mailboxes.mailbox_delete(actor=actor, mailbox=obj)


@admin.register(Mailbox)
class MailboxAdmin(ServiceAdmin[Mailbox]):
    form = MailboxForm
    list_display = ["name", "address", "product", "imap_host", "is_active", "last_polled_at", "last_error"]
    list_filter = ["is_active", "imap_auth"]
    search_fields = ["name", "address", "imap_host"]
    readonly_fields = ["access_token", "oauth_expires_at", "last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "address", "product", "severity", "is_active"]}),
        (
            "IMAP",
            {
                "fields": [
                    "imap_host", "imap_port", "imap_security", "imap_username", "imap_auth",
                    ("imap_password", "clear_imap_password"), "folder", "processed_folder", "poll_seconds",
                ]
            },
        ),
        (
            "OAuth 2.0 (XOAUTH2)",
            {
                "fields": [
                    "oauth_token_url", "oauth_client_id",
                    ("oauth_client_secret", "clear_oauth_client_secret"),
                    ("oauth_refresh_token", "clear_oauth_refresh_token"),
                    "oauth_scope", "access_token", "oauth_expires_at",
                ]
            },
        ),
        ("Last fetch", {"fields": ["last_polled_at", "last_error"]}),
    ]  # fmt: skip
    create_service = _create
    update_service = _update
    delete_service = _delete

    @admin.display(description="OAuth access token")
    def access_token(self, obj: Mailbox) -> str:
        # Whether there is one, never the token: it signs in to the mailbox until it expires.
        return "stored" if obj.oauth_access_token else "none yet"
