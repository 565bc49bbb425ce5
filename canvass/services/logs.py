"""Writes on stored logs: review of flagged logs, canvassers' corrections, safety flags."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import ApplicationError, PermissionDeniedError
from canvass.contracts import CORRECTABLE, answers_check, log_item_check
from canvass.errors import EditWindowClosedError, LogDeletedError
from canvass.models import (
    ConversationLog,
    Household,
    LogReview,
    LogRevision,
    Question,
    ReviewAction,
    ReviewReason,
)
from canvass.notes import answers_split
from canvass.selectors.reports import export_rows
from canvass.services.sync import households_flags_raise

EDITABLE = CORRECTABLE
SNAPSHOT = tuple(name for name in EDITABLE if name != "notes")
SAFETY_FLAGS = ("do_not_knock", "moved", "deceased")


def log_review(
    *, actor: User, log: ConversationLog, action: str, reason: str = ""
) -> ConversationLog:
    """Exclude a flagged log from counts, count it again, clear its flag or flag it again.
    `reason` is one of `ReviewReason` (required to exclude, optional otherwise). Every action is
    kept with who, when and why, and is reversible."""
    reason = reason or ""
    if reason and reason not in ReviewReason.values:
        raise ApplicationError(
            "Unknown reason.",
            fields={"reason": [f"Choose one of: {', '.join(ReviewReason.values)}."]},
        )
    if action == ReviewAction.EXCLUDE and not reason:
        raise ApplicationError(
            "Say why the conversation is excluded.",
            fields={"reason": ["A reason is required to exclude a conversation."]},
        )
    with transaction.atomic():
        log = ConversationLog.objects.select_for_update().get(pk=log.pk)
        if action == ReviewAction.EXCLUDE:
            log.excluded = True
        elif action == ReviewAction.INCLUDE:
            log.excluded = False
        elif action == ReviewAction.CLEAR:
            log.flag_cleared = True
        else:
            log.flag_cleared = False
        log.save(update_fields=["excluded", "flag_cleared"])
        LogReview.objects.create(
            log=log, action=action, reason=reason, actor=actor, created_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action=f"log.review.{action}",
            target=log,
            details={"reason": reason} if reason else None,
        )
    return log


def _snapshot(log: ConversationLog) -> dict[str, Any]:
    """The previous version for the history. Free-text answers are left out, like notes: they
    go to the revision's encrypted `previous_free_text_answers`."""
    return {name: getattr(log, name) for name in SNAPSHOT}


def _revision(log: ConversationLog, *, action: str, actor: User) -> LogRevision:
    return LogRevision.objects.create(
        log=log,
        action=action,
        changed_by=actor,
        changed_at=timezone.now(),
        previous=_snapshot(log),
        previous_notes=log.notes,
        previous_free_text_answers=log.free_text_answers,
    )


def _check_window(actor: User, log: ConversationLog) -> None:
    if log.canvasser_id != actor.pk:
        raise PermissionDeniedError("Only the canvasser who logged it can change it.")
    if log.deleted_at is not None:
        raise LogDeletedError("This log was deleted.")
    window = timedelta(hours=settings.CANVASS_EDIT_WINDOW_HOURS)
    if timezone.now() - log.received_at > window:
        raise EditWindowClosedError(
            f"Logs can be changed for {settings.CANVASS_EDIT_WINDOW_HOURS} hours after sync."
        )


def log_update(
    *, actor: User, log: ConversationLog, changes: dict[str, Any]
) -> tuple[ConversationLog, dict[str, list[str]]]:
    """A canvasser corrects their own log within CANVASS_EDIT_WINDOW_HOURS of its receipt.
    The previous version is kept (who, when, what). Returns the log and warnings (a refused
    note). The same rules as a push apply to the merged log."""
    with transaction.atomic():
        log = ConversationLog.objects.select_for_update().select_related("household").get(pk=log.pk)
        _check_window(actor, log)
        merged: dict[str, Any] = {name: getattr(log, name) for name in EDITABLE}
        merged["answers"] = log.all_answers
        merged["pledge"] = merged["pledge"] or None
        merged["will_caucus"] = merged["will_caucus"] or None
        merged.update(changes)
        merged.update(
            client_uuid=str(log.client_uuid),
            household=log.household_id,
            voter=log.voter_id,
            contacted_at=log.contacted_at.isoformat(),
            location=None,
        )
        questions = (
            {q.code: q for q in Question.objects.filter(script_id=log.script_id)}
            if log.script_id
            else None
        )
        # The merged log answers to the same spec as a push; its door and voter are the stored
        # ones, so of the database rules only the answers against its script remain.
        checked = log_item_check(merged, now=timezone.now())
        answers = answers_check(checked, questions)
        errors, warnings = checked.errors, checked.warnings
        if errors:
            raise ApplicationError(next(iter(errors.values()))[0], fields=errors)
        values = {name: checked.values[name] for name in EDITABLE}
        values.update(
            answers=answers,
            pledge=values["pledge"] or "",
            will_caucus=values["will_caucus"] or "",
        )
        _revision(log, action="edit", actor=actor)
        if "notes" in warnings:
            values["notes"] = log.notes  # a refused new note keeps the previous one
        previous_answers = log.all_answers
        for key in warnings:  # and so does a refused free-text answer
            code = key.removeprefix("answers.")
            if key.startswith("answers.") and code in previous_answers:
                values["answers"] = {**values["answers"], code: previous_answers[code]}
        values["answers"], values["free_text_answers"] = answers_split(values["answers"], questions)
        for name in (*EDITABLE, "free_text_answers"):
            setattr(log, name, values[name])
        log.updated_at = timezone.now()
        log.save(update_fields=[*EDITABLE, "free_text_answers", "updated_at"])
        households_flags_raise(
            [
                {
                    "household_id": log.household_id,
                    "do_not_knock": log.do_not_knock,
                    "result": log.result,
                }
            ]
        )
    return log, warnings


def log_delete(*, actor: User, log: ConversationLog) -> None:
    """A canvasser deletes their own log within the edit window. The row stays (marked deleted,
    out of every count) with its previous version, so the history is complete."""
    with transaction.atomic():
        log = ConversationLog.objects.select_for_update().get(pk=log.pk)
        _check_window(actor, log)
        _revision(log, action="delete", actor=actor)
        log.deleted_at = timezone.now()
        log.updated_at = log.deleted_at
        log.save(update_fields=["deleted_at", "updated_at"])


def household_flags_clear(*, actor: User, household: Household, flags: list[str]) -> Household:
    """Field leads and organizers clear a door's safety flags (logs only ever set them)."""
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        for flag in flags:
            setattr(household, flag, False)
        household.save(update_fields=[*flags, "updated_at"])
        audit_record(
            actor=actor, action="household.flags_clear", target=household, details={"flags": flags}
        )
    return household


def logs_export_record(*, actor: User) -> Iterator[list[Any]]:
    """The rows of the CSV export the actor may take (see `export_rows`), the export audited."""
    count, rows = export_rows(user=actor)
    audit_record(
        actor=actor,
        action="export.conversation_logs",
        target_type="canvass.conversationlog",
        details={"rows": count},
    )
    return rows
