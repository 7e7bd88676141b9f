"""The ASGI application: Django over HTTP, Channels over websockets behind origin checks."""

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from assosolos.asgi import application


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_http_requests_reach_django():
    communicator = HttpCommunicator(
        application, "GET", "/accounts/login/", headers=[(b"host", b"testserver")]
    )
    response = await communicator.get_response()
    assert response["status"] == 200


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
async def test_websocket_to_an_unknown_room_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/no-such-room/", headers=[(b"origin", b"http://testserver")]
    )
    with pytest.raises(ValueError, match="No route found"):
        await communicator.connect()
