"""Demo people: an organizer, a field lead and two canvassers in one team."""

from __future__ import annotations

import secrets

from django.core.management.base import OutputWrapper
from django.db import transaction

from backend.accounts.models import Membership, Role, Team, User
from backend.demo import register

DEMO_TEAM = "Polk County Team"
DEMO_USERS = [
    ("organizer", "Olivia", "Organizer", Role.ORGANIZER),
    ("fieldlead", "Luis", "Lead", Role.FIELD_LEAD),
    ("canvasser1", "Carmen", "Canvasser", Role.CANVASSER),
    ("canvasser2", "Cole", "Canvasser", Role.CANVASSER),
]
RESET_PASSWORDS = {"value": False}


@register(order=10, name="people")
def load_people(stdout: OutputWrapper) -> None:
    with transaction.atomic():
        team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
        for username, first, last, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "role": role},
            )
            if role == Role.ORGANIZER and not user.is_staff:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            if role != Role.ORGANIZER:
                Membership.objects.get_or_create(team=team, user=user)
            if created or RESET_PASSWORDS["value"]:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
                stdout.write(f"  {role.label:<11} {username:<11} password: {password}")
            else:
                stdout.write(f"  {role.label:<11} {username:<11} (exists; password unchanged)")
