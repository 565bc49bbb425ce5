"""Input forms of the event console pages. Times are typed in the campaign's time zone
(TIME_ZONE) and handed to the services in UTC; the services check the rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import EventKind, ShiftRole


class LocalDateTimeField(forms.DateTimeField):
    """A datetime-local input read in the current time zone (an ambiguous or skipped wall time
    on a clock change is refused by Django), answered in UTC."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        return moment.astimezone(UTC) if moment else None


class _Window(forms.Form):
    starts_at = LocalDateTimeField(label=_("Starts"))
    ends_at = LocalDateTimeField(label=_("Ends"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Must be after the start."))
        return cleaned


class EventForm(_Window):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    is_public = forms.BooleanField(label=_("Public (anyone can sign up)"), required=False)
    field_order = ["title", "kind", "team", "starts_at", "ends_at", "is_public"]

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = teams  # type: ignore[attr-defined]


class ShiftForm(_Window):
    role = forms.ChoiceField(label=_("Role"), choices=ShiftRole.choices)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10_000)
    field_order = ["role", "starts_at", "ends_at", "capacity"]
