from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from backend.accounts import services
from backend.accounts.models import AuthToken, Membership, Team, User
from backend.api.views import client_ip


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, checked by the same service as the API login: the same failure
    counters per account and per IP, the same lockout, the same audit records."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "login_throttled": "Too many failed logins. Try again later.",
    }

    @sensitive_variables("password")
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.credentials_check(
                    username=username,
                    password=password,
                    ip_address=client_ip(self.request) if self.request else None,
                    request=self.request,
                    via="admin",
                    staff_only=True,
                )
            except services.LoginThrottledError:
                raise ValidationError(
                    self.error_messages["login_throttled"], code="login_throttled"
                ) from None
            except services.InvalidCredentialsError:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = AdminLoginForm


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Role", {"fields": ["role"]}))  # type: ignore[misc]

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        """Role and active-flag changes go through the service: audited, sessions revoked."""
        if change and {"role", "is_active"} & set(form.changed_data):
            new_role, new_active = obj.role, obj.is_active
            current = User.objects.get(pk=obj.pk)
            obj.role, obj.is_active = current.role, current.is_active
            super().save_model(request, obj, form, change)
            services.user_update(actor=request.user, user=obj, role=new_role, is_active=new_active)
            return
        super().save_model(request, obj, form, change)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """Tokens can be revoked (deleted) here, never read: only digests are stored."""

    list_display = ["prefix", "user", "device", "created_at", "expires_at", "last_used_at"]
    readonly_fields = [
        "user",
        "digest",
        "prefix",
        "device",
        "created_at",
        "expires_at",
        "last_used_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
