"""Caucuses: the caucus, its sites and precinct links, the match report, where-do-i-caucus and
the caucus-night board."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api.serializers import StoredDateField, StrictModelSerializer, StrictSerializer
from events.api.serializers.common import LocalDateTimeField, UtcDateTimeField
from events.api.serializers.locations import PublicLocationSerializer
from events.models import Caucus, CaucusKind, CaucusSite, SatelliteKind

MAX_ID = 2**63 - 1


class CaucusBriefSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    party = serializers.CharField()
    kind = serializers.ChoiceField(choices=CaucusKind.choices)
    date = serializers.DateField()
    starts_at = UtcDateTimeField()
    starts_at_local = serializers.CharField(help_text="Start in the caucus's time zone, offset.")
    time_zone = serializers.CharField()


class SiteBriefSerializer(StrictSerializer):
    id = serializers.IntegerField(help_text="The caucus site.")
    location = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)
    zip_code = serializers.CharField(allow_blank=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    accessibility_notes = serializers.CharField(allow_blank=True)


class CaucusSiteOfPrecinctSerializer(StrictSerializer):
    """Where a precinct caucuses for the next precinct caucus."""

    caucus = CaucusBriefSerializer()
    site = SiteBriefSerializer()


class ServedPrecinctSerializer(StrictSerializer):
    id = serializers.IntegerField()
    county = serializers.CharField()
    name = serializers.CharField()
    caucus = serializers.IntegerField()


class CaucusSerializer(StrictModelSerializer):
    starts_at = UtcDateTimeField(read_only=True)
    starts_at_local = LocalDateTimeField(source="starts_at", zone_source="time_zone")
    site_count = serializers.IntegerField(read_only=True)
    precinct_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Caucus
        fields = [
            "id",
            "name",
            "party",
            "kind",
            "date",
            "starts_at",
            "starts_at_local",
            "time_zone",
            "site_count",
            "precinct_count",
        ]
        read_only_fields = fields


class CaucusInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    party = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=CaucusKind.choices)
    date = StoredDateField(help_text="The local date.")
    start_time = serializers.TimeField(help_text="Local start time, e.g. 19:00.")
    time_zone = serializers.CharField(
        max_length=64, required=False, help_text="IANA zone; default the server's (TIME_ZONE)."
    )


class PrecinctOfSiteSerializer(StrictSerializer):
    id = serializers.IntegerField()
    county = serializers.CharField()
    name = serializers.CharField()
    origin = serializers.CharField(help_text="hand (an organizer) or matcher (the file).")


class CaucusSiteSerializer(StrictModelSerializer):
    location = PublicLocationSerializer(read_only=True)
    satellite_kind = serializers.CharField(
        read_only=True, allow_blank=True, help_text="Blank on a precinct caucus site."
    )
    precincts = serializers.SerializerMethodField()

    class Meta:
        model = CaucusSite
        fields = ["id", "location", "satellite_kind", "eligibility_notes", "precincts"]
        read_only_fields = fields

    @extend_schema_field(PrecinctOfSiteSerializer(many=True))
    def get_precincts(self, site: CaucusSite) -> list[dict[str, Any]]:
        links = sorted(
            site.precinct_links.all(), key=lambda link: (link.precinct.county, link.precinct.name)
        )
        return [
            {
                "id": link.precinct_id,
                "county": link.precinct.county,
                "name": link.precinct.name,
                "origin": link.source,
            }
            for link in links
        ]


class CaucusDetailSerializer(CaucusSerializer):
    sites = serializers.SerializerMethodField()

    class Meta(CaucusSerializer.Meta):
        fields = [*CaucusSerializer.Meta.fields, "sites"]
        read_only_fields = fields

    @extend_schema_field(CaucusSiteSerializer(many=True))
    def get_sites(self, caucus: Caucus) -> list[dict[str, Any]]:
        return CaucusSiteSerializer(self.context["sites"], many=True).data  # type: ignore[return-value]


class CaucusSiteInputSerializer(StrictSerializer):
    location = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    satellite_kind = serializers.ChoiceField(
        choices=SatelliteKind.choices, required=False, allow_blank=True, default=""
    )
    eligibility_notes = serializers.CharField(required=False, allow_blank=True, default="")


class CaucusLinkInputSerializer(StrictSerializer):
    precinct = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    location = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class CaucusLinkSerializer(StrictSerializer):
    caucus = serializers.IntegerField()
    precinct = serializers.IntegerField()
    site = serializers.IntegerField()
    location = serializers.IntegerField()
    origin = serializers.CharField(help_text="hand (an organizer) or matcher (the file).")


class SitesImportInputSerializer(StrictSerializer):
    file = serializers.FileField(help_text="The polling-place CSV (Iowa SOS columns).")
    dry_run = serializers.BooleanField(required=False, default=False)


class MatchCandidateSerializer(StrictSerializer):
    id = serializers.IntegerField()
    county = serializers.CharField()
    name = serializers.CharField()
    district = serializers.CharField(allow_blank=True)


class MatchRowSerializer(StrictSerializer):
    row = serializers.IntegerField(help_text="Data row, 1 = the first after the header.")
    county = serializers.CharField(allow_blank=True)
    precinct_id = serializers.CharField(allow_blank=True)
    precinct_name = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["matched", "ambiguous", "unmatched"])
    method = serializers.CharField(allow_blank=True, help_text="The matcher level that decided.")
    precinct = serializers.IntegerField(allow_null=True)
    candidates = MatchCandidateSerializer(many=True)
    note = serializers.CharField(allow_blank=True)


class MatchSummarySerializer(StrictSerializer):
    rows = serializers.IntegerField()
    matched = serializers.IntegerField()
    ambiguous = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    linked = serializers.IntegerField(required=False)
    kept = serializers.IntegerField(required=False)


class MatchReportSerializer(StrictSerializer):
    summary = MatchSummarySerializer()
    rows = MatchRowSerializer(many=True)


class MatchReportFilterSerializer(StrictSerializer):
    status = serializers.ChoiceField(
        choices=["matched", "ambiguous", "unmatched"], required=False, allow_blank=False
    )


class PrecinctOfPointSerializer(StrictSerializer):
    id = serializers.IntegerField()
    county = serializers.CharField()
    name = serializers.CharField()


class WhereDoICaucusInputSerializer(StrictSerializer):
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
    address = serializers.CharField(required=False, max_length=300, allow_blank=False)
    caucus = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_lat, has_lng = "lat" in attrs, "lng" in attrs
        if "address" in attrs and (has_lat or has_lng):
            raise serializers.ValidationError(
                {"address": ["Give either an address or lat and lng, not both."]}
            )
        if "address" not in attrs and not (has_lat and has_lng):
            missing = "lng" if has_lat else "lat"
            raise serializers.ValidationError({missing: ["Give lat and lng (or an address)."]})
        return attrs


class WhereDoICaucusSerializer(StrictSerializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    caucus = CaucusBriefSerializer(allow_null=True)
    precinct = PrecinctOfPointSerializer(allow_null=True)
    site = SiteBriefSerializer(allow_null=True)


class BoardVolunteerSerializer(StrictSerializer):
    signup = serializers.IntegerField()
    name = serializers.CharField()
    checked_in = serializers.BooleanField()


class BoardShiftSerializer(StrictSerializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField()
    event_title = serializers.CharField()
    role = serializers.CharField()
    starts_at = UtcDateTimeField()
    starts_at_local = serializers.CharField()
    capacity = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    checked_in = serializers.IntegerField()
    volunteers = BoardVolunteerSerializer(
        many=True, allow_null=True, help_text="Null: you may not read this event's roster."
    )


class BoardPrecinctSerializer(StrictSerializer):
    id = serializers.IntegerField()
    county = serializers.CharField()
    name = serializers.CharField()
    doors_knocked = serializers.IntegerField()
    contacts = serializers.IntegerField()
    supporters = serializers.IntegerField(help_text="Logs with support 1 or 2.")
    pledged = serializers.IntegerField(help_text="Logs with a yes pledge.")


class BoardTotalsSerializer(StrictSerializer):
    confirmed = serializers.IntegerField()
    checked_in = serializers.IntegerField()
    supporters = serializers.IntegerField()
    pledged = serializers.IntegerField()


class BoardSiteSerializer(StrictSerializer):
    site = SiteBriefSerializer()
    satellite_kind = serializers.CharField(allow_blank=True)
    precincts = BoardPrecinctSerializer(many=True)
    shifts = BoardShiftSerializer(many=True)
    totals = BoardTotalsSerializer()


class CaucusBoardSerializer(StrictSerializer):
    caucus = CaucusBriefSerializer()
    sites = BoardSiteSerializer(many=True)
