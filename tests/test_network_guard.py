"""The suite may only talk to this machine: any other address is refused by pytest-socket."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_connecting_outside_loopback_is_refused():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("93.184.215.14", 80), timeout=1)


def test_loopback_is_allowed():
    with pytest.raises(OSError):  # refused by the OS, not blocked by the guard
        try:
            socket.create_connection(("127.0.0.1", 1), timeout=1)
        except SocketConnectBlockedError:
            pytest.fail("loopback must be allowed")
