"""Incident views: declare (pause the area's turfs, text everyone working there), list, one
incident, lift."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer
from backend.api.views import ApiView, ListApiView
from canvass.api.serializers import incidents as s
from canvass.models import Incident
from canvass.selectors.incidents import incident_visible_turfs, incidents_for_user
from canvass.services.incidents import Circle, incident_declare, incident_lift


class IncidentListCreateView(ListApiView):
    """Incidents on the actor's teams' turf (organizers: all), newest first; POST declares one."""

    extra_error_codes = {"post": ["404"]}
    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = s.IncidentSerializer
    queryset = Incident.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        query = s.IncidentQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return incidents_for_user(user=self.actor, active=query.validated_data.get("active"))

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["visible_turfs"] = incident_visible_turfs(user=self.actor)
        return context

    @extend_schema(parameters=[s.IncidentQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.IncidentDeclareInputSerializer, responses={201: s.IncidentSerializer})
    def post(self, request: Request) -> Response:
        data = s.IncidentDeclareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        circle = values.get("circle")
        incident = incident_declare(
            actor=self.actor,
            kind=values["kind"],
            instruction=values["instruction"],
            polygon=values.get("polygon"),
            circle=Circle(**circle) if circle else None,
            turf_ids=values.get("turfs"),
            ip_address=self.client_ip,
        )
        return Response(_render(self, incident.pk), status=status.HTTP_201_CREATED)


def _render(view: Any, pk: int) -> Any:
    incident = view.get_or_404(incidents_for_user(user=view.actor), pk=pk)
    context = {"visible_turfs": incident_visible_turfs(user=view.actor)}
    return s.IncidentSerializer(incident, context=context).data


class IncidentDetailView(ApiView):
    """One incident (field leads: one that paused a turf of their teams)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.IncidentSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_render(self, pk))


class IncidentLiftView(ApiView):
    """Lift the incident: its turfs resume (unless another active incident covers them) and
    everyone told of it is told it is over. A second lift is a 409."""

    extra_error_codes = ["409"]
    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=None, responses={200: s.IncidentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        incident_lift(actor=self.actor, incident_id=pk, ip_address=self.client_ip)
        return Response(_render(self, pk))
