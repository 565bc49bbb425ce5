"""Household (door) views: the list field leads and organizers cut turf from."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer
from backend.api.views import ListApiView
from canvass.api.serializers import households as s
from canvass.models import Household
from canvass.selectors.households import households_for_user


class HouseholdListView(ListApiView):
    """Doors with coordinates, geocoding status, precinct and voter count (field leads and
    organizers). Filters: `precinct`, `county` (any spelling), `geocode_status` (e.g.
    `needs_review`), `in_active_turf`."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.HouseholdListSerializer

    @extend_schema(parameters=[s.HouseholdFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Household.objects.none()
        filters = s.HouseholdFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        return households_for_user(
            user=self.actor,
            precinct_id=values.get("precinct"),
            geocode_status=values.get("geocode_status"),
            in_active_turf=values.get("in_active_turf"),
            county=values.get("county"),
        )
