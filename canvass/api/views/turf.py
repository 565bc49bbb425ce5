"""Turf views: cut, list, one turf, its status, walk order, assignments, walk list and map."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.conditional import IF_NONE_MATCH, NOT_MODIFIED, conditional_response
from backend.api.permissions import IsCanvasser, IsFieldLeadOrOrganizer, IsStaffRole
from backend.api.views import ApiView, ListApiView
from backend.errors import ApplicationError
from canvass.api.serializers import turf as s
from canvass.models import Turf
from canvass.selectors.languages import turf_language_pick
from canvass.selectors.precincts import precinct_by_id
from canvass.selectors.turf import (
    assigned_turfs_for_canvasser,
    canvasser_by_id,
    team_by_id,
    turf_assignments,
    turf_walk_list,
    turfs_for_user,
    turfs_managed_by,
    turfs_managed_by_ids,
)
from canvass.services import turf as turf_services


class TurfListCreateView(ListApiView):
    """Field leads' and organizers' turf (field leads: their teams'); POST creates from a polygon."""

    extra_error_codes = {"post": ["409"]}
    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.TurfSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Turf.objects.none()
        return turfs_managed_by(user=self.actor)

    @extend_schema(request=s.TurfCreateInputSerializer, responses={201: s.TurfSerializer})
    def post(self, request: Request) -> Response:
        data = s.TurfCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        turf = turf_services.turf_create_from_area(
            actor=self.actor,
            team=team_by_id(team_id=values["team"]),
            name=values["name"],
            boundary=values["boundary"],
            precinct=precinct_by_id(precinct_id=values.get("precinct")),
        )
        created = self.get_or_404(turfs_managed_by(user=self.actor), pk=turf.pk)
        return Response(s.TurfSerializer(created).data, status=status.HTTP_201_CREATED)


class TurfAutoCutView(ApiView):
    """Cut a precinct's or polygon's unassigned households into turfs of min..max doors."""

    extra_error_codes = ["409"]
    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.TurfAutoCutInputSerializer, responses={201: s.AutoCutOutputSerializer})
    def post(self, request: Request) -> Response:
        data = s.TurfAutoCutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        turfs = turf_services.turf_auto_cut(
            actor=self.actor,
            team=team_by_id(team_id=values["team"]),
            precinct=precinct_by_id(precinct_id=values.get("precinct")),
            boundary=values.get("boundary"),
            min_doors=values["min_doors"],
            max_doors=values["max_doors"],
            name_prefix=values["name_prefix"],
        )
        cut = turfs_managed_by_ids(user=self.actor, turf_ids=[t.pk for t in turfs])
        return Response(
            s.AutoCutOutputSerializer({"turfs": cut}).data, status=status.HTTP_201_CREATED
        )


class TurfDetailView(ApiView):
    """One turf: field leads and organizers of its team, or a canvasser assigned to it."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: s.TurfSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            s.TurfSerializer(self.get_or_404(turfs_for_user(user=self.actor), pk=pk)).data
        )


class TurfStatusView(ApiView):
    """Move a turf through draft → assigned → in progress → completed."""

    extra_error_codes = ["409"]
    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.TurfStatusInputSerializer, responses={200: s.TurfSerializer})
    def post(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_managed_by(user=self.actor), pk=pk)
        data = s.TurfStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        turf_services.turf_status_set(
            actor=self.actor, turf=turf, status=data.validated_data["status"]
        )
        return Response(
            s.TurfSerializer(self.get_or_404(turfs_managed_by(user=self.actor), pk=pk)).data
        )


class TurfWalkOrderView(ApiView):
    """Re-compute the turf's walking order; answers the route length before and after."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=None, responses={200: s.WalkOrderOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_managed_by(user=self.actor), pk=pk)
        lengths = turf_services.turf_order_walk(actor=self.actor, turf=turf)
        return Response(s.WalkOrderOutputSerializer(lengths).data)


class TurfAssignmentsView(ApiView):
    """GET the assignment history; POST assigns a canvasser of the turf's team."""

    extra_error_codes = {"post": ["409"]}
    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.TurfAssignmentSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_managed_by(user=self.actor), pk=pk)
        history = turf_assignments(turf=turf)
        return Response(s.TurfAssignmentSerializer(history, many=True).data)

    @extend_schema(request=s.TurfAssignInputSerializer, responses={201: s.TurfAssignmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_managed_by(user=self.actor), pk=pk)
        data = s.TurfAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["prefer_language"]:
            canvasser = turf_language_pick(turf=turf)
            if canvasser is None:
                raise ApplicationError(
                    "No canvasser of the turf's team is left to assign.",
                    fields={"prefer_language": ["No unassigned canvasser in the turf's team."]},
                )
        else:
            canvasser = canvasser_by_id(canvasser_id=data.validated_data["canvasser"])
        assignment = turf_services.turf_assign(
            actor=self.actor, turf=turf, canvasser=canvasser, ip_address=self.client_ip
        )
        return Response(s.TurfAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class TurfUnassignView(ApiView):
    """Unassign a canvasser (the assignment stays in the history, closed)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=None, responses={200: s.TurfAssignmentSerializer})
    def delete(self, request: Request, pk: int, canvasser_id: int) -> Response:
        turf = self.get_or_404(turfs_managed_by(user=self.actor), pk=pk)
        assignment = turf_services.turf_unassign(
            actor=self.actor,
            turf=turf,
            canvasser_id=canvasser_id,
            ip_address=self.client_ip,
        )
        return Response(s.TurfAssignmentSerializer(assignment).data)


class MyTurfsView(ApiView):
    """The canvasser's assigned turf with progress counts."""

    permission_classes = [IsCanvasser]

    @extend_schema(responses={200: s.TurfSerializer(many=True)})
    def get(self, request: Request) -> Response:
        turfs = assigned_turfs_for_canvasser(user=self.actor)
        return Response(s.TurfSerializer(turfs, many=True).data)


class TurfWalkListView(ApiView):
    """The ordered doors with their voters and each door's latest result. Canvassers see first
    and last names, language and an age band; field leads and organizers also see party."""

    permission_classes = [IsStaffRole]

    @extend_schema(
        parameters=[IF_NONE_MATCH], responses={200: s.WalkListSerializer, 304: NOT_MODIFIED}
    )
    def get(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_for_user(user=self.actor), pk=pk)
        stops = turf_walk_list(turf=turf)
        stop_serializer = (
            s.WalkStopSerializer if self.actor.is_canvasser else s.StaffWalkStopSerializer
        )
        return conditional_response(
            request,
            {
                "turf": s.TurfSerializer(turf).data,
                "stops": stop_serializer(stops, many=True).data,
            },
        )


class TurfGeoJSONView(ApiView):
    """The turf's boundary and doors as a GeoJSON FeatureCollection (for any map client)."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={(200, "application/geo+json"): s.TURF_FEATURE_COLLECTION_SCHEMA})
    def get(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_for_user(user=self.actor), pk=pk)
        stops = turf_walk_list(turf=turf)
        return Response(s.turf_feature_collection(turf, stops), content_type="application/geo+json")
