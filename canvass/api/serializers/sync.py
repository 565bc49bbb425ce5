"""Serializers that describe the sync protocol in OpenAPI.

The push body is declared once, in canvass/contracts.py; its serializers here are generated
from that spec (`spec_serializer`) for drf-spectacular, so the documentation cannot drift from
what the push enforces. The rest describe responses.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from rest_framework import serializers
from rest_framework.fields import SkipField

from backend.api.serializers import StrictSerializer
from canvass.api.serializers.accounts import UserBriefSerializer
from canvass.api.serializers.leaders import LeaderPublicSerializer
from canvass.api.serializers.scripts import QuestionSerializer
from canvass.contracts import (
    APP_VERSION_MAX,
    DEVICE_ID_MAX,
    MAX_PENDING,
    AnswerMap,
    Choices,
    DeviceLocation,
    IsoDateTime,
    Items,
    LogItem,
    PushBatch,
    Text,
    UuidText,
)
from canvass.models import Result, TurfStatus
from events.api.serializers.caucuses import CaucusBriefSerializer, SiteBriefSerializer

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


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type under `Annotated[...]` and its metadata (a Field's constraints included)."""
    if get_origin(annotation) is not Annotated:
        return annotation, []
    base, *extra = get_args(annotation)
    metadata: list[Any] = []
    for item in extra:
        metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return base, metadata


def _drf_field(info: FieldInfo, *, partial: bool = False) -> serializers.Field:  # type: ignore[type-arg]
    """The DRF field that documents one spec field (the schema only; the spec validates)."""
    annotation = info.annotation
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    nullable = type(None) in args
    inner, inner_meta = _unwrap(next((a for a in args if a is not type(None)), annotation))
    metadata = [*info.metadata, *inner_meta]
    meta = {type(m): m for m in metadata}
    bounds = {
        key: getattr(m, attr)
        for m in metadata
        for key, attr in (("min_value", "ge"), ("max_value", "le"))
        if hasattr(m, attr)
    }
    options: dict[str, Any] = {}
    if info.description and not partial:
        options["help_text"] = info.description
    if partial or not info.is_required():
        options["required"] = False
    if nullable:
        options["allow_null"] = True
    if not partial and isinstance(info.default, bool):
        options["default"] = info.default
    if Items in meta:
        items = meta[Items]
        return spec_serializer(items.spec)(  # type: ignore[call-arg]
            many=True,
            min_length=items.min_length,
            max_length=getattr(settings, items.max_length_setting),
            **options,
        )
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return spec_serializer(inner)(**options)
    if UuidText in meta:
        return serializers.UUIDField(**options)
    if IsoDateTime in meta:
        return serializers.DateTimeField(**options)
    if AnswerMap in meta:
        return AnswersField(**options)
    if Choices in meta:
        return serializers.ChoiceField(choices=meta[Choices].choices.choices, **options)
    if inner is bool:
        return serializers.BooleanField(**options)
    if inner is int:
        return serializers.IntegerField(**bounds, **options)
    if inner is float:
        return serializers.FloatField(**bounds, **options)
    text = meta.get(Text, Text())
    for m in metadata:
        if hasattr(m, "min_length"):
            options["min_length"] = m.min_length
        if hasattr(m, "max_length"):
            options["max_length"] = m.max_length
    if text.max_length_setting:
        options["max_length"] = getattr(settings, text.max_length_setting)
    if text.allow_blank and options.get("min_length", 0) == 0 and not info.is_required():
        options["allow_blank"] = True
    return serializers.CharField(**options)


def spec_serializer(
    spec: type[BaseModel],
    name: str = "",
    *,
    fields: tuple[str, ...] | None = None,
    partial: bool = False,
    doc: str | None = None,
) -> type[serializers.Serializer]:  # type: ignore[type-arg]
    """A DRF serializer class generated from a pydantic spec, for the OpenAPI schema: the spec
    is the one declaration of the contract, this is how drf-spectacular reads it."""
    key = (spec, fields, partial)
    if key in _GENERATED:
        return _GENERATED[key]  # one class per spec, named where it is first generated
    name = name or f"{spec.__name__}Serializer"
    attrs: dict[str, Any] = {
        field_name: _drf_field(info, partial=partial)
        for field_name, info in spec.model_fields.items()
        if fields is None or field_name in fields
    }
    attrs["__doc__"] = doc if doc is not None else spec.__doc__
    attrs["__module__"] = __name__
    generated = type(name, (StrictSerializer,), attrs)
    _GENERATED[key] = generated
    return generated


_GENERATED: dict[tuple[Any, ...], type[serializers.Serializer]] = {}  # type: ignore[type-arg]
DeviceLocationSerializer = spec_serializer(DeviceLocation, doc="")
LogItemInputSerializer = spec_serializer(LogItem, "LogItemInputSerializer")
SyncPushInputSerializer = spec_serializer(PushBatch, "SyncPushInputSerializer", doc="")


class LogSummarySerializer(StrictSerializer):
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


class PushItemResultSerializer(StrictSerializer):
    index = serializers.IntegerField(min_value=0)
    client_uuid = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "duplicate", "rejected"])
    log = LogSummarySerializer(required=False, help_text="Created or stored (duplicate) log.")
    errors = FieldMessagesField(required=False, help_text="Field -> messages (rejected).")  # type: ignore[assignment]
    warnings = FieldMessagesField(required=False, help_text="e.g. a refused note.")


class PushCountsSerializer(StrictSerializer):
    created = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()


class SyncPushOutputSerializer(StrictSerializer):
    batch_id = serializers.UUIDField()
    received_at = serializers.DateTimeField()
    counts = PushCountsSerializer()
    results = PushItemResultSerializer(many=True)


# --- Pull -------------------------------------------------------------------------------------


class SyncPullQuerySerializer(StrictSerializer):
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


class PulledAssignmentSerializer(StrictSerializer):
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
    paused = serializers.BooleanField(
        required=False,
        help_text="True while an incident covers the turf: stop knocking, keep unsent logs and "
        "push them as usual (see docs/safety-incidents.md).",
    )


class PulledHouseholdSerializer(StrictSerializer):
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


class RemovedHouseholdSerializer(StrictSerializer):
    household = serializers.IntegerField()
    turf = serializers.IntegerField()


class RemovedVoterSerializer(StrictSerializer):
    voter = serializers.IntegerField()
    household = serializers.IntegerField(help_text="The door the voter left.")


class RemovedLogSerializer(StrictSerializer):
    log = serializers.IntegerField()
    turf = serializers.IntegerField()


class PulledVoterSerializer(StrictSerializer):
    id = serializers.IntegerField()
    household = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    age_band = serializers.CharField(allow_null=True)
    language = serializers.CharField(
        allow_blank=True,
        help_text="The voter's preferred language, a code of FIELD_LANGUAGES; empty if unknown.",
    )


class PulledLogSerializer(StrictSerializer):
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


class PulledScriptSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    questions = QuestionSerializer(many=True)
    turfs = serializers.ListField(child=serializers.IntegerField())


class PulledCaucusSiteSerializer(StrictSerializer):
    precinct = serializers.IntegerField()
    households = serializers.ListField(
        child=serializers.IntegerField(), help_text="Your doors in this precinct."
    )
    caucus = CaucusBriefSerializer(allow_null=True, help_text="The next precinct caucus.")
    site = SiteBriefSerializer(allow_null=True, help_text="Null: no site known yet.")


class PulledLeaderSerializer(LeaderPublicSerializer):
    """A leader of the scorecard, or (`removed`) one to drop."""

    removed = serializers.BooleanField(help_text="True: drop this leader (only `id` is sent).")
    turfs = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="The held turfs this leader matters to; drop the leader with the last of them.",
    )

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for name, field in fields.items():
            if name not in ("id", "removed"):
                field.required = False
        return fields

    def to_representation(self, instance: Any) -> Any:
        if instance.get("removed"):
            return {"id": instance["id"], "removed": True}
        return super().to_representation(instance)


class SyncPullOutputSerializer(StrictSerializer):
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
    caucus_sites = PulledCaucusSiteSerializer(
        many=True,
        allow_null=True,
        help_text="Where your doors' precincts caucus. Null: unchanged since your last pull, keep "
        "what you hold. A list (even empty): replace everything you hold with it.",
    )
    leaders = PulledLeaderSerializer(
        many=True,
        help_text="The scorecard of the held turfs' precincts (state-wide, county, district and "
        "precinct leaders, published only) with each position's source. Upsert by id; "
        "`removed`: drop.",
    )


def render_pull(sections: dict[str, Any]) -> dict[str, Any]:
    return SyncPullOutputSerializer(sections).data  # type: ignore[return-value]


# --- Readiness ------------------------------------------------------------------------------


class DeviceSerializer(StrictSerializer):
    device_id = serializers.CharField()
    app_version = serializers.CharField(allow_blank=True)
    last_push_at = serializers.DateTimeField(allow_null=True)
    last_pull_at = serializers.DateTimeField(allow_null=True)
    pending_count = serializers.IntegerField()


class ReadinessRowSerializer(StrictSerializer):
    canvasser = UserBriefSerializer()
    last_sync_at = serializers.DateTimeField(allow_null=True)
    minutes_since_sync = serializers.IntegerField(allow_null=True)
    pending_logs = serializers.IntegerField()
    ready = serializers.BooleanField(help_text="Synced at least once and holds no pending logs.")
    devices = DeviceSerializer(many=True)
