from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from rest_framework import generics

from backend.api.filters import StrictFilterSet
from backend.api.permissions import IsOrganizer
from backend.audit.api.serializers import AuditEventSerializer
from backend.audit.models import AuditEvent


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1 up to what a 64-bit column holds (else 400, not 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class AuditEventFilter(StrictFilterSet):
    action = django_filters.CharFilter(field_name="action")
    action_prefix = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    actor = IdFilter(field_name="actor_id")
    target_type = django_filters.CharFilter(field_name="target_type")
    target_id = django_filters.CharFilter(field_name="target_id")
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


class AuditEventListView(generics.ListAPIView):
    """The audit trail, newest first; organizers only. There is no write endpoint."""

    permission_classes = [IsOrganizer]
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.all()
