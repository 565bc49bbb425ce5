"""iCalendar files: a public event with its shifts, and a volunteer's own shifts by their link."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from events.api.views.common import PublicView
from events.selectors.calendar import public_event_ics, volunteer_ics

ICS_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="text/calendar (RFC 5545)")


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class PublicEventCalendarView(PublicView):
    """The event and its shifts as an iCalendar file."""

    @extend_schema(responses={(200, "text/calendar"): ICS_RESPONSE}, auth=[])
    def get(self, request: Request, pk: int) -> HttpResponse:
        return _ics(public_event_ics(event_id=pk), f"event-{pk}.ics")


class VolunteerCalendarView(PublicView):
    """Through the signed link: the volunteer's confirmed and waitlisted shifts as iCalendar."""

    @extend_schema(responses={(200, "text/calendar"): ICS_RESPONSE}, auth=[])
    def get(self, request: Request, token: str) -> HttpResponse:
        return _ics(volunteer_ics(token=token), "my-shifts.ics")
