"""Writes on scripts: an organizer's script with its questions, and a turf's active script."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import ApplicationError
from canvass.models import PLANK_CHOICES, Plank, Question, QuestionKind, Script, Turf
from canvass.selectors.scripts import default_script_exists, script_by_id


def _plank_of(index: int, question: dict[str, Any], planks: dict[str, Plank]) -> Plank | None:
    """The active plank a `plank` question names (by code); only such a question names one."""
    code = question.get("plank")
    field = f"questions.{index}.plank"
    if question["kind"] != QuestionKind.PLANK:
        if code:
            raise ApplicationError(
                "Only plank questions name a plank.", fields={field: ["Only for plank questions."]}
            )
        return None
    if not code:
        raise ApplicationError(
            "A plank question names its plank.", fields={field: ["Required: a plank code."]}
        )
    plank = planks.get(code)
    if plank is None or not plank.active:
        raise ApplicationError("No such active plank.", fields={field: ["No such active plank."]})
    return plank


def _check_questions(questions: list[dict[str, Any]]) -> None:
    codes = [q["code"] for q in questions]
    if len(set(codes)) != len(codes):
        raise ApplicationError(
            "Question codes must be unique.", fields={"questions": ["Duplicate code."]}
        )
    for index, question in enumerate(questions):
        kind = question["kind"]
        choices = question.get("choices") or []
        if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            answer_codes = [c["code"] for c in choices]
            if len(answer_codes) < 2 or len(set(answer_codes)) != len(answer_codes):
                raise ApplicationError(
                    "Choice questions need at least two answers with distinct codes.",
                    fields={f"questions.{index}.choices": ["At least two distinct codes."]},
                )
        elif choices:
            raise ApplicationError(
                "Only choice questions have choices.",
                fields={f"questions.{index}.choices": ["Only for choice questions."]},
            )
        if kind == QuestionKind.SCALE:
            low, high = question.get("scale_min"), question.get("scale_max")
            if low is None or high is None or low >= high:
                raise ApplicationError(
                    "A scale needs scale_min below scale_max.",
                    fields={f"questions.{index}.scale_max": ["Must be above scale_min."]},
                )


def script_create(
    *, actor: User, name: str, questions: list[dict[str, Any]], is_default: bool = False
) -> Script:
    """An organizer's script with ordered questions (positions follow the list order). A
    `plank` question names an active plank by code (at most one question per plank); its
    answers are support / against / undecided."""
    _check_questions(questions)
    planks = {p.code: p for p in Plank.objects.filter(code__in=[q.get("plank") for q in questions])}
    linked = [_plank_of(index, q, planks) for index, q in enumerate(questions)]
    seen: set[int] = set()
    for index, plank in enumerate(linked):
        if plank is not None and plank.pk in seen:
            raise ApplicationError(
                "One question per plank in a script.",
                fields={f"questions.{index}.plank": ["Another question asks about this plank."]},
            )
        if plank is not None:
            seen.add(plank.pk)
    with transaction.atomic():
        script = Script.objects.create(name=name, is_default=is_default, created_by=actor)
        try:
            Question.objects.bulk_create(
                [
                    Question(
                        script=script,
                        code=q["code"],
                        text=q["text"],
                        kind=q["kind"],
                        position=position,
                        choices=PLANK_CHOICES
                        if q["kind"] == QuestionKind.PLANK
                        else q.get("choices") or [],
                        plank=plank,
                        scale_min=q.get("scale_min") if q["kind"] == QuestionKind.SCALE else None,
                        scale_max=q.get("scale_max") if q["kind"] == QuestionKind.SCALE else None,
                    )
                    for position, (q, plank) in enumerate(zip(questions, linked, strict=True), 1)
                ]
            )
        except IntegrityError:
            raise ApplicationError("Question codes must be unique.") from None
        audit_record(actor=actor, action="script.create", target=script)
    return script


def turf_script_choose(*, actor: User, turf: Turf, script_id: int | None) -> Turf:
    """A lead's choice of the turf's active script: `script_id` must exist, and None (the
    default script) needs a default script to exist, so a turf is never left without one."""
    script = None
    if script_id is not None:
        script = script_by_id(script_id=script_id)
        if script is None:
            raise ApplicationError("No such script.", fields={"script": ["No such script."]})
    if script is None and not default_script_exists():
        raise ApplicationError(
            "No default script exists; choose one.", fields={"script": ["Choose a script."]}
        )
    return turf_script_set(actor=actor, turf=turf, script=script)


def turf_script_set(*, actor: User, turf: Turf, script: Script | None) -> Turf:
    """Make `script` the turf's active script (None: the default script)."""
    with transaction.atomic():
        turf.script = script
        turf.save(update_fields=["script", "updated_at"])
        if script is not None:
            # Stamp the script so phones on this turf pull it next time.
            Script.objects.filter(pk=script.pk).update(updated_at=timezone.now())
        audit_record(
            actor=actor,
            action="turf.script",
            target=turf,
            details={"script_id": script.pk if script else None},
        )
    return turf
