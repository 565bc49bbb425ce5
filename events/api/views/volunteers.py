"""Volunteers: the signed-link page and asking for the link by text (public); a staff account
reading its own volunteer record and linking one by a texted code or the manage link."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsStaffRole
from backend.api.views import ApiView
from events.api.serializers.volunteers import (
    LinkCodeRequestSerializer,
    LinkCodeSentSerializer,
    LinkVolunteerVerifySerializer,
    ManageLinkRequestSerializer,
    ManageLinkSentSerializer,
    MyVolunteerSerializer,
    ReminderChannelSerializer,
    VolunteerPageSerializer,
)
from events.api.throttles import SignupIpThrottle
from events.api.views.common import PublicView
from events.links import volunteer_from_token
from events.selectors.sensitive import released_addresses
from events.selectors.volunteers import (
    volunteer_for_account,
    volunteer_page,
    volunteer_profile,
    volunteer_profile_for_account,
)
from events.services.sensitive import address_views_record
from events.services.volunteers import (
    volunteer_link_code_send,
    volunteer_link_verify,
    volunteer_manage_link_send,
    volunteer_reminder_channel_set,
)

# --- Public (no login) ----------------------------------------------------------------------


class ManageLinkRequestView(PublicView):
    """Text the signed manage link to a volunteer's own number.

    202 with the same answer whether or not the number belongs to a volunteer: the link goes
    only to the number, never into the response.
    """

    throttle_classes = [SignupIpThrottle]

    @extend_schema(
        request=ManageLinkRequestSerializer,
        responses={202: ManageLinkSentSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = ManageLinkRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer_manage_link_send(source_ip=self.client_ip, **data.validated_data)
        return Response(
            {"detail": "If this number belongs to a volunteer, we texted it the link."},
            status=status.HTTP_202_ACCEPTED,
        )


class VolunteerPageView(PublicView):
    """Through the signed link: the volunteer's own signups."""

    @extend_schema(responses={200: VolunteerPageSerializer}, auth=[])
    def get(self, request: Request, token: str) -> Response:
        page = volunteer_page(token=token)
        # A sensitive event's address, once released to this volunteer: every view audited.
        released = released_addresses(page.signups)
        address_views_record(released=sorted(released), source_ip=self.client_ip)
        return Response(
            VolunteerPageSerializer(page, context={"released_addresses": released}).data
        )


class VolunteerReminderChannelView(PublicView):
    """Through the signed link: choose texts or calls for shift reminders."""

    @extend_schema(
        request=ReminderChannelSerializer, responses={200: ReminderChannelSerializer}, auth=[]
    )
    def put(self, request: Request, token: str) -> Response:
        volunteer = volunteer_from_token(token)
        data = ReminderChannelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = volunteer_reminder_channel_set(
            volunteer=volunteer,
            channel=data.validated_data["reminder_channel"],
            method="web",
            source_ip=self.client_ip,
        )
        return Response(ReminderChannelSerializer(volunteer).data)


# --- A signed-in user's own volunteer record ------------------------------------------------


class MyVolunteerView(ApiView):
    """The signed-in user's own volunteer record: read it, or start linking it by phone number.

    POST texts a one-time code to the number and answers 202 the same way whether or not a
    volunteer has that number; nothing about any volunteer is returned or written until the
    code (or the volunteer's manage link) is given to `POST /api/me/volunteer/verify`.
    """

    permission_classes = [IsStaffRole]
    extra_error_codes = {"get": ["404"], "post": ["409", "429"]}

    @extend_schema(responses={200: MyVolunteerSerializer})
    def get(self, request: Request) -> Response:
        profile = volunteer_profile_for_account(user=self.actor)
        return Response(MyVolunteerSerializer(profile).data)

    @extend_schema(request=LinkCodeRequestSerializer, responses={202: LinkCodeSentSerializer})
    def post(self, request: Request) -> Response:
        data = LinkCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer_link_code_send(user=self.actor, source_ip=self.client_ip, **data.validated_data)
        return Response(
            {
                "detail": "If this number can receive texts, we sent it a code. "
                "Send the code to /api/me/volunteer/verify.",
                "expires_in_seconds": settings.VOLUNTEER_LINK_CODE_TTL_SECONDS,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class MyVolunteerVerifyView(ApiView):
    """Prove the number (the texted code, or the volunteer's own manage link) and link the
    volunteer record to this account; answers the linked record."""

    permission_classes = [IsStaffRole]
    extra_error_codes = ["409", "429"]

    @extend_schema(request=LinkVolunteerVerifySerializer, responses={200: MyVolunteerSerializer})
    def post(self, request: Request) -> Response:
        data = LinkVolunteerVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = volunteer_link_verify(
            user=self.actor, source_ip=self.client_ip, **data.validated_data
        )
        return Response(MyVolunteerSerializer(volunteer_profile(volunteer=volunteer)).data)


class MyReminderChannelView(ApiView):
    """The signed-in user's own volunteer record: choose texts or calls for shift reminders."""

    permission_classes = [IsStaffRole]
    extra_error_codes = ["404"]

    @extend_schema(request=ReminderChannelSerializer, responses={200: ReminderChannelSerializer})
    def put(self, request: Request) -> Response:
        data = ReminderChannelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = volunteer_reminder_channel_set(
            volunteer=volunteer_for_account(user=self.actor),
            channel=data.validated_data["reminder_channel"],
            method="app",
            source_ip=self.client_ip,
            actor=self.actor,
        )
        return Response(ReminderChannelSerializer(volunteer).data)
