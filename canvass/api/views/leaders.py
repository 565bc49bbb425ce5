"""The leaders' pledge scorecard: organizers write it, field leads read it, anyone reads the
published part; canvassers get their turf's leaders in the pull."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer
from backend.api.views import ApiView, ListApiView
from canvass.api.serializers import leaders as s
from canvass.models import Leader
from canvass.selectors.leaders import (
    leader_as_dict,
    leader_for_staff,
    leader_history,
    leaders_for_staff,
    leaders_public,
)
from canvass.services.leaders import leader_create, leader_position_set, leader_update


def staff_dict(leader: Leader) -> dict[str, Any]:
    return {
        **leader_as_dict(leader),
        "published": leader.published,
        "created_at": leader.created_at,
        "updated_at": leader.updated_at,
    }


class _StaffOrOrganizerWrites(ApiView):
    def get_permissions(self) -> list[Any]:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [IsFieldLeadOrOrganizer()]
        return [IsOrganizer()]

    def _detail(self, pk: int) -> Response:
        leader = self.get_or_404(leader_for_staff(pk=pk), pk=pk)
        return Response(s.LeaderSerializer(staff_dict(leader)).data)


class LeaderListCreateView(_StaffOrOrganizerWrites):
    """Every leader (field leads and organizers), filtered by race, county, jurisdiction or
    published; organizers add one, with positions."""

    @extend_schema(
        parameters=[s.LeaderStaffFilterSerializer],
        responses={200: s.LeaderSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = s.LeaderStaffFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        leaders = leaders_for_staff(**query.validated_data)
        return Response(s.LeaderSerializer([staff_dict(x) for x in leaders], many=True).data)

    @extend_schema(request=s.LeaderInputSerializer, responses={201: s.LeaderSerializer})
    def post(self, request: Request) -> Response:
        data = s.LeaderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["positions"] = [dict(p) for p in values.get("positions", [])]
        leader = leader_create(actor=self.actor, **values)
        response = self._detail(leader.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class LeaderDetailView(_StaffOrOrganizerWrites):
    """One leader with their positions; organizers edit them (and publish them)."""

    @extend_schema(responses={200: s.LeaderSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return self._detail(pk)

    @extend_schema(request=s.LeaderUpdateSerializer, responses={200: s.LeaderSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        leader = self.get_or_404(leader_for_staff(pk=pk), pk=pk)
        data = s.LeaderUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leader_update(actor=self.actor, leader=leader, **data.validated_data)
        return self._detail(pk)


class LeaderPositionView(_StaffOrOrganizerWrites):
    """Organizers: record where the leader stands on one plank, with its public source."""

    @extend_schema(request=s.PositionInputSerializer, responses={200: s.LeaderSerializer})
    def post(self, request: Request, pk: int) -> Response:
        leader = self.get_or_404(leader_for_staff(pk=pk), pk=pk)
        data = s.PositionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leader_position_set(actor=self.actor, leader=leader, **data.validated_data)
        return self._detail(pk)


class LeaderHistoryView(_StaffOrOrganizerWrites):
    """Every change of the leader's positions, oldest first: who, when, old and new."""

    @extend_schema(responses={200: s.PositionChangeSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        leader = self.get_or_404(leader_for_staff(pk=pk), pk=pk)
        return Response(s.PositionChangeSerializer(leader_history(leader=leader), many=True).data)


class PublicLeaderListView(ListApiView):
    """The public scorecard: published leaders and their sourced positions, paged; filter by
    race (office), county or jurisdiction."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.LeaderPublicSerializer
    queryset = Leader.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[s.LeaderFilterSerializer], auth=[])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = s.LeaderFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return leaders_public(**query.validated_data)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            rows = args[0]
            args = ([leader_as_dict(x) for x in rows], *args[1:])
        return super().get_serializer(*args, **kwargs)


class PublicLeaderDetailView(ApiView):
    """One published leader's scorecard (an unpublished one is a 404)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: s.LeaderPublicSerializer}, auth=[])
    def get(self, request: Request, pk: int) -> Response:
        leader = self.get_or_404(leaders_public(), pk=pk)
        return Response(s.LeaderPublicSerializer(leader_as_dict(leader)).data)
