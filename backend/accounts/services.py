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

from backend.accounts.models import AuthToken, LoginFailureCounter, User
from backend.accounts.tokens import digest_token, new_token
from backend.api.errors import ApplicationError
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


def login_counter_keys(*, username: str, ip_address: str) -> tuple[str, str]:
    return f"user:{username.strip().lower()}", f"ip:{ip_address}"


def token_issue(*, user: User, device: str = "") -> IssuedToken:
    raw = new_token()
    record = AuthToken.objects.create(
        user=user,
        digest=digest_token(raw),
        prefix=raw[:8],
        device=device[:120],
        expires_at=timezone.now() + timedelta(hours=settings.AUTH_TOKEN_TTL_HOURS),
    )
    return IssuedToken(token=raw, record=record)


def user_login(
    *,
    username: str,
    password: str,
    ip_address: str,
    device: str = "",
    request: HttpRequest | None = None,
) -> IssuedToken:
    """Check credentials and issue a device token.

    Each attempt is counted *before* the password is checked, per account and per IP, so a burst
    of concurrent guesses gets at most the configured number of password checks per window.
    A successful login forgives the account's counter and its own hit on the IP counter.
    """
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


def token_refresh(*, token: AuthToken) -> IssuedToken:
    """Swap a valid token for a fresh one on the same device; the old one stops working now."""
    with transaction.atomic():
        deleted, _ = AuthToken.objects.filter(pk=token.pk).delete()
        if not deleted:
            raise InvalidCredentialsError("Token already revoked.")
        return token_issue(user=token.user, device=token.device)


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
