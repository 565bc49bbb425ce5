"""Serializers for languages at the doors: which canvassers of a turf's team speak them."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from canvass.api.serializers.accounts import UserBriefSerializer


class DoorLanguageSerializer(StrictSerializer):
    language = serializers.CharField(help_text="A code of FIELD_LANGUAGES (never English).")
    doors = serializers.IntegerField(help_text="Active doors with a voter who prefers it.")


class CanvasserSuggestionSerializer(StrictSerializer):
    canvasser = UserBriefSerializer()
    spoken_languages = serializers.ListField(child=serializers.CharField())
    languages_covered = serializers.ListField(
        child=serializers.CharField(), help_text="The turf's door languages this person speaks."
    )
    doors_covered = serializers.IntegerField(
        help_text="Doors needing a language this person speaks (a door counts per language)."
    )


class CanvasserSuggestionsSerializer(StrictSerializer):
    turf = serializers.IntegerField()
    languages = DoorLanguageSerializer(many=True, help_text="Most doors first.")
    canvassers = CanvasserSuggestionSerializer(many=True, help_text="Best first.")
