"""Import job reads, already scoped to the requesting user: the jobs, the team a new job belongs
to and one page of a job's per-row report."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Q, QuerySet

from backend.accounts.models import Role, Team, User
from backend.errors import ApplicationError
from canvass.models import ImportJob, ImportJobProblem


def import_jobs_for_user(*, user: User) -> QuerySet[ImportJob]:
    """Import jobs the user may follow: organizers all; field leads their teams' and their own."""
    if user.role == Role.ORGANIZER:
        return ImportJob.objects.all()
    if user.role == Role.FIELD_LEAD:
        return ImportJob.objects.filter(
            Q(team__memberships__user=user) | Q(team__isnull=True, created_by=user)
        ).distinct()
    return ImportJob.objects.none()


def import_job_team(*, user: User, team_id: int | None) -> Team | None:
    """The team a new job belongs to: the one named (a field lead must be in it), else the field
    lead's first team; organizers may leave it empty. An unknown or foreign team is a 400."""
    teams = Team.objects.all() if user.is_organizer else Team.objects.filter(memberships__user=user)
    if team_id is not None:
        team = teams.filter(pk=team_id).first()
        if team is None:
            raise ApplicationError("No such team.", fields={"team": ["No such team."]})
        return team
    return None if user.is_organizer else teams.order_by("id").first()


def import_job_problems_page(*, job: ImportJob, page: int, page_size: int) -> dict[str, Any]:
    """One page of the job's per-row report, by line: `count`, `page`, `pages` and the problems
    as `results`. A page past the end is a 400 naming the `page` field."""
    paginator = Paginator(job.problems.order_by("line", "id"), page_size)
    try:
        rows: list[ImportJobProblem] = list(paginator.page(page).object_list)
    except EmptyPage:
        raise ApplicationError("page: No such page.", fields={"page": ["No such page."]}) from None
    return {"count": paginator.count, "page": page, "pages": paginator.num_pages, "results": rows}


def import_job_progress(job: ImportJob) -> float:
    """How far the job is through its file, 0..1 (1 once done): the API's `progress` and the
    console's progress bar."""
    if job.state == "done":
        return 1.0
    return round(job.resume_offset / job.total_bytes, 4) if job.total_bytes else 0.0
