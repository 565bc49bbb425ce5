"""Signups: the public form, a volunteer cancelling through their link, staff signing people
up, rosters (JSON and CSV), attendance and its counts."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.api.views import client_ip
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
from events.api.views.common import PublicView, StaffView, _user
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
            shift_id=pk, source_ip=client_ip(request), **data.validated_data
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
        shift = shift_get_for_user(user=_user(request), shift_id=pk)
        data = StaffSignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = signups.signup_create(
            shift_id=shift.pk, actor=_user(request), allow_private=True, **data.validated_data
        )
        return Response(RosterEntrySerializer(outcome.signup).data, status=status.HTTP_201_CREATED)


class ShiftRosterView(StaffView):
    """Everyone signed up for one shift, in arrival order (cancelled included)."""

    @extend_schema(responses={200: RosterEntrySerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        shift = shift_get_for_user(user=_user(request), shift_id=pk)
        entries = roster(user=_user(request), shift_ids=[shift.pk])
        return Response(RosterEntrySerializer(entries, many=True).data)


class EventRosterView(StaffView):
    """Everyone signed up for any shift of one event, by shift then arrival order."""

    @extend_schema(responses={200: RosterEntrySerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=_user(request), event_id=pk)
        entries = roster(user=_user(request), event_id=event.pk)
        return Response(RosterEntrySerializer(entries, many=True).data)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(ROSTER_CSV_COLUMNS)
    name = ROSTER_CSV_COLUMNS.index("name")
    for row in rows:
        row[name] = _csv_safe(row[name])
        yield writer.writerow(row)


def _csv_safe(text: str) -> str:
    # A name starting with = + - @ would run as a formula in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class EventRosterCsvView(StaffView):
    """The event's roster as CSV, streamed (the export is recorded in the audit trail)."""

    @extend_schema(responses={(200, "text/csv"): CSV_RESPONSE})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        event = event_get_for_user(user=_user(request), event_id=pk)
        rows = signups.event_roster_export(
            actor=_user(request), event=event, source_ip=client_ip(request)
        )
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-roster.csv"'
        return response


class SignupAttendanceView(StaffView):
    """Check one person in (attended), mark a no-show, or undo (confirmed)."""

    extra_error_codes = ["409"]

    @extend_schema(request=AttendanceInputSerializer, responses={200: RosterEntrySerializer})
    def post(self, request: Request, pk: int) -> Response:
        signup = get_object_or_404(signups_for_user(user=_user(request)), pk=pk)
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        (marked,) = signups.signups_mark_attendance(
            actor=_user(request), signups=[signup], status=data.validated_data["status"]
        )
        entry = get_object_or_404(signups_for_user(user=_user(request)), pk=marked.pk)
        return Response(RosterEntrySerializer(entry).data)


class EventBulkAttendanceView(StaffView):
    """Mark many signups of one event at once; all or nothing."""

    extra_error_codes = ["409"]

    @extend_schema(
        request=BulkAttendanceInputSerializer, responses={200: RosterEntrySerializer(many=True)}
    )
    def post(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=_user(request), event_id=pk)
        data = BulkAttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["signup_ids"])
        signups.event_attendance_mark(
            actor=_user(request), event=event, signup_ids=ids, status=data.validated_data["status"]
        )
        entries = roster(user=_user(request), event_id=event.pk, signup_ids=ids)
        return Response(RosterEntrySerializer(entries, many=True).data)


class EventStatsView(StaffView):
    """Attendance per event: signups, confirmed, waitlisted, cancelled, shows and no-shows."""

    @extend_schema(responses={200: EventStatsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        event = event_get_for_user(user=_user(request), event_id=pk)
        return Response(EventStatsSerializer(event_stats(user=_user(request), event=event)).data)


class VolunteerStatsView(StaffView):
    """Attendance of one volunteer over the events the user manages."""

    @extend_schema(responses={200: VolunteerStatsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        volunteer = get_object_or_404(volunteers_for_user(user=_user(request)), pk=pk)
        stats = volunteer_stats(user=_user(request), volunteer=volunteer)
        return Response(VolunteerStatsSerializer(stats).data)
