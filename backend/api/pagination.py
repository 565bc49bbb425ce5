from __future__ import annotations

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination; ?page_size= up to API_MAX_PAGE_SIZE (larger is capped).

    A page or page size that is not a positive integer is a 400 naming the parameter, rather
    than silently falling back to a default.
    """

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        for name in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(name)
            if raw is not None and (not raw.isdigit() or int(raw) < 1):
                raise ValidationError({name: ["Must be a positive integer."]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, object]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "minimum": 1}  # type: ignore[dict-item]
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page; larger values are capped at {self.max_page_size}."
                )
        return parameters
