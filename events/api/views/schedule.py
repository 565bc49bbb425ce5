"""Events and shifts: the public listing, search and detail; staff create, edit, cancel and
complete them."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer
from backend.api.views import ListApiView
from backend.db.routers import lag_tolerant, replica_alias
from events.api.serializers.schedule import (
    EventDetailSerializer,
    EventInputSerializer,
    EventListSerializer,
    EventUpdateSerializer,
    NearbyEventsSerializer,
    NearbyQuerySerializer,
    PublicEventDetailSerializer,
    PublicEventFilterSerializer,
    PublicEventSerializer,
    ShiftInputSerializer,
    ShiftSerializer,
    nearby_events_json_bytes,
    nearby_events_lean,
    nearby_query_fast,
)
from events.api.views.common import PublicView, StaffView
from events.selectors.schedule import (
    event_get_for_user,
    event_list_for_user,
    nearby_events_search,
    nearby_events_search_json,
    public_event_get,
    public_events,
    shift_get_for_user,
)
from events.services import schedule

# --- Public (no login) ----------------------------------------------------------------------


class PublicEventListView(ListApiView):
    """Upcoming public events, soonest first; filter by kind and local dates."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = PublicEventSerializer
    filter_backends: list = []

    @extend_schema(parameters=[PublicEventFilterSerializer], auth=[])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = PublicEventFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return public_events(**query.validated_data).using(replica_alias())  # a public list may lag


class NearbyEventsView(PublicView):
    """Upcoming public events near a point or a ZIP code, nearest first, with distances."""

    @extend_schema(
        parameters=[NearbyQuerySerializer], responses={200: NearbyEventsSerializer}, auth=[]
    )
    def get(self, request: Request) -> HttpResponse:
        # The hot path of the public search: the common query parsed by hand (anything else,
        # and every 400, by NearbyQuerySerializer) ...
        params = nearby_query_fast(request.query_params)
        if params is None:
            query = NearbyQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            params = query.validated_data
        # ... and NearbyEventsSerializer's output: for plain JSON written by PostgreSQL in the
        # same statement (the same bytes JSONRenderer would write), else by hand.
        renderer = request.accepted_renderer
        if (
            isinstance(renderer, JSONRenderer)
            and renderer.compact
            and renderer.get_indent(request.accepted_media_type, {}) is None
        ):
            with lag_tolerant():  # a public search may lag (the read replica, if any)
                found = nearby_events_search_json(**params)
            if found is not None:
                content = nearby_events_json_bytes(found)
                return HttpResponse(content, content_type=renderer.media_type)
        with lag_tolerant():
            search = nearby_events_search(**params)
        return Response(nearby_events_lean(search))  # e.g. indented, or the browsable API


class PublicEventDetailView(PublicView):
    """A public event with its shifts and the spots left on each."""

    @extend_schema(responses={200: PublicEventDetailSerializer}, auth=[])
    def get(self, request: Request, pk: int) -> Response:
        return Response(PublicEventDetailSerializer(public_event_get(event_id=pk)).data)


# --- Organizers and field leads -------------------------------------------------------------


class EventListView(ListApiView):
    """Events of the user's teams (organizers: all), newest start first; create one."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = EventListSerializer
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return event_list_for_user(user=self.actor)

    @extend_schema(request=EventInputSerializer, responses={201: EventDetailSerializer})
    def post(self, request: Request) -> Response:
        data = EventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = schedule.event_create(actor=self.actor, **data.validated_data)
        return Response(
            EventDetailSerializer(event_get_for_user(user=self.actor, event_id=event.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class EventDetailView(StaffView):
    """One event with every shift and its counts; edit it (emits event.changed)."""

    extra_error_codes = {"patch": ["409"]}

    @extend_schema(responses={200: EventDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=self.actor, event_id=pk)
        return Response(EventDetailSerializer(event).data)

    @extend_schema(request=EventUpdateSerializer, responses={200: EventDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=self.actor, event_id=pk)
        data = EventUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        schedule.event_update(actor=self.actor, event=event, **data.validated_data)
        event = event_get_for_user(user=self.actor, event_id=pk)
        return Response(EventDetailSerializer(event).data)


class EventCancelView(StaffView):
    """Cancel an event (emits event.cancelled; signups are kept so everyone can be told)."""

    @extend_schema(request=None, responses={200: EventDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=self.actor, event_id=pk)
        schedule.event_cancel(actor=self.actor, event=event)
        event = event_get_for_user(user=self.actor, event_id=pk)
        return Response(EventDetailSerializer(event).data)


class EventCompleteView(StaffView):
    """Mark a scheduled event as completed (held)."""

    extra_error_codes = ["409"]

    @extend_schema(request=None, responses={200: EventDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=self.actor, event_id=pk)
        schedule.event_complete(actor=self.actor, event=event)
        event = event_get_for_user(user=self.actor, event_id=pk)
        return Response(EventDetailSerializer(event).data)


class EventShiftsView(StaffView):
    """Add a shift to an event; it must lie inside the event."""

    extra_error_codes = ["409"]

    @extend_schema(request=ShiftInputSerializer, responses={201: ShiftSerializer})
    def post(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=self.actor, event_id=pk)
        data = ShiftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shift = schedule.shift_create(actor=self.actor, event=event, **data.validated_data)
        shift = shift_get_for_user(user=self.actor, shift_id=shift.pk)
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)


class ShiftDetailView(StaffView):
    """One shift with its counts; edit it (more capacity promotes the waitlist)."""

    extra_error_codes = {"patch": ["409"]}

    @extend_schema(responses={200: ShiftSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ShiftSerializer(shift_get_for_user(user=self.actor, shift_id=pk)).data)

    @extend_schema(request=ShiftInputSerializer, responses={200: ShiftSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        shift = shift_get_for_user(user=self.actor, shift_id=pk)
        data = ShiftInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        schedule.shift_update(actor=self.actor, shift=shift, **data.validated_data)
        shift = shift_get_for_user(user=self.actor, shift_id=pk)
        return Response(ShiftSerializer(shift).data)


class ShiftCancelView(StaffView):
    """Cancel a shift and its signups."""

    @extend_schema(request=None, responses={200: ShiftSerializer})
    def post(self, request: Request, pk: int) -> Response:
        shift = shift_get_for_user(user=self.actor, shift_id=pk)
        schedule.shift_cancel(actor=self.actor, shift=shift)
        shift = shift_get_for_user(user=self.actor, shift_id=pk)
        return Response(ShiftSerializer(shift).data)
