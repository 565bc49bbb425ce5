"""Brief renderings of people and teams, shared by the canvass serializers."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer


class TeamBriefSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UserBriefSerializer(StrictSerializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
