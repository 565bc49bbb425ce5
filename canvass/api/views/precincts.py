"""Precinct views: the list to choose what to cut."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer
from backend.api.views import ListApiView
from canvass.api.serializers import precincts as s
from canvass.selectors.precincts import precincts_list


class PrecinctListView(ListApiView):
    """Precincts (no boundaries) for choosing what to cut; `?county=` matches loosely."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.PrecinctSerializer

    @extend_schema(parameters=[OpenApiParameter("county", str, required=False)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return precincts_list(county=self.request.query_params.get("county"))
