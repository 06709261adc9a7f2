"""Page-number pagination for every list endpoint (kept apart: DRF imports it at start-up)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
