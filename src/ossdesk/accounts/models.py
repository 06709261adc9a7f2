"""People who sign in: the vendor's staff (by role) and customers' contacts (by organisation)."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    ENGINEER = "engineer", "Support engineer"
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    SECURITY_ANALYST = "security_analyst", "Security analyst"
    CUSTOMER = "customer", "Customer"
    # Roles an Actor takes but no stored user holds (not among `User.role`'s choices):
    SYSTEM = "system", "System"  # an integration or a background task acting on its own behalf
    ANONYMOUS = "anonymous", "Anonymous"  # nobody signed in


STAFF_ROLES = frozenset({Role.ADMIN, Role.ENGINEER, Role.ACCOUNT_MANAGER, Role.SECURITY_ANALYST})
ACTOR_ONLY_ROLES = frozenset({Role.SYSTEM, Role.ANONYMOUS})
USER_ROLE_CHOICES = [(role.value, role.label) for role in Role if role not in ACTOR_ONLY_ROLES]


class User(AbstractUser):
    """A person who signs in. Staff have a role; customers reach their organisation via `contact`."""

    email = models.EmailField(unique=True)
    role = models.CharField(max_length=20, choices=USER_ROLE_CHOICES, default=Role.CUSTOMER)
    display_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_vendor_staff(self) -> bool:
        return self.role in STAFF_ROLES


class ApiToken(models.Model):
    """A revocable API token; only its SHA-256 is stored, the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class Notification(models.Model):
    """An in-app notice to one person (SLA warnings, escalations, security notices), written by
    `ossdesk.notify.notify`; `ticket` is the ticket it is about, if any."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    # An ossdesk.notify.NotificationKind value (notify writes nothing else). Not the field's choices:
    # rows from before the enumeration hold other values, and the API filters and shows plain strings.
    kind = models.CharField(max_length=40)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"
