"""Helpers to open room sockets in-process (WebsocketCommunicator) as a given person."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

ORIGIN = b"http://testserver"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def application():
    from assosolos.asgi import application as app

    return app


async def room_open(group_id: int, user=None, *, origin: bytes = ORIGIN) -> WebsocketCommunicator:
    headers = [(b"host", b"testserver"), (b"origin", origin)]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application(), f"/ws/groupes/{group_id}/", headers=headers)


async def room_join(group_id: int, user) -> tuple[WebsocketCommunicator, dict]:
    """Connect as a member and return the socket and its welcome frame."""
    communicator = await room_open(group_id, user)
    connected, _ = await communicator.connect()
    assert connected
    welcome = await communicator.receive_json_from()
    assert welcome["type"] == "welcome", welcome
    return communicator, welcome


async def frame_of_type(communicator: WebsocketCommunicator, kind: str, timeout: float = 2) -> dict:
    """The next frame of `kind`, skipping presence and other chatter."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame
