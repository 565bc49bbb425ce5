"""Serializers of the replies held for review."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from messaging.api.serializers.common import QuerySerializer
from messaging.api.serializers.inbound import InboundSmsSerializer
from messaging.models import ReviewStatus, SmsReview


class ReviewFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(
        choices=ReviewStatus.choices, required=False, default=ReviewStatus.PENDING
    )


class SmsReviewSerializer(StrictModelSerializer):
    inbound = InboundSmsSerializer()
    status = serializers.ChoiceField(choices=ReviewStatus.choices)

    class Meta:
        model = SmsReview
        fields = ["id", "status", "language", "inbound", "created_at", "resolved_at", "resolved_by"]
        read_only_fields = fields


class ReviewResolveSerializer(StrictSerializer):
    opt_out = serializers.BooleanField(
        help_text="true: the reply asks to stop (opt the number out, send the one confirmation); "
        "false: it does not (release the held texts)"
    )
