"""Where the events app keeps personal data and how a volunteer is erased (autodiscovered by
backend.privacy; the SMS app erases the volunteer's texts and consent answers first)."""

from __future__ import annotations

from typing import Any

from backend.privacy.registry import register_eraser, register_personal_fields
from events.models import Volunteer

register_personal_fields("events.volunteer", "name", "phone", "email")


@register_eraser("volunteer")
def erase_volunteer_record(subject_id: int, *, actor: Any = None) -> dict[str, int]:
    """Anonymize the volunteer in place: name, number, email, ZIP and account link go; the row
    and its signups stay so attendance counts still add up."""
    volunteer = Volunteer.objects.filter(pk=subject_id).first()
    if volunteer is None:
        return {"volunteers": 0}
    Volunteer.objects.filter(pk=subject_id).update(
        name="(erased)",
        phone="",
        phone_hash=f"erased:{subject_id}",
        phone_last4="",
        email="",
        zip_code="",
        user=None,
    )
    return {"volunteers": 1}
