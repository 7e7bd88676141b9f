"""The ASGI application: Django over HTTP, Channels over websockets behind origin checks."""

import logging

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from assosolos.asgi import application
from assosolos.routing import UNKNOWN_PATH_CLOSE_CODE


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_http_requests_reach_django():
    communicator = HttpCommunicator(
        application, "GET", "/accounts/login/", headers=[(b"host", b"testserver")]
    )
    response = await communicator.get_response()
    assert response["status"] == 200


# A database is allowed: a consumer's clean-up from an earlier test in this process
# may still be running on the loop; the origin check itself reads no row.
@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_websocket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/anything/", headers=[(b"origin", b"https://evil.example.com")]
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/ws/no-such-room/", "/", "/ws/rooms/../../x"])
async def test_websocket_to_an_unknown_path_is_closed_cleanly_with_a_code(path, caplog):
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://testserver")]
    )
    connected, _ = await communicator.connect()
    assert connected
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": UNKNOWN_PATH_CLOSE_CODE}
    await communicator.wait()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
