"""Thin canvass views: parse input, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Team, User
from backend.api.errors import ApplicationError
from backend.api.permissions import IsCanvasser, IsFieldLeadOrOrganizer, IsStaffRole
from canvass import selectors
from canvass.api import serializers as s
from canvass.models import Household, Precinct, Turf
from canvass.services import turf as turf_services


def _client_ip(request: Request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _managed_turf(request: Request, pk: int) -> Turf:
    """Another team's turf is a 404: its existence is not the caller's business."""
    return get_object_or_404(selectors.turfs_managed_by(user=_user(request)), pk=pk)


def _visible_turf(request: Request, pk: int) -> Turf:
    return get_object_or_404(selectors.turfs_for_user(user=_user(request)), pk=pk)


def _team(team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ApplicationError("No such team.", fields={"team": ["No such team."]})
    return team


def _precinct(precinct_id: int | None) -> Precinct | None:
    if precinct_id is None:
        return None
    precinct = Precinct.objects.filter(pk=precinct_id).first()
    if precinct is None:
        raise ApplicationError("No such precinct.", fields={"precinct": ["No such precinct."]})
    return precinct


def _turf_data(turfs: list[Turf]) -> list[dict[str, Any]]:
    return s.TurfSerializer(turfs, many=True).data  # type: ignore[return-value]


class HouseholdListView(generics.ListAPIView):
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
        return selectors.households_for_user(
            user=_user(self.request),
            precinct_id=values.get("precinct"),
            geocode_status=values.get("geocode_status"),
            in_active_turf=values.get("in_active_turf"),
            county=values.get("county"),
        )


class PrecinctListView(generics.ListAPIView):
    """Precincts (no boundaries) for choosing what to cut; `?county=` matches loosely."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.PrecinctSerializer

    @extend_schema(parameters=[OpenApiParameter("county", str, required=False)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.precincts_list(county=self.request.query_params.get("county"))


class TurfListCreateView(generics.ListAPIView):
    """Field leads' and organizers' turf (field leads: their teams'); POST creates from a polygon."""

    extra_error_codes = {"post": ["409"]}
    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.TurfSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Turf.objects.none()
        return selectors.turfs_managed_by(user=_user(self.request)).order_by("name", "id")

    @extend_schema(request=s.TurfCreateInputSerializer, responses={201: s.TurfSerializer})
    def post(self, request: Request) -> Response:
        data = s.TurfCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        turf = turf_services.turf_create_from_area(
            actor=_user(request),
            team=_team(values["team"]),
            name=values["name"],
            boundary=values["boundary"],
            precinct=_precinct(values.get("precinct")),
        )
        return Response(
            s.TurfSerializer(_managed_turf(request, turf.pk)).data, status=status.HTTP_201_CREATED
        )


class TurfAutoCutView(APIView):
    """Cut a precinct's or polygon's unassigned households into turfs of min..max doors."""

    extra_error_codes = ["409"]
    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.TurfAutoCutInputSerializer, responses={201: s.AutoCutOutputSerializer})
    def post(self, request: Request) -> Response:
        data = s.TurfAutoCutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        turfs = turf_services.turf_auto_cut(
            actor=_user(request),
            team=_team(values["team"]),
            precinct=_precinct(values.get("precinct")),
            boundary=values.get("boundary"),
            min_doors=values["min_doors"],
            max_doors=values["max_doors"],
            name_prefix=values["name_prefix"],
        )
        rendered = list(
            selectors.turfs_managed_by(user=_user(request))
            .filter(pk__in=[t.pk for t in turfs])
            .order_by("id")
        )
        return Response({"turfs": _turf_data(rendered)}, status=status.HTTP_201_CREATED)


class TurfDetailView(APIView):
    """One turf: field leads and organizers of its team, or a canvasser assigned to it."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: s.TurfSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.TurfSerializer(_visible_turf(request, pk)).data)


class TurfStatusView(APIView):
    """Move a turf through draft → assigned → in progress → completed."""

    extra_error_codes = ["409"]
    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.TurfStatusInputSerializer, responses={200: s.TurfSerializer})
    def post(self, request: Request, pk: int) -> Response:
        turf = _managed_turf(request, pk)
        data = s.TurfStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        turf_services.turf_status_set(
            actor=_user(request), turf=turf, status=data.validated_data["status"]
        )
        return Response(s.TurfSerializer(_managed_turf(request, pk)).data)


class TurfWalkOrderView(APIView):
    """Re-compute the turf's walking order; answers the route length before and after."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=None, responses={200: s.WalkOrderOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        turf = _managed_turf(request, pk)
        lengths = turf_services.turf_order_walk(actor=_user(request), turf=turf)
        return Response(s.WalkOrderOutputSerializer(lengths).data)


class TurfAssignmentsView(APIView):
    """GET the assignment history; POST assigns a canvasser of the turf's team."""

    extra_error_codes = {"post": ["409"]}
    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.TurfAssignmentSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        turf = _managed_turf(request, pk)
        history = selectors.turf_assignments(turf=turf)
        return Response(s.TurfAssignmentSerializer(history, many=True).data)

    @extend_schema(request=s.TurfAssignInputSerializer, responses={201: s.TurfAssignmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        turf = _managed_turf(request, pk)
        data = s.TurfAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        canvasser = User.objects.filter(pk=data.validated_data["canvasser"]).first()
        if canvasser is None:
            raise ApplicationError("No such user.", fields={"canvasser": ["No such user."]})
        assignment = turf_services.turf_assign(
            actor=_user(request), turf=turf, canvasser=canvasser, ip_address=_client_ip(request)
        )
        return Response(s.TurfAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class TurfUnassignView(APIView):
    """Unassign a canvasser (the assignment stays in the history, closed)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=None, responses={200: s.TurfAssignmentSerializer})
    def delete(self, request: Request, pk: int, canvasser_id: int) -> Response:
        turf = _managed_turf(request, pk)
        assignment = turf_services.turf_unassign(
            actor=_user(request),
            turf=turf,
            canvasser_id=canvasser_id,
            ip_address=_client_ip(request),
        )
        return Response(s.TurfAssignmentSerializer(assignment).data)


class MyTurfsView(APIView):
    """The canvasser's assigned turf with progress counts."""

    permission_classes = [IsCanvasser]

    @extend_schema(responses={200: s.TurfSerializer(many=True)})
    def get(self, request: Request) -> Response:
        turfs = list(selectors.assigned_turfs_for_canvasser(user=_user(request)))
        return Response(_turf_data(turfs))


class TurfWalkListView(APIView):
    """The ordered doors with their voters and each door's latest result. Canvassers see first
    and last names, language and an age band; field leads and organizers also see party."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: s.WalkListSerializer})
    def get(self, request: Request, pk: int) -> Response:
        turf = _visible_turf(request, pk)
        stops = selectors.turf_walk_list(turf=turf)
        stop_serializer = (
            s.WalkStopSerializer if _user(request).is_canvasser else s.StaffWalkStopSerializer
        )
        return Response(
            {
                "turf": s.TurfSerializer(turf).data,
                "stops": stop_serializer(stops, many=True).data,
            }
        )


class TurfGeoJSONView(APIView):
    """The turf's boundary and doors as a GeoJSON FeatureCollection (for any map client)."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={(200, "application/geo+json"): s.TURF_FEATURE_COLLECTION_SCHEMA})
    def get(self, request: Request, pk: int) -> Response:
        turf = _visible_turf(request, pk)
        stops = selectors.turf_walk_list(turf=turf)
        features: list[dict[str, Any]] = []
        if turf.boundary:
            features.append(
                {
                    "type": "Feature",
                    "geometry": turf.boundary,
                    "properties": {"kind": "boundary", "turf_id": turf.pk, "name": turf.name},
                }
            )
        for stop in stops:
            household = stop.household
            if household.latitude is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [household.longitude, household.latitude],
                    },
                    "properties": {
                        "kind": "door",
                        "household_id": household.pk,
                        "position": stop.position,
                        "address": household.one_line_address,
                        "voters": len(household.voters.all()),
                        "latest_result": getattr(stop, "latest_result", None),
                    },
                }
            )
        return Response(
            {"type": "FeatureCollection", "features": features},
            content_type="application/geo+json",
        )
