"""Endorsement reads: the public list and its counts, the organizers' moderation list, and the
consent scopes the SMS rules ask about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from backend.accounts.models import User
from canvass.models import (
    Endorsement,
    EndorsementConsent,
    EndorsementStatus,
    EndorserKind,
    Plank,
)


def endorsements_counted() -> QuerySet[Endorsement]:
    """Endorsements that count: confirmed, not hidden by a moderator, not erased."""
    return Endorsement.objects.filter(
        status=EndorsementStatus.CONFIRMED, hidden=False, erased_at__isnull=True
    )


def endorsements_public(*, kind: str | None = None) -> QuerySet[Endorsement]:
    """What the public list shows: counted endorsements whose endorser agreed to be listed,
    newest confirmation first. Only the public fields are loaded."""
    queryset = (
        endorsements_counted()
        .filter(listed_publicly=True)
        .only("id", "kind", "name", "organization_kind", "city", "county", "confirmed_at")
        .prefetch_related(Prefetch("planks", queryset=Plank.objects.only("id", "code")))
        .order_by("-confirmed_at", "-id")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


@dataclass(frozen=True)
class EndorsementCounts:
    total: int
    people: int
    organizations: int
    by_county: list[dict[str, object]]
    by_plank: list[dict[str, object]]


def endorsement_counts() -> EndorsementCounts:
    """Counts over every counted endorsement (listed or not: a count names nobody), per county
    (blank: "Unknown") and per active plank."""
    counted = endorsements_counted()
    totals = counted.aggregate(
        total=Count("id"),
        people=Count("id", filter=Q(kind=EndorserKind.PERSON)),
        organizations=Count("id", filter=Q(kind=EndorserKind.ORGANIZATION)),
    )
    by_county = [
        {"county": row["county"] or "Unknown", "count": row["n"]}
        for row in counted.values("county").annotate(n=Count("id")).order_by("-n", "county")
    ]
    plank_counts = dict(
        counted.values_list("planks__code").annotate(n=Count("id")).values_list("planks__code", "n")
    )
    by_plank = [
        {"code": plank.code, "title_en": plank.title_en, "count": plank_counts.get(plank.code, 0)}
        for plank in Plank.objects.filter(active=True).order_by("position", "id")
    ]
    return EndorsementCounts(
        total=totals["total"],
        people=totals["people"],
        organizations=totals["organizations"],
        by_county=by_county,
        by_plank=by_plank,
    )


def endorsements_for_user(
    *,
    user: User,
    status: str | None = None,
    kind: str | None = None,
    hidden: bool | None = None,
) -> QuerySet[Endorsement]:
    """Every endorsement, with full data, for organizers only (anyone else: none)."""
    if not user.is_organizer:
        return Endorsement.objects.none()
    queryset = Endorsement.objects.prefetch_related(
        Prefetch("planks", queryset=Plank.objects.only("id", "code")),
        Prefetch("consents", queryset=EndorsementConsent.objects.order_by("-recorded_at", "-id")),
    ).select_related("hidden_by")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if hidden is not None:
        queryset = queryset.filter(hidden=hidden)
    return queryset.order_by("-created_at", "-id")


def consent_scopes(endorsement: Endorsement) -> dict[str, bool]:
    """The current answer per scope (the newest row of each), from prefetched consents."""
    current: dict[str, bool] = {}
    for consent in endorsement.consents.all():  # newest first
        current.setdefault(consent.scope, consent.granted)
    return current


def endorser_sms_scopes(endorsement_ids: Iterable[int]) -> dict[int, set[str]]:
    """For the SMS rules: endorsement id -> the scopes whose newest answer is granted, for
    endorsements not erased (an erased endorser is never texted)."""
    latest: dict[tuple[int, str], bool] = {}
    rows = (
        EndorsementConsent.objects.filter(
            endorsement_id__in=list(endorsement_ids), endorsement__erased_at__isnull=True
        )
        .order_by("endorsement_id", "scope", "-recorded_at", "-id")
        .values_list("endorsement_id", "scope", "granted")
    )
    for endorsement_id, scope, granted in rows:
        latest.setdefault((endorsement_id, scope), granted)
    scopes: dict[int, set[str]] = {}
    for (endorsement_id, scope), granted in latest.items():
        if granted:
            scopes.setdefault(endorsement_id, set()).add(scope)
    return scopes
