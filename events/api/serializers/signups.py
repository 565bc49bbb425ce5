"""Signups: the public and staff inputs, a volunteer's view of a signup, rosters, attendance
and its counts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from backend.languages import language_choices
from events.api.serializers.common import LocalDateTimeField, UtcDateTimeField
from events.models import (
    Language,
    Shift,
    ShiftRole,
    Signup,
    SignupSource,
    SignupStatus,
    Volunteer,
)
from events.selectors.sensitive import address_release_at
from events.services.volunteers import DEFAULT_CONSENT_WORDING


class PublicSignupInputSerializer(StrictSerializer):
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
        choices=language_choices(), required=False, default=Language.ENGLISH
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[SignupSource.WEB, SignupSource.APP], required=False, default=SignupSource.WEB
    )


class StaffSignupInputSerializer(PublicSignupInputSerializer):
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=SignupSource.choices, required=False, default=SignupSource.ORGANIZER
    )


class SignupShiftSerializer(StrictModelSerializer):
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


class VolunteerSignupSerializer(StrictModelSerializer):
    shift = SignupShiftSerializer(read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    is_sensitive = serializers.BooleanField(source="shift.event.is_sensitive", read_only=True)
    address = serializers.SerializerMethodField(
        help_text="A sensitive event's address: only on the volunteer's own manage link, once "
        "released (confirmed, vetted, from `address_release_at` until the shift ends); null "
        "otherwise."
    )
    address_release_at = serializers.SerializerMethodField(
        help_text="When a sensitive event's address is texted and shown here; null for other "
        "events."
    )

    class Meta:
        model = Signup
        fields = [
            "id",
            "status",
            "position",
            "created_at",
            "shift",
            "is_sensitive",
            "address",
            "address_release_at",
        ]

    def get_address(self, signup: Signup) -> str | None:
        released: dict[int, str] = self.context.get("released_addresses", {})
        return released.get(signup.pk)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_address_release_at(self, signup: Signup) -> str | None:
        if not signup.shift.event.is_sensitive:
            return None
        return UtcDateTimeField().to_representation(address_release_at(signup.shift))


class PublicSignupOutputSerializer(StrictSerializer):
    signup = VolunteerSignupSerializer()
    manage_token = serializers.CharField(
        allow_null=True,
        help_text="Only when this signup created the volunteer record; otherwise null (the "
        "link shows every signup of the number, so it is texted to the number on request: "
        "POST /api/public/manage-link)",
    )
    manage_url = serializers.CharField(allow_null=True)


class RosterVolunteerSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone_last4 = serializers.CharField()
    language = serializers.CharField()
    vetted = serializers.SerializerMethodField(
        help_text="An organizer vetted this volunteer for sensitive events"
    )

    def get_vetted(self, volunteer: Volunteer) -> bool:
        return volunteer.vetted_at is not None


class RosterEntrySerializer(StrictModelSerializer):
    volunteer = RosterVolunteerSerializer(read_only=True)
    shift_id = serializers.IntegerField(read_only=True)
    shift_code = serializers.CharField(
        source="shift.short_code",
        read_only=True,
        help_text="The shift's check-in code (volunteers text HERE and the code at the site)",
    )
    created_at = UtcDateTimeField(read_only=True)
    confirmed_at = UtcDateTimeField(read_only=True, allow_null=True)
    cancelled_at = UtcDateTimeField(read_only=True, allow_null=True)
    checked_in_at = UtcDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Signup
        fields = [
            "id",
            "shift_id",
            "shift_code",
            "status",
            "source",
            "position",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "checked_in_at",
            "volunteer",
        ]


class AttendanceInputSerializer(StrictSerializer):
    status = serializers.ChoiceField(
        choices=[SignupStatus.ATTENDED, SignupStatus.NO_SHOW, SignupStatus.CONFIRMED]
    )


class BulkAttendanceInputSerializer(AttendanceInputSerializer):
    signup_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )


class StatsSerializer(StrictSerializer):
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


class EventStatsSerializer(StrictSerializer):
    event_id = serializers.IntegerField()
    totals = StatsSerializer()
    shifts = ShiftStatsSerializer(many=True)


class VolunteerStatsSerializer(StrictSerializer):
    volunteer_id = serializers.IntegerField()
    name = serializers.CharField()
    totals = StatsSerializer()
