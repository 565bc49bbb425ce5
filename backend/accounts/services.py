"""Writes for accounts: logging in, issuing, refreshing and revoking device tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from backend.accounts.models import AuthToken, LoginFailureCounter, Membership, Team, User
from backend.accounts.tokens import digest_token, new_token
from backend.audit.services import audit_record
from backend.errors import ApplicationError, AuthenticationFailedError, ErrorCode, RateLimitedError
from backend.languages import field_languages
from backend.phones import phone_normalize
from backend.text import contains_bad_text


class LoginThrottledError(RateLimitedError):
    code = ErrorCode.LOGIN_THROTTLED


class InvalidCredentialsError(AuthenticationFailedError):
    code = ErrorCode.INVALID_CREDENTIALS


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


def credentials_check(
    *,
    username: str,
    password: str,
    ip_address: str | None,
    request: HttpRequest | None = None,
    via: str = "api",
    staff_only: bool = False,
) -> User:
    """Check a username and password: the one path every login takes (API and admin alike).

    Each attempt is counted *before* the password is checked, per account and per IP, so a burst
    of concurrent guesses gets at most the configured number of password checks per window.
    Failures and successes are audited with `via` ("api", "admin"); the first attempt over a
    limit is audited once as "auth.login_throttled". A successful check forgives the account's
    counter and its own hit on the IP counter. With `staff_only` (the admin) a right password
    of a non-staff account counts as a failure, as Django's admin form treats it.
    """
    if contains_bad_text(username) or contains_bad_text(password):
        raise InvalidCredentialsError("Wrong username or password.")  # no account has such a name
    now = timezone.now()
    user_key, ip_key = login_counter_keys(username=username, ip_address=ip_address)
    with transaction.atomic():
        user_hits = _counter_hit(user_key, now)
        ip_hits = _counter_hit(ip_key, now)
    over_account = user_hits > settings.LOGIN_FAILURE_LIMIT_ACCOUNT
    over_ip = ip_hits > settings.LOGIN_FAILURE_LIMIT_IP
    if over_account or over_ip:
        # Audit the moment a limit trips, not every refused attempt after it: a flood must not
        # become a flood of append-only rows.
        if user_hits == settings.LOGIN_FAILURE_LIMIT_ACCOUNT + 1 or (
            ip_hits == settings.LOGIN_FAILURE_LIMIT_IP + 1
        ):
            audit_record(
                actor=None,
                action="auth.login_throttled",
                ip_address=ip_address,
                target_type="accounts.user",
                target_id=_user_id_for(username),
                details={"via": via, "limit": "account" if over_account else "ip"},
            )
        raise LoginThrottledError(
            "Too many failed logins. Try again later.",
            retry_after_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
        )
    user = authenticate(request, username=username, password=password)
    if user is None or (staff_only and not user.is_staff):
        audit_record(
            actor=None,
            action="auth.login_failed",
            ip_address=ip_address,
            target_type="accounts.user",
            target_id=_user_id_for(username),
            details={"via": via},
        )
        raise InvalidCredentialsError("Wrong username or password.")
    _counter_forgive(user_key)
    LoginFailureCounter.objects.filter(key=ip_key, failures__gt=0).update(
        failures=F("failures") - 1
    )
    # No part of any token goes into the trail: it is readable by every organizer.
    audit_record(
        actor=user, action="auth.login", target=user, ip_address=ip_address, details={"via": via}
    )
    return user  # type: ignore[return-value]


def user_login(
    *,
    username: str,
    password: str,
    ip_address: str | None,
    device: str = "",
    request: HttpRequest | None = None,
) -> IssuedToken:
    """Check credentials (counted, limited and audited by `credentials_check`), then issue a
    device token."""
    user = credentials_check(
        username=username, password=password, ip_address=ip_address, request=request, via="api"
    )
    return token_issue(user=user, device=device)


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
            "Invalid or expired refresh token.", code=ErrorCode.INVALID_REFRESH_TOKEN
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
                "Invalid or expired refresh token.", code=ErrorCode.INVALID_REFRESH_TOKEN
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


def token_authenticate(*, raw_token: str) -> AuthToken | None:
    """The live token for a bearer value (its user active), or None; touches `last_used_at`
    at most once a minute, since one UPDATE per request would be a hot row."""
    token = (
        AuthToken.objects.select_related("user")
        .filter(digest=digest_token(raw_token), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AuthToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_revoke(*, token: AuthToken) -> None:
    AuthToken.objects.filter(pk=token.pk).delete()
    audit_record(
        actor=token.user,
        action="auth.token_revoked",
        target=token.user,
        details={"token_id": token.pk},
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


def user_password_changed(*, user: User) -> int:
    """End every device session of a user whose password has just changed (by any path).

    Called from the password-change hook (`backend/accounts/password_validation.py`); browser
    sessions end on their own, as Django ties them to the password hash.
    """
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            actor=None,
            action="auth.tokens_revoked_all",
            target=user,
            details={"count": deleted, "reason": "password_changed"},
        )
    return deleted


class WrongPasswordError(ApplicationError):
    code = ErrorCode.WRONG_PASSWORD


def user_password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    ip_address: str | None,
    device: str = "",
) -> IssuedToken:
    """Change one's own password: the current one is checked by `credentials_check` (counted and
    limited like a login), the new one by the password validators. Every token of the user is
    revoked (the password-change hook); the calling device gets a fresh token.
    """
    try:
        credentials_check(
            username=user.username,
            password=current_password,
            ip_address=ip_address,
            via="password_change",
        )
    except InvalidCredentialsError:
        raise WrongPasswordError(
            "The current password is wrong.",
            fields={"current_password": ["The current password is wrong."]},
        ) from None
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ApplicationError(
            f"new_password: {exc.messages[0]}", fields={"new_password": list(exc.messages)}
        ) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=user, action="auth.password_changed", target=user, ip_address=ip_address)
        return token_issue(user=user, device=device)


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


SAFETY_TEXTS_WORDING = (
    "Text me safety messages for my field work (check-in reminders and alerts, incident "
    "notices). Msg & data rates may apply. Reply STOP to opt out."
)


def user_phone_set(*, user: User, phone: str, language: str, consent: bool) -> User:
    """Set one's own mobile number for safety texts. `consent` must be given: the texts go to
    this number at any hour (safety does not wait for morning), so the person says yes to them.
    """
    if not consent:
        raise ApplicationError(
            "Safety texts need your consent.",
            code=ErrorCode.INVALID,
            fields={"consent": ["Must be true to receive safety texts at this number."]},
        )
    normalized = phone_normalize(phone)
    with transaction.atomic():
        user.phone, user.phone_hash, user.language = normalized.e164, normalized.hash, language
        user.safety_texts_consent_at = timezone.now()
        user.save(update_fields=["phone", "phone_hash", "language", "safety_texts_consent_at"])
        audit_record(
            actor=user,
            action="user.phone_set",
            target=user,
            details={"wording": SAFETY_TEXTS_WORDING, "language": language},
        )
    return user


def user_phone_clear(*, user: User) -> User:
    """Remove one's own number: no more safety texts."""
    with transaction.atomic():
        user.phone, user.phone_hash, user.safety_texts_consent_at = "", "", None
        user.save(update_fields=["phone", "phone_hash", "safety_texts_consent_at"])
        audit_record(actor=user, action="user.phone_cleared", target=user)
    return user


def _languages_clean(languages: list[str]) -> list[str]:
    """Each configured code once, in the configured order (English first)."""
    return [code for code in field_languages() if code in set(languages)]


def user_languages_update(
    *,
    actor: User,
    user: User,
    spoken_languages: list[str] | None = None,
    language: str | None = None,
) -> User:
    """Change the languages a person canvasses in (by the person, or a field lead of their team:
    the caller's view scopes who) and, by the person, the language of their texts. Codes are
    configured ones (the input serializer checks); audited with the before and after."""
    changes: dict[str, list[object]] = {}
    if spoken_languages is not None:
        cleaned = _languages_clean(spoken_languages)
        if cleaned != list(user.spoken_languages or []):
            changes["spoken_languages"] = [list(user.spoken_languages or []), cleaned]
            user.spoken_languages = cleaned
    if language is not None and language != user.language:
        changes["language"] = [user.language, language]
        user.language = language
    if not changes:
        return user
    with transaction.atomic():
        user.save(update_fields=list(changes))
        audit_record(
            actor=actor, action="user.languages_updated", target=user, details={"changes": changes}
        )
    return user
