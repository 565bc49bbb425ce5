"""The failed-login counter holds when many guesses arrive at once (real connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import override_settings

from backend.accounts.services import InvalidCredentialsError, LoginThrottledError, user_login


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURE_LIMIT_ACCOUNT=5, LOGIN_FAILURE_LIMIT_IP=1000)
def test_concurrent_guesses_get_at_most_the_limit_of_password_checks(canvasser_a):
    outcomes: list[str] = []
    barrier = threading.Barrier(20)
    lock = threading.Lock()

    def guess(index: int) -> None:
        try:
            barrier.wait()
            user_login(
                username="canvasser_a", password=f"guess-{index}", ip_address=f"10.2.0.{index}"
            )
            result = "ok"
        except InvalidCredentialsError:
            result = "checked"
        except LoginThrottledError:
            result = "throttled"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("checked") == 5
    assert outcomes.count("throttled") == 15
