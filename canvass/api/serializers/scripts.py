"""Serializers for scripts: an organizer's input, a script with its questions, a turf's choice."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictSerializer
from canvass.models import QuestionKind


class ChoiceOptionSerializer(StrictSerializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class PlankBriefSerializer(StrictSerializer):
    """The plank a question asks about, in both languages (read it out at the door)."""

    code = serializers.SlugField()
    title_en = serializers.CharField()
    title_es = serializers.CharField()
    summary_en = serializers.CharField()
    summary_es = serializers.CharField()


class QuestionSerializer(StrictSerializer):
    code = serializers.SlugField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    position = serializers.IntegerField()
    choices = ChoiceOptionSerializer(many=True)
    scale_min = serializers.IntegerField(allow_null=True)
    scale_max = serializers.IntegerField(allow_null=True)
    plank = PlankBriefSerializer(
        allow_null=True,
        help_text="Plank questions: the plank asked about (answers: support, against, "
        "undecided); null for other kinds.",
    )


class QuestionInputSerializer(StrictSerializer):
    code = serializers.SlugField(max_length=60)
    text = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    choices = ChoiceOptionSerializer(many=True, required=False, max_length=50)  # type: ignore[call-arg]
    scale_min = serializers.IntegerField(
        required=False, allow_null=True, min_value=-100, max_value=100
    )
    scale_max = serializers.IntegerField(
        required=False, allow_null=True, min_value=-100, max_value=100
    )
    plank = serializers.SlugField(
        required=False,
        allow_null=True,
        max_length=40,
        help_text="For a `plank` question: the code of the plank it asks about.",
    )


class ScriptInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    is_default = serializers.BooleanField(required=False, default=False)
    questions = QuestionInputSerializer(many=True, max_length=100)  # type: ignore[call-arg]


class ScriptSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_default = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    questions = QuestionSerializer(many=True, source="questions.all")


class TurfScriptInputSerializer(StrictSerializer):
    script = serializers.IntegerField(min_value=1, allow_null=True)
