from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured

from backend import crypto

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_ciphertext_hides_the_plaintext_and_round_trips(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]

    stored = crypto.encrypt("+15155550123")

    assert "5550123" not in stored
    assert stored.startswith("fernet:")
    assert crypto.decrypt(stored) == "+15155550123"


def test_same_plaintext_encrypts_differently_each_time(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]

    assert crypto.encrypt("note") != crypto.encrypt("note")


def test_old_values_stay_readable_after_a_new_key_is_put_first(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    stored = crypto.encrypt("secret")

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    assert crypto.decrypt(stored) == "secret"


def test_a_value_no_key_can_read_is_an_error_not_garbage(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    stored = crypto.encrypt("secret")
    settings.FIELD_ENCRYPTION_KEYS = [NEW]

    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt(stored)


def test_keyed_hash_is_stable_and_depends_on_the_key(settings):
    settings.PII_HASH_KEY = "k" * 40
    first = crypto.keyed_hash("+15155550123")

    assert crypto.keyed_hash("+15155550123") == first
    assert "5550123" not in first
    settings.PII_HASH_KEY = "j" * 40
    assert crypto.keyed_hash("+15155550123") != first


def test_production_without_keys_refuses(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = []

    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        crypto.encrypt("x")


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_real_rows_so_the_old_key_can_go(settings):
    from django.core.management import call_command
    from django.db import connection

    from events.services.volunteers import phone_normalize, volunteer_get_or_create

    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    volunteer, _ = volunteer_get_or_create(
        phone=phone_normalize("+15155550166"), name="Key Rotation"
    )

    def raw_phone() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM events_volunteer WHERE id = %s", [volunteer.pk])
            return cursor.fetchone()[0]

    before = raw_phone()
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is gone

    volunteer.refresh_from_db()
    assert volunteer.phone == "+15155550166"
    assert raw_phone() != before
    assert "5550166" not in raw_phone()


def test_bulk_encryption_makes_real_fernet_tokens_under_the_newest_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    tokens = crypto.encrypt_many(["+15155550123", "+15155550123", "", "a" * 40])

    assert all(token.startswith("fernet:") for token in tokens)
    assert len(set(tokens)) == 4  # a fresh IV each time: same plaintext, different token
    newest = Fernet(NEW.encode())
    assert [newest.decrypt(t[7:].encode()).decode() for t in tokens] == [
        "+15155550123",
        "+15155550123",
        "",
        "a" * 40,
    ]
    with pytest.raises(InvalidToken):
        Fernet(OLD.encode()).decrypt(tokens[0][7:].encode())
    assert [crypto.decrypt(t) for t in tokens] == ["+15155550123", "+15155550123", "", "a" * 40]


def test_bulk_encryption_tokens_are_authenticated(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    token = crypto.encrypt_many(["+15155550123"])[0]
    raw = bytearray(base64.urlsafe_b64decode(token[7:]))
    raw[30] ^= 1  # one bit of the ciphertext

    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt("fernet:" + base64.urlsafe_b64encode(bytes(raw)).decode())


def test_bulk_encryption_refuses_to_run_without_keys_in_production(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = []

    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt_many(["+15155550123"])
