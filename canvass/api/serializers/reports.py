"""Serializers for reports: turf progress, canvassers per day, precincts, volunteer leads."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from canvass.api.serializers.accounts import UserBriefSerializer
from canvass.models import ConversationLog


class PledgeCountsSerializer(StrictSerializer):
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    undecided = serializers.IntegerField()


class PlankSupportSerializer(StrictSerializer):
    """Logs by stance on one plank: a plank question's answer, else the pledge answer (yes:
    support, no: against, undecided), which counts for every active plank."""

    plank = serializers.SlugField(help_text="The plank's code.")
    support = serializers.IntegerField()
    against = serializers.IntegerField()
    undecided = serializers.IntegerField()


class TurfProgressSerializer(StrictSerializer):
    turf = serializers.IntegerField()
    doors_total = serializers.IntegerField()
    doors_knocked = serializers.IntegerField()
    doors_contacted = serializers.IntegerField()
    logs = serializers.IntegerField()
    support = serializers.DictField(
        child=serializers.IntegerField(), help_text='Support level "1".."5" -> logs.'
    )
    pledges = PledgeCountsSerializer()
    planks = PlankSupportSerializer(many=True, help_text="Active planks, in order.")
    completion_percent = serializers.FloatField()
    languages = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Language code -> active doors with a voter who prefers it (all but English; "
        "a door with speakers of two languages counts for each).",
    )


class DateRangeQuerySerializer(StrictSerializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class CanvasserDayRowSerializer(StrictSerializer):
    canvasser = UserBriefSerializer()
    day = serializers.DateField()
    doors = serializers.IntegerField()
    logs = serializers.IntegerField()
    contacts = serializers.IntegerField()
    contact_rate = serializers.FloatField()
    flagged = serializers.IntegerField()


class PrecinctSummaryRowSerializer(StrictSerializer):
    precinct = serializers.IntegerField(allow_null=True)
    county = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    doors_knocked = serializers.IntegerField()
    contacts = serializers.IntegerField()
    supporters = serializers.IntegerField(help_text="Logs with support level 1 or 2.")
    pledged = serializers.IntegerField()
    planks = PlankSupportSerializer(many=True, help_text="Active planks, in order.")


class VolunteerLeadSerializer(StrictSerializer):
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
