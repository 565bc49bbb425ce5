"""The provider's two webhooks: inbound messages and delivery status callbacks. The SMS backend
checks the signature and reads the fields; these views know no provider."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.views import ApiView
from backend.sms import get_backend
from messaging.api.serializers.webhooks import (
    InboundWebhookSerializer,
    StatusQuerySerializer,
    StatusWebhookSerializer,
)
from messaging.errors import InvalidSignatureError
from messaging.services.delivery import sms_delivery_record
from messaging.services.inbound import sms_inbound_receive

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# The empty answer the provider expects (replies are sent through the outbox instead).
EMPTY_ANSWER = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class ProviderWebhookView(ApiView):
    """Base of the webhooks: no login; the provider's signature is the authentication.

    The signature is checked on PUBLIC_BASE_URL + the path and query the provider called, so it
    holds behind a proxy that terminates HTTPS (the provider signed the public https URL, not
    ours).
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [FormParser]
    throttle_classes: list = []
    # A missing or invalid signature is a 403 (public views are not documented with one); a
    # signed body that is not form-encoded is a 415.
    extra_error_codes = ["403", "415"]

    def signed_params(self, request: Request) -> Any:
        django_request = request._request
        backend = get_backend()
        url = settings.PUBLIC_BASE_URL.rstrip("/") + django_request.get_full_path()
        signature = backend.webhook_signature(request.headers)
        is_form = django_request.content_type == FORM_CONTENT_TYPE
        if "bodySHA256" in django_request.GET or not is_form:
            # A non-form body is signed through the bodySHA256 query parameter: the signature
            # covers only the URL, so the hash must be checked against the raw body (the
            # backend does, given the body as text), or a replayed URL could carry any body.
            signed: Any = django_request.body.decode("utf-8", errors="replace")
        else:
            signed = django_request.POST
        if not backend.webhook_signature_valid(url=url, params=signed, signature=signature):
            raise InvalidSignatureError("Missing or invalid webhook signature.")
        if not is_form:
            # Messaging webhooks are form-encoded; a signed body of another type is refused
            # before anything reads it.
            raise UnsupportedMediaType(django_request.content_type or "none")
        return django_request.POST


class InboundSmsWebhookView(ProviderWebhookView):
    """The SMS provider calls this when someone texts our number. Answers empty TwiML (replies
    are sent through the outbox, so a retried webhook never causes a second reply)."""

    @extend_schema(
        request={"application/x-www-form-urlencoded": InboundWebhookSerializer},
        responses={(200, "text/xml"): OpenApiResponse(OpenApiTypes.STR, description="TwiML")},
        auth=[],
    )
    def post(self, request: Request) -> HttpResponse:
        data = InboundWebhookSerializer(data=self.signed_params(request))
        data.is_valid(raise_exception=True)
        inbound = get_backend().inbound_parse(data.validated_data)
        sms_inbound_receive(
            message_sid=inbound.provider_id, from_number=inbound.sender, body=inbound.body
        )
        return HttpResponse(EMPTY_ANSWER, content_type="text/xml")


class SmsStatusWebhookView(ProviderWebhookView):
    """The SMS provider's delivery status callback. Idempotent; never moves a message
    backwards."""

    @extend_schema(
        parameters=[StatusQuerySerializer],
        request={"application/x-www-form-urlencoded": StatusWebhookSerializer},
        responses={204: None},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        params = self.signed_params(request)
        query = StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = StatusWebhookSerializer(data=params)
        data.is_valid(raise_exception=True)
        sms_delivery_record(
            report=get_backend().status_parse(data.validated_data),
            message_id=query.validated_data.get("message"),
        )
        return Response(status=204)
