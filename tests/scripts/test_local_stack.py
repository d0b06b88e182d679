"""scripts/local_stack.py: the helpers every local server goes through."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from scripts.local_stack import ServerDidNotStart, free_ports, on_free_ports


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = free_ports(5)
    assert len(set(ports)) == 5
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


class FlakyServer:
    """Fails to start the first `failures` times, like a server whose port was taken."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.ports: list[int] = []
        self.stopped: list[int] = []

    @contextmanager
    def serve(self, port: int) -> Iterator[str]:
        self.ports.append(port)
        if len(self.ports) <= self.failures:
            raise ServerDidNotStart(f"port {port} taken")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            self.stopped.append(port)


def test_a_server_that_fails_to_start_gets_one_more_port() -> None:
    server = FlakyServer(failures=1)
    with (
        pytest.warns(UserWarning, match="attempt 1: port .* taken") as warned,
        on_free_ports(1, server.serve) as url,
    ):
        assert url.endswith(f":{server.ports[1]}")
    assert f"port {server.ports[0]} taken" in str(warned[0].message)
    assert len(server.ports) == 2 and server.ports[0] != server.ports[1]
    assert server.stopped == [server.ports[1]]


def test_a_second_failure_is_raised() -> None:
    server = FlakyServer(failures=2)
    with (
        pytest.warns(UserWarning),
        pytest.raises(ServerDidNotStart) as failed,
        on_free_ports(1, server.serve),
    ):
        pass
    assert len(server.ports) == 2
    assert str(failed.value) == (
        f"attempt 1: port {server.ports[0]} taken\nattempt 2: port {server.ports[1]} taken"
    )


def test_an_error_in_the_block_stops_the_server_and_is_not_retried() -> None:
    server = FlakyServer(failures=0)
    with pytest.raises(ServerDidNotStart, match="from the block"), on_free_ports(1, server.serve):
        raise ServerDidNotStart("from the block")
    assert len(server.ports) == 1 and server.stopped == server.ports
