from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field

from backend.api.filters import StrictFilterSet
from backend.api.permissions import IsOrganizer
from backend.api.views import ListApiView
from backend.audit.api.serializers import AuditEventSerializer
from backend.audit.models import AuditEvent
from backend.audit.selectors import audit_events_for_user

MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1 up to what a 64-bit column holds (else 400, not 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class AwareDateTimeField(forms.DateTimeField):
    """An ISO 8601 time with its UTC offset, held in UTC. A time without an offset is refused (it
    would be read in the server's zone), and so is one no database column can hold (PostgreSQL
    refuses offsets beyond 15:59, which Python allows)."""

    def to_python(self, value: object) -> datetime | None:
        if value in self.empty_values:
            return None
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError("Enter a valid ISO 8601 date and time.", code="invalid")
        if parsed.tzinfo is None:
            raise ValidationError(
                "Give the time with its UTC offset, e.g. 2026-01-15T18:00:00-06:00.", code="naive"
            )
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise ValidationError("This date and time is out of range.", code="invalid") from None


class AwareDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = AwareDateTimeField


class AuditEventFilter(StrictFilterSet):
    action = django_filters.CharFilter(field_name="action")
    action_prefix = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    actor = IdFilter(field_name="actor_id")
    target_type = django_filters.CharFilter(field_name="target_type")
    target_id = django_filters.CharFilter(field_name="target_id")
    since = AwareDateTimeFilter(field_name="at", lookup_expr="gte")
    until = AwareDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


class AuditEventListView(ListApiView):
    """The audit trail, newest first; organizers only. There is no write endpoint."""

    permission_classes = [IsOrganizer]
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    queryset = AuditEvent.objects.none()  # for the schema; get_queryset reads through the selector

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return audit_events_for_user(user=self.actor)
