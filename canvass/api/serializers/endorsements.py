"""Endorsements: the public form and list, the organizers' moderation views, invitations."""

from __future__ import annotations

from datetime import UTC

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from canvass.models import Endorsement, EndorsementStatus, EndorserKind, OrganizationKind
from canvass.selectors.endorsements import consent_scopes
from canvass.services.endorsements import (
    DEFAULT_ENDORSEMENT_SMS_WORDING,
    DEFAULT_SHIFT_INVITE_WORDING,
)


class _Utc(serializers.DateTimeField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(default_timezone=UTC, **kwargs)  # type: ignore[arg-type]


class EndorsementInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=EndorserKind.choices)
    name = serializers.CharField(
        max_length=160, help_text="A person's full name, or the organization's name."
    )
    planks = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        required=False,
        max_length=20,
        help_text="Plank codes endorsed; leave out to endorse every active plank.",
    )
    listed_publicly = serializers.BooleanField(
        help_text="True only when the endorser agreed to be listed on the public page."
    )
    zip_code = serializers.CharField(
        max_length=10, required=False, allow_blank=True, help_text="Required for a person."
    )
    city = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text="Required for an organization."
    )
    county = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        help_text="An Iowa county; left out, it is derived from the ZIP (or the city).",
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    sms_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True only when the person ticked the box for texts about this endorsement "
        "(shown `sms_consent_wording`); required with a phone number.",
    )
    sms_consent_wording = serializers.CharField(
        max_length=1000, required=False, default=DEFAULT_ENDORSEMENT_SMS_WORDING
    )
    shift_invite_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True only when the person ticked the separate box for texts inviting them "
        "to volunteer shifts (shown `shift_invite_wording`).",
    )
    shift_invite_wording = serializers.CharField(
        max_length=1000, required=False, default=DEFAULT_SHIFT_INVITE_WORDING
    )
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    language = serializers.ChoiceField(
        choices=[("en", "English"), ("es", "Español")], required=False, default="en"
    )
    organization_kind = serializers.ChoiceField(
        choices=OrganizationKind.choices,
        required=False,
        allow_blank=True,
        help_text="Required for an organization.",
    )
    contact_person = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text="Required for an organization."
    )
    website = serializers.URLField(
        max_length=300, required=False, allow_blank=True, help_text="http:// or https:// only."
    )


class EndorsementCreatedSerializer(StrictSerializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EndorserKind.choices)
    status = serializers.ChoiceField(choices=EndorsementStatus.choices)
    planks = serializers.ListField(child=serializers.CharField())
    confirm_by = serializers.ListField(
        child=serializers.ChoiceField(choices=["sms", "email"]),
        help_text="Where the confirmation went: a text (reply YES / SI, or open its link), "
        "an email (open its link).",
    )
    expires_at = _Utc()


class PublicEndorsementSerializer(StrictModelSerializer):
    """An organization by name and city; a person by first name, last initial and city."""

    name = serializers.CharField(source="public_name", read_only=True)
    organization_kind = serializers.CharField(
        read_only=True, help_text="One of the organization kinds; blank for a person."
    )
    planks = serializers.SerializerMethodField()
    confirmed_at = _Utc(read_only=True)

    class Meta:
        model = Endorsement
        fields = ["kind", "name", "organization_kind", "city", "county", "planks", "confirmed_at"]

    def get_planks(self, endorsement: Endorsement) -> list[str]:
        return [plank.code for plank in endorsement.planks.all()]


class CountyCountSerializer(StrictSerializer):
    county = serializers.CharField()
    count = serializers.IntegerField()


class PlankCountSerializer(StrictSerializer):
    code = serializers.CharField()
    title_en = serializers.CharField()
    count = serializers.IntegerField()


class EndorsementCountsSerializer(StrictSerializer):
    total = serializers.IntegerField()
    people = serializers.IntegerField()
    organizations = serializers.IntegerField()
    by_county = CountyCountSerializer(many=True)
    by_plank = PlankCountSerializer(many=True)


class PublicEndorsementPageSerializer(StrictSerializer):
    counts = EndorsementCountsSerializer(
        help_text="Every confirmed, unhidden endorsement, listed or not (counts name nobody)."
    )
    count = serializers.IntegerField(help_text="Listed endorsements (all pages).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicEndorsementSerializer(many=True)


class EndorsementLinkSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=EndorserKind.choices)
    status = serializers.ChoiceField(choices=EndorsementStatus.choices)
    planks = serializers.ListField(child=serializers.CharField())


class EndorsementSerializer(StrictModelSerializer):
    """Everything, for organizers moderating."""

    planks = serializers.SerializerMethodField()
    public_name = serializers.CharField(read_only=True)
    organization_kind = serializers.CharField(
        read_only=True, help_text="One of the organization kinds; blank for a person."
    )
    confirmed_via = serializers.CharField(read_only=True, help_text="sms, link, or blank.")
    consents = serializers.SerializerMethodField()
    hidden_by = serializers.IntegerField(source="hidden_by_id", read_only=True, allow_null=True)
    expires_at = _Utc(read_only=True, allow_null=True)
    confirmed_at = _Utc(read_only=True, allow_null=True)
    hidden_at = _Utc(read_only=True, allow_null=True)
    erased_at = _Utc(read_only=True, allow_null=True)
    created_at = _Utc(read_only=True)

    class Meta:
        model = Endorsement
        fields = [
            "id",
            "kind",
            "status",
            "name",
            "public_name",
            "organization_kind",
            "contact_person",
            "website",
            "city",
            "zip_code",
            "county",
            "phone",
            "email",
            "language",
            "listed_publicly",
            "planks",
            "consents",
            "expires_at",
            "confirmed_at",
            "confirmed_via",
            "hidden",
            "hidden_reason",
            "hidden_at",
            "hidden_by",
            "erased_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_planks(self, endorsement: Endorsement) -> list[str]:
        return [plank.code for plank in endorsement.planks.all()]

    def get_consents(self, endorsement: Endorsement) -> dict[str, bool]:
        return consent_scopes(endorsement)


class ModerationInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=300)


class InvitationInputSerializer(StrictSerializer):
    event = serializers.IntegerField(min_value=1)


class InvitationReportSerializer(StrictSerializer):
    event = serializers.IntegerField(source="event_id")
    invited = serializers.IntegerField()
    already_invited = serializers.IntegerField()
    without_consent = serializers.IntegerField()
