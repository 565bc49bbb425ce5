"""SMS endpoints: organizer views of the outbox, inbound texts and opt-outs, and the two Twilio
webhooks (inbound messages, delivery status callbacks)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.api.errors import ApplicationError, NotFoundError
from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer
from backend.sms import webhook_signature_valid
from events import selectors, selectors_sms
from events.api import sms_serializers as s
from events.models import InboundSms, SmsMessage, SmsOptOut, SmsReview
from events.services.sms_inbound import (
    sms_inbound_receive,
    sms_review_resolve,
    sms_status_record,
)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class SmsMessageListView(ListAPIView):
    """Outgoing texts with their delivery status, newest first. Organizers see all; field
    leads those about their teams' events. Filter by volunteer, event, kind and status."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.SmsMessageSerializer
    queryset = SmsMessage.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[s.SmsMessageFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = s.SmsMessageFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors_sms.sms_messages_for_user(user=_user(self.request), **query.validated_data)


class InboundSmsListView(ListAPIView):
    """Texts people sent us (free text decrypted for organizers), newest first."""

    permission_classes = [IsOrganizer]
    serializer_class = s.InboundSmsSerializer
    queryset = InboundSms.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[s.InboundFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = s.InboundFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors_sms.inbound_messages(**query.validated_data)


class OptOutListView(ListAPIView):
    """Numbers that must not be texted. Only a keyed hash is stored; a volunteer with that
    number is shown when one exists."""

    permission_classes = [IsOrganizer]
    serializer_class = s.OptOutSerializer
    queryset = SmsOptOut.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return selectors_sms.opt_outs()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        volunteers = selectors_sms.volunteers_by_hash([row.phone_hash for row in rows])
        data = [
            {
                "id": row.pk,
                "reason": row.reason,
                "keyword": row.keyword,
                "opted_out_at": row.opted_out_at,
                "volunteer": s.volunteer_brief(volunteers.get(row.phone_hash)),
            }
            for row in rows
        ]
        return self.get_paginated_response(s.OptOutSerializer(data, many=True).data)


class SmsReviewListView(ListAPIView):
    """Replies that might mean "stop" (texts to those numbers are held), oldest first."""

    permission_classes = [IsOrganizer]
    serializer_class = s.SmsReviewSerializer
    queryset = SmsReview.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[s.ReviewFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = s.ReviewFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors_sms.sms_reviews(**query.validated_data)


class SmsReviewResolveView(APIView):
    """Decide a held reply: opt the number out (one confirmation text) or release its texts."""

    permission_classes = [IsOrganizer]
    extra_error_codes = ["404", "409"]

    @extend_schema(request=s.ReviewResolveSerializer, responses={200: s.SmsReviewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        review = selectors_sms.sms_review(review_id=pk)
        if review is None:
            raise NotFoundError("No such review.")
        data = s.ReviewResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = sms_review_resolve(
            review=review, actor=_user(request), opt_out=data.validated_data["opt_out"]
        )
        return Response(s.SmsReviewSerializer(resolved).data)


class EventSmsStatsView(APIView):
    """Delivery counts of the texts about one event, per status and per kind."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.SmsEventStatsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        event = selectors.events_for_user(user=_user(request)).filter(pk=pk).first()
        if event is None:
            raise NotFoundError("No such event.")
        return Response(
            s.SmsEventStatsSerializer(selectors_sms.sms_stats_for_event(event=event)).data
        )


# --- Twilio webhooks ------------------------------------------------------------------------


class InvalidSignatureError(ApplicationError):
    code = "invalid_signature"
    status_code = 403  # type: ignore[assignment]


class TwilioWebhookView(APIView):
    """Base of the webhooks: no login; the X-Twilio-Signature header is the authentication.

    The signature is checked on PUBLIC_BASE_URL + the path and query Twilio called, so it holds
    behind a proxy that terminates HTTPS (Twilio signed the public https URL, not ours).
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
        url = settings.PUBLIC_BASE_URL.rstrip("/") + django_request.get_full_path()
        signature = request.headers.get("X-Twilio-Signature", "")
        is_form = django_request.content_type == FORM_CONTENT_TYPE
        if "bodySHA256" in django_request.GET or not is_form:
            # Twilio signs a JSON (non-form) body through the bodySHA256 query parameter: the
            # signature covers only the URL, so the hash must be checked against the raw body
            # (the validator does, given the body as text), or a replayed URL could carry any
            # body at all.
            signed: Any = django_request.body.decode("utf-8", errors="replace")
        else:
            signed = django_request.POST
        if not webhook_signature_valid(url=url, params=signed, signature=signature):
            raise InvalidSignatureError(
                "Missing or invalid X-Twilio-Signature.", code="invalid_signature"
            )
        if not is_form:
            # Messaging webhooks are form-encoded; a signed body of another type is refused
            # before anything reads it.
            raise UnsupportedMediaType(django_request.content_type or "none")
        return django_request.POST


class InboundSmsWebhookView(TwilioWebhookView):
    """Twilio calls this when someone texts our number. Answers empty TwiML (replies are sent
    through the outbox, so a retried webhook never causes a second reply)."""

    @extend_schema(
        request={"application/x-www-form-urlencoded": s.InboundWebhookSerializer},
        responses={(200, "text/xml"): OpenApiResponse(OpenApiTypes.STR, description="TwiML")},
        auth=[],
    )
    def post(self, request: Request) -> HttpResponse:
        data = s.InboundWebhookSerializer(data=self.signed_params(request))
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        sms_inbound_receive(
            message_sid=fields["MessageSid"],
            from_number=fields["From"],
            body=fields.get("Body", ""),
        )
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")


class SmsStatusWebhookView(TwilioWebhookView):
    """Twilio's delivery status callback. Idempotent; never moves a message backwards."""

    @extend_schema(
        parameters=[s.StatusQuerySerializer],
        request={"application/x-www-form-urlencoded": s.StatusWebhookSerializer},
        responses={204: None},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        params = self.signed_params(request)
        query = s.StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = s.StatusWebhookSerializer(data=params)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        sms_status_record(
            message_sid=fields["MessageSid"],
            twilio_status=fields["MessageStatus"],
            error_code=fields.get("ErrorCode", ""),
            message_id=query.validated_data.get("message"),
        )
        return Response(status=204)
