"""Scripts and which one is active on a turf (the turf's own, else the newest default)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from canvass.models import Question, Script, Turf


def with_questions(scripts: QuerySet[Script]) -> QuerySet[Script]:
    """The scripts with their questions and each question's plank, in one extra query."""
    return scripts.prefetch_related(
        Prefetch("questions", queryset=Question.objects.select_related("plank"))
    )


def scripts_list() -> QuerySet[Script]:
    """Every script with its questions, newest first (field leads and organizers see all)."""
    return with_questions(Script.objects.order_by("-created_at", "-id"))


def script_detail(*, pk: int) -> Script:
    """One script with its questions; a missing one is a 404."""
    return get_object_or_404(with_questions(Script.objects.all()), pk=pk)


def script_by_id(*, script_id: int) -> Script | None:
    return Script.objects.filter(pk=script_id).first()


def default_script_exists() -> bool:
    return Script.objects.filter(is_default=True).exists()


def active_script_ids(turf_ids: set[int]) -> dict[int, int | None]:
    """turf id -> its active script (the turf's own, else the newest default)."""
    scripts: dict[int, int | None] = dict(
        Turf.objects.filter(pk__in=turf_ids).values_list("id", "script_id")
    )
    return with_default_script(scripts)


def with_default_script(scripts: dict[int, int | None]) -> dict[int, int | None]:
    """turf id -> script, the newest default script in place of None (one query, if any)."""
    if any(v is None for v in scripts.values()):
        default = (
            Script.objects.filter(is_default=True)
            .order_by("-created_at", "-id")
            .values_list("id", flat=True)
            .first()
        )
        scripts = {k: v if v is not None else default for k, v in scripts.items()}
    return scripts


def turf_active_script(*, turf_id: int) -> Script | None:
    """The turf's active script with its questions (None: no script and no default)."""
    script_id = active_script_ids({turf_id}).get(turf_id)
    if script_id is None:
        return None
    return with_questions(Script.objects.all()).get(pk=script_id)
