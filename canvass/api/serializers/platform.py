"""Serializers for the platform's planks: the staff view, an organizer's input, the public list."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.serializers import StrictSerializer


class PlankPublicSerializer(StrictSerializer):
    code = serializers.SlugField()
    position = serializers.IntegerField()
    title_en = serializers.CharField()
    title_es = serializers.CharField()
    summary_en = serializers.CharField()
    summary_es = serializers.CharField()


class PlankSerializer(PlankPublicSerializer):
    active = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


class PlankUpdateSerializer(StrictSerializer):
    position = serializers.IntegerField(required=False, min_value=0, max_value=1000)
    title_en = serializers.CharField(required=False, max_length=120)
    title_es = serializers.CharField(required=False, max_length=120)
    summary_en = serializers.CharField(required=False, max_length=1200)
    summary_es = serializers.CharField(required=False, max_length=1200)
    active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "code" in self.initial_data and not isinstance(self, PlankInputSerializer):
            raise serializers.ValidationError({"code": ["A plank's code never changes."]})
        return attrs


class PlankInputSerializer(PlankUpdateSerializer):
    code = serializers.SlugField(
        max_length=40, help_text="Stable key (never changes): lower case, digits and hyphens."
    )
    title_en = serializers.CharField(max_length=120)
    title_es = serializers.CharField(max_length=120)
    summary_en = serializers.CharField(max_length=1200)
    summary_es = serializers.CharField(max_length=1200)
