"""Input and output serializers for the events API (separate, so nothing is writable by accident).

Every time is given twice: `starts_at` in UTC (ISO 8601, `Z`) and `starts_at_local` in the
event's own time zone with its UTC offset (e.g. `2026-11-01T18:00:00-06:00`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.models import Team
from events.models import (
    Event,
    EventKind,
    Language,
    Location,
    Shift,
    ShiftRole,
    Signup,
    SignupSource,
    SignupStatus,
)
from events.services.volunteers import DEFAULT_CONSENT_WORDING

POSITIVE_INT_MAX = 2_147_483_647  # a PositiveIntegerField column on PostgreSQL


class UtcDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(serializers.Field):
    """A datetime shown in the time zone of its event (`zone_source` names the path to it)."""

    def __init__(self, *, zone_source: str, **kwargs: Any) -> None:
        self.zone_source = zone_source
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        zone: Any = instance
        for part in self.zone_source.split("."):
            zone = getattr(zone, part)
        return value, zone

    def to_representation(self, value: tuple[datetime, str]) -> str:
        moment, zone = value
        return moment.astimezone(ZoneInfo(zone)).isoformat()


# --- Locations ------------------------------------------------------------------------------


class PublicLocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address",
            "city",
            "zip_code",
            "latitude",
            "longitude",
            "accessibility_notes",
        ]


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address",
            "city",
            "county",
            "zip_code",
            "precinct_codes",
            "latitude",
            "longitude",
            "accessibility_notes",
            "capacity",
            "needs_review",
            "review_reason",
        ]


class LocationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    county = serializers.CharField(max_length=100, required=False, allow_blank=True)
    zip_code = serializers.RegexField(r"^\d{5}$", required=False, allow_blank=True)
    precinct_codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=50
    )
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True
    )
    accessibility_notes = serializers.CharField(required=False, allow_blank=True)
    # PositiveIntegerField: beyond its range the database refuses the row.
    capacity = serializers.IntegerField(
        min_value=1, max_value=POSITIVE_INT_MAX, required=False, allow_null=True
    )


# --- Shifts and events ----------------------------------------------------------------------


class PublicShiftSerializer(serializers.ModelSerializer):
    role_label = serializers.SerializerMethodField()
    starts_at = UtcDateTimeField(read_only=True)
    ends_at = UtcDateTimeField(read_only=True)
    starts_at_local = LocalDateTimeField(source="starts_at", zone_source="event.time_zone")
    ends_at_local = LocalDateTimeField(source="ends_at", zone_source="event.time_zone")
    spots_left = serializers.SerializerMethodField()
    waitlisted = serializers.IntegerField(read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "role",
            "role_label",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "ends_at_local",
            "capacity",
            "spots_left",
            "waitlisted",
            "minimum_age",
            "requirement",
        ]

    def get_role_label(self, shift: Shift) -> str:
        # A method, not source="get_role_display": DRF inspects callables' signatures per row.
        return ShiftRole(shift.role).label

    def get_spots_left(self, shift: Shift) -> int:
        return max(shift.capacity - shift.spots_taken, 0)  # type: ignore[attr-defined]


class ShiftSerializer(PublicShiftSerializer):
    spots_taken = serializers.IntegerField(read_only=True)

    class Meta(PublicShiftSerializer.Meta):
        fields = [
            *PublicShiftSerializer.Meta.fields,
            "event",
            "status",
            "waitlist_limit",
            "spots_taken",
        ]


class PublicEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    location = PublicLocationSerializer(read_only=True, allow_null=True)
    starts_at = UtcDateTimeField(read_only=True)
    ends_at = UtcDateTimeField(read_only=True)
    starts_at_local = LocalDateTimeField(source="starts_at", zone_source="time_zone")
    ends_at_local = LocalDateTimeField(source="ends_at", zone_source="time_zone")

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "kind",
            "kind_label",
            "description",
            "location",
            "time_zone",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "ends_at_local",
            "status",
        ]

    def get_kind_label(self, event: Event) -> str:
        return EventKind(event.kind).label


class NearbyEventSerializer(serializers.Serializer):
    distance_m = serializers.FloatField()
    event = PublicEventSerializer()


class PublicEventDetailSerializer(PublicEventSerializer):
    shifts = PublicShiftSerializer(many=True, source="open_shifts", read_only=True)

    class Meta(PublicEventSerializer.Meta):
        fields = [*PublicEventSerializer.Meta.fields, "shifts"]


class EventSerializer(PublicEventSerializer):
    location = LocationSerializer(read_only=True, allow_null=True)  # type: ignore[assignment]
    team: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)

    class Meta(PublicEventSerializer.Meta):
        fields = [
            *PublicEventSerializer.Meta.fields,
            "is_public",
            "team",
            "created_at",
            "updated_at",
        ]


class EventDetailSerializer(EventSerializer):
    shifts = ShiftSerializer(many=True, source="all_shifts", read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "shifts"]


class EventInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EventKind.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    location_id = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), source="location", required=False, allow_null=True
    )
    # Parsed into UTC: aware datetimes that share one ZoneInfo compare by wall time, so 01:30
    # CDT and 01:30 CST on the night clocks fall back would look equal.
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    time_zone = serializers.CharField(max_length=64, required=False)
    is_public = serializers.BooleanField(required=False)
    team_id = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), source="team", required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts_at"), attrs.get("ends_at")
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": ["Must be after starts_at."]})
        return attrs


class EventUpdateSerializer(EventInputSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "team" in attrs:
            raise serializers.ValidationError({"team_id": ["An event cannot change team."]})
        return super().validate(attrs)


class ShiftInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ShiftRole.choices)
    # Parsed into UTC: aware datetimes that share one ZoneInfo compare by wall time, so 01:30
    # CDT and 01:30 CST on the night clocks fall back would look equal.
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    capacity = serializers.IntegerField(min_value=1, max_value=10_000)
    waitlist_limit = serializers.IntegerField(
        min_value=0, max_value=POSITIVE_INT_MAX, required=False, allow_null=True
    )
    minimum_age = serializers.IntegerField(
        min_value=1, max_value=120, required=False, allow_null=True
    )
    requirement = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts_at"), attrs.get("ends_at")
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": ["Must be after starts_at."]})
        return attrs


# --- Signups --------------------------------------------------------------------------------


class PublicSignupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    phone = serializers.CharField(max_length=40)
    sms_consent = serializers.BooleanField(
        help_text="True only when the person ticked the SMS consent box (shown `consent_wording`)."
    )
    consent_wording = serializers.CharField(
        required=False, max_length=1000, default=DEFAULT_CONSENT_WORDING
    )
    # No `default=""`: the schema would show a default its own format refuses; the service
    # defaults both to "".
    email = serializers.EmailField(required=False, allow_blank=True)
    zip_code = serializers.RegexField(r"^\d{5}$", required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, default=Language.ENGLISH
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[SignupSource.WEB, SignupSource.APP], required=False, default=SignupSource.WEB
    )


class StaffSignupInputSerializer(PublicSignupInputSerializer):
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=SignupSource.choices, required=False, default=SignupSource.ORGANIZER
    )


class SignupShiftSerializer(serializers.ModelSerializer):
    role_label = serializers.SerializerMethodField()
    event_id = serializers.IntegerField(read_only=True)
    event_title = serializers.CharField(source="event.title", read_only=True)
    starts_at = UtcDateTimeField(read_only=True)
    ends_at = UtcDateTimeField(read_only=True)
    starts_at_local = LocalDateTimeField(source="starts_at", zone_source="event.time_zone")
    ends_at_local = LocalDateTimeField(source="ends_at", zone_source="event.time_zone")

    class Meta:
        model = Shift
        fields = [
            "id",
            "role",
            "role_label",
            "event_id",
            "event_title",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "ends_at_local",
        ]

    def get_role_label(self, shift: Shift) -> str:
        return ShiftRole(shift.role).label


class VolunteerSignupSerializer(serializers.ModelSerializer):
    shift = SignupShiftSerializer(read_only=True)
    created_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Signup
        fields = ["id", "status", "position", "created_at", "shift"]


class PublicSignupOutputSerializer(serializers.Serializer):
    signup = VolunteerSignupSerializer()
    manage_token = serializers.CharField(
        allow_null=True,
        help_text="Only when this signup created the volunteer record; otherwise null (the "
        "link shows every signup of the number, so it is texted to the number on request: "
        "POST /api/public/manage-link)",
    )
    manage_url = serializers.CharField(allow_null=True)


class ManageLinkRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, default=Language.ENGLISH
    )


class ManageLinkSentSerializer(serializers.Serializer):
    detail = serializers.CharField()


class VolunteerPageSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone_last4 = serializers.CharField()
    sms_consent = serializers.BooleanField()
    signups = VolunteerSignupSerializer(many=True)
    calendar_url = serializers.CharField()


class LinkCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40)
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        default=Language.ENGLISH,
        help_text="Language of the text with the code",
    )


class LinkCodeSentSerializer(serializers.Serializer):
    detail = serializers.CharField()
    expires_in_seconds = serializers.IntegerField()


class LinkVolunteerVerifySerializer(serializers.Serializer):
    """The proof: the code texted to `phone`, or the volunteer's own signed manage link."""

    phone = serializers.CharField(max_length=40, required=False)
    code = serializers.RegexField(
        r"^\s*\d{6}\s*$", required=False, help_text="The 6-digit code texted to the number"
    )
    manage_token = serializers.CharField(
        max_length=400, required=False, help_text="The token of the volunteer's manage link"
    )
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    sms_consent = serializers.BooleanField()
    consent_wording = serializers.CharField(
        required=False, max_length=1000, default=DEFAULT_CONSENT_WORDING
    )
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, default=Language.ENGLISH
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("manage_token"):
            if "code" in attrs or "phone" in attrs:
                raise serializers.ValidationError(
                    {"manage_token": ["Give either manage_token or phone and code, not both."]}
                )
            return attrs
        missing = {
            name: ["This field is required (or give manage_token)."]
            for name in ("phone", "code")
            if not attrs.get(name)
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class MyVolunteerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone_last4 = serializers.CharField()
    language = serializers.CharField()
    sms_consent = serializers.BooleanField()
    signups = VolunteerSignupSerializer(many=True)
    manage_url = serializers.CharField()


class RosterVolunteerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone_last4 = serializers.CharField()
    language = serializers.CharField()


class RosterEntrySerializer(serializers.ModelSerializer):
    volunteer = RosterVolunteerSerializer(read_only=True)
    shift_id = serializers.IntegerField(read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    confirmed_at = UtcDateTimeField(read_only=True, allow_null=True)
    cancelled_at = UtcDateTimeField(read_only=True, allow_null=True)
    checked_in_at = UtcDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Signup
        fields = [
            "id",
            "shift_id",
            "status",
            "source",
            "position",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "checked_in_at",
            "volunteer",
        ]


class AttendanceInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[SignupStatus.ATTENDED, SignupStatus.NO_SHOW, SignupStatus.CONFIRMED]
    )


class BulkAttendanceInputSerializer(AttendanceInputSerializer):
    signup_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )


class StatsSerializer(serializers.Serializer):
    signups = serializers.IntegerField(help_text="All signups that were not cancelled")
    confirmed = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_show = serializers.IntegerField()


class ShiftStatsSerializer(StatsSerializer):
    shift_id = serializers.IntegerField()
    role = serializers.CharField()
    capacity = serializers.IntegerField()


class EventStatsSerializer(serializers.Serializer):
    event_id = serializers.IntegerField()
    totals = StatsSerializer()
    shifts = ShiftStatsSerializer(many=True)


class VolunteerStatsSerializer(serializers.Serializer):
    volunteer_id = serializers.IntegerField()
    name = serializers.CharField()
    totals = StatsSerializer()
