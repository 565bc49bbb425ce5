"""Serializers for scripts, the review queue, corrections, reports, readiness and leads.

Field sets are per role on purpose (pinned in tests/canvass/test_field_visibility.py): staff
see a log's answers and flags, never its device coordinates; notes are shown only to the
canvasser who wrote them (while they may still correct it) and to organizers.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from canvass.api.serializers.accounts import UserBriefSerializer
from canvass.api.sync_serializers import (
    FLAG_CHOICES,
    AnswersField,
    ChoiceOptionSerializer,
    QuestionSerializer,
    spec_serializer,
)
from canvass.contracts import CORRECTABLE, LogItem
from canvass.models import ConversationLog, Pledge, QuestionKind, ReviewAction, WillCaucus

# --- Scripts ----------------------------------------------------------------------------------


class QuestionInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=60)
    text = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    choices = ChoiceOptionSerializer(many=True, required=False, max_length=50)  # type: ignore[call-arg]
    scale_min = serializers.IntegerField(
        required=False, allow_null=True, min_value=-100, max_value=100
    )
    scale_max = serializers.IntegerField(
        required=False, allow_null=True, min_value=-100, max_value=100
    )


class ScriptInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    is_default = serializers.BooleanField(required=False, default=False)
    questions = QuestionInputSerializer(many=True, max_length=100)  # type: ignore[call-arg]


class ScriptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_default = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    questions = QuestionSerializer(many=True, source="questions.all")


class TurfScriptInputSerializer(serializers.Serializer):
    script = serializers.IntegerField(min_value=1, allow_null=True)


# --- Logs -------------------------------------------------------------------------------------


class ReviewInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ReviewAction.choices)


class ReviewQueueQuerySerializer(serializers.Serializer):
    include_cleared = serializers.BooleanField(required=False, default=False)


class ReviewLogSerializer(serializers.ModelSerializer):
    """A log in the field lead's review queue: why it is flagged, no notes or coordinates."""

    canvasser = UserBriefSerializer()
    flags = serializers.ListField(child=serializers.ChoiceField(choices=FLAG_CHOICES))

    class Meta:
        model = ConversationLog
        fields = [
            "id",
            "client_uuid",
            "canvasser",
            "turf",
            "household",
            "result",
            "contacted_at",
            "received_at",
            "distance_m",
            "accuracy_m",
            "flags",
            "flag_cleared",
            "excluded",
        ]
        read_only_fields = fields


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice stored as "" when it was not asked, shown as null (as clients send it)."""

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)


class OwnLogSerializer(serializers.ModelSerializer):
    """The canvasser's own log, as they may still correct it."""

    answers = AnswersField(source="all_answers")
    pledge = BlankAsNullChoiceField(choices=Pledge.choices, allow_null=True, read_only=True)
    will_caucus = BlankAsNullChoiceField(
        choices=WillCaucus.choices, allow_null=True, read_only=True
    )
    flags = serializers.ListField(child=serializers.ChoiceField(choices=FLAG_CHOICES))

    class Meta:
        model = ConversationLog
        fields = [
            "id",
            "client_uuid",
            "household",
            "voter",
            "turf",
            "result",
            "do_not_knock",
            "support_level",
            "answers",
            "pledge",
            "will_caucus",
            "wants_to_volunteer",
            "volunteer_consent",
            "follow_up_needed",
            "notes",
            "contacted_at",
            "received_at",
            "updated_at",
            "flags",
        ]
        read_only_fields = fields


class OwnLogResponseSerializer(serializers.Serializer):
    log = OwnLogSerializer()
    warnings = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class LogUpdateInputSerializer(
    spec_serializer(LogItem, "LogUpdateFields", fields=CORRECTABLE, partial=True)  # type: ignore[misc]
):
    """Fields a canvasser may correct; device time, place, door and canvasser stay as logged."""

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        # The service re-validates the merged log with the push rules; keep the raw values.
        return {k: data[k] for k in values if k in data}


class RevisionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["edit", "delete"])
    changed_by = UserBriefSerializer(allow_null=True)
    changed_at = serializers.DateTimeField()
    previous = serializers.DictField()


class ReviewEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ReviewAction.choices)
    actor = UserBriefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class LogHistorySerializer(serializers.Serializer):
    log = ReviewLogSerializer()
    revisions = RevisionSerializer(many=True)
    reviews = ReviewEventSerializer(many=True)


class FlagsClearInputSerializer(serializers.Serializer):
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=["do_not_knock", "moved", "deceased"]),
        min_length=1,
        max_length=3,
    )


class HouseholdFlagsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    do_not_knock = serializers.BooleanField()
    moved = serializers.BooleanField()
    deceased = serializers.BooleanField()


# --- Reports ----------------------------------------------------------------------------------


class PledgeCountsSerializer(serializers.Serializer):
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    undecided = serializers.IntegerField()


class TurfProgressSerializer(serializers.Serializer):
    turf = serializers.IntegerField()
    doors_total = serializers.IntegerField()
    doors_knocked = serializers.IntegerField()
    doors_contacted = serializers.IntegerField()
    logs = serializers.IntegerField()
    support = serializers.DictField(
        child=serializers.IntegerField(), help_text='Support level "1".."5" -> logs.'
    )
    pledges = PledgeCountsSerializer()
    completion_percent = serializers.FloatField()


class DateRangeQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class CanvasserDayRowSerializer(serializers.Serializer):
    canvasser = UserBriefSerializer()
    day = serializers.DateField()
    doors = serializers.IntegerField()
    logs = serializers.IntegerField()
    contacts = serializers.IntegerField()
    contact_rate = serializers.FloatField()
    flagged = serializers.IntegerField()


class PrecinctSummaryRowSerializer(serializers.Serializer):
    precinct = serializers.IntegerField(allow_null=True)
    county = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    doors_knocked = serializers.IntegerField()
    contacts = serializers.IntegerField()
    supporters = serializers.IntegerField(help_text="Logs with support level 1 or 2.")
    pledged = serializers.IntegerField()


class DeviceSerializer(serializers.Serializer):
    device_id = serializers.CharField()
    app_version = serializers.CharField(allow_blank=True)
    last_push_at = serializers.DateTimeField(allow_null=True)
    last_pull_at = serializers.DateTimeField(allow_null=True)
    pending_count = serializers.IntegerField()


class ReadinessRowSerializer(serializers.Serializer):
    canvasser = UserBriefSerializer()
    last_sync_at = serializers.DateTimeField(allow_null=True)
    minutes_since_sync = serializers.IntegerField(allow_null=True)
    pending_logs = serializers.IntegerField()
    ready = serializers.BooleanField(help_text="Synced at least once and holds no pending logs.")
    devices = DeviceSerializer(many=True)


class VolunteerLeadSerializer(serializers.Serializer):
    """A contacted person who wants to volunteer and agreed to be contacted (organizers)."""

    log_id = serializers.IntegerField(source="pk")
    voter = serializers.IntegerField(source="voter_id", allow_null=True)
    first_name = serializers.SerializerMethodField()
    last_name = serializers.SerializerMethodField()
    household = serializers.IntegerField(source="household_id")
    address = serializers.CharField(source="household.one_line_address")
    volunteer_consent = serializers.BooleanField()
    contacted_at = serializers.DateTimeField()
    canvasser = UserBriefSerializer()

    def get_first_name(self, log: ConversationLog) -> str | None:
        return log.voter.first_name if log.voter else None

    def get_last_name(self, log: ConversationLog) -> str | None:
        return log.voter.last_name if log.voter else None
