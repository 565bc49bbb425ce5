"""Signups: the public form, a volunteer cancelling through their link, staff signing people
up, rosters (JSON and CSV), attendance and its counts."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.csv import csv_response
from events import links
from events.api.serializers.signups import (
    AttendanceInputSerializer,
    BulkAttendanceInputSerializer,
    EventStatsSerializer,
    PublicSignupInputSerializer,
    PublicSignupOutputSerializer,
    RosterEntrySerializer,
    StaffSignupInputSerializer,
    VolunteerSignupSerializer,
    VolunteerStatsSerializer,
)
from events.api.throttles import SignupIpThrottle, SignupPhoneThrottle
from events.api.views.common import PublicView, StaffView
from events.selectors.schedule import event_get_for_user, shift_get_for_user
from events.selectors.signups import (
    ROSTER_CSV_COLUMNS,
    event_stats,
    roster,
    signups_for_user,
    volunteer_stats,
)
from events.selectors.volunteers import volunteers_for_user
from events.services import signups

CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="text/csv")

# --- Public (no login) ----------------------------------------------------------------------


class PublicSignupView(PublicView):
    """Sign up for a shift with a name, phone number and an explicit SMS consent answer.

    201 with status `confirmed` or `waitlisted`, and the signed link to manage the signups.
    """

    extra_error_codes = ["409"]
    throttle_classes = [SignupIpThrottle, SignupPhoneThrottle]

    @extend_schema(
        request=PublicSignupInputSerializer,
        responses={201: PublicSignupOutputSerializer},
        auth=[],
    )
    def post(self, request: Request, pk: int) -> Response:
        data = PublicSignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = signups.public_signup_create(
            shift_id=pk, source_ip=self.client_ip, **data.validated_data
        )
        return Response(
            {
                "signup": VolunteerSignupSerializer(outcome.signup).data,
                "manage_token": outcome.manage_token,
                "manage_url": outcome.manage_url,
            },
            status=status.HTTP_201_CREATED,
        )


class VolunteerCancelView(PublicView):
    """Through the signed link: cancel one of the volunteer's own signups."""

    extra_error_codes = ["409"]

    @extend_schema(request=None, responses={200: VolunteerSignupSerializer}, auth=[])
    def post(self, request: Request, token: str, pk: int) -> Response:
        volunteer = links.volunteer_from_token(token)
        signup = signups.signup_cancel(signup_id=pk, volunteer=volunteer)
        return Response(VolunteerSignupSerializer(signup).data)


# --- Organizers and field leads -------------------------------------------------------------


class ShiftSignupCreateView(StaffView):
    """Sign a volunteer up on their behalf (source organizer by default; private events too)."""

    extra_error_codes = ["409"]

    @extend_schema(request=StaffSignupInputSerializer, responses={201: RosterEntrySerializer})
    def post(self, request: Request, pk: int) -> Response:
        shift = shift_get_for_user(user=self.actor, shift_id=pk)
        data = StaffSignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = signups.signup_create(
            shift_id=shift.pk, actor=self.actor, allow_private=True, **data.validated_data
        )
        return Response(RosterEntrySerializer(outcome.signup).data, status=status.HTTP_201_CREATED)


class ShiftRosterView(StaffView):
    """Everyone signed up for one shift, in arrival order (cancelled included)."""

    @extend_schema(responses={200: RosterEntrySerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        shift = shift_get_for_user(user=self.actor, shift_id=pk)
        entries = roster(user=self.actor, shift_ids=[shift.pk])
        return Response(RosterEntrySerializer(entries, many=True).data)


class EventRosterView(StaffView):
    """Everyone signed up for any shift of one event, by shift then arrival order."""

    @extend_schema(responses={200: RosterEntrySerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=self.actor, event_id=pk)
        entries = roster(user=self.actor, event_id=event.pk)
        return Response(RosterEntrySerializer(entries, many=True).data)


class EventRosterCsvView(StaffView):
    """The event's roster as CSV, streamed (the export is recorded in the audit trail)."""

    @extend_schema(responses={(200, "text/csv"): CSV_RESPONSE})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        event = event_get_for_user(user=self.actor, event_id=pk)
        rows = signups.event_roster_export(actor=self.actor, event=event, source_ip=self.client_ip)
        # csv_response escapes formulas in every cell (a volunteer's name is typed by anyone).
        return csv_response(
            rows, header=ROSTER_CSV_COLUMNS, filename=f"event-{event.pk}-roster.csv"
        )


class SignupAttendanceView(StaffView):
    """Check one person in (attended), mark a no-show, or undo (confirmed)."""

    extra_error_codes = ["409"]

    @extend_schema(request=AttendanceInputSerializer, responses={200: RosterEntrySerializer})
    def post(self, request: Request, pk: int) -> Response:
        signup = self.get_or_404(signups_for_user(user=self.actor), pk=pk)
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        (marked,) = signups.signups_mark_attendance(
            actor=self.actor, signups=[signup], status=data.validated_data["status"]
        )
        entry = self.get_or_404(signups_for_user(user=self.actor), pk=marked.pk)
        return Response(RosterEntrySerializer(entry).data)


class EventBulkAttendanceView(StaffView):
    """Mark many signups of one event at once; all or nothing."""

    extra_error_codes = ["409"]

    @extend_schema(
        request=BulkAttendanceInputSerializer, responses={200: RosterEntrySerializer(many=True)}
    )
    def post(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=self.actor, event_id=pk)
        data = BulkAttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["signup_ids"])
        signups.event_attendance_mark(
            actor=self.actor, event=event, signup_ids=ids, status=data.validated_data["status"]
        )
        entries = roster(user=self.actor, event_id=event.pk, signup_ids=ids)
        return Response(RosterEntrySerializer(entries, many=True).data)


class EventStatsView(StaffView):
    """Attendance per event: signups, confirmed, waitlisted, cancelled, shows and no-shows."""

    @extend_schema(responses={200: EventStatsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=self.actor, event_id=pk)
        return Response(EventStatsSerializer(event_stats(user=self.actor, event=event)).data)


class VolunteerStatsView(StaffView):
    """Attendance of one volunteer over the events the user manages."""

    @extend_schema(responses={200: VolunteerStatsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        volunteer = self.get_or_404(volunteers_for_user(user=self.actor), pk=pk)
        stats = volunteer_stats(user=self.actor, volunteer=volunteer)
        return Response(VolunteerStatsSerializer(stats).data)
