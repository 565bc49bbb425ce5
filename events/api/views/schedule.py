"""Events API views: thin, an input serializer, one service or selector, an output serializer."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.api.views import client_ip
from backend.accounts.models import User
from backend.api.errors import ApplicationError, NotFoundError
from backend.api.permissions import IsFieldLeadOrOrganizer, IsStaffRole
from backend.audit.services import audit_record
from events import calendar, links, selectors
from events.api import serializers as s
from events.api.permissions import IsOrganizerOrReadOnlyStaff
from events.api.throttles import SignupIpThrottle, SignupPhoneThrottle
from events.models import EventKind, Location, Volunteer
from events.services import locations as location_services
from events.services import schedule, signups
from events.services.volunteers import (
    LinkThrottledError,
    sms_consent_current,
    volunteer_link_code_send,
    volunteer_link_verify,
    volunteer_manage_link_send,
)

ICS_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="text/calendar (RFC 5545)")
CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="text/csv")


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


# --- Public (no login) ----------------------------------------------------------------------


class PublicView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []


class PublicEventFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, required=False)
    date_from = serializers.DateField(required=False, help_text="First local day (inclusive)")
    date_to = serializers.DateField(required=False, help_text="Last local day (inclusive)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_to"] < attrs["date_from"]
        ):
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs


class NearbyQuerySerializer(PublicEventFilterSerializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
    zip = serializers.RegexField(r"^\d{5}$", required=False)
    radius_km = serializers.FloatField(
        min_value=selectors.NEARBY_MIN_RADIUS_KM,
        max_value=selectors.NEARBY_MAX_RADIUS_KM,
        required=False,
        default=25.0,
    )
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=50)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        has_point = "latitude" in attrs or "longitude" in attrs
        if has_point and ("latitude" not in attrs or "longitude" not in attrs):
            missing = "longitude" if "latitude" in attrs else "latitude"
            raise serializers.ValidationError({missing: ["Give latitude and longitude together."]})
        if not has_point and "zip" not in attrs:
            raise serializers.ValidationError(
                {"latitude": ["Give latitude and longitude, or a zip."]}
            )
        return attrs


class PublicEventListView(ListAPIView):
    """Upcoming public events, soonest first; filter by kind and local dates."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.PublicEventSerializer
    filter_backends: list = []

    @extend_schema(parameters=[PublicEventFilterSerializer], auth=[])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = PublicEventFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.public_events(**query.validated_data)


class NearbyEventsView(PublicView):
    """Upcoming public events near a point or a ZIP code, nearest first, with distances."""

    @extend_schema(
        parameters=[NearbyQuerySerializer],
        responses={
            200: inline_serializer(
                "NearbyEvents",
                {
                    "latitude": serializers.FloatField(),
                    "longitude": serializers.FloatField(),
                    "radius_km": serializers.FloatField(),
                    "count": serializers.IntegerField(),
                    "results": s.NearbyEventSerializer(many=True),
                },
            )
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        query = NearbyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        zip_code = params.pop("zip", None)
        if "latitude" not in params:
            centre = selectors.zip_centroid(zip_code=zip_code)
            if centre is None:
                raise ApplicationError(
                    f"We do not know where ZIP code {zip_code} is; search by location instead.",
                    code="unknown_zip",
                    fields={"zip": ["Unknown ZIP code."]},
                )
            params["latitude"], params["longitude"] = centre
        found = selectors.nearby_events(**params)
        results = [{"distance_m": round(item.distance_m, 1), "event": item.event} for item in found]
        return Response(
            {
                "latitude": params["latitude"],
                "longitude": params["longitude"],
                "radius_km": params["radius_km"],
                "count": len(results),
                "results": s.NearbyEventSerializer(results, many=True).data,
            }
        )


class PublicEventDetailView(PublicView):
    """A public event with its shifts and the spots left on each."""

    @extend_schema(responses={200: s.PublicEventDetailSerializer}, auth=[])
    def get(self, request: Request, pk: int) -> Response:
        event = selectors.public_event_detail(event_id=pk)
        if event is None:
            raise NotFoundError("No such event.")
        return Response(s.PublicEventDetailSerializer(event).data)


class PublicEventCalendarView(PublicView):
    """The event and its shifts as an iCalendar file."""

    @extend_schema(responses={(200, "text/calendar"): ICS_RESPONSE}, auth=[])
    def get(self, request: Request, pk: int) -> HttpResponse:
        event = selectors.public_event_detail(event_id=pk)
        if event is None:
            raise NotFoundError("No such event.")
        return _ics(calendar.event_calendar(event), f"event-{event.pk}.ics")


class PublicSignupView(PublicView):
    """Sign up for a shift with a name, phone number and an explicit SMS consent answer.

    201 with status `confirmed` or `waitlisted`, and the signed link to manage the signups.
    """

    extra_error_codes = ["409"]
    throttle_classes = [SignupIpThrottle, SignupPhoneThrottle]

    @extend_schema(
        request=s.PublicSignupInputSerializer,
        responses={201: s.PublicSignupOutputSerializer},
        auth=[],
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.PublicSignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if selectors.public_shift(shift_id=pk) is None:
            raise NotFoundError("No such shift.")
        outcome = signups.signup_create(
            shift_id=pk,
            source_ip=client_ip(request),
            name_other_shift=False,
            **data.validated_data,
        )
        # The manage link shows every signup of that number and cancels them: hand it only to
        # whoever made the record just now. Anyone may type a known number into the form.
        created = outcome.volunteer_created
        return Response(
            {
                "signup": s.VolunteerSignupSerializer(outcome.signup).data,
                "manage_token": (
                    links.manage_token_for(outcome.volunteer, proven=False) if created else None
                ),
                "manage_url": (
                    links.manage_url_for(outcome.volunteer, proven=False) if created else None
                ),
            },
            status=status.HTTP_201_CREATED,
        )


class ManageLinkRequestView(PublicView):
    """Text the signed manage link to a volunteer's own number.

    202 with the same answer whether or not the number belongs to a volunteer: the link goes
    only to the number, never into the response.
    """

    throttle_classes = [SignupIpThrottle]

    @extend_schema(
        request=s.ManageLinkRequestSerializer,
        responses={202: s.ManageLinkSentSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = s.ManageLinkRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _throttled_as_429():
            volunteer_manage_link_send(source_ip=client_ip(request), **data.validated_data)
        return Response(
            {"detail": "If this number belongs to a volunteer, we texted it the link."},
            status=status.HTTP_202_ACCEPTED,
        )


class VolunteerPageView(PublicView):
    """Through the signed link: the volunteer's own signups."""

    @extend_schema(responses={200: s.VolunteerPageSerializer}, auth=[])
    def get(self, request: Request, token: str) -> Response:
        volunteer = links.volunteer_from_token(token)
        consent = sms_consent_current(volunteer=volunteer)
        return Response(
            s.VolunteerPageSerializer(
                {
                    "name": volunteer.name,
                    "phone_last4": volunteer.phone_last4,
                    "sms_consent": bool(consent and consent.granted),
                    "signups": selectors.signups_for_volunteer(volunteer=volunteer),
                    # The same token: a link that is no proof of the number never becomes one.
                    "calendar_url": f"{links.manage_url_from_token(token)}/calendar.ics",
                }
            ).data
        )


class VolunteerCancelView(PublicView):
    """Through the signed link: cancel one of the volunteer's own signups."""

    extra_error_codes = ["409"]

    @extend_schema(request=None, responses={200: s.VolunteerSignupSerializer}, auth=[])
    def post(self, request: Request, token: str, pk: int) -> Response:
        volunteer = links.volunteer_from_token(token)
        signup = signups.signup_cancel(signup_id=pk, volunteer=volunteer)
        return Response(s.VolunteerSignupSerializer(signup).data)


class VolunteerCalendarView(PublicView):
    """Through the signed link: the volunteer's confirmed and waitlisted shifts as iCalendar."""

    @extend_schema(responses={(200, "text/calendar"): ICS_RESPONSE}, auth=[])
    def get(self, request: Request, token: str) -> HttpResponse:
        volunteer = links.volunteer_from_token(token)
        body = calendar.signups_calendar(selectors.signups_for_volunteer(volunteer=volunteer))
        return _ics(body, "my-shifts.ics")


# --- Organizers and field leads -------------------------------------------------------------


class StaffView(APIView):
    permission_classes = [IsFieldLeadOrOrganizer]


def _event_or_404(request: Request, pk: int) -> Any:
    event = selectors.event_with_shifts(user=_user(request), event_id=pk)
    if event is None:
        raise NotFoundError("No such event.")
    return event


def _shift_or_404(request: Request, pk: int) -> Any:
    shift = selectors.shifts_for_user(user=_user(request)).filter(pk=pk).first()
    if shift is None:
        raise NotFoundError("No such shift.")
    return shift


class LocationFilterSerializer(serializers.Serializer):
    county = serializers.CharField(required=False, max_length=100)
    zip = serializers.RegexField(r"^\d{5}$", required=False)
    needs_review = serializers.BooleanField(required=False, allow_null=True, default=None)
    placed = serializers.BooleanField(required=False, allow_null=True, default=None)


class LocationListView(ListAPIView):
    """Caucus sites (organizers and field leads read; organizers create). Filter by county,
    zip, needs_review (sites to fix by hand) and placed (has coordinates)."""

    permission_classes = [IsOrganizerOrReadOnlyStaff]
    serializer_class = s.LocationSerializer
    filter_backends: list = []

    @extend_schema(parameters=[LocationFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = LocationFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.locations_list(**query.validated_data)

    @extend_schema(request=s.LocationInputSerializer, responses={201: s.LocationSerializer})
    def post(self, request: Request) -> Response:
        data = s.LocationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        location = location_services.location_create(actor=_user(request), **data.validated_data)
        return Response(s.LocationSerializer(location).data, status=status.HTTP_201_CREATED)


class LocationDetailView(GenericAPIView):
    """One caucus site; organizers edit it (setting coordinates places it by hand)."""

    permission_classes = [IsOrganizerOrReadOnlyStaff]
    serializer_class = s.LocationSerializer
    queryset = Location.objects.all()

    def get(self, request: Request, pk: int) -> Response:
        return Response(s.LocationSerializer(self.get_object()).data)

    @extend_schema(request=s.LocationInputSerializer, responses={200: s.LocationSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        location = self.get_object()
        data = s.LocationInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        location = location_services.location_update(
            actor=_user(request), location=location, **data.validated_data
        )
        return Response(s.LocationSerializer(location).data)


class EventListView(ListAPIView):
    """Events of the user's teams (organizers: all), newest start first; create one."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.EventSerializer
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return selectors.events_for_user(user=_user(self.request)).order_by("-starts_at", "-id")

    @extend_schema(request=s.EventInputSerializer, responses={201: s.EventDetailSerializer})
    def post(self, request: Request) -> Response:
        data = s.EventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = schedule.event_create(actor=_user(request), **data.validated_data)
        return Response(
            s.EventDetailSerializer(_event_or_404(request, event.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class EventDetailView(StaffView):
    """One event with every shift and its counts; edit it (emits event.changed)."""

    extra_error_codes = {"patch": ["409"]}

    @extend_schema(responses={200: s.EventDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.EventDetailSerializer(_event_or_404(request, pk)).data)

    @extend_schema(request=s.EventUpdateSerializer, responses={200: s.EventDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        event = _event_or_404(request, pk)
        data = s.EventUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        schedule.event_update(actor=_user(request), event=event, **data.validated_data)
        return Response(s.EventDetailSerializer(_event_or_404(request, pk)).data)


class EventCancelView(StaffView):
    """Cancel an event (emits event.cancelled; signups are kept so everyone can be told)."""

    @extend_schema(request=None, responses={200: s.EventDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        schedule.event_cancel(actor=_user(request), event=_event_or_404(request, pk))
        return Response(s.EventDetailSerializer(_event_or_404(request, pk)).data)


class EventCompleteView(StaffView):
    """Mark a scheduled event as completed (held)."""

    extra_error_codes = ["409"]

    @extend_schema(request=None, responses={200: s.EventDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        schedule.event_complete(actor=_user(request), event=_event_or_404(request, pk))
        return Response(s.EventDetailSerializer(_event_or_404(request, pk)).data)


class MyVolunteerView(APIView):
    """The signed-in user's own volunteer record: read it, or start linking it by phone number.

    POST texts a one-time code to the number and answers 202 the same way whether or not a
    volunteer has that number; nothing about any volunteer is returned or written until the
    code (or the volunteer's manage link) is given to `POST /api/me/volunteer/verify`.
    """

    permission_classes = [IsStaffRole]
    extra_error_codes = {"get": ["404"], "post": ["409", "429"]}

    @extend_schema(responses={200: s.MyVolunteerSerializer})
    def get(self, request: Request) -> Response:
        volunteer = Volunteer.objects.filter(user=_user(request)).first()
        if volunteer is None:
            raise NotFoundError("No volunteer record is linked to this account.")
        return Response(_my_volunteer(volunteer))

    @extend_schema(request=s.LinkCodeRequestSerializer, responses={202: s.LinkCodeSentSerializer})
    def post(self, request: Request) -> Response:
        data = s.LinkCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _throttled_as_429():
            volunteer_link_code_send(
                user=_user(request), source_ip=client_ip(request), **data.validated_data
            )
        return Response(
            {
                "detail": "If this number can receive texts, we sent it a code. "
                "Send the code to /api/me/volunteer/verify.",
                "expires_in_seconds": settings.VOLUNTEER_LINK_CODE_TTL_SECONDS,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class MyVolunteerVerifyView(APIView):
    """Prove the number (the texted code, or the volunteer's own manage link) and link the
    volunteer record to this account; answers the linked record."""

    permission_classes = [IsStaffRole]
    extra_error_codes = ["409", "429"]

    @extend_schema(
        request=s.LinkVolunteerVerifySerializer, responses={200: s.MyVolunteerSerializer}
    )
    def post(self, request: Request) -> Response:
        data = s.LinkVolunteerVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _throttled_as_429():
            volunteer = volunteer_link_verify(
                user=_user(request), source_ip=client_ip(request), **data.validated_data
            )
        return Response(_my_volunteer(volunteer))


@contextmanager
def _throttled_as_429() -> Iterator[None]:
    # DRF's Throttled carries the Retry-After header; the service cannot import DRF.
    try:
        yield
    except LinkThrottledError as error:
        raise exceptions.Throttled(wait=error.retry_after, detail=error.message) from None


def _my_volunteer(volunteer: Volunteer) -> dict[str, Any]:
    consent = sms_consent_current(volunteer=volunteer)
    return s.MyVolunteerSerializer(
        {
            "id": volunteer.pk,
            "name": volunteer.name,
            "phone_last4": volunteer.phone_last4,
            "language": volunteer.language,
            "sms_consent": bool(consent and consent.granted),
            "signups": selectors.signups_for_volunteer(volunteer=volunteer),
            "manage_url": links.manage_url_for(volunteer),
        }
    ).data


class EventShiftsView(StaffView):
    """Add a shift to an event; it must lie inside the event."""

    extra_error_codes = ["409"]

    @extend_schema(request=s.ShiftInputSerializer, responses={201: s.ShiftSerializer})
    def post(self, request: Request, pk: int) -> Response:
        event = _event_or_404(request, pk)
        data = s.ShiftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shift = schedule.shift_create(actor=_user(request), event=event, **data.validated_data)
        return Response(
            s.ShiftSerializer(_shift_or_404(request, shift.pk)).data, status=status.HTTP_201_CREATED
        )


class ShiftDetailView(StaffView):
    """One shift with its counts; edit it (more capacity promotes the waitlist)."""

    extra_error_codes = {"patch": ["409"]}

    @extend_schema(responses={200: s.ShiftSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ShiftSerializer(_shift_or_404(request, pk)).data)

    @extend_schema(request=s.ShiftInputSerializer, responses={200: s.ShiftSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        shift = _shift_or_404(request, pk)
        data = s.ShiftInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        schedule.shift_update(actor=_user(request), shift=shift, **data.validated_data)
        return Response(s.ShiftSerializer(_shift_or_404(request, pk)).data)


class ShiftCancelView(StaffView):
    """Cancel a shift and its signups."""

    @extend_schema(request=None, responses={200: s.ShiftSerializer})
    def post(self, request: Request, pk: int) -> Response:
        schedule.shift_cancel(actor=_user(request), shift=_shift_or_404(request, pk))
        return Response(s.ShiftSerializer(_shift_or_404(request, pk)).data)


class ShiftSignupCreateView(StaffView):
    """Sign a volunteer up on their behalf (source organizer by default; private events too)."""

    extra_error_codes = ["409"]

    @extend_schema(request=s.StaffSignupInputSerializer, responses={201: s.RosterEntrySerializer})
    def post(self, request: Request, pk: int) -> Response:
        shift = _shift_or_404(request, pk)
        data = s.StaffSignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = signups.signup_create(
            shift_id=shift.pk, actor=_user(request), allow_private=True, **data.validated_data
        )
        return Response(
            s.RosterEntrySerializer(outcome.signup).data, status=status.HTTP_201_CREATED
        )


class ShiftRosterView(StaffView):
    """Everyone signed up for one shift, in arrival order (cancelled included)."""

    @extend_schema(responses={200: s.RosterEntrySerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        shift = _shift_or_404(request, pk)
        entries = selectors.roster(user=_user(request), shift_ids=[shift.pk])
        return Response(s.RosterEntrySerializer(entries, many=True).data)


class EventRosterView(StaffView):
    """Everyone signed up for any shift of one event, by shift then arrival order."""

    @extend_schema(responses={200: s.RosterEntrySerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        event = _event_or_404(request, pk)
        entries = selectors.roster(user=_user(request), event_id=event.pk)
        return Response(s.RosterEntrySerializer(entries, many=True).data)


ROSTER_CSV_COLUMNS = [
    "signup_id",
    "shift_id",
    "role",
    "shift_start_local",
    "shift_end_local",
    "status",
    "position",
    "source",
    "volunteer_id",
    "name",
    "phone_last4",
    "language",
    "signed_up_at_utc",
    "checked_in_at_utc",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _roster_rows(entries: Any) -> Iterator[str]:
    from zoneinfo import ZoneInfo

    writer = csv.writer(_Echo())
    yield writer.writerow(ROSTER_CSV_COLUMNS)
    for signup in entries.iterator(chunk_size=500):
        zone = ZoneInfo(signup.shift.event.time_zone)
        yield writer.writerow(
            [
                signup.pk,
                signup.shift_id,
                signup.shift.role,
                signup.shift.starts_at.astimezone(zone).isoformat(),
                signup.shift.ends_at.astimezone(zone).isoformat(),
                signup.status,
                signup.position,
                signup.source,
                signup.volunteer_id,
                _csv_safe(signup.volunteer.name),
                signup.volunteer.phone_last4,
                signup.volunteer.language,
                signup.created_at.isoformat(),
                signup.checked_in_at.isoformat() if signup.checked_in_at else "",
            ]
        )


def _csv_safe(text: str) -> str:
    # A name starting with = + - @ would run as a formula in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class EventRosterCsvView(StaffView):
    """The event's roster as CSV, streamed (the export is recorded in the audit trail)."""

    @extend_schema(responses={(200, "text/csv"): CSV_RESPONSE})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        event = _event_or_404(request, pk)
        entries = selectors.roster(user=_user(request), event_id=event.pk)
        audit_record(
            actor=request.user,
            action="event.roster_export",
            target=event,
            ip_address=client_ip(request),
            details={"signups": entries.count()},
        )
        response = StreamingHttpResponse(_roster_rows(entries), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-roster.csv"'
        return response


class SignupAttendanceView(StaffView):
    """Check one person in (attended), mark a no-show, or undo (confirmed)."""

    extra_error_codes = ["409"]

    @extend_schema(request=s.AttendanceInputSerializer, responses={200: s.RosterEntrySerializer})
    def post(self, request: Request, pk: int) -> Response:
        signup = get_object_or_404(selectors.signups_for_user(user=_user(request)), pk=pk)
        data = s.AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        (marked,) = signups.signups_mark_attendance(
            actor=_user(request), signups=[signup], status=data.validated_data["status"]
        )
        return Response(
            s.RosterEntrySerializer(
                selectors.signups_for_user(user=_user(request)).get(pk=marked.pk)
            ).data
        )


class EventBulkAttendanceView(StaffView):
    """Mark many signups of one event at once; all or nothing."""

    extra_error_codes = ["409"]

    @extend_schema(
        request=s.BulkAttendanceInputSerializer, responses={200: s.RosterEntrySerializer(many=True)}
    )
    def post(self, request: Request, pk: int) -> Response:
        event = _event_or_404(request, pk)
        data = s.BulkAttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["signup_ids"])
        found = list(selectors.roster(user=_user(request), event_id=event.pk).filter(pk__in=ids))
        missing = sorted(ids - {signup.pk for signup in found})
        if missing:
            raise NotFoundError(
                "Some signups are not part of this event.", extra={"signup_ids": missing}
            )
        signups.signups_mark_attendance(
            actor=_user(request), signups=found, status=data.validated_data["status"]
        )
        entries = selectors.roster(user=_user(request), event_id=event.pk).filter(pk__in=ids)
        return Response(s.RosterEntrySerializer(entries, many=True).data)


class EventStatsView(StaffView):
    """Attendance per event: signups, confirmed, waitlisted, cancelled, shows and no-shows."""

    @extend_schema(responses={200: s.EventStatsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        event = _event_or_404(request, pk)
        entries = selectors.signups_for_user(user=_user(request)).filter(shift__event=event)
        shifts = [
            {
                "shift_id": shift.pk,
                "role": shift.role,
                "capacity": shift.capacity,
                **selectors.attendance_stats(entries.filter(shift=shift)),
            }
            for shift in event.all_shifts
        ]
        return Response(
            s.EventStatsSerializer(
                {
                    "event_id": event.pk,
                    "totals": selectors.attendance_stats(entries),
                    "shifts": shifts,
                }
            ).data
        )


class VolunteerStatsView(StaffView):
    """Attendance of one volunteer over the events the user manages."""

    @extend_schema(responses={200: s.VolunteerStatsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        volunteer = get_object_or_404(selectors.volunteers_for_user(user=_user(request)), pk=pk)
        entries = selectors.signups_for_user(user=_user(request)).filter(volunteer=volunteer)
        return Response(
            s.VolunteerStatsSerializer(
                {
                    "volunteer_id": volunteer.pk,
                    "name": volunteer.name,
                    "totals": selectors.attendance_stats(entries),
                }
            ).data
        )
