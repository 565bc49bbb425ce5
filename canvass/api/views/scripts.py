"""Scripts: the list and one script (field leads and organizers), an organizer's new script, and
a turf's active script."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer
from backend.api.views import ApiView, ListApiView
from canvass.api.serializers import scripts as s
from canvass.models import Script
from canvass.selectors.scripts import script_detail, scripts_list, turf_active_script
from canvass.selectors.turf import turfs_managed_by
from canvass.services.scripts import script_create, turf_script_choose


class ScriptListCreateView(ListApiView):
    """Scripts with their questions (field leads and organizers); organizers create them."""

    serializer_class = s.ScriptSerializer
    queryset = Script.objects.none()

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsOrganizer()]
        return [IsFieldLeadOrOrganizer()]

    def get_queryset(self) -> Any:
        return scripts_list()

    @extend_schema(request=s.ScriptInputSerializer, responses={201: s.ScriptSerializer})
    def post(self, request: Request) -> Response:
        data = s.ScriptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        script = script_create(
            actor=self.actor,
            name=values["name"],
            questions=[dict(q) for q in values["questions"]],
            is_default=values["is_default"],
        )
        return Response(
            s.ScriptSerializer(script_detail(pk=script.pk)).data, status=status.HTTP_201_CREATED
        )


class ScriptDetailView(ApiView):
    """One script with its questions."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.ScriptSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ScriptSerializer(script_detail(pk=pk)).data)


class TurfScriptView(ApiView):
    """Set the turf's active script (null: the default script)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=s.TurfScriptInputSerializer, responses={200: s.ScriptSerializer})
    def put(self, request: Request, pk: int) -> Response:
        turf = self.get_or_404(turfs_managed_by(user=self.actor), pk=pk)
        data = s.TurfScriptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        turf_script_choose(actor=self.actor, turf=turf, script_id=data.validated_data["script"])
        active = turf_active_script(turf_id=turf.pk)
        assert active is not None  # the service refuses a turf left without a script
        return Response(s.ScriptSerializer(active).data)
