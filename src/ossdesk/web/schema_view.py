"""The OpenAPI document, generated once per process: it depends only on the code, never on who asks
(drf-spectacular's SERVE_PUBLIC), and generating it walks every view and serializer (about a second).

Apart from `doors/schema.py`: drf-spectacular's views import the schema class that module defines.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


class CachedSchemaView(SpectacularAPIView):
    """`/api/schema/`: the generated document is kept per API version; each request only renders it."""

    generated: ClassVar[dict[str | None, dict[str, Any]]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        if version not in self.generated:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            self.generated[version] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self.generated[version],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
