"""Where canvass keeps personal data, how a voter is erased and how old notes are purged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from backend.db import partitions
from backend.privacy.registry import register_eraser, register_personal_fields, register_purger
from canvass.models import (
    ConversationLog,
    Endorsement,
    EndorsementConsent,
    Incident,
    LogRevision,
    Voter,
)

register_personal_fields("canvass.voter", "first_name", "middle_name", "last_name", "phone")
register_personal_fields("canvass.household", "street", "address_key")
register_personal_fields("canvass.conversationlog", "notes", "free_text_answers")
register_personal_fields(
    "canvass.endorsement", "name", "contact_person", "phone", "email", "zip_code"
)
register_personal_fields("canvass.logrevision", "previous_notes", "previous_free_text_answers")


@register_eraser("voter")
def erase_voter(subject_id: int, *, actor: Any) -> dict[str, int]:
    """Remove the voter: their row (name, phone, birth year, party) goes; their logs stay as
    anonymous counts (result, support) without the voter, notes, answers or device location."""
    logs = ConversationLog.objects.filter(voter_id=subject_id)
    log_ids = list(logs.values_list("id", flat=True))
    cleared = logs.update(
        voter=None,
        notes="",
        answers={},
        free_text_answers="",
        latitude=None,
        longitude=None,
        accuracy_m=None,
    )
    LogRevision.objects.filter(log_id__in=log_ids).update(
        previous_notes="", previous={}, previous_free_text_answers=""
    )
    deleted, _ = Voter.objects.filter(pk=subject_id).delete()
    return {"voters": deleted, "conversation_logs_anonymized": cleared}


@register_eraser("endorser")
def erase_endorser(subject_id: int, *, actor: Any) -> dict[str, int]:
    """Anonymize the endorsement in place: name, contact, number, email and ZIP go (so do the
    texts sent to it and its consent answers); it leaves the public list and every count. The
    row stays so the audit trail still points at something."""
    from django.utils import timezone

    from messaging.services.outbox import sms_endorser_forget

    endorsement = Endorsement.objects.filter(pk=subject_id).first()
    if endorsement is None:
        return {"endorsements": 0}
    texts = sms_endorser_forget(
        endorsement_ids=[subject_id], phone_hashes=[endorsement.phone_hash or ""]
    )
    consents, _ = EndorsementConsent.objects.filter(endorsement_id=subject_id).delete()
    Endorsement.objects.filter(pk=subject_id).update(
        name="(erased)",
        name_key="",
        contact_person="",
        phone="",
        phone_hash=None,
        phone_last4="",
        email="",
        email_hash=None,
        zip_code="",
        listed_publicly=False,
        source_ip=None,
        erased_at=timezone.now(),
    )
    return {
        "endorsements": 1,
        "endorsement_consents": consents,
        "endorsement_sms_messages": texts["sms_messages"],
        "endorsement_sms_inbound": texts["sms_inbound"],
    }


@register_purger("canvass-notes-locations")
def purge_notes_and_locations(cutoff: datetime) -> dict[str, int]:
    """Clear notes, free-text answers (and both in the history) and device locations of logs
    received before `cutoff`; the rows stay so progress and reports still add up.

    Logs are partitioned by month of receipt (backend.db.partitions), but their rows must stay,
    so no partition is dropped: a month wholly past the cutoff is trimmed once and marked, and
    later purges skip it (partition pruning), so a daily purge reads only the newest month
    past retention instead of every old log."""
    table = ConversationLog._meta.db_table
    old = ConversationLog.objects.filter(received_at__lt=cutoff)
    skipped = (
        partitions.untrimmed_since(table, cutoff) if connection.vendor == "postgresql" else None
    )
    if skipped:
        first_start, trimmed_until = skipped
        old = old.filter(Q(received_at__lt=first_start) | Q(received_at__gte=trimmed_until))
    # Ciphertext supports no equality lookups; its length says whether a value is there.
    notes = old.alias(note_length=Length("notes")).filter(note_length__gt=0).update(notes="")
    free_text = (
        old.alias(text_length=Length("free_text_answers"))
        .filter(text_length__gt=0)
        .update(free_text_answers="")
    )
    locations = old.filter(latitude__isnull=False).update(
        latitude=None, longitude=None, accuracy_m=None
    )
    revisions = (
        # By the log's receipt, as the log itself: an edit comes after it (within the window).
        LogRevision.objects.filter(Q(changed_at__lt=cutoff) | Q(log__received_at__lt=cutoff))
        .alias(
            note_length=Length("previous_notes"), text_length=Length("previous_free_text_answers")
        )
        .filter(Q(note_length__gt=0) | Q(text_length__gt=0) | ~Q(previous={}))
        .update(previous_notes="", previous={}, previous_free_text_answers="")
    )
    if connection.vendor == "postgresql":
        partitions.mark_trimmed_before(table, cutoff)
    return {
        "notes_cleared": notes,
        "free_text_answers_cleared": free_text,
        "locations_cleared": locations,
        "revisions_cleared": revisions,
    }


register_personal_fields("canvass.fieldsession", "last_location")


@register_purger("canvass-field-session-locations")
def purge_abandoned_session_locations(cutoff: datetime) -> dict[str, int]:
    """A session never ended (the app lost, the phone dead) keeps no location past retention:
    ending a session erases it at once; this catches the sessions nobody ended."""
    from canvass.models import FieldSession, FieldSessionStatus

    cleared = FieldSession.objects.filter(
        status=FieldSessionStatus.OPEN, started_at__lt=cutoff, last_location_at__isnull=False
    ).update(last_location="", last_location_at=None)
    return {"field_session_locations": cleared}


# --- Incidents: the instruction may name a meeting place; kinds, turfs and counts stay ----------

register_personal_fields("canvass.incident", "instruction")


@register_purger("canvass-incidents")
def purge_incident_instructions(cutoff: datetime) -> dict[str, int]:
    """Blank the instruction of incidents declared before `cutoff` (kind, area, turfs, times and
    counts stay, so the record of what was frozen when still adds up)."""
    cleared = (
        Incident.objects.filter(declared_at__lt=cutoff)
        .exclude(instruction="")
        .update(instruction="", instruction_purged_at=timezone.now())
    )
    return {"incident_instructions_cleared": cleared}
