"""Who may use the console, and how a service's error becomes a message on the page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from backend.accounts.models import Role, User
from backend.errors import ApplicationError

View = TypeVar("View", bound=Callable[..., HttpResponse])

CONSOLE_ROLES = (Role.ORGANIZER, Role.FIELD_LEAD)


def console_user(request: HttpRequest) -> User | None:
    user = request.user
    if user.is_authenticated and user.is_active and getattr(user, "role", None) in CONSOLE_ROLES:
        return cast(User, user)
    return None


def console_view(view: View) -> View:
    """Field leads and organizers only: anonymous visitors go to the login page (coming back
    after it), other roles get a 403 page. Scoping to teams is the selectors' job."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            login = reverse("console:login")
            if request.headers.get("HX-Request"):
                # A refreshing block whose session ended: send the whole page to the login
                # instead of swapping the login form into the block.
                page = urlsplit(request.headers.get("HX-Current-URL", "")).path
                back = page if page.startswith("/console/") else reverse("console:home")
                response = HttpResponse(status=204)
                response["HX-Redirect"] = f"{login}?{urlencode({'next': back})}"
                return response
            return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        if console_user(request) is None:
            return render(request, "console/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return cast(View, wrapped)


def error_message(error: ApplicationError) -> str:
    """One line for the page: the message, then each field's first complaint."""
    details = [
        f"{name}: {problems[0]}" for name, problems in (error.fields or {}).items() if problems
    ]
    text = str(error.message)
    return " ".join([text, *[d for d in details if d not in text]])


def report_error(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, error_message(error))


def back_url(request: HttpRequest, default: str) -> str:
    """Where a form asks to go back to (its `back` field), if it is a page of this site."""
    target = request.POST.get("back") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
