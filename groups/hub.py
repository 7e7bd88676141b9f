"""One channel-layer channel per room and server process, shared by the room's sockets.

Why: with one layer channel per socket, a message to a room of N members made the
layer hand N copies to the server processes, and every socket's consumer received,
decoded and re-encoded its own copy. Here each process joins a room's group once,
through its hub: the hub receives each event once, encodes the frame once and hands
the same text to every local socket of the room. Delivery between processes still
goes through the channel layer (Redis in production), once per process.

Each socket has an `Outbox`: frames wait there and a short-lived task sends them in
order, so a client that reads slowly delays only itself. An outbox that holds too
many frames drops the oldest; the newest still arrives, so the client sees the gap
in the numbers and catches up from the database, as after any other drop.

The hub lives as long as the room has sockets in the process: the first local join
creates its channel, adds it to the room's group and starts its receiver; the last
local leave stops the receiver and leaves the group. The group membership is
refreshed on every local join and on a timer, well within the layer's group expiry.
A failure while receiving is logged and the receiver carries on after a pause; from
the second failure in a row, the local sockets are closed with 1013 (try again later).

Per-person events (mute, removal) still go to each socket's own channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import types
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from typing import Any

logger = logging.getLogger(__name__)

# Marks a hub's channel after the "!" of a process-local name. The part before it must
# stay the layer's own: the Redis layer receives all of a process's channels through
# one key and one receiver, and a second prefix would wait behind the first.
# The settings give these channels a larger capacity (ROOM_HUB_CHANNEL_CAPACITY).
HUB_CHANNEL_MARK = "roomhub."
# Frames waiting for one socket before the oldest are dropped.
OUTBOX_LIMIT = 1000
# Seconds between two refreshes of the hub's group membership, at most.
REFRESH_SECONDS = 300.0
# Pauses after consecutive receive failures (the last one repeats).
RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)


def being_cancelled() -> bool:
    """Whether the running task has been asked to stop. The Redis client can turn a
    cancellation into a connection error; a loop that catches errors to retry must
    then end instead of waiting on, or the socket's ending never completes."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Outbox:
    """Text frames waiting for one socket, sent in order: at once while the socket takes
    them without waiting, else by a task that runs while any wait.

    Held until `start()`: the socket's first frame (its welcome) is sent directly, and
    room events that arrive meanwhile wait behind it. A failed send (a closed socket)
    closes the outbox and drops what it holds; nothing else is affected.
    """

    def __init__(
        self,
        send: Callable[[str], Awaitable[Any]],
        *,
        limit: int = OUTBOX_LIMIT,
        lost: Callable[[], None] | None = None,
    ):
        self._send = send
        # Called when the room's delivery through the layer broke (its socket closes).
        self.lost = lost
        self._limit = limit
        self._frames: deque[str] = deque()
        self._task: asyncio.Task | None = None
        self.started = False
        self.closed = False
        self.dropped = 0
        self._sending = False  # frames are being sent from `_wake`

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, text: str) -> None:
        if self.closed:
            return
        if len(self._frames) >= self._limit:
            self._frames.popleft()
            self.dropped += 1
        self._frames.append(text)
        self._wake()

    def start(self) -> None:
        self.started = True
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._frames.clear()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()

    def _wake(self) -> None:
        if self._task is not None or self._sending or not self.started or self.closed:
            return
        # Sent from here while the socket takes frames without waiting (almost always:
        # its transport has room), as a bare broadcast writes to each socket in turn:
        # a task per socket and per message cost more than the send itself. A send
        # that has to wait (the client reads slowly) goes on in a task, and the frames
        # behind it wait there; the other sockets are not held.
        self._sending = True
        try:
            while self._frames and not self.closed:
                sending = self._send(self._frames.popleft())
                try:
                    waits_on = sending.send(None)
                except StopIteration:
                    continue
                self._task = asyncio.get_running_loop().create_task(
                    self._drain(_resume(sending, waits_on))
                )
                return
        except Exception:  # noqa: BLE001 - the socket is gone; the room goes on without it
            self._failed()
        finally:
            self._sending = False

    async def _drain(self, sending: Awaitable[Any]) -> None:
        try:
            await sending
            while self._frames and not self.closed:
                await self._send(self._frames.popleft())
        except Exception:  # noqa: BLE001 - the socket is gone; the room goes on without it
            self._failed()
        finally:
            self._task = None

    def _failed(self) -> None:
        logger.debug("room socket send failed; its outbox is closed", exc_info=True)
        self.close()


@types.coroutine
def _resume(coroutine: Any, waits_on: Any) -> Generator[Any, Any, None]:
    """Carry on, in the task that awaits this, a coroutine already stepped once that is
    waiting on `waits_on`: what the task sends or throws goes through to it."""
    while True:
        try:
            received = yield waits_on
        except BaseException as exc:
            try:
                waits_on = coroutine.throw(exc)
            except StopIteration:
                return
        else:
            try:
                waits_on = coroutine.send(received)
            except StopIteration:
                return


class RoomHub:
    """The room's one layer channel in this process and the local sockets it serves."""

    def __init__(self, layer: Any, group: str) -> None:
        self.layer, self.group = layer, group
        self.channel: str | None = None
        # Each local socket's outbox, with its person's id (typing skips its author).
        self.members: dict[Outbox, int] = {}
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()
        self._tasks: list[asyncio.Task] = []
        self.closed = False

    async def open(self) -> None:
        try:
            self.channel = (await self.layer.new_channel()).replace("!", "!" + HUB_CHANNEL_MARK, 1)
            await self.layer.group_add(self.group, self.channel)
        except BaseException as exc:
            self.ready.set_exception(exc)
            self.ready.exception()  # retrieved: the joiners waiting on it re-raise it
            raise
        self._tasks = [self._spawn(self._receive), self._spawn(self._refresh)]
        self.ready.set_result(None)

    async def close(self) -> None:
        self.closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        if self.channel is not None:
            await self.layer.group_discard(self.group, self.channel)

    def _spawn(self, loop_function: Callable[[], Awaitable[None]]) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(loop_function())

        def ended(task: asyncio.Task) -> None:
            # The loops only end when cancelled; anything else must not stop delivery.
            if self.closed or task.cancelled():
                return
            logger.error("room hub %s: %s stopped; restarting", self.group, loop_function.__name__)
            self._tasks[self._tasks.index(task)] = self._spawn(loop_function)

        task.add_done_callback(ended)
        return task

    async def _receive(self) -> None:
        failures = 0
        while True:
            try:
                event = await self.layer.receive(self.channel)
            except Exception as exc:
                if being_cancelled():
                    raise asyncio.CancelledError from exc
                logger.exception("room hub %s: receive failed; retrying", self.group)
                # A single failure is retried at once; a second one in a row is an
                # outage: the local sockets close with "try again later", and their
                # clients catch up by number when they are back.
                if failures:
                    for outbox in list(self.members):
                        if outbox.lost is not None:
                            outbox.lost()
                await asyncio.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
                failures += 1
                # The failure may have outlasted the group's expiry: join it again.
                with contextlib.suppress(Exception):
                    await self.layer.group_add(self.group, self.channel)
                continue
            failures = 0
            try:
                self.dispatch(event)
            except Exception:
                logger.exception("room hub %s: bad event %r", self.group, event.get("type"))

    async def _refresh(self) -> None:
        expiry = getattr(self.layer, "group_expiry", 86400)
        interval = max(1.0, min(REFRESH_SECONDS, expiry / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                await self.layer.group_add(self.group, self.channel)
            except Exception:
                logger.exception("room hub %s: refreshing the group failed", self.group)

    def dispatch(self, event: dict) -> None:
        """Hand one room event to every local socket it concerns, encoded once."""
        kind = event.get("type")
        skip = None
        if kind == "room.frame":
            frame = event["frame"]
        elif kind == "room.typing":
            frame = {"type": "typing", "user": event["user"]}
            skip = event["user"]["id"]  # not echoed to its author
        else:
            logger.warning("room hub %s: unknown event type %r", self.group, kind)
            return
        text = json.dumps(frame)
        for outbox, user_id in list(self.members.items()):
            if user_id != skip:
                outbox.push(text)


# The hubs of each channel layer, by event loop and group: a layer receives on one loop.
_hubs: weakref.WeakKeyDictionary[Any, dict[tuple[Any, str], RoomHub]] = weakref.WeakKeyDictionary()


def room_hub_get(layer: Any, group: str) -> RoomHub | None:
    """The hub of `group` in this process and event loop, if it has local sockets."""
    return _hubs.get(layer, {}).get((asyncio.get_running_loop(), group))


async def room_hub_join(layer: Any, group: str, outbox: Outbox, *, user_id: int) -> RoomHub:
    """Register a local socket of the room; the room's events reach its outbox from now on.

    The first local socket creates the hub (its channel joins the group before this
    returns); later ones refresh the group membership. A layer failure is raised.
    """
    hubs = _hubs.setdefault(layer, {})
    key = (asyncio.get_running_loop(), group)
    hub = hubs.get(key)
    if hub is None:
        hub = hubs[key] = RoomHub(layer, group)
        hub.members[outbox] = user_id
        try:
            await hub.open()
        except BaseException:
            hub.members.pop(outbox, None)
            if hubs.get(key) is hub:
                del hubs[key]
            raise
        return hub
    hub.members[outbox] = user_id
    try:
        await asyncio.shield(hub.ready)
        await layer.group_add(group, hub.channel)
    except BaseException:
        await room_hub_leave(hub, outbox)
        raise
    return hub


async def room_hub_leave(hub: RoomHub, outbox: Outbox) -> None:
    """Unregister a local socket; the last one closes the hub and leaves the group."""
    hub.members.pop(outbox, None)
    outbox.close()
    if hub.members or hub.closed:
        return
    hubs = _hubs.get(hub.layer, {})
    for key, registered in list(hubs.items()):
        if registered is hub:
            del hubs[key]
    if hub.ready.done() and hub.ready.exception() is None:
        await hub.close()
    else:
        hub.closed = True
