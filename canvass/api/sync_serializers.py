"""Serializers that describe the sync protocol exactly in OpenAPI.

The push endpoint validates its batch in one pass without them (canvass/services/sync.py, the
hot path); these classes are its documentation and must say what that code enforces.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from canvass.models import Pledge, QuestionKind, Result, TurfStatus, WillCaucus
from canvass.services.sync import (
    APP_VERSION_MAX,
    DEVICE_ID_MAX,
    MAX_ACCURACY_M,
    MAX_ID,
    MAX_PENDING,
)

FLAG_CHOICES = ["distance", "pace", "unverified"]


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [
                {"type": "string", "maxLength": 500},
                {"type": "array", "items": {"type": "string"}},
                {"type": "integer"},
                {"type": "boolean"},
            ]
        },
        "description": "Question code -> answer: a choice code (single choice), a list of "
        "choice codes (multiple choice), true/false (yes/no), an integer in the question's "
        "range (scale) or text (free text). Only for a contacted person.",
    }
)
class AnswersField(serializers.JSONField):
    pass


class DeviceLocationSerializer(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    accuracy_m = serializers.FloatField(
        min_value=0, max_value=MAX_ACCURACY_M, required=False, allow_null=True
    )


class LogItemInputSerializer(serializers.Serializer):
    """One conversation as the phone logged it."""

    client_uuid = serializers.UUIDField(help_text="Made by the phone; the idempotency key.")
    household = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="A door in turf assigned to you at contacted_at or at your last pull.",
    )
    voter = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    result = serializers.ChoiceField(choices=Result.choices)
    do_not_knock = serializers.BooleanField(
        required=False, default=False, help_text="Hostile or unsafe door: never knock again."
    )
    support_level = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, help_text="Only if contacted."
    )
    answers = AnswersField(required=False, allow_null=True)
    pledge = serializers.ChoiceField(choices=Pledge.choices, required=False, allow_null=True)
    will_caucus = serializers.ChoiceField(
        choices=WillCaucus.choices, required=False, allow_null=True
    )
    wants_to_volunteer = serializers.BooleanField(required=False, default=False)
    volunteer_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The person agreed at the door to be contacted about volunteering.",
    )
    follow_up_needed = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(
        max_length=settings.CANVASS_NOTES_MAX_LENGTH,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Never write anyone's immigration or citizenship status: such a note is "
        "dropped (the log is kept) with a warning.",
    )
    contacted_at = serializers.DateTimeField(
        help_text="The phone's clock, with a UTC offset within ±15:59. Up to "
        "SYNC_MAX_CLOCK_SKEW_MINUTES ahead."
    )
    location = DeviceLocationSerializer(required=False, allow_null=True)


class SyncPushInputSerializer(serializers.Serializer):
    device_id = serializers.CharField(min_length=1, max_length=DEVICE_ID_MAX)
    batch_id = serializers.UUIDField()
    app_version = serializers.CharField(
        max_length=APP_VERSION_MAX, required=False, allow_blank=True, allow_null=True
    )
    pending_count = serializers.IntegerField(
        min_value=0,
        max_value=MAX_PENDING,
        required=False,
        allow_null=True,
        help_text="Logs still waiting on the phone after this batch (readiness).",
    )
    logs = LogItemInputSerializer(many=True, min_length=1, max_length=settings.SYNC_MAX_BATCH)  # type: ignore[call-arg]


class LogSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_uuid = serializers.UUIDField()
    household = serializers.IntegerField()
    turf = serializers.IntegerField()
    result = serializers.ChoiceField(choices=Result.choices)
    contacted_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    flags = serializers.ListField(child=serializers.ChoiceField(choices=FLAG_CHOICES))


class FieldMessagesField(serializers.DictField):
    child = serializers.ListField(child=serializers.CharField())


class PushItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0)
    client_uuid = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "duplicate", "rejected"])
    log = LogSummarySerializer(required=False, help_text="Created or stored (duplicate) log.")
    errors = FieldMessagesField(required=False, help_text="Field -> messages (rejected).")  # type: ignore[assignment]
    warnings = FieldMessagesField(required=False, help_text="e.g. a refused note.")


class PushCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()


class SyncPushOutputSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField()
    received_at = serializers.DateTimeField()
    counts = PushCountsSerializer()
    results = PushItemResultSerializer(many=True)


# --- Pull -------------------------------------------------------------------------------------


class SyncPullQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=2000)
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=settings.SYNC_PULL_PAGE_SIZE
    )
    device_id = serializers.CharField(required=False, max_length=DEVICE_ID_MAX)
    app_version = serializers.CharField(required=False, max_length=APP_VERSION_MAX)
    pending_count = serializers.IntegerField(required=False, min_value=0, max_value=MAX_PENDING)


class _OptionalNullableIntegerField(serializers.IntegerField):
    """Null when the turf has no script; absent (not null) on removed assignments."""

    def get_attribute(self, instance: Any) -> Any:
        if isinstance(instance, dict) and self.source not in instance:
            raise SkipField()
        return super().get_attribute(instance)


class PulledAssignmentSerializer(serializers.Serializer):
    turf = serializers.IntegerField()
    removed = serializers.BooleanField(help_text="True: drop this turf and its doors.")
    name = serializers.CharField(required=False)
    status = serializers.ChoiceField(choices=TurfStatus.choices, required=False)
    assigned_at = serializers.DateTimeField(required=False)
    script = _OptionalNullableIntegerField(
        required=False,
        allow_null=True,
        help_text="The turf's active script (null: none). Keep only scripts a held turf names.",
    )


class PulledHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    turf = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField(allow_null=True)
    street = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)
    state = serializers.CharField(allow_blank=True)
    zip_code = serializers.CharField(allow_blank=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    do_not_knock = serializers.BooleanField()
    moved = serializers.BooleanField()
    deceased = serializers.BooleanField()


class RemovedHouseholdSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    turf = serializers.IntegerField()


class RemovedVoterSerializer(serializers.Serializer):
    voter = serializers.IntegerField()
    household = serializers.IntegerField(help_text="The door the voter left.")


class RemovedLogSerializer(serializers.Serializer):
    log = serializers.IntegerField()
    turf = serializers.IntegerField()


class PulledVoterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    age_band = serializers.CharField(allow_null=True)
    language = serializers.CharField(allow_blank=True)


class PulledLogSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_uuid = serializers.UUIDField()
    mine = serializers.BooleanField()
    household = serializers.IntegerField()
    voter = serializers.IntegerField(allow_null=True)
    turf = serializers.IntegerField()
    result = serializers.ChoiceField(choices=Result.choices)
    do_not_knock = serializers.BooleanField()
    follow_up_needed = serializers.BooleanField()
    contacted_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    deleted = serializers.BooleanField()


class ChoiceOptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class QuestionSerializer(serializers.Serializer):
    code = serializers.SlugField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    position = serializers.IntegerField()
    choices = ChoiceOptionSerializer(many=True)
    scale_min = serializers.IntegerField(allow_null=True)
    scale_max = serializers.IntegerField(allow_null=True)


class PulledScriptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    questions = QuestionSerializer(many=True)
    turfs = serializers.ListField(child=serializers.IntegerField())


class SyncPullOutputSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Opaque; send it back as ?cursor= next time.")
    has_more = serializers.BooleanField(help_text="True: pull again now with the new cursor.")
    removed_voters = RemovedVoterSerializer(
        many=True,
        help_text="Voters who left a door (erased, deleted or moved): if you hold this voter at "
        "this household, drop them. Apply before anything else in the page.",
    )
    assignments = PulledAssignmentSerializer(many=True)
    households = PulledHouseholdSerializer(many=True)
    removed_households = RemovedHouseholdSerializer(
        many=True,
        help_text="Doors taken out of a turf you still hold: if you hold this door in this "
        "turf, drop it and its voters.",
    )
    voters = PulledVoterSerializer(many=True)
    removed_logs = RemovedLogSerializer(many=True, help_text="Logs that no longer exist: drop.")
    logs = PulledLogSerializer(many=True)
    scripts = PulledScriptSerializer(many=True)


def render_pull(sections: dict[str, Any]) -> dict[str, Any]:
    return SyncPullOutputSerializer(sections).data  # type: ignore[return-value]
