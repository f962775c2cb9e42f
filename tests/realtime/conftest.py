"""Fixtures for the live console: signed-in WebSocket communicators against the real ASGI app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client

from .communicator import WebsocketCommunicator

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(autouse=True)
def _fresh_layer():  # type: ignore[no-untyped-def]
    """Every test starts with an empty in-memory layer (no groups left by another test)."""
    layer = get_channel_layer()
    async_to_sync(layer.flush)()
    yield
    async_to_sync(layer.flush)()


def session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.fixture
def communicator() -> Callable[..., WebsocketCommunicator]:
    """A communicator for /ws/console/ as the given user (None: anonymous)."""
    from madoguchi.asgi import application

    def make(user: Any = None, *, origin: tuple[bytes, bytes] | None = ORIGIN) -> Any:
        headers = [origin] if origin else []
        if user is not None:
            headers.append((b"cookie", session_cookie(user)))
        return WebsocketCommunicator(application, "/ws/console/", headers=headers)

    return make


async def connected(comm: WebsocketCommunicator) -> dict[str, Any]:
    """Connect and return the hello frame (fails the test if the socket is refused)."""
    ok, _ = await comm.connect()
    assert ok
    hello = await comm.receive_json_from(timeout=3)
    assert hello["kind"] == "hello"
    return hello


async def next_of(comm: WebsocketCommunicator, kind: str, timeout: float = 3) -> dict[str, Any]:
    """The next frame of the given kind, skipping others (presence pushes interleave)."""
    while True:
        frame = await comm.receive_json_from(timeout=timeout)
        if frame.get("kind") == kind:
            return frame
