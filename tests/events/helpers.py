from __future__ import annotations

from typing import Any


def phone(n: int) -> str:
    """A valid, SMS-capable US number (555-01xx is reserved for fiction)."""
    return f"(515) 555-01{n:02d}"


def e164(n: int) -> str:
    return f"+1515555{n + 100:04d}"


def signup_body(n: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"Volunteer {n}", "phone": phone(n), "sms_consent": True, **extra}
