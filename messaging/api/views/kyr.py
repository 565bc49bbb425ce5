"""Know-your-rights texts: every signed-in role reads them (canvassers send them at the door);
organizers write them; a canvasser sends one, on the person's request, to a number that is
never stored."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsOrganizer
from backend.api.views import ApiView, ListApiView
from messaging.api.serializers.kyr import (
    KnowYourRightsSendSerializer,
    KnowYourRightsSentSerializer,
    KnowYourRightsTextInputSerializer,
    KnowYourRightsTextSerializer,
)
from messaging.models import KnowYourRightsText
from messaging.services.kyr import kyr_send, kyr_text_save, kyr_texts


class KnowYourRightsTextListView(ListApiView):
    """The know-your-rights texts, one per language."""

    permission_classes = [IsAuthenticated]
    serializer_class = KnowYourRightsTextSerializer
    queryset = KnowYourRightsText.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return kyr_texts()


class KnowYourRightsTextView(ApiView):
    """Create or replace the text of one language (at most two SMS segments)."""

    permission_classes = [IsOrganizer]

    @extend_schema(
        request=KnowYourRightsTextInputSerializer,
        responses={200: KnowYourRightsTextSerializer, 201: KnowYourRightsTextSerializer},
    )
    def put(self, request: Request, language: str) -> Response:
        data = KnowYourRightsTextInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        text, created = kyr_text_save(
            actor=self.actor, language=language, body=data.validated_data["body"]
        )
        return Response(
            KnowYourRightsTextSerializer(text).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class KnowYourRightsSendView(ApiView):
    """Text one know-your-rights text to the person at the door, on their explicit request.
    The number is used for this text only: never stored, logged or audited."""

    permission_classes = [IsAuthenticated]
    extra_error_codes = ["404", "409", "429", "502"]

    @extend_schema(
        request=KnowYourRightsSendSerializer, responses={200: KnowYourRightsSentSerializer}
    )
    def post(self, request: Request) -> Response:
        data = KnowYourRightsSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = kyr_send(actor=self.actor, **data.validated_data)
        return Response(
            {
                "language": data.validated_data["language"].strip().lower(),
                "segments": count,
                "detail": "Sent. The number was not kept.",
            }
        )
