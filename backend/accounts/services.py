"""Writes for accounts: logging in, issuing, refreshing and revoking device tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from backend.accounts.models import AuthToken, LoginFailureCounter, Membership, Team, User
from backend.accounts.tokens import digest_token, new_token
from backend.api.errors import ApplicationError
from backend.api.text import contains_bad_text
from backend.audit.services import audit_record


class LoginThrottledError(ApplicationError):
    status_code = 429
    code = "login_throttled"


class InvalidCredentialsError(ApplicationError):
    status_code = 401
    code = "invalid_credentials"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    refresh_token: str
    record: AuthToken


def _counter_hit(key: str, now: datetime) -> int:
    """Atomically count one attempt for `key` in the current window; returns the new count."""
    table = LoginFailureCounter._meta.db_table
    window_open = connection.ops.adapt_datetimefield_value(
        now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    )
    now_value = connection.ops.adapt_datetimefield_value(now)
    # One statement, so two concurrent requests can never both read the old count.
    sql = (
        f"INSERT INTO {table} (key, window_started_at, failures) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (key) DO UPDATE SET "
        f"failures = CASE WHEN {table}.window_started_at < %s THEN 1 ELSE {table}.failures + 1 END, "
        f"window_started_at = CASE WHEN {table}.window_started_at < %s "
        f"THEN excluded.window_started_at ELSE {table}.window_started_at END "
        f"RETURNING failures"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, now_value, window_open, window_open])
        return int(cursor.fetchone()[0])


def _counter_forgive(key: str) -> None:
    LoginFailureCounter.objects.filter(key=key).delete()


def login_counter_keys(*, username: str, ip_address: str | None) -> tuple[str, str]:
    return f"user:{username.strip().lower()}", f"ip:{ip_address or 'unknown'}"


def _expiries() -> tuple[datetime, datetime]:
    now = timezone.now()
    return (
        now + timedelta(minutes=settings.AUTH_ACCESS_TOKEN_TTL_MINUTES),
        now + timedelta(days=settings.AUTH_REFRESH_TOKEN_TTL_DAYS),
    )


def token_issue(*, user: User, device: str = "") -> IssuedToken:
    """Start a device session: a new access token and refresh token."""
    access, refresh = new_token(), new_token()
    expires_at, refresh_expires_at = _expiries()
    record = AuthToken.objects.create(
        user=user,
        digest=digest_token(access),
        prefix=access[:8],
        refresh_digest=digest_token(refresh),
        device=device[:120],
        expires_at=expires_at,
        refresh_expires_at=refresh_expires_at,
    )
    return IssuedToken(token=access, refresh_token=refresh, record=record)


def user_login(
    *,
    username: str,
    password: str,
    ip_address: str | None,
    device: str = "",
    request: HttpRequest | None = None,
) -> IssuedToken:
    """Check credentials and issue a device token.

    Each attempt is counted *before* the password is checked, per account and per IP, so a burst
    of concurrent guesses gets at most the configured number of password checks per window.
    A successful login forgives the account's counter and its own hit on the IP counter.
    """
    if contains_bad_text(username) or contains_bad_text(password):
        raise InvalidCredentialsError("Wrong username or password.")  # no account has such a name
    now = timezone.now()
    user_key, ip_key = login_counter_keys(username=username, ip_address=ip_address)
    with transaction.atomic():
        user_hits = _counter_hit(user_key, now)
        ip_hits = _counter_hit(ip_key, now)
    if (
        user_hits > settings.LOGIN_FAILURE_LIMIT_ACCOUNT
        or ip_hits > settings.LOGIN_FAILURE_LIMIT_IP
    ):
        raise LoginThrottledError(
            "Too many failed logins. Try again later.",
            extra={"retry_after_seconds": settings.LOGIN_FAILURE_WINDOW_SECONDS},
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        audit_record(
            actor=None,
            action="auth.login_failed",
            ip_address=ip_address,
            target_type="accounts.user",
            target_id=_user_id_for(username),
        )
        raise InvalidCredentialsError("Wrong username or password.")
    _counter_forgive(user_key)
    LoginFailureCounter.objects.filter(key=ip_key, failures__gt=0).update(
        failures=F("failures") - 1
    )
    issued = token_issue(user=user, device=device)  # type: ignore[arg-type]
    audit_record(
        actor=user,
        action="auth.login",
        target=user,
        ip_address=ip_address,
        details={"token": issued.record.prefix},
    )
    return issued


def _user_id_for(username: str) -> str:
    """The id of the account a login named, if it exists (the username itself is not kept)."""
    user_id = User.objects.filter(username=username).values_list("id", flat=True).first()
    return str(user_id) if user_id else ""


def token_refresh(*, refresh_token: str) -> IssuedToken:
    """Rotate a device session: new access and refresh tokens; the old pair stops working now.

    A refresh token works once: reusing an old one (a stolen copy) fails with 401.
    """
    if contains_bad_text(refresh_token):
        raise InvalidCredentialsError(
            "Invalid or expired refresh token.", code="invalid_refresh_token"
        )
    access, refresh = new_token(), new_token()
    expires_at, refresh_expires_at = _expiries()
    with transaction.atomic():
        record = (
            AuthToken.objects.select_for_update()
            .select_related("user")
            .filter(
                refresh_digest=digest_token(refresh_token), refresh_expires_at__gt=timezone.now()
            )
            .first()
        )
        if record is None or not record.user.is_active:
            raise InvalidCredentialsError(
                "Invalid or expired refresh token.", code="invalid_refresh_token"
            )
        record.digest = digest_token(access)
        record.prefix = access[:8]
        record.refresh_digest = digest_token(refresh)
        record.expires_at = expires_at
        record.refresh_expires_at = refresh_expires_at
        record.save(
            update_fields=["digest", "prefix", "refresh_digest", "expires_at", "refresh_expires_at"]
        )
    return IssuedToken(token=access, refresh_token=refresh, record=record)


def token_revoke(*, token: AuthToken) -> None:
    AuthToken.objects.filter(pk=token.pk).delete()
    audit_record(
        actor=token.user,
        action="auth.token_revoked",
        target=token.user,
        details={"token": token.prefix},
    )


def tokens_revoke_all(*, user: User, actor: User | None = None, reason: str = "logout_all") -> int:
    """Revoke every token of `user` (log out all devices); recorded with `actor` and `reason`."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    audit_record(
        actor=actor or user,
        action="auth.tokens_revoked_all",
        target=user,
        details={"count": deleted, "reason": reason},
    )
    return deleted


def user_update(
    *, actor: User, user: User, role: str | None = None, is_active: bool | None = None
) -> User:
    """Change a user's role or active flag (organizers only, enforced by the caller's view).

    Either change ends every session of the user at once, so a demoted or deactivated person's
    phone loses access immediately rather than when its token expires.
    """
    changes: dict[str, list[object]] = {}
    if role is not None and role != user.role:
        changes["role"] = [user.role, role]
        user.role = role
    if is_active is not None and is_active != user.is_active:
        changes["is_active"] = [user.is_active, is_active]
        user.is_active = is_active
    if not changes:
        return user
    with transaction.atomic():
        user.save(update_fields=list(changes))
        audit_record(actor=actor, action="user.updated", target=user, details={"changes": changes})
        tokens_revoke_all(user=user, actor=actor, reason="role_or_status_changed")
    return user


def user_unlock(*, actor: User, user: User) -> None:
    """Clear the failed-login counter of an account locked by repeated failures."""
    user_key, _ = login_counter_keys(username=user.username, ip_address="")
    _counter_forgive(user_key)
    audit_record(actor=actor, action="auth.unlocked", target=user)


def user_is_locked(*, user: User) -> bool:
    user_key, _ = login_counter_keys(username=user.username, ip_address="")
    window_open = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return LoginFailureCounter.objects.filter(
        key=user_key,
        window_started_at__gte=window_open,
        failures__gte=settings.LOGIN_FAILURE_LIMIT_ACCOUNT,
    ).exists()


def team_create(*, actor: User, name: str) -> Team:
    team = Team.objects.create(name=name)
    audit_record(actor=actor, action="team.created", target=team)
    return team


def team_member_add(*, actor: User, team: Team, user: User) -> Membership:
    membership, created = Membership.objects.get_or_create(team=team, user=user)
    if created:
        audit_record(
            actor=actor, action="team.member_added", target=team, details={"user": user.pk}
        )
    return membership


def team_member_remove(*, actor: User, team: Team, user: User) -> None:
    deleted, _ = Membership.objects.filter(team=team, user=user).delete()
    if deleted:
        audit_record(
            actor=actor, action="team.member_removed", target=team, details={"user": user.pk}
        )
