"""Event pages of the field console: scoped by the events selectors (another team's event is a
404), attendance written by the signups service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from backend.accounts.models import User
from backend.accounts.selectors import teams_for_user
from backend.console.access import back_url, console_view, report_error
from backend.errors import ApplicationError, NotFoundError
from events.console.forms import EventForm, ShiftForm
from events.models import SignupStatus
from events.selectors.schedule import event_get_for_user, event_list_for_user
from events.selectors.signups import attendance_stats, roster
from events.services.schedule import event_cancel, event_create, shift_create
from events.services.signups import signups_mark_attendance

ATTENDANCE_DONE: dict[str, Any] = {
    SignupStatus.ATTENDED: gettext_lazy("%(name)s checked in."),
    SignupStatus.NO_SHOW: gettext_lazy("%(name)s marked as a no-show."),
    SignupStatus.CONFIRMED: gettext_lazy("%(name)s back to confirmed."),
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _teams(user: User) -> list[tuple[int, str]]:
    return [(team.pk, team.name) for team in teams_for_user(user=user).order_by("name")]


def _event_or_404(user: User, pk: int) -> Any:
    try:
        return event_get_for_user(user=user, event_id=pk)
    except NotFoundError:
        raise Http404 from None


@console_view
def events(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EventForm(request.POST or None, teams=_teams(user), prefix="event")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = dict(form.cleaned_data)
            team = teams_for_user(user=user).get(pk=values.pop("team"))
            try:
                created = event_create(actor=user, team=team, **values)
            except ApplicationError as error:
                report_error(request, error)
                status = 400
            else:
                messages.success(request, str(_("Event created. Add its shifts.")))
                return redirect("console:event", pk=created.pk)
        else:
            status = 400
    return render(
        request,
        "console/events/events.html",
        {"section": "events", "events": event_list_for_user(user=user)[:100], "form": form},
        status=status,
    )


@console_view
def event(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = _event_or_404(user, pk)
    shift_form = ShiftForm(request.POST or None, prefix="shift")
    if request.method == "POST" and shift_form.is_valid():
        try:
            shift_create(actor=user, event=found, **shift_form.cleaned_data)
        except ApplicationError as error:
            report_error(request, error)
        else:
            messages.success(request, str(_("Shift added.")))
            return redirect("console:event", pk=pk)
    signups = list(roster(user=user, event_id=found.pk))
    by_shift: dict[int, list[object]] = {}
    for signup in signups:
        by_shift.setdefault(signup.shift_id, []).append(signup)
    shifts = [
        {"shift": shift, "signups": by_shift.get(shift.pk, [])}
        for shift in found.all_shifts  # type: ignore[attr-defined]
    ]
    return render(
        request,
        "console/events/event.html",
        {
            "section": "events",
            "event": found,
            "shifts": shifts,
            "stats": attendance_stats(roster(user=user, event_id=found.pk)),
            "shift_form": shift_form,
        },
        status=400 if shift_form.errors else 200,
    )


@require_POST
@console_view
def event_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = _event_or_404(user, pk)
    event_cancel(actor=user, event=found)
    messages.success(request, str(_("Event cancelled. Nobody can sign up any more.")))
    return redirect("console:event", pk=pk)


@require_POST
@console_view
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    status = request.POST.get("status", "")
    signups = list(roster(user=user, signup_ids={pk}))
    if not signups:
        raise Http404
    signup = signups[0]
    try:
        signups_mark_attendance(actor=user, signups=signups, status=status)
    except ApplicationError as error:
        report_error(request, error)
    else:
        done = ATTENDANCE_DONE.get(status)
        if done:
            messages.success(request, str(done) % {"name": signup.volunteer.name})
    back = back_url(request, reverse("console:event", args=[signup.shift.event_id]))
    return redirect(f"{back}#signup-{pk}")
