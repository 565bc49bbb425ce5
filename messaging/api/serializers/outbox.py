"""Serializers of the SMS endpoints (organizer views and Twilio webhooks)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from events.models import (
    InboundAction,
    InboundSms,
    OptOutReason,
    ReviewStatus,
    SmsKind,
    SmsMessage,
    SmsReview,
    SmsStatus,
)


class SmsVolunteerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone_last4 = serializers.CharField()


class SmsMessageSerializer(serializers.ModelSerializer):
    volunteer = SmsVolunteerSerializer(allow_null=True)
    kind = serializers.ChoiceField(choices=SmsKind.choices)
    status = serializers.ChoiceField(choices=SmsStatus.choices)

    class Meta:
        model = SmsMessage
        fields = [
            "id",
            "volunteer",
            "event",
            "signup",
            "kind",
            "language",
            "offset_minutes",
            "body",
            "status",
            "skip_reason",
            "error_code",
            "attempts",
            "provider_sid",
            "provider_status",
            "send_after",
            "next_attempt_at",
            "sent_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


class QuerySerializer(serializers.Serializer):
    """Query parameters where a parameter given empty is a 400 (DRF would treat it as absent)."""

    def to_internal_value(self, data: Any) -> Any:
        empty: dict[str, list[str]] = {
            str(name): ["This parameter may not be empty."]
            for name in self.fields
            if name in data and str(data.get(name, "")).strip() == ""
        }
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


class SmsMessageFilterSerializer(QuerySerializer):
    volunteer = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    event = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=SmsKind.choices, required=False)
    status = serializers.ChoiceField(choices=SmsStatus.choices, required=False)


class InboundFilterSerializer(QuerySerializer):
    volunteer = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    action = serializers.ChoiceField(choices=InboundAction.choices, required=False)


class InboundSmsSerializer(serializers.ModelSerializer):
    volunteer = SmsVolunteerSerializer(allow_null=True)
    phone_last4 = serializers.SerializerMethodField()
    action = serializers.ChoiceField(choices=InboundAction.choices)

    class Meta:
        model = InboundSms
        fields = [
            "id",
            "volunteer",
            "phone_last4",
            "body",
            "body_purged",
            "action",
            "signup",
            "received_at",
        ]
        read_only_fields = fields

    def get_phone_last4(self, inbound: InboundSms) -> str:
        return (inbound.phone or "")[-4:]


class ReviewFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(
        choices=ReviewStatus.choices, required=False, default=ReviewStatus.PENDING
    )


class SmsReviewSerializer(serializers.ModelSerializer):
    inbound = InboundSmsSerializer()
    status = serializers.ChoiceField(choices=ReviewStatus.choices)

    class Meta:
        model = SmsReview
        fields = ["id", "status", "language", "inbound", "created_at", "resolved_at", "resolved_by"]
        read_only_fields = fields


class ReviewResolveSerializer(serializers.Serializer):
    opt_out = serializers.BooleanField(
        help_text="true: the reply asks to stop (opt the number out, send the one confirmation); "
        "false: it does not (release the held texts)"
    )


class OptOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=OptOutReason.choices)
    keyword = serializers.CharField()
    opted_out_at = serializers.DateTimeField()
    volunteer = SmsVolunteerSerializer(allow_null=True)


class SmsKindStatsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SmsKind.choices)
    total = serializers.IntegerField()
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()


class SmsEventStatsSerializer(serializers.Serializer):
    event_id = serializers.IntegerField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_kind = SmsKindStatsSerializer(many=True)


class InboundWebhookSerializer(serializers.Serializer):
    """The form fields of Twilio's inbound-message webhook that we read (others are ignored)."""

    MessageSid = serializers.CharField(max_length=64)
    From = serializers.CharField(max_length=32)
    To = serializers.CharField(max_length=32, required=False)
    Body = serializers.CharField(allow_blank=True, required=False, max_length=1600)


class StatusWebhookSerializer(serializers.Serializer):
    """The form fields of Twilio's status callback that we read (others are ignored)."""

    MessageSid = serializers.CharField(max_length=64)
    MessageStatus = serializers.CharField(max_length=32)
    ErrorCode = serializers.CharField(max_length=10, required=False, allow_blank=True)


class StatusQuerySerializer(QuerySerializer):
    message = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Our outbox id, set in the callback URL we give",
    )


def volunteer_brief(volunteer: Any) -> dict[str, Any] | None:
    if volunteer is None:
        return None
    return {"id": volunteer.pk, "name": volunteer.name, "phone_last4": volunteer.phone_last4}
