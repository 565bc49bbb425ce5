"""Serializers of the import jobs, the geocoding retry and hand placement."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from canvass.models import Household, ImportJob, ImportJobProblem
from canvass.services.import_jobs import import_job_eta_seconds


class ImportUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    team = serializers.IntegerField(required=False, min_value=1)


class ImportJobProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJobProblem
        fields = ["line", "level", "reason"]
        read_only_fields = fields


class ImportJobSerializer(serializers.ModelSerializer):
    rows_failed = serializers.IntegerField(source="rows_geocode_failed")
    rows_pending = serializers.IntegerField(source="rows_geocode_pending")
    progress = serializers.SerializerMethodField()
    eta_seconds = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "state",
            "team",
            "source_name",
            "rows_read",
            "rows_stored",
            "rows_skipped",
            "rows_geocoded",
            "rows_needing_review",
            "rows_failed",
            "rows_pending",
            "progress",
            "eta_seconds",
            "error",
            "counts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job: ImportJob) -> float:
        if job.state == "done":
            return 1.0
        return round(job.resume_offset / job.total_bytes, 4) if job.total_bytes else 0.0

    def get_eta_seconds(self, job: ImportJob) -> float | None:
        return import_job_eta_seconds(job)


class ImportJobDetailSerializer(ImportJobSerializer):
    report = serializers.SerializerMethodField()

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "report"]
        read_only_fields = fields

    def get_report(self, job: ImportJob) -> dict[str, Any]:
        page: dict[str, Any] = self.context["report_page"]
        return page


class HouseholdPlaceInputSerializer(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class HouseholdPlacedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "latitude", "longitude", "geocode_status", "precinct"]
        read_only_fields = fields


class GeocodePendingOutputSerializer(serializers.Serializer):
    waiting = serializers.IntegerField()
    started = serializers.BooleanField()
