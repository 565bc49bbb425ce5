"""The canvass pages of the field console. Thin like the API's views: a selector scoped to the
user finds what may be seen (another team's object is a 404), a service does every write, and
a service's error becomes a message on the page."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from backend.accounts.models import User
from backend.accounts.selectors import teams_for_user
from backend.api.views import client_ip
from backend.console.access import back_url, console_view, report_error
from backend.errors import ApplicationError
from canvass.console.forms import (
    INCIDENT_KINDS,
    REVIEW_REASONS,
    AssignForm,
    AutoCutForm,
    ImportUploadForm,
    IncidentForm,
    ModerationForm,
    ReviewForm,
    TurfDrawForm,
)
from canvass.models import ImportKind, ImportState, ReviewAction
from canvass.selectors.endorsements import consent_scopes, endorsements_for_user
from canvass.selectors.households import households_for_user
from canvass.selectors.imports import import_job_progress, import_jobs_for_user
from canvass.selectors.incidents import incident_visible_turfs, incidents_for_user
from canvass.selectors.logs import latest_results_for_households, review_queue
from canvass.selectors.precincts import precinct_by_id, precinct_outlines, precincts_list
from canvass.selectors.reports import turf_progress
from canvass.selectors.sync import readiness
from canvass.selectors.turf import (
    canvasser_by_id,
    team_by_id,
    team_canvassers,
    turf_assignments,
    turfs_managed_by,
)
from canvass.services import turf as turf_services
from canvass.services.endorsements import endorsement_hide, endorsement_restore
from canvass.services.import_jobs import import_job_eta_seconds, import_job_upload
from canvass.services.incidents import incident_declare, incident_lift
from canvass.services.logs import log_review

# Most doors drawn on the map at once (each a small SVG circle).
MAP_DOOR_LIMIT = 5000


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _team_choices(user: User) -> list[tuple[int, str]]:
    return [(team.pk, team.name) for team in teams_for_user(user=user).order_by("name")]


# --- Imports ---------------------------------------------------------------------------------


@console_view
def imports(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # Organizers may import for no team; a field lead's import belongs to one of their teams.
    teams = _team_choices(user) if user.is_field_lead else [(0, "—"), *_team_choices(user)]
    form = ImportUploadForm(teams=teams)
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, teams=teams)
        if form.is_valid():
            try:
                job = import_job_upload(
                    actor=user,
                    kind=ImportKind.VOTERS,
                    upload=form.cleaned_data["file"],
                    team_id=form.cleaned_data["team"] or None,
                )
            except ApplicationError as error:
                report_error(request, error)
                status = 400
            else:
                return redirect("console:import-job", pk=job.pk)
        else:
            status = 400
    jobs = import_jobs_for_user(user=user).filter(kind=ImportKind.VOTERS).order_by("-id")[:20]
    return render(
        request,
        "console/canvass/imports.html",
        {"section": "imports", "form": form, "jobs": jobs},
        status=status,
    )


def _job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    job = get_object_or_404(import_jobs_for_user(user=_user(request)), pk=pk)
    page_number = request.GET.get("page") or 1
    problems = Paginator(job.problems.order_by("line", "id"), 50).get_page(page_number)
    return {
        "section": "imports",
        "job": job,
        "percent": round(import_job_progress(job) * 100, 1),
        "eta_seconds": import_job_eta_seconds(job),
        "finished": job.state in (ImportState.DONE, ImportState.FAILED),
        "problems": problems,
    }


@console_view
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "console/canvass/import_job.html", _job_context(request, pk))


@console_view
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, polled by the job page until the job is finished."""
    return render(request, "console/canvass/_import_progress.html", _job_context(request, pk))


# --- The turf map ----------------------------------------------------------------------------

RESULT_COLOURS = {
    "": "#5b616b",  # not knocked yet
    "contacted": "#1d6b2f",
    "not_home": "#b35c00",
    "refused": "#9b1c1c",
}
OTHER_RESULT_COLOUR = "#6a3d9a"


def _map_data(user: User, county: str, *, with_doors: bool = True) -> dict[str, Any]:
    precincts = list(precinct_outlines(county=county)) if county else []
    precinct_features = [
        {
            "type": "Feature",
            "geometry": p.boundary,
            "properties": {"id": p.pk, "name": p.name, "county": p.county},
        }
        for p in precincts
    ]
    by_county: dict[str, list[Any]] = defaultdict(list)
    for p in precincts:
        try:
            by_county[p.county].append(shape(p.boundary))
        except (ValueError, TypeError, AttributeError):
            continue  # a precinct the import could not repair still lists, without an outline
    county_features = [
        {
            "type": "Feature",
            "geometry": mapping(unary_union(shapes).buffer(0)),
            "properties": {"name": name},
        }
        for name, shapes in by_county.items()
    ]
    doors = (
        []
        if not with_doors
        else list(
            households_for_user(user=user)
            .filter(precinct__in=[p.pk for p in precincts])
            .filter(latitude__isnull=False, longitude__isnull=False)
            .order_by("id")
            .values("id", "latitude", "longitude", "street")[:MAP_DOOR_LIMIT]
        )
    )
    results = latest_results_for_households(household_ids=[d["id"] for d in doors])
    door_points = []
    for door in doors:
        result = (results.get(door["id"]) or {}).get("result", "")
        door_points.append(
            [
                round(door["latitude"] or 0.0, 6),
                round(door["longitude"] or 0.0, 6),
                RESULT_COLOURS.get(result, OTHER_RESULT_COLOUR),
                door["street"],
            ]
        )
    turf_features = [
        {
            "type": "Feature",
            "geometry": turf.boundary,
            "properties": {
                "id": turf.pk,
                "name": turf.name,
                "doors": turf.door_count,  # type: ignore[attr-defined]
                "url": reverse("console:turf", args=[turf.pk]),
            },
        }
        for turf in turfs_managed_by(user=user).exclude(boundary__isnull=True)
    ]
    return {
        "precincts": {"type": "FeatureCollection", "features": precinct_features},
        "counties": {"type": "FeatureCollection", "features": county_features},
        "turfs": {"type": "FeatureCollection", "features": turf_features},
        "doors": door_points,
        "tiles": {
            "url": settings.CONSOLE_TILE_URL,
            "attribution": settings.CONSOLE_TILE_ATTRIBUTION,
        },
    }


def _counties_for(user: User) -> tuple[list[str], str]:
    """Every county with precincts, and the one to show first: the county most of the user's
    doors are in (else the first)."""
    counties = sorted(set(precincts_list().values_list("county", flat=True)))
    door_counties = (
        households_for_user(user=user)
        .exclude(precinct__isnull=True)
        .order_by()
        .values_list("precinct__county", flat=True)
    )
    ranked = Counter(door_counties[:MAP_DOOR_LIMIT]).most_common(1)
    return counties, ranked[0][0] if ranked else (counties[0] if counties else "")


@console_view
def turf_map(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    counties, first = _counties_for(user)
    county = request.GET.get("county") or first
    teams = _team_choices(user)
    precincts = [(p.pk, p.name) for p in precincts_list(county=county or None)] if county else []
    draw_form = TurfDrawForm(teams=teams, prefix="draw")
    cut_form = AutoCutForm(teams=teams, precincts=precincts, prefix="cut")
    return render(
        request,
        "console/canvass/turf_map.html",
        {
            "section": "map",
            "counties": counties,
            "county": county,
            "draw_form": draw_form,
            "cut_form": cut_form,
            "map_data": _map_data(user, county),
            "legend": [
                (_("Not knocked"), RESULT_COLOURS[""]),
                (_("Contacted"), RESULT_COLOURS["contacted"]),
                (_("Not home"), RESULT_COLOURS["not_home"]),
                (_("Refused"), RESULT_COLOURS["refused"]),
                (_("Other result"), OTHER_RESULT_COLOUR),
            ],
        },
    )


@require_POST
@console_view
def turf_draw(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TurfDrawForm(request.POST, teams=_team_choices(user), prefix="draw")
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {errors[0]}")
        return redirect(back_url(request, reverse("console:turf-map")))
    try:
        turf = turf_services.turf_create_from_area(
            actor=user,
            team=team_by_id(team_id=form.cleaned_data["team"]),
            name=form.cleaned_data["name"],
            boundary=form.cleaned_data["boundary"],
        )
    except ApplicationError as error:
        report_error(request, error)
        return redirect(back_url(request, reverse("console:turf-map")))
    messages.success(request, _("Turf %(name)s created.") % {"name": turf.name})
    return redirect("console:turf", pk=turf.pk)


@require_POST
@console_view
def turf_auto_cut(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    precinct = precinct_by_id(precinct_id=_int(request.POST.get("cut-precinct")))
    choices = [(precinct.pk, precinct.name)] if precinct else []
    form = AutoCutForm(request.POST, teams=_team_choices(user), precincts=choices, prefix="cut")
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {errors[0]}")
        return redirect(back_url(request, reverse("console:turf-map")))
    try:
        turfs = turf_services.turf_auto_cut(
            actor=user,
            team=team_by_id(team_id=form.cleaned_data["team"]),
            precinct=precinct,
            min_doors=form.cleaned_data["min_doors"],
            max_doors=form.cleaned_data["max_doors"],
            name_prefix=form.cleaned_data["name_prefix"],
        )
    except ApplicationError as error:
        report_error(request, error)
        return redirect(back_url(request, reverse("console:turf-map")))
    messages.success(request, _("Cut %(count)s turfs.") % {"count": len(turfs)})
    return redirect("console:turfs")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- Turf list and one turf ------------------------------------------------------------------


def _turf_rows(user: User) -> list[dict[str, Any]]:
    return [
        {"turf": turf, "progress": turf_progress(turf=turf)}
        for turf in turfs_managed_by(user=user)[:200]
    ]


@console_view
def turfs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/canvass/turfs.html",
        {"section": "turfs", "rows": _turf_rows(_user(request))},
    )


@console_view
def turfs_table(request: HttpRequest) -> HttpResponse:
    return render(
        request, "console/canvass/_turfs_table.html", {"rows": _turf_rows(_user(request))}
    )


def _turf_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = _user(request)
    turf = get_object_or_404(turfs_managed_by(user=user), pk=pk)
    history = list(turf_assignments(turf=turf))
    return {
        "section": "turfs",
        "turf": turf,
        "progress": turf_progress(turf=turf),
        "history": history,
        "current": [a for a in history if a.unassigned_at is None],
        "assign_form": AssignForm(
            canvassers=[(c.pk, c.username) for c in team_canvassers(team=turf.team)]
        ),
    }


@console_view
def turf(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "console/canvass/turf.html", _turf_context(request, pk))


@console_view
def turf_progress_block(request: HttpRequest, pk: int) -> HttpResponse:
    """Turf progress alone: the turf page polls it every few seconds while logs arrive."""
    return render(request, "console/canvass/_turf_progress.html", _turf_context(request, pk))


@require_POST
@console_view
def turf_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = get_object_or_404(turfs_managed_by(user=user), pk=pk)
    canvasser_id = _int(request.POST.get("canvasser"))
    if canvasser_id is None:
        messages.error(request, _("Choose a canvasser."))
        return redirect("console:turf", pk=pk)
    try:
        canvasser = canvasser_by_id(canvasser_id=canvasser_id)
        turf_services.turf_assign(
            actor=user, turf=found, canvasser=canvasser, ip_address=client_ip(request)
        )
    except ApplicationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("Assigned to %(name)s.") % {"name": canvasser.username})
    return redirect("console:turf", pk=pk)


@require_POST
@console_view
def turf_unassign(request: HttpRequest, pk: int, canvasser_id: int) -> HttpResponse:
    user = _user(request)
    found = get_object_or_404(turfs_managed_by(user=user), pk=pk)
    try:
        turf_services.turf_unassign(
            actor=user, turf=found, canvasser_id=canvasser_id, ip_address=client_ip(request)
        )
    except ApplicationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("Unassigned. Assign again to undo."))
    return redirect("console:turf", pk=pk)


# --- Review queue and readiness --------------------------------------------------------------


def _review_context(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    include_cleared = request.GET.get("cleared") == "1"
    queue = list(
        review_queue(user=user, include_cleared=include_cleared).prefetch_related("reviews__actor")[
            :200
        ]
    )
    return {
        "section": "review",
        "queue": queue,
        "include_cleared": include_cleared,
        "reasons": REVIEW_REASONS,
        "reason_labels": dict(REVIEW_REASONS),
    }


@console_view
def review(request: HttpRequest) -> HttpResponse:
    return render(request, "console/canvass/review.html", _review_context(request))


@require_POST
@console_view
def review_act(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    log = get_object_or_404(review_queue(user=user, include_cleared=True), pk=pk)
    form = ReviewForm(request.POST)
    back = back_url(request, reverse("console:review"))
    if not form.is_valid():
        messages.error(request, _("Unknown review action."))
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        log_review(actor=user, log=log, action=action, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        if error.fields and "reason" in error.fields:
            messages.error(
                request,
                _("Conversation %(id)s: choose a reason from the list to exclude it.")
                % {"id": log.pk},
            )
        else:
            report_error(request, error)
        return redirect(f"{back}#log-{log.pk}")
    messages.success(
        request,
        _("Conversation %(id)s: %(action)s.")
        % {"id": log.pk, "action": ReviewAction(action).label},
    )
    return redirect(back)


@console_view
def readiness_board(request: HttpRequest) -> HttpResponse:
    template = (
        "console/canvass/_readiness_table.html"
        if request.headers.get("HX-Request")
        else "console/canvass/readiness.html"
    )
    return render(
        request, template, {"section": "readiness", "rows": readiness(user=_user(request))}
    )


# --- Incidents -------------------------------------------------------------------------------

# The declaration form's fields; any other field a service error names (turfs, area) is shown
# next to the list of turfs.
INCIDENT_FORM_FIELDS = ("kind", "instruction", "polygon")


def _incident_rows(user: User, incidents: Any) -> list[dict[str, Any]]:
    visible = incident_visible_turfs(user=user)
    names = dict(turfs_managed_by(user=user).values_list("id", "name"))
    rows = []
    for incident in incidents:
        turf_ids = [
            link.turf_id
            for link in incident.incident_turfs.all()
            if visible is None or link.turf_id in visible
        ]
        rows.append(
            {
                "incident": incident,
                "kind": dict(INCIDENT_KINDS).get(incident.kind, incident.kind),
                "turfs": [names.get(t, f"#{t}") for t in sorted(turf_ids)],
            }
        )
    return rows


def _incident_page(
    request: HttpRequest, form: IncidentForm, *, area_errors: list[str], status: int = 200
) -> HttpResponse:
    user = _user(request)
    counties, first = _counties_for(user)
    county = request.GET.get("county") or first
    chosen = {_int(value) for value in request.POST.getlist("turfs")}
    return render(
        request,
        "console/canvass/incidents.html",
        {
            "section": "incidents",
            "form": form,
            "area_errors": area_errors,
            "turfs": list(turfs_managed_by(user=user)[:500]),
            "chosen": chosen,
            "active": _incident_rows(user, incidents_for_user(user=user, active=True)[:50]),
            "lifted": _incident_rows(user, incidents_for_user(user=user, active=False)[:20]),
            "counties": counties,
            "county": county,
            "map_data": _map_data(user, county, with_doors=False),
        },
        status=status,
    )


@console_view
def incidents(request: HttpRequest) -> HttpResponse:
    """Active and lifted incidents of the user's teams, and the form to declare one over a list
    of turfs or a polygon drawn on the map (the incident service checks every rule)."""
    user = _user(request)
    if request.method != "POST":
        return _incident_page(request, IncidentForm(), area_errors=[])
    form = IncidentForm(request.POST)
    if not form.is_valid():
        return _incident_page(request, form, area_errors=[], status=400)
    turf_ids = [t for t in (_int(v) for v in request.POST.getlist("turfs")) if t is not None]
    try:
        incident = incident_declare(
            actor=user,
            kind=form.cleaned_data["kind"],
            instruction=form.cleaned_data["instruction"],
            polygon=form.cleaned_data["polygon"],
            turf_ids=turf_ids or None,
            ip_address=client_ip(request),
        )
    except ApplicationError as error:
        area_errors: list[str] = []
        for name, problems in (error.fields or {"area": [str(error.message)]}).items():
            if name in INCIDENT_FORM_FIELDS:
                form.add_error(name, problems[0])
            else:  # turfs, area: next to the list of turfs
                area_errors.append(problems[0])
        return _incident_page(request, form, area_errors=area_errors, status=400)
    paused = incident.incident_turfs.count()
    messages.success(
        request,
        _("Incident declared: %(turfs)s, %(people)s.")
        % {
            "turfs": ngettext("%(n)s turf paused", "%(n)s turfs paused", paused) % {"n": paused},
            "people": ngettext(
                "%(n)s person texted", "%(n)s people texted", incident.notified_count
            )
            % {"n": incident.notified_count},
        },
    )
    return redirect("console:incident", pk=incident.pk)


@console_view
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = get_object_or_404(incidents_for_user(user=user), pk=pk)
    (row,) = _incident_rows(user, [found])
    return render(request, "console/canvass/incident.html", {"section": "incidents", **row})


@require_POST
@console_view
def incident_lift_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = get_object_or_404(incidents_for_user(user=user), pk=pk)
    try:
        lifted = incident_lift(actor=user, incident_id=found.pk, ip_address=client_ip(request))
    except ApplicationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("Incident lifted: %(sent)s people told.") % {"sent": lifted.lift_notified_count},
        )
    return redirect("console:incident", pk=pk)


# --- Endorsement moderation (organizers) -----------------------------------------------------

ENDORSEMENT_STATUSES = [
    ("pending", _lazy("Waiting for confirmation")),
    ("confirmed", _lazy("Confirmed")),
]
ENDORSER_KINDS = [("person", _lazy("Person")), ("organization", _lazy("Organization"))]


def _organizers_only(request: HttpRequest) -> HttpResponse | None:
    if _user(request).is_organizer:
        return None
    return render(request, "console/forbidden.html", {"organizers_only": True}, status=403)


@console_view
def endorsements(request: HttpRequest) -> HttpResponse:
    """Every endorsement, for organizers, filtered by status, kind and hidden."""
    if refused := _organizers_only(request):
        return refused
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    hidden_filter = request.GET.get("hidden", "")
    found = endorsements_for_user(
        user=_user(request),
        status=status if status in dict(ENDORSEMENT_STATUSES) else None,
        kind=kind if kind in dict(ENDORSER_KINDS) else None,
        hidden={"yes": True, "no": False}.get(hidden_filter),
    )
    page = Paginator(found, 50).get_page(request.GET.get("page") or 1)
    return render(
        request,
        "console/canvass/endorsements.html",
        {
            "section": "endorsements",
            "page": page,
            "status": status,
            "kind": kind,
            "hidden": hidden_filter,
            "statuses": ENDORSEMENT_STATUSES,
            "kinds": ENDORSER_KINDS,
        },
    )


def _endorsement_page(
    request: HttpRequest, pk: int, form: ModerationForm, status: int = 200
) -> HttpResponse:
    found = get_object_or_404(endorsements_for_user(user=_user(request)), pk=pk)
    return render(
        request,
        "console/canvass/endorsement.html",
        {
            "section": "endorsements",
            "endorsement": found,
            "consents": consent_scopes(found),
            "form": form,
            "status_label": dict(ENDORSEMENT_STATUSES).get(found.status, found.status),
            "kind_label": dict(ENDORSER_KINDS).get(found.kind, found.kind),
        },
        status=status,
    )


@console_view
def endorsement(request: HttpRequest, pk: int) -> HttpResponse:
    if refused := _organizers_only(request):
        return refused
    return _endorsement_page(request, pk, ModerationForm())


@require_POST
@console_view
def endorsement_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Hide (`action` "hide") or restore an endorsement, with the organizer's reason."""
    if refused := _organizers_only(request):
        return refused
    user = _user(request)
    found = get_object_or_404(endorsements_for_user(user=user), pk=pk)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return _endorsement_page(request, pk, form, status=400)
    service = endorsement_hide if action == "hide" else endorsement_restore
    try:
        service(
            actor=user,
            endorsement=found,
            reason=form.cleaned_data["reason"],
            ip_address=client_ip(request),
        )
    except ApplicationError as error:
        if error.fields and "reason" in error.fields:
            form.add_error("reason", _("Give a reason."))
        else:
            report_error(request, error)
        return _endorsement_page(request, pk, form, status=400)
    messages.success(
        request,
        _("Endorsement hidden. Restore it to undo.")
        if action == "hide"
        else _("Endorsement restored to the public list."),
    )
    return redirect("console:endorsement", pk=pk)
