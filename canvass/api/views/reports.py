"""Reports: a turf's progress, canvassers per day, precinct summaries, the CSV export of logs
and the volunteer leads."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.csv import csv_response
from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer, IsStaffRole
from backend.api.views import ApiView, ListApiView
from canvass.api.serializers import reports as s
from canvass.models import ConversationLog
from canvass.selectors.reports import (
    EXPORT_COLUMNS,
    canvasser_daily_report,
    precinct_summary,
    turf_progress,
    volunteer_leads,
)
from canvass.selectors.turf import turfs_for_user
from canvass.services.logs import logs_export_record


class TurfProgressView(ApiView):
    """Doors total, knocked, contacted, support 1-5, pledges and completion of a turf."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: s.TurfProgressSerializer})
    def get(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_for_user(user=self.actor), pk=pk)
        return Response(s.TurfProgressSerializer(turf_progress(turf=turf)).data)


class CanvasserReportView(ApiView):
    """Per canvasser per day: doors, contacts, contact rate, flagged logs (team-scoped)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(
        parameters=[s.DateRangeQuerySerializer],
        responses={200: s.CanvasserDayRowSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = s.DateRangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = canvasser_daily_report(
            user=self.actor,
            date_from=query.validated_data.get("date_from"),
            date_to=query.validated_data.get("date_to"),
        )
        return Response(s.CanvasserDayRowSerializer(rows, many=True).data)


class PrecinctReportView(ApiView):
    """Organizers: summaries by precinct."""

    permission_classes = [IsOrganizer]

    @extend_schema(responses={200: s.PrecinctSummaryRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(s.PrecinctSummaryRowSerializer(precinct_summary(), many=True).data)


class LogExportView(ApiView):
    """Stream the logs as CSV (field leads: their teams'). Columns: docs/sync.md, "CSV export". Audited."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description="CSV, header row first"
            )
        }
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        rows = logs_export_record(actor=self.actor)
        return csv_response(rows, header=EXPORT_COLUMNS, filename="conversation-logs.csv")


class VolunteerLeadsView(ListApiView):
    """Organizers: people who said at the door they want to volunteer, with their consent."""

    permission_classes = [IsOrganizer]
    serializer_class = s.VolunteerLeadSerializer
    queryset = ConversationLog.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ConversationLog.objects.none()
        return volunteer_leads(user=self.actor)
