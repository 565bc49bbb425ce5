from backend.privacy.registry import register_personal_fields

register_personal_fields("accounts.user", "first_name", "last_name", "email", "phone")
