"""Geocoding views: retry the doors still without coordinates, place a door by hand."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer
from backend.api.views import ApiView
from canvass.api.serializers import geocoding as s
from canvass.selectors.households import households_placeable_by
from canvass.services import geocoding


class GeocodePendingView(ApiView):
    """Retry geocoding of the doors that are pending or failed, now (in the background)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=None, responses={202: s.GeocodePendingOutputSerializer})
    def post(self, request: Request) -> Response:
        waiting = geocoding.geocode_pending_start()
        body = {"waiting": waiting, "started": bool(waiting)}
        return Response(
            s.GeocodePendingOutputSerializer(body).data, status=status.HTTP_202_ACCEPTED
        )


class HouseholdPlaceView(ApiView):
    """Place a door by hand (`latitude`, `longitude`): for a needs-review or failed door, or a
    correction. Audited. A door in another team's active turf is a 404."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(
        request=s.HouseholdPlaceInputSerializer, responses={200: s.HouseholdPlacedSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        household = self.get_or_404(households_placeable_by(user=self.actor), pk=pk)
        data = s.HouseholdPlaceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = geocoding.household_place(
            actor=self.actor,
            household=household,
            latitude=data.validated_data["latitude"],
            longitude=data.validated_data["longitude"],
            ip_address=self.client_ip,
        )
        return Response(s.HouseholdPlacedSerializer(household).data)
