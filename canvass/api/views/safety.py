"""Field safety views: start a session, check in, end it ("home safe"), watch sessions, PINs and
a team's check-in interval. The canvasser's own answers never carry a location."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer, IsStaffRole
from backend.api.views import ApiView, ListApiView
from canvass.api.serializers import safety as s
from canvass.models import FieldSession, FieldSessionStatus
from canvass.selectors.safety import (
    may_see_location,
    own_sessions,
    safety_pin_state,
    sessions_visible_to,
    sessions_watched_by,
    team_safety_settings,
    teams_managed_for_safety,
    watched_team_ids,
)
from canvass.services import safety as safety_services


class _SessionRendering:
    def render_session(
        self, session: FieldSession, actor: Any, team_ids: set[int] | None = None
    ) -> dict[str, Any]:
        # `team_ids` None: not asked yet, or every team (organizers: asking again costs nothing).
        if team_ids is None and session.canvasser_id != actor.pk:
            team_ids = watched_team_ids(user=actor)
        watcher = may_see_location(user=actor, session=session, team_ids=team_ids)
        return s.FieldSessionSerializer(session, context={"watcher": watcher}).data


class FieldSessionListCreateView(_SessionRendering, ListApiView):
    """GET: open sessions (`?status=ended` for ended ones) you watch or your own; POST: start one
    on a turf assigned to you."""

    queryset = FieldSession.objects.none()
    extra_error_codes = {"post": ["409"]}
    permission_classes = [IsStaffRole]
    serializer_class = s.FieldSessionSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return FieldSession.objects.none()
        wanted = self.request.query_params.get("status", FieldSessionStatus.OPEN)
        if wanted not in FieldSessionStatus.values:
            wanted = FieldSessionStatus.OPEN
        return (
            sessions_visible_to(user=self.actor)
            .filter(status=wanted)
            .order_by("next_checkin_due_at", "id")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Each row is rendered for its own relation to the actor: watchers see locations, a
        # canvasser (or a lead walking turf) never does on their own session.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = page if page is not None else list(self.get_queryset())
        team_ids = watched_team_ids(user=self.actor)
        data = [self.render_session(session, self.actor, team_ids) for session in rows]
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=s.SessionStartInputSerializer, responses={201: s.FieldSessionSerializer})
    def post(self, request: Request) -> Response:
        data = s.SessionStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = safety_services.field_session_start(
            actor=self.actor,
            turf_id=data.validated_data["turf"],
            expected_end_at=data.validated_data["expected_end_at"],
        )
        fresh = self.get_or_404(own_sessions(user=self.actor), pk=session.pk)
        return Response(self.render_session(fresh, self.actor), status=status.HTTP_201_CREATED)


class FieldSessionDetailView(_SessionRendering, ApiView):
    """One session: your own, or one on your team's turf (field leads) or any (organizers)."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: s.FieldSessionSerializer})
    def get(self, request: Request, pk: int) -> Response:
        session = self.get_or_404(sessions_visible_to(user=self.actor), pk=pk)
        return Response(self.render_session(session, self.actor))


class FieldSessionCheckInView(_SessionRendering, ApiView):
    """Check in on your own open session (optional location and PIN)."""

    extra_error_codes = ["409"]
    permission_classes = [IsStaffRole]

    @extend_schema(request=s.CheckInInputSerializer, responses={200: s.FieldSessionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = s.CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session = safety_services.field_session_check_in(
            actor=self.actor,
            session_id=pk,
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            pin=values.get("pin") or None,
        )
        fresh = self.get_or_404(own_sessions(user=self.actor), pk=session.pk)
        return Response(self.render_session(fresh, self.actor))


class FieldSessionEndView(_SessionRendering, ApiView):
    """End your own session: home safe (optional PIN). The last location is erased."""

    extra_error_codes = ["409"]
    permission_classes = [IsStaffRole]

    @extend_schema(request=s.SessionEndInputSerializer, responses={200: s.FieldSessionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = s.SessionEndInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = safety_services.field_session_end(
            actor=self.actor, session_id=pk, pin=data.validated_data.get("pin") or None
        )
        fresh = self.get_or_404(own_sessions(user=self.actor), pk=session.pk)
        return Response(self.render_session(fresh, self.actor))


class FieldSessionEscalationsView(ListApiView):
    """Every step taken for a session's missed check-ins: when, who was texted, the outbox row."""

    queryset = FieldSession.objects.none()
    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.EscalationSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return FieldSession.objects.none()
        session = self.get_or_404(sessions_watched_by(user=self.actor), pk=self.kwargs["pk"])
        return session.escalations.prefetch_related("texts__recipient").order_by("created_at", "id")


class SafetyPinView(ApiView):
    """Your PINs: whether they are set (GET), set them (PUT), remove them (DELETE)."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: s.SafetyPinStateSerializer})
    def get(self, request: Request) -> Response:
        return Response(s.SafetyPinStateSerializer(safety_pin_state(user=self.actor)).data)

    @extend_schema(request=s.SafetyPinInputSerializer, responses={200: s.SafetyPinStateSerializer})
    def put(self, request: Request) -> Response:
        data = s.SafetyPinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        safety_services.safety_pin_set(
            actor=self.actor,
            duress_pin=data.validated_data["duress_pin"],
            all_clear_pin=data.validated_data.get("all_clear_pin", ""),
        )
        return Response(s.SafetyPinStateSerializer(safety_pin_state(user=self.actor)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        safety_services.safety_pin_clear(actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamSafetySettingsView(ApiView):
    """A team's check-in interval: field leads of the team and organizers."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.TeamSafetySettingsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        team = self.get_or_404(teams_managed_for_safety(user=self.actor), pk=pk)
        return Response(s.TeamSafetySettingsSerializer(team_safety_settings(team=team)).data)

    @extend_schema(
        request=s.TeamSafetySettingsInputSerializer,
        responses={200: s.TeamSafetySettingsSerializer},
    )
    def put(self, request: Request, pk: int) -> Response:
        team = self.get_or_404(teams_managed_for_safety(user=self.actor), pk=pk)
        data = s.TeamSafetySettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        safety_services.team_safety_settings_update(
            actor=self.actor,
            team=team,
            checkin_interval_minutes=data.validated_data["checkin_interval_minutes"],
        )
        return Response(s.TeamSafetySettingsSerializer(team_safety_settings(team=team)).data)
