"""`Authorization: Token osd_…` authentication for the REST API, and how the OpenAPI document describes it
(so the docs page offers "Authorize"). DRF imports this module for every API view, which defines the
extension before any schema is generated: no AppConfig.ready() needed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from ossdesk.accounts.services import api_token_authenticate


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() not in {"token", "bearer"}:
            return None
        key = key.strip()
        if not key:
            raise exceptions.AuthenticationFailed("No token after 'Token'.")
        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token osd_…` — create one at /account/tokens/ or POST /api/tokens/.",
        }
