"""Serializers for the leaders' scorecard: the public scorecard, the staff view, an organizer's
input (a leader, a position) and a position's history."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from canvass.api.serializers.accounts import UserBriefSerializer
from canvass.models import Jurisdiction, Stance


class LeaderPrecinctSerializer(StrictSerializer):
    id = serializers.IntegerField()
    county = serializers.CharField()
    name = serializers.CharField()


class PositionSerializer(StrictSerializer):
    plank = serializers.SlugField(help_text="The plank's code.")
    title_en = serializers.CharField()
    title_es = serializers.CharField()
    stance = serializers.ChoiceField(choices=Stance.choices)
    summary = serializers.CharField(allow_blank=True, help_text="What they said, in short.")
    source_url = serializers.URLField()
    source_date = serializers.DateField()


class LeaderPublicSerializer(StrictSerializer):
    """A leader's public scorecard (published leaders; every position has its source)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    office = serializers.CharField(help_text="The office held or the race run in.")
    party = serializers.CharField(allow_blank=True)
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices)
    county = serializers.CharField(allow_blank=True)
    district = serializers.CharField(allow_blank=True)
    precinct = LeaderPrecinctSerializer(allow_null=True)
    positions = PositionSerializer(many=True)


class LeaderSerializer(LeaderPublicSerializer):
    """A leader as organizers and field leads see them (published or not)."""

    published = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PositionInputSerializer(StrictSerializer):
    plank = serializers.SlugField(max_length=40, help_text="The plank's code.")
    stance = serializers.ChoiceField(choices=Stance.choices)
    source_url = serializers.CharField(
        max_length=500, help_text="Required: the public http(s) page where the position is."
    )
    source_date = serializers.DateField(help_text="Required: when it was said; not in the future.")
    summary = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class LeaderUpdateSerializer(StrictSerializer):
    name = serializers.CharField(required=False, max_length=200)
    office = serializers.CharField(required=False, max_length=200)
    party = serializers.CharField(required=False, allow_blank=True, max_length=80)
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices, required=False)
    county = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="County leaders: the county."
    )
    district = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="District leaders: the district, as precincts name it.",
    )
    precinct = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Precinct leaders: the precinct id."
    )
    published = serializers.BooleanField(required=False)


class LeaderInputSerializer(LeaderUpdateSerializer):
    name = serializers.CharField(max_length=200)
    office = serializers.CharField(max_length=200)
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices)
    positions = PositionInputSerializer(many=True, required=False, max_length=20)  # type: ignore[call-arg]


class LeaderFilterSerializer(StrictSerializer):
    # Untrimmed, so the length checked is the length the schema states (the selector trims).
    race = serializers.CharField(
        required=False, max_length=200, trim_whitespace=False, help_text="The office or race."
    )
    county = serializers.CharField(required=False, max_length=80, trim_whitespace=False)
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices, required=False)


class LeaderStaffFilterSerializer(LeaderFilterSerializer):
    published = serializers.BooleanField(required=False, allow_null=True, default=None)


class PositionChangeSerializer(StrictSerializer):
    plank = serializers.SlugField(source="plank.code")
    changed_by = UserBriefSerializer(allow_null=True)
    changed_at = serializers.DateTimeField()
    old_stance = serializers.CharField(allow_blank=True)
    new_stance = serializers.ChoiceField(choices=Stance.choices)
    old_source_url = serializers.CharField(allow_blank=True)
    new_source_url = serializers.CharField()
    old_source_date = serializers.DateField(allow_null=True)
    new_source_date = serializers.DateField()
