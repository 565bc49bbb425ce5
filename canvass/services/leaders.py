"""Writes on the leaders' scorecard (organizers only; every write audited).

A leader's jurisdiction decides which place fields it has: a county leader its canonical Iowa
county, a district leader its district (as precincts name it), a precinct leader its precinct
(the county follows the precinct), a state-wide leader none. A position is always sourced: an
http(s) URL and a date not in the future. Every change of a position writes a history row (who,
when, old and new stance and source) and bumps the leader's revision, so phones pull it next time.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import ApplicationError
from backend.geo.counties import IOWA_COUNTIES, canonical_county
from canvass.models import (
    Jurisdiction,
    Leader,
    LeaderPosition,
    LeaderPositionChange,
    Plank,
    Precinct,
)

LEADER_FIELDS = (
    "name",
    "office",
    "party",
    "jurisdiction",
    "county",
    "district",
    "precinct",
    "published",
)
PLACE_FIELDS = {
    Jurisdiction.STATE: (),
    Jurisdiction.COUNTY: ("county",),
    Jurisdiction.DISTRICT: ("district",),
    Jurisdiction.PRECINCT: ("precinct",),
}


def _bad(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _place(values: dict[str, Any]) -> dict[str, Any]:
    """The jurisdiction's place fields checked and normalized; the others blank."""
    jurisdiction = values["jurisdiction"]
    wanted = PLACE_FIELDS[Jurisdiction(jurisdiction)]
    for name in ("county", "district", "precinct"):
        if (
            name not in wanted
            and values.get(name) not in (None, "")
            and not (name == "county" and jurisdiction == Jurisdiction.PRECINCT)
        ):
            raise _bad(name, f"Only for a {name} leader.")
    place: dict[str, Any] = {"county": "", "district": "", "precinct": None}
    if jurisdiction == Jurisdiction.COUNTY:
        county = canonical_county(values.get("county") or "")
        if not county:
            raise _bad("county", "Required for a county leader.")
        if county not in IOWA_COUNTIES:
            raise _bad("county", "Not an Iowa county.")
        place["county"] = county
    elif jurisdiction == Jurisdiction.DISTRICT:
        district = " ".join((values.get("district") or "").split())
        if not district:
            raise _bad("district", "Required for a district leader.")
        place["district"] = district
    elif jurisdiction == Jurisdiction.PRECINCT:
        precinct_id = values.get("precinct")
        precinct = Precinct.objects.filter(pk=precinct_id).first() if precinct_id else None
        if precinct is None:
            raise _bad("precinct", "Required: an existing precinct id.")
        place["precinct"] = precinct
        place["county"] = canonical_county(precinct.county)
    return place


def _checked_position(values: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """A position's values, or a 400 naming the field: a known active plank, an http(s)
    source URL, a source date not in the future (in TIME_ZONE)."""
    plank = Plank.objects.filter(code=values.get("plank") or "", active=True).first()
    if plank is None:
        raise _bad(f"{prefix}plank", "No such active plank.")
    url = (values.get("source_url") or "").strip()
    if not url:
        raise _bad(f"{prefix}source_url", "Required: a public source (an http(s) URL).")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise _bad(f"{prefix}source_url", "Must be an http or https URL.")
    source_date = values.get("source_date")
    if not isinstance(source_date, date):
        raise _bad(f"{prefix}source_date", "Required: the date of the source.")
    if source_date > timezone.localdate():
        raise _bad(f"{prefix}source_date", "May not be in the future.")
    return {
        "plank": plank,
        "stance": values["stance"],
        "source_url": url,
        "source_date": source_date,
        "summary": (values.get("summary") or "").strip(),
    }


def _position_write(
    *, actor: User, leader: Leader, checked: dict[str, Any], now: Any
) -> LeaderPositionChange | None:
    plank = checked["plank"]
    current = LeaderPosition.objects.filter(leader=leader, plank=plank).first()
    new = {k: checked[k] for k in ("stance", "source_url", "source_date", "summary")}
    if current is not None and all(getattr(current, k) == v for k, v in new.items()):
        return None
    change = LeaderPositionChange.objects.create(
        leader=leader,
        plank=plank,
        changed_by=actor,
        changed_at=now,
        old_stance=current.stance if current else "",
        new_stance=new["stance"],
        old_source_url=current.source_url if current else "",
        new_source_url=new["source_url"],
        old_source_date=current.source_date if current else None,
        new_source_date=new["source_date"],
    )
    LeaderPosition.objects.update_or_create(
        leader=leader, plank=plank, defaults={**new, "updated_by": actor, "updated_at": now}
    )
    return change


def leader_create(
    *,
    actor: User,
    name: str,
    office: str,
    jurisdiction: str,
    party: str = "",
    county: str = "",
    district: str = "",
    precinct: int | None = None,
    published: bool = False,
    positions: list[dict[str, Any]] | None = None,
) -> Leader:
    """A leader with their place and, optionally, positions (each checked first: a bad one
    stores nothing)."""
    place = _place(
        {"jurisdiction": jurisdiction, "county": county, "district": district, "precinct": precinct}
    )
    checked = [
        _checked_position(p, prefix=f"positions.{i}.") for i, p in enumerate(positions or [])
    ]
    codes = [c["plank"].code for c in checked]
    if len(set(codes)) != len(codes):
        raise _bad("positions", "One position per plank.")
    now = timezone.now()
    with transaction.atomic():
        leader = Leader.objects.create(
            name=name.strip(),
            office=office.strip(),
            party=party.strip(),
            jurisdiction=jurisdiction,
            published=published,
            created_by=actor,
            **place,
        )
        for values in checked:
            _position_write(actor=actor, leader=leader, checked=values, now=now)
        audit_record(
            actor=actor,
            action="leader.create",
            target=leader,
            details={"published": published, "planks": codes},
        )
    return leader


def leader_update(*, actor: User, leader: Leader, **fields: Any) -> Leader:
    """Edit a leader's name, office, party, place or `published`."""
    for name in fields:
        if name not in LEADER_FIELDS:
            raise TypeError(f"unknown leader field: {name}")
    place_given = {"jurisdiction", "county", "district", "precinct"} & set(fields)
    values: dict[str, Any] = {k: v for k, v in fields.items() if k not in place_given}
    if place_given:
        jurisdiction = fields.get("jurisdiction", leader.jurisdiction)
        merged = {
            "jurisdiction": jurisdiction,
            "county": leader.county if jurisdiction == Jurisdiction.COUNTY else "",
            "district": leader.district if jurisdiction == Jurisdiction.DISTRICT else "",
            "precinct": leader.precinct_id if jurisdiction == Jurisdiction.PRECINCT else None,
        }
        merged.update({k: fields[k] for k in place_given})
        values.update(jurisdiction=jurisdiction, **_place(merged))
    for text in ("name", "office", "party"):
        if text in values:
            values[text] = values[text].strip()
    with transaction.atomic():
        locked = Leader.objects.select_for_update().get(pk=leader.pk)
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        for name in changed:
            setattr(locked, name, values[name])
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            audit_record(
                actor=actor, action="leader.update", target=locked, details={"fields": changed}
            )
    return locked


def leader_position_set(
    *, actor: User, leader: Leader, **values: Any
) -> LeaderPositionChange | None:
    """Record where `leader` stands on one plank, with its source; the previous stance and
    source go to the history (None: nothing changed, nothing written)."""
    checked = _checked_position(values)
    now = timezone.now()
    with transaction.atomic():
        # One writer per leader at a time: the history's "old" is the position really replaced.
        locked = Leader.objects.select_for_update().get(pk=leader.pk)
        change = _position_write(actor=actor, leader=locked, checked=checked, now=now)
        if change is not None:
            # A changed row re-stamps the leader for the pull (even within one clock tick).
            Leader.objects.filter(pk=locked.pk).update(revision=F("revision") + 1, updated_at=now)
            audit_record(
                actor=actor,
                action="leader.position",
                target=locked,
                details={
                    "plank": checked["plank"].code,
                    "old_stance": change.old_stance,
                    "new_stance": change.new_stance,
                },
            )
    return change
