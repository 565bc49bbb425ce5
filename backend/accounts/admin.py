from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from backend.accounts.models import AuthToken, Membership, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Role", {"fields": ["role"]}))  # type: ignore[misc]


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
