"""Sync endpoints for the phone app: push conversation logs, pull changes."""

from __future__ import annotations

from typing import Any

from django.http import UnreadablePostError
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.api.errors import ApplicationError
from backend.api.permissions import IsCanvasser
from canvass.api import sync_serializers as s
from canvass.selectors_sync import sync_pull
from canvass.services.sync import conversation_batch_record, device_sync_record


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class UploadIncompleteError(ApplicationError):
    code = "upload_incomplete"


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


class SyncPushView(APIView):
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
        result = conversation_batch_record(actor=_user(request), payload=request_body(request))
        return Response(result.as_dict())


class SyncPullView(APIView):
    """Changes since `cursor` for the canvasser: turf assignments (removed ones as deletions),
    their doors and voters, other canvassers' logs on the same turf and the active scripts."""

    permission_classes = [IsCanvasser]

    @extend_schema(
        operation_id="sync_pull",
        parameters=[s.SyncPullQuerySerializer],
        responses={200: s.SyncPullOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        query = s.SyncPullQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        user = _user(request)
        page = sync_pull(user=user, cursor_token=values.get("cursor"), limit=values.get("limit"))
        if values.get("device_id"):
            from django.utils import timezone

            device_sync_record(
                canvasser=user,
                device_id=values["device_id"],
                app_version=values.get("app_version", ""),
                pending_count=values.get("pending_count", 0),
                now=timezone.now(),
                kind="pull",
            )
        return Response(
            s.render_pull({"cursor": page.cursor, "has_more": page.has_more, **page.sections})
        )
