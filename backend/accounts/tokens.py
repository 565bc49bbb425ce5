import hashlib
import secrets


def new_token() -> str:
    """A 256-bit random token; its digest is what the database keeps."""
    return secrets.token_urlsafe(32)


def digest_token(raw: str) -> str:
    # A fast hash is right here: tokens are 256-bit random, so there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()
