"""Event pages of the field console: scoped by the events selectors (another team's event is a
404), attendance written by the signups service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backend.accounts.models import User
from backend.console.access import back_url, console_view, report_error
from backend.errors import ApplicationError, NotFoundError
from events.models import SignupStatus
from events.selectors.schedule import event_get_for_user, event_list_for_user
from events.selectors.signups import attendance_stats, roster
from events.services.signups import signups_mark_attendance

ATTENDANCE_DONE: dict[str, Any] = {
    SignupStatus.ATTENDED: gettext_lazy("%(name)s checked in."),
    SignupStatus.NO_SHOW: gettext_lazy("%(name)s marked as a no-show."),
    SignupStatus.CONFIRMED: gettext_lazy("%(name)s back to confirmed."),
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@console_view
def events(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/events/events.html",
        {"section": "events", "events": event_list_for_user(user=_user(request))[:100]},
    )


@console_view
def event(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        found = event_get_for_user(user=user, event_id=pk)
    except NotFoundError:
        raise Http404 from None
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
        },
    )


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
