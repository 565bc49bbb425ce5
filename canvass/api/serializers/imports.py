"""Serializers of the import jobs (voter file, caucus sites) and their per-row report."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.serializers import StrictModelSerializer, StrictSerializer
from canvass.models import ImportJob, ImportJobProblem
from canvass.selectors.imports import import_job_progress
from canvass.services.import_jobs import import_job_eta_seconds

REPORT_PAGE_SIZE = 100
MAX_REPORT_PAGE_SIZE = 1000


class ImportUploadInputSerializer(StrictSerializer):
    file = serializers.FileField()
    team = serializers.IntegerField(required=False, min_value=1)


class ImportReportPageInputSerializer(StrictSerializer):
    """`?page=` and `?page_size=` of a job's report: positive integers, the size capped. The
    first bad one is the error; other query parameters are ignored."""

    def to_internal_value(self, data: Any) -> dict[str, int]:
        # Digits only (no sign, no "5.0"), checked in order: the rule the endpoint always had.
        page = _positive(data, "page", 1)
        page_size = min(_positive(data, "page_size", REPORT_PAGE_SIZE), MAX_REPORT_PAGE_SIZE)
        return {"page": page, "page_size": page_size}


def _positive(data: Any, name: str, default: int) -> int:
    raw = data.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise serializers.ValidationError({name: ["Must be a positive integer."]})
    return int(raw)


class ImportJobProblemSerializer(StrictModelSerializer):
    class Meta:
        model = ImportJobProblem
        fields = ["line", "level", "reason"]
        read_only_fields = fields


class ImportJobSerializer(StrictModelSerializer):
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
        return import_job_progress(job)

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
