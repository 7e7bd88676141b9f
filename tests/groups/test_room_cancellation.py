"""A socket or a hub that ends while its Redis read is cancelled ends at once.

The Redis client may answer a cancelled read with a connection error ("Connection
closed by server") instead of letting the cancellation through. The socket's guarded
receive and the hub's receive loop catch such errors to close with "try again later"
or to retry; when the error comes from their own cancellation they must end, or the
consumer's ending, and the server's shutdown, wait for ever.
"""

from __future__ import annotations

import asyncio

import pytest

from groups.consumers import RoomConsumer
from groups.hub import RoomHub

pytestmark = pytest.mark.asyncio


async def _read_that_turns_cancel_into_an_error() -> dict:
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        raise ConnectionError("Connection closed by server.") from None
    raise AssertionError("not reached")


async def _ends_when_cancelled(task: asyncio.Task) -> None:
    await asyncio.sleep(0.01)  # the read is under way
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=2)
    assert task in done, "the task went on waiting after its cancellation"
    assert task.cancelled()


async def test_the_sockets_receive_ends_when_cancelled_under_a_redis_read():
    consumer = RoomConsumer()
    consumer.channel_receive = _read_that_turns_cancel_into_an_error
    task = asyncio.create_task(consumer.channel_receive())
    await _ends_when_cancelled(task)
    assert consumer.layer_lost is False  # an ending, not an outage


async def test_the_sockets_receive_still_treats_a_real_failure_as_an_outage():
    async def failing() -> dict:
        raise ConnectionError("Connection refused")

    consumer = RoomConsumer()
    consumer.channel_receive = failing
    task = asyncio.create_task(consumer.channel_receive())
    await asyncio.sleep(0.05)
    assert consumer.layer_lost is True
    assert not task.done()  # it waits for the socket's ending
    task.cancel()
    await asyncio.wait([task], timeout=2)
    assert task.cancelled()


class _Layer:
    async def receive(self, channel: str) -> dict:
        return await _read_that_turns_cancel_into_an_error()


async def test_the_hubs_receive_loop_ends_when_cancelled_under_a_redis_read():
    hub = RoomHub(_Layer(), "room-1")
    task = asyncio.create_task(hub._receive())
    await _ends_when_cancelled(task)
