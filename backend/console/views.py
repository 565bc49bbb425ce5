"""The console's shared pages: log in, log out and the start page."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from backend.console.access import console_user, console_view
from backend.console.forms import LoginForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("console:home")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid() and form.user is not None:
            # The credentials were checked (counted, limited, audited) by the form's service;
            # this starts the browser session.
            login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_next_url(request))
        status = 429 if form.has_error("__all__", "login_throttled") else 200
        return render(
            request, "console/login.html", {"form": form, "next": _next_url(request)}, status=status
        )
    if console_user(request) is not None:
        return redirect(_next_url(request))
    form = LoginForm(request)
    return render(
        request, "console/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")


@console_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html")
