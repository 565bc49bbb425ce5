"""Outgoing texts with their delivery status, and an event's delivery counts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer
from backend.api.views import ApiView, ListApiView
from events.selectors.schedule import events_for_user
from messaging.api.serializers.forecast import SmsForecastSerializer
from messaging.api.serializers.outbox import (
    SmsEventStatsSerializer,
    SmsMessageFilterSerializer,
    SmsMessageSerializer,
)
from messaging.models import SmsMessage
from messaging.selectors.outbox import sms_messages_for_user, sms_stats_for_event
from messaging.services.forecast import event_sms_forecast


class SmsMessageListView(ListApiView):
    """Outgoing texts with their delivery status, newest first. Organizers see all; field
    leads those about their teams' events. Filter by volunteer, event, kind and status."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = SmsMessageSerializer
    queryset = SmsMessage.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[SmsMessageFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = SmsMessageFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return sms_messages_for_user(user=self.actor, **query.validated_data)


class EventSmsStatsView(ApiView):
    """Delivery counts of the texts about one event, per status and per kind."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: SmsEventStatsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        event = self.get_or_404(events_for_user(user=self.actor), pk=pk)
        return Response(SmsEventStatsSerializer(sms_stats_for_event(event=event)).data)


class EventSmsForecastView(ApiView):
    """When the event's queued bulk texts (reminders, change and cancellation notices, invitations)
    will have gone out at the configured capacity, and how
    many wait for the morning (quiet hours, daily caps)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: SmsForecastSerializer})
    def get(self, request: Request, pk: int) -> Response:
        event = self.get_or_404(events_for_user(user=self.actor), pk=pk)
        forecast = event_sms_forecast(event=event)
        return Response(SmsForecastSerializer({"event_id": event.pk, **vars(forecast)}).data)
