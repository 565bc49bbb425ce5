"""Caucus sites: organizers and field leads read them, organizers create and edit them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.views import GenericApiView, ListApiView
from events.api.permissions import IsOrganizerOrReadOnlyStaff
from events.api.serializers.locations import (
    LocationFilterSerializer,
    LocationInputSerializer,
    LocationSerializer,
)
from events.selectors.locations import locations_list
from events.services.locations import location_create, location_update


class LocationListView(ListApiView):
    """Caucus sites (organizers and field leads read; organizers create). Filter by county,
    zip, needs_review (sites to fix by hand) and placed (has coordinates)."""

    permission_classes = [IsOrganizerOrReadOnlyStaff]
    serializer_class = LocationSerializer
    filter_backends: list = []

    @extend_schema(parameters=[LocationFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = LocationFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return locations_list(**query.validated_data)

    @extend_schema(request=LocationInputSerializer, responses={201: LocationSerializer})
    def post(self, request: Request) -> Response:
        data = LocationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        location = location_create(actor=self.actor, **data.validated_data)
        return Response(LocationSerializer(location).data, status=status.HTTP_201_CREATED)


class LocationDetailView(GenericApiView):
    """One caucus site; organizers edit it (setting coordinates places it by hand)."""

    permission_classes = [IsOrganizerOrReadOnlyStaff]
    serializer_class = LocationSerializer

    def get_queryset(self) -> Any:
        return locations_list()

    def get(self, request: Request, pk: int) -> Response:
        return Response(LocationSerializer(self.get_object()).data)

    @extend_schema(request=LocationInputSerializer, responses={200: LocationSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        location = self.get_object()
        data = LocationInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        location = location_update(actor=self.actor, location=location, **data.validated_data)
        return Response(LocationSerializer(location).data)
