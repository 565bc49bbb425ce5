"""Texts people sent us, for organizers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsOrganizer
from backend.api.views import ListApiView
from messaging.api.serializers.inbound import InboundFilterSerializer, InboundSmsSerializer
from messaging.models import InboundSms
from messaging.selectors.inbound import inbound_messages


class InboundSmsListView(ListApiView):
    """Texts people sent us (free text decrypted for organizers), newest first."""

    permission_classes = [IsOrganizer]
    serializer_class = InboundSmsSerializer
    queryset = InboundSms.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[InboundFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = InboundFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return inbound_messages(**query.validated_data)
