"""Serializers for the review queue, corrections, a log's history and safety flags.

Field sets are per role on purpose (pinned in tests/canvass/test_field_visibility.py): staff
see a log's answers and flags, never its device coordinates; notes are shown only to the
canvasser who wrote them (while they may still correct it) and to organizers.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from canvass.api.serializers.accounts import UserBriefSerializer
from canvass.api.serializers.sync import FLAG_CHOICES, AnswersField, spec_serializer
from canvass.contracts import CORRECTABLE, LogItem
from canvass.models import ConversationLog, Pledge, ReviewAction, ReviewReason, WillCaucus


class ReviewInputSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=ReviewAction.choices)
    reason = serializers.ChoiceField(
        choices=ReviewReason.choices,
        required=False,
        help_text="Why: required to exclude, optional for the other actions. A fixed list, no "
        "free text.",
    )


class ReviewQueueQuerySerializer(StrictSerializer):
    include_cleared = serializers.BooleanField(required=False, default=False)


class ReviewLogSerializer(StrictModelSerializer):
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


class OwnLogSerializer(StrictModelSerializer):
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


class OwnLogResponseSerializer(StrictSerializer):
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


class RevisionSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=["edit", "delete"])
    changed_by = UserBriefSerializer(allow_null=True)
    changed_at = serializers.DateTimeField()
    previous = serializers.DictField()


class ReviewEventSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=ReviewAction.choices)
    reason = serializers.CharField(help_text="One of the review reasons, or blank.")
    actor = UserBriefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class LogHistorySerializer(StrictSerializer):
    log = ReviewLogSerializer()
    revisions = RevisionSerializer(many=True)
    reviews = ReviewEventSerializer(many=True)


class FlagsClearInputSerializer(StrictSerializer):
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=["do_not_knock", "moved", "deceased"]),
        min_length=1,
        max_length=3,
    )


class HouseholdFlagsSerializer(StrictSerializer):
    id = serializers.IntegerField()
    do_not_knock = serializers.BooleanField()
    moved = serializers.BooleanField()
    deceased = serializers.BooleanField()
