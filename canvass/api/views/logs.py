"""Scripts, the review queue, corrections, safety flags, reports, export, readiness, leads."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.api.errors import ApplicationError
from backend.api.permissions import IsCanvasser, IsFieldLeadOrOrganizer, IsOrganizer, IsStaffRole
from backend.audit.services import audit_record
from canvass import selectors_logs
from canvass.api import log_serializers as s
from canvass.api.sync_views import request_body
from canvass.models import ConversationLog, Script
from canvass.selectors.households import household_in_team_turf, households_for_user
from canvass.selectors.turf import turfs_for_user, turfs_managed_by
from canvass.services import logs as log_services


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _staff_log(request: Request, pk: int) -> ConversationLog:
    """Another team's log is a 404, like a missing one."""
    return get_object_or_404(selectors_logs.logs_for_user(user=_user(request)), pk=pk)


class ScriptListCreateView(generics.ListAPIView):
    """Scripts with their questions (field leads and organizers); organizers create them."""

    serializer_class = s.ScriptSerializer
    queryset = Script.objects.none()

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsOrganizer()]
        return [IsFieldLeadOrOrganizer()]

    def get_queryset(self) -> Any:
        return Script.objects.prefetch_related("questions").order_by("-created_at", "-id")

    @extend_schema(request=s.ScriptInputSerializer, responses={201: s.ScriptSerializer})
    def post(self, request: Request) -> Response:
        data = s.ScriptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        script = log_services.script_create(
            actor=_user(request),
            name=values["name"],
            questions=[dict(q) for q in values["questions"]],
            is_default=values["is_default"],
        )
        script = Script.objects.prefetch_related("questions").get(pk=script.pk)
        return Response(s.ScriptSerializer(script).data, status=status.HTTP_201_CREATED)


class ScriptDetailView(APIView):
    """One script with its questions."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.ScriptSerializer})
    def get(self, request: Request, pk: int) -> Response:
        script = get_object_or_404(Script.objects.prefetch_related("questions"), pk=pk)
        return Response(s.ScriptSerializer(script).data)


class TurfScriptView(APIView):
    """Set the turf's active script (null: the default script)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.TurfScriptInputSerializer, responses={200: s.ScriptSerializer})
    def put(self, request: Request, pk: int) -> Response:
        turf = get_object_or_404(turfs_managed_by(user=_user(request)), pk=pk)
        data = s.TurfScriptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        script_id = data.validated_data["script"]
        script = None
        if script_id is not None:
            script = Script.objects.filter(pk=script_id).first()
            if script is None:
                raise ApplicationError("No such script.", fields={"script": ["No such script."]})
        if script is None and not Script.objects.filter(is_default=True).exists():
            raise ApplicationError(
                "No default script exists; choose one.", fields={"script": ["Choose a script."]}
            )
        log_services.turf_script_set(actor=_user(request), turf=turf, script=script)
        active = selectors_sync_active_script(turf.pk)
        assert active is not None
        return Response(s.ScriptSerializer(active).data)


def selectors_sync_active_script(turf_id: int) -> Script | None:
    from canvass.selectors_sync import active_script_ids

    script_id = active_script_ids({turf_id}).get(turf_id)
    if script_id is None:
        return None
    return Script.objects.prefetch_related("questions").get(pk=script_id)


class ReviewQueueView(generics.ListAPIView):
    """Flagged logs waiting for review: field leads see their teams', organizers all."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.ReviewLogSerializer
    queryset = ConversationLog.objects.none()

    @extend_schema(parameters=[s.ReviewQueueQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ConversationLog.objects.none()
        query = s.ReviewQueueQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors_logs.review_queue(
            user=_user(self.request), include_cleared=query.validated_data["include_cleared"]
        )


class LogReviewView(APIView):
    """Exclude a flagged log from counts, count it again, clear or restore its flag."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.ReviewInputSerializer, responses={200: s.ReviewLogSerializer})
    def post(self, request: Request, pk: int) -> Response:
        log = _staff_log(request, pk)
        data = s.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = log_services.log_review(
            actor=_user(request), log=log, action=data.validated_data["action"]
        )
        return Response(s.ReviewLogSerializer(_staff_log(request, log.pk)).data)


class LogHistoryView(APIView):
    """A log's previous versions and review actions (who, when, what)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.LogHistorySerializer})
    def get(self, request: Request, pk: int) -> Response:
        log = _staff_log(request, pk)
        revisions = log.revisions.select_related("changed_by")
        reviews = log.reviews.select_related("actor")
        return Response(
            s.LogHistorySerializer({"log": log, "revisions": revisions, "reviews": reviews}).data
        )


class OwnLogView(APIView):
    """A canvasser corrects (PATCH) or deletes (DELETE) their own log within the edit window."""

    permission_classes = [IsCanvasser]
    extra_error_codes = ["409"]

    def _own(self, request: Request, pk: int) -> ConversationLog:
        return get_object_or_404(ConversationLog.objects.filter(canvasser=_user(request)), pk=pk)

    @extend_schema(request=s.LogUpdateInputSerializer, responses={200: s.OwnLogResponseSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        log = self._own(request, pk)
        data = s.LogUpdateInputSerializer(data=request_body(request))
        data.is_valid(raise_exception=True)
        log, warnings = log_services.log_update(
            actor=_user(request), log=log, changes=data.validated_data
        )
        return Response({"log": s.OwnLogSerializer(log).data, "warnings": warnings})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        log_services.log_delete(actor=_user(request), log=self._own(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class HouseholdFlagsClearView(APIView):
    """Clear a door's safety flags (do not knock, moved, deceased); logs only ever set them."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.FlagsClearInputSerializer, responses={200: s.HouseholdFlagsSerializer})
    def post(self, request: Request, pk: int) -> Response:
        household = get_object_or_404(households_for_user(user=_user(request)), pk=pk)
        if not household_in_team_turf(user=_user(request), household=household):
            # Visible (a door of the free pool), so a 403 tells nothing new; its flags came
            # from another team's logs.
            raise ApplicationError(
                "Only field leads of a team whose turf held this door may clear its flags.",
                code="permission_denied",
                status_code=403,
            )
        data = s.FlagsClearInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flags = sorted(set(data.validated_data["flags"]))
        household = log_services.household_flags_clear(
            actor=_user(request), household=household, flags=flags
        )
        return Response(s.HouseholdFlagsSerializer(household).data)


class TurfProgressView(APIView):
    """Doors total, knocked, contacted, support 1-5, pledges and completion of a turf."""

    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: s.TurfProgressSerializer})
    def get(self, request: Request, pk: int) -> Response:
        turf = get_object_or_404(turfs_for_user(user=_user(request)), pk=pk)
        return Response(s.TurfProgressSerializer(selectors_logs.turf_progress(turf=turf)).data)


class CanvasserReportView(APIView):
    """Per canvasser per day: doors, contacts, contact rate, flagged logs (team-scoped)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(
        parameters=[s.DateRangeQuerySerializer],
        responses={200: s.CanvasserDayRowSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = s.DateRangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors_logs.canvasser_daily_report(
            user=_user(request),
            date_from=query.validated_data.get("date_from"),
            date_to=query.validated_data.get("date_to"),
        )
        return Response(s.CanvasserDayRowSerializer(rows, many=True).data)


class PrecinctReportView(APIView):
    """Organizers: summaries by precinct."""

    permission_classes = [IsOrganizer]

    @extend_schema(responses={200: s.PrecinctSummaryRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = selectors_logs.precinct_summary()
        return Response(s.PrecinctSummaryRowSerializer(rows, many=True).data)


class _Echo:
    def write(self, value: str) -> str:
        return value


class LogExportView(APIView):
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
        count, rows = selectors_logs.export_rows(user=_user(request))
        audit_record(
            actor=_user(request),
            action="export.conversation_logs",
            target_type="canvass.conversationlog",
            details={"rows": count},
        )
        writer = csv.writer(_Echo())

        def stream() -> Iterator[str]:
            yield writer.writerow(selectors_logs.EXPORT_COLUMNS)
            for row in rows:
                yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="conversation-logs.csv"'
        return response


class ReadinessView(APIView):
    """Per canvasser (field leads: their teams'): last sync, how long ago, pending logs."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.ReadinessRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = selectors_logs.readiness(user=_user(request))
        return Response(s.ReadinessRowSerializer(rows, many=True).data)


class VolunteerLeadsView(generics.ListAPIView):
    """Organizers: people who said at the door they want to volunteer, with their consent."""

    permission_classes = [IsOrganizer]
    serializer_class = s.VolunteerLeadSerializer
    queryset = ConversationLog.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ConversationLog.objects.none()
        return selectors_logs.volunteer_leads(user=_user(self.request))
