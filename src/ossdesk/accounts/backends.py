"""Sign in with the user name or the e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from ossdesk.accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username and "@" in username and not User.objects.filter(username=username).exists():
            match = User.objects.filter(email__iexact=username).first()
            if match is not None:
                username = match.username
        return super().authenticate(request, username=username, password=password, **kwargs)
