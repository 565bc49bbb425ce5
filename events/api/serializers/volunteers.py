"""Volunteers: the signed-link page, the manage-link request, and linking an account by code."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from backend.languages import language_choices
from events.api.serializers.signups import VolunteerSignupSerializer
from events.models import Language
from events.services.volunteers import DEFAULT_CONSENT_WORDING


class ManageLinkRequestSerializer(StrictSerializer):
    phone = serializers.CharField(max_length=40)
    language = serializers.ChoiceField(
        choices=language_choices(), required=False, default=Language.ENGLISH
    )


class ManageLinkSentSerializer(StrictSerializer):
    detail = serializers.CharField()


class VolunteerPageSerializer(StrictSerializer):
    name = serializers.CharField()
    phone_last4 = serializers.CharField()
    sms_consent = serializers.BooleanField()
    signups = VolunteerSignupSerializer(many=True)
    calendar_url = serializers.CharField()


class LinkCodeRequestSerializer(StrictSerializer):
    phone = serializers.CharField(max_length=40)
    language = serializers.ChoiceField(
        choices=language_choices(),
        required=False,
        default=Language.ENGLISH,
        help_text="Language of the text with the code",
    )


class LinkCodeSentSerializer(StrictSerializer):
    detail = serializers.CharField()
    expires_in_seconds = serializers.IntegerField()


class LinkVolunteerVerifySerializer(StrictSerializer):
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
        choices=language_choices(), required=False, default=Language.ENGLISH
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


class MyVolunteerSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone_last4 = serializers.CharField()
    language = serializers.CharField()
    sms_consent = serializers.BooleanField()
    signups = VolunteerSignupSerializer(many=True)
    manage_url = serializers.CharField()


class ReminderChannelSerializer(StrictSerializer):
    """How shift reminders arrive: a text, or a phone call that speaks them (docs/voice.md)."""

    reminder_channel = serializers.ChoiceField(choices=["sms", "voice"])
