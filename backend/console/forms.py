"""The console's login form: checked by the same service as the API and admin logins (the same
failure counters per account and per IP, the same lockout, the same audit records)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from backend.accounts import services
from backend.accounts.models import User
from backend.api.views import client_ip
from backend.console.access import CONSOLE_ROLES


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    @sensitive_variables("password")
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username = cleaned.get("username")
        password = cleaned.get("password")
        if not username or not password:
            return cleaned
        try:
            user = services.credentials_check(
                username=username,
                password=password,
                ip_address=client_ip(self.request),
                request=self.request,
                via="console",
            )
        except services.LoginThrottledError:
            raise forms.ValidationError(
                _("Too many failed logins. Try again later."), code="login_throttled"
            ) from None
        except services.InvalidCredentialsError:
            raise forms.ValidationError(
                _("Wrong username or password."), code="invalid_login"
            ) from None
        if user.role not in CONSOLE_ROLES:
            raise forms.ValidationError(
                _("The console is for field leads and organizers. Canvassers use the app."),
                code="wrong_role",
            )
        self.user = user
        return cleaned
