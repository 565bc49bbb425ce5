"""Brief renderings of people and teams, shared by the canvass serializers."""

from __future__ import annotations

from rest_framework import serializers


class TeamBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
