"""The provider's reminder-call webhooks (docs/voice.md): the TwiML a call speaks, the key it
gathered, and the call's status. Signed and validated exactly like the SMS webhooks; the outbox
id travels signed in the URL (an id we did not sign is a 404)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from messaging.api.serializers.voice import VoiceKeysWebhookSerializer, VoiceStatusWebhookSerializer
from messaging.api.views.webhooks import ProviderWebhookView
from messaging.services.voice import (
    voice_keypress_record,
    voice_message_for_token,
    voice_status_record,
    voice_twiml,
)

TWIML = {(200, "text/xml"): OpenApiResponse(OpenApiTypes.STR, description="TwiML")}


class VoiceWebhookView(ProviderWebhookView):
    extra_error_codes = ["403", "404", "415"]


class VoiceTwimlWebhookView(VoiceWebhookView):
    """What a reminder call says, and the keypad menu it gathers."""

    @extend_schema(request=None, responses=TWIML, auth=[])
    def post(self, request: Request, token: str) -> HttpResponse:
        self.signed_params(request)
        message = voice_message_for_token(token)
        return HttpResponse(voice_twiml(message), content_type="text/xml")


class VoiceKeysWebhookView(VoiceWebhookView):
    """The key pressed on a reminder call: 1 confirms, 2 cancels, 9 stops calls."""

    @extend_schema(
        request={"application/x-www-form-urlencoded": VoiceKeysWebhookSerializer},
        responses=TWIML,
        auth=[],
    )
    def post(self, request: Request, token: str) -> HttpResponse:
        data = VoiceKeysWebhookSerializer(data=self.signed_params(request))
        data.is_valid(raise_exception=True)
        message = voice_message_for_token(token)
        answer = voice_keypress_record(
            message=message, digits=data.validated_data.get("Digits", "")
        )
        return HttpResponse(answer, content_type="text/xml")


class VoiceStatusWebhookView(VoiceWebhookView):
    """The provider's status callback for a reminder call. Idempotent; never backwards."""

    @extend_schema(
        request={"application/x-www-form-urlencoded": VoiceStatusWebhookSerializer},
        responses={204: None},
        auth=[],
    )
    def post(self, request: Request, token: str) -> Response:
        data = VoiceStatusWebhookSerializer(data=self.signed_params(request))
        data.is_valid(raise_exception=True)
        message = voice_message_for_token(token)
        voice_status_record(
            message=message,
            call_sid=data.validated_data["CallSid"],
            call_status=data.validated_data["CallStatus"],
        )
        return Response(status=204)
