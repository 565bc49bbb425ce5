"""A password "validator" that validates nothing: it is Django's one hook for every password change.

`AbstractBaseUser.save()` calls `password_validation.password_changed(password, user)` after any
`set_password()` (the API, the admin's password form, `manage.py changepassword`,
`seed_demo --reset-passwords`, a shell). Listing this class in AUTH_PASSWORD_VALIDATORS makes each
of those paths end every device session of the user, with no path able to forget it. Django's
own password-hash upgrade at login is not a change and does not call the hook.
"""

from __future__ import annotations

from typing import Any


class RevokeTokensOnPasswordChange:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        from backend.accounts.services import user_password_changed

        if user is not None and user.pk is not None:
            user_password_changed(user=user)

    def get_help_text(self) -> str:
        return "Changing the password signs the account out of every device."
