"""Sync endpoints for the phone app: push conversation logs, pull changes, and the readiness
screen (who has synced, who still holds logs)."""

from __future__ import annotations

from typing import Any

from django.http import UnreadablePostError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.conditional import IF_NONE_MATCH, NOT_MODIFIED, conditional_response
from backend.api.permissions import IsCanvasser, IsFieldLeadOrOrganizer
from backend.api.views import ApiView
from canvass.api.serializers import sync as s
from canvass.errors import UploadIncompleteError
from canvass.selectors.sync import readiness, sync_pull
from canvass.services.sync import conversation_batch_record, device_sync_record


def request_body(request: Request) -> Any:
    """The parsed body, or a 400 when the phone dropped the connection mid-upload: a client
    abort (logged as a warning by django.request), not a server error with a traceback."""
    try:
        return request.data
    except UnreadablePostError:
        raise UploadIncompleteError(
            "The upload was cut off before the end; send the same batch again.",
            fields={"non_field_errors": ["Incomplete request body."]},
        ) from None


class SyncPushView(ApiView):
    """Push a batch of conversation logs. Each item is answered on its own (created,
    duplicate or rejected with field errors); the answer is sent after the batch is committed,
    so resending the same batch after a dropped connection is always safe."""

    permission_classes = [IsCanvasser]

    @extend_schema(
        operation_id="sync_push",
        request=s.SyncPushInputSerializer,
        responses={200: s.SyncPushOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        result = conversation_batch_record(actor=self.actor, payload=request_body(request))
        return Response(result.as_dict())


class SyncPullView(ApiView):
    """Changes since `cursor` for the canvasser: turf assignments (removed ones as deletions),
    their doors and voters, other canvassers' logs on the same turf and the active scripts."""

    permission_classes = [IsCanvasser]

    @extend_schema(
        operation_id="sync_pull",
        parameters=[s.SyncPullQuerySerializer, IF_NONE_MATCH],
        responses={200: s.SyncPullOutputSerializer, 304: NOT_MODIFIED},
    )
    def get(self, request: Request) -> Response:
        query = s.SyncPullQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        page = sync_pull(
            user=self.actor, cursor_token=values.get("cursor"), limit=values.get("limit")
        )
        if values.get("device_id"):
            device_sync_record(
                canvasser=self.actor,
                device_id=values["device_id"],
                app_version=values.get("app_version", ""),
                pending_count=values.get("pending_count", 0),
                now=timezone.now(),
                kind="pull",
            )
        body = s.render_pull({"cursor": page.cursor, "has_more": page.has_more, **page.sections})
        # The tag leaves out the fresh cursor: on a 304 the client keeps the page it stored,
        # cursor included, and pulling from that older cursor misses nothing.
        unchanged = {name: value for name, value in body.items() if name != "cursor"}
        return conditional_response(request, body, etag_data=unchanged)


class ReadinessView(ApiView):
    """Per canvasser (field leads: their teams'): last sync, how long ago, pending logs."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.ReadinessRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = readiness(user=self.actor)
        return Response(s.ReadinessRowSerializer(rows, many=True).data)
