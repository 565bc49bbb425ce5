"""The opt-out list, for organizers."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsOrganizer
from backend.api.views import ListApiView
from messaging.api.serializers.common import volunteer_brief
from messaging.api.serializers.optouts import OptOutSerializer
from messaging.models import SmsOptOut
from messaging.selectors.optouts import opt_outs, volunteers_by_hash


class OptOutListView(ListApiView):
    """Numbers that must not be texted. Only a keyed hash is stored; a volunteer with that
    number is shown when one exists."""

    permission_classes = [IsOrganizer]
    serializer_class = OptOutSerializer
    queryset = SmsOptOut.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return opt_outs()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        volunteers = volunteers_by_hash([row.phone_hash for row in rows])
        data = [
            {
                "id": row.pk,
                "reason": row.reason,
                "keyword": row.keyword,
                "opted_out_at": row.opted_out_at,
                "volunteer": volunteer_brief(volunteers.get(row.phone_hash)),
            }
            for row in rows
        ]
        return self.get_paginated_response(OptOutSerializer(data, many=True).data)
