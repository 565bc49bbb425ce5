"""Logs after the push: the review queue, a log's review and history, a canvasser's own
corrections, and clearing a door's safety flags."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsCanvasser, IsFieldLeadOrOrganizer
from backend.api.views import ApiView, ListApiView
from canvass.api.serializers import logs as s
from canvass.api.views.sync import request_body
from canvass.models import ConversationLog
from canvass.selectors.logs import (
    household_for_flags_clear,
    log_history,
    logs_for_user,
    own_logs,
    review_queue,
)
from canvass.services.logs import household_flags_clear, log_delete, log_review, log_update


class ReviewQueueView(ListApiView):
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
        return review_queue(
            user=self.actor, include_cleared=query.validated_data["include_cleared"]
        )


class LogReviewView(ApiView):
    """Exclude a flagged log from counts, count it again, clear or restore its flag."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.ReviewInputSerializer, responses={200: s.ReviewLogSerializer})
    def post(self, request: Request, pk: int) -> Response:
        # Another team's log is a 404, like a missing one.
        log = self.get_or_404(logs_for_user(user=self.actor), pk=pk)
        data = s.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = log_review(
            actor=self.actor,
            log=log,
            action=data.validated_data["action"],
            reason=data.validated_data.get("reason", ""),
        )
        log = self.get_or_404(logs_for_user(user=self.actor), pk=log.pk)
        return Response(s.ReviewLogSerializer(log).data)


class LogHistoryView(ApiView):
    """A log's previous versions and review actions (who, when, what)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.LogHistorySerializer})
    def get(self, request: Request, pk: int) -> Response:
        log = self.get_or_404(logs_for_user(user=self.actor), pk=pk)
        return Response(s.LogHistorySerializer(log_history(log=log)).data)


class OwnLogView(ApiView):
    """A canvasser corrects (PATCH) or deletes (DELETE) their own log within the edit window."""

    permission_classes = [IsCanvasser]
    extra_error_codes = ["409"]

    @extend_schema(request=s.LogUpdateInputSerializer, responses={200: s.OwnLogResponseSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        log = self.get_or_404(own_logs(user=self.actor), pk=pk)
        data = s.LogUpdateInputSerializer(data=request_body(request))
        data.is_valid(raise_exception=True)
        log, warnings = log_update(actor=self.actor, log=log, changes=data.validated_data)
        return Response({"log": s.OwnLogSerializer(log).data, "warnings": warnings})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        log_delete(actor=self.actor, log=self.get_or_404(own_logs(user=self.actor), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class HouseholdFlagsClearView(ApiView):
    """Clear a door's safety flags (do not knock, moved, deceased); logs only ever set them."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.FlagsClearInputSerializer, responses={200: s.HouseholdFlagsSerializer})
    def post(self, request: Request, pk: int) -> Response:
        household = household_for_flags_clear(user=self.actor, pk=pk)
        data = s.FlagsClearInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = household_flags_clear(
            actor=self.actor, household=household, flags=sorted(set(data.validated_data["flags"]))
        )
        return Response(s.HouseholdFlagsSerializer(household).data)
