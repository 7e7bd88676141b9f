"""The room socket: one consumer, thin; every rule lives in `services.room`.

Frames are JSON objects with a "type". Client → server: sync, history, post, edit,
delete, typing, heartbeat, read, react, report, and for moderators hide, revisions,
mute, remove. Server → client: welcome, batch, history, message, ack, edited, deleted,
revisions (moderators), hidden, reactions, typing, presence
(the full list as "present" on heartbeats, a change as "joined"/"left" otherwise),
muted, removed, role (the person's moderation powers changed), report (moderators
only), error. Every incoming value is bounded by `groups.frames` before a handler
runs; a bad frame or a refused action gets an "error" frame, never a crash, and the
socket stays open (codes in docs/rooms.md).

Room-wide events (messages, presence, typing…) reach the socket through the process's
room hub (`groups.hub`), not through the socket's own layer channel: the hub receives
each once per process and queues the encoded frame in every local socket's outbox.
The socket's own channel only carries what concerns its person (mute, removal, a
change of role, and for moderators a new report).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.sessions import InstanceSessionWrapper
from django.db import connection
from django.utils.translation import gettext as _

from .effects import room_group_name, room_user_group_name
from .frames import FrameError, frame_client_id, frame_decode, frame_validate
from .hub import Outbox, being_cancelled, room_hub_join, room_hub_leave
from .models import GroupMembership
from .services import room as room_services
from .services import room_edit as room_edit_services
from .services.errors import GroupError

# Frames of any kind one socket may send per FRAME_WINDOW seconds before being warned.
FRAME_BUDGET = 60
FRAME_WINDOW = 10
TYPING_MIN_INTERVAL = 3.0
CATCH_UP_BATCH = 200
HISTORY_PAGE = 50

logger = logging.getLogger(__name__)


def _posts_in_parallel() -> bool:
    """Whether posts run in the worker threads, each on its own connection, instead of
    the one thread that runs every socket's queries.

    On PostgreSQL: the group row's lock numbers concurrent posts one after the other,
    for the length of one statement, and the posts of a burst no longer wait in one
    queue for the thread (each post is a few round trips). SQLite takes one writer at
    a time: its posts stay on the shared thread.
    """
    return connection.vendor == "postgresql"


# The sockets' broadcast tasks that are running (see `RoomConsumer.on_post`).
_BROADCASTERS: set[asyncio.Task] = set()


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """While the channel layer (Redis) is unreachable, a socket is accepted and closed
    with CLOSE_TRY_LATER (1013), and an open one is closed the same way when the layer
    fails under it: never a dropped connection nor a failed handshake. The room page
    reconnects and catches up from the database by message number."""

    accepted = False
    layer_lost = False
    # Saved messages of this socket waiting for their broadcast, and the task sending them.
    _broadcaster: asyncio.Task | None = None

    # Channels assigns `channel_receive` (the socket's own layer channel) when the
    # consumer starts; reading it gives the guarded receive below instead.
    @property
    def channel_receive(self) -> Callable[[], Awaitable[dict]]:
        return self._guarded_channel_receive

    @channel_receive.setter
    def channel_receive(self, receive: Callable[[], Awaitable[dict]]) -> None:
        self._layer_receive = receive

    async def _guarded_channel_receive(self) -> dict:
        try:
            return await self._layer_receive()
        except Exception as exc:  # noqa: BLE001 - the layer is away; the socket closes
            if being_cancelled():
                # The wait was cancelled (the consumer is ending) and the Redis client
                # turned the cancellation into a connection error: end, never wait on.
                raise asyncio.CancelledError from exc
            logger.warning("room socket: the channel layer failed: %s", exc)
            self._layer_lost()
            # Nothing more comes from the layer on this socket; the consumer ends with
            # the client's disconnect, which cancels this wait.
            await asyncio.Event().wait()
            raise  # not reached

    def _layer_lost(self) -> None:
        if self.layer_lost:
            return
        self.layer_lost = True
        if self.accepted:
            asyncio.get_running_loop().create_task(self._close_try_later())

    async def _close_try_later(self) -> None:
        with contextlib.suppress(Exception):
            await self.close(
                code=room_services.CLOSE_TRY_LATER,
                reason=_("The room is unavailable for a moment; reconnecting.")[:100],
            )

    async def _layer_call(self, call: Awaitable[Any]) -> bool:
        """Await a layer call; on failure, log it, close the socket (1013), return False."""
        try:
            await call
        except Exception as exc:  # noqa: BLE001 - the layer is away; the socket closes
            logger.warning("room %s: the channel layer failed: %s", self.room, exc)
            self._layer_lost()
            return False
        return True

    async def connect(self) -> None:
        self.group_id = int(self.scope["url_route"]["kwargs"]["group_id"])
        self.user = self.scope.get("user")
        self.room = room_group_name(self.group_id)
        self.joined = False
        try:
            # Membership is decided here, before the handshake is accepted.
            access = await database_sync_to_async(room_services.room_access)(
                group_id=self.group_id, actor=self.user
            )
        except room_services.RoomError as exc:
            # Accepted only to give the client a close code it can explain to the person;
            # nothing of the room is sent.
            await self.accept()
            await self.close(code=int(exc.code), reason=exc.message[:100])
            return
        self.is_moderator = access.is_moderator
        self.inbox = room_user_group_name(self.group_id, self.user.pk)
        self.frame_window, self.frame_count = 0, 0
        self.last_typing = 0.0
        self._broadcasts: deque[Any] = deque()
        # Room events wait in the outbox until the welcome frame has gone.
        self.outbox = Outbox(self._send_text, lost=self._layer_lost)
        try:
            self.hub = await room_hub_join(
                self.channel_layer, self.room, self.outbox, user_id=self.user.pk
            )
        except Exception as exc:  # noqa: BLE001 - the layer is away: "try again later"
            logger.warning("room %s: joining through the channel layer failed: %s", self.room, exc)
            await self._refuse_try_later()
            return
        try:
            await self.channel_layer.group_add(self.inbox, self.channel_name)
        except BaseException as exc:
            await self._hub_leave()
            if not isinstance(exc, Exception):
                raise
            logger.warning("room %s: joining through the channel layer failed: %s", self.room, exc)
            await self._refuse_try_later()
            return
        self.joined = True
        await self.accept()
        self.accepted = True
        if self.layer_lost:  # the layer failed while the socket was being accepted
            await self._close_try_later()
            return
        present = await database_sync_to_async(self._presence_enter)()
        membership = access.membership
        await self.send_json(
            {
                "type": "welcome",
                "you": {"id": self.user.pk, "name": self.user.public_name},
                "moderator": self.is_moderator,
                "last_seq": access.group.last_seq,
                "last_read_seq": membership.last_read_seq if membership else access.group.last_seq,
                "muted_until": membership.muted_until.isoformat()
                if membership and membership.is_muted()
                else None,
                "present": present,
                "heartbeat_seconds": room_services.HEARTBEAT_SECONDS,
                "reactions": list(room_services.REACTIONS),
            }
        )
        self.outbox.start()
        await self._presence_broadcast(joined=True)

    async def _refuse_try_later(self) -> None:
        await self.accept()
        self.accepted = True
        await self._close_try_later()

    async def _hub_leave(self) -> None:
        try:
            await room_hub_leave(self.hub, self.outbox)
        except Exception as exc:  # noqa: BLE001 - leaving a layer that is away
            logger.warning("room %s: leaving through the channel layer failed: %s", self.room, exc)

    async def _send_text(self, text: str) -> None:
        # Room frames skip the session middleware's wrapper of `send`: it acts on HTTP
        # responses only (their cookie), but reads the session for every frame, and a
        # room's message is one frame per member.
        wrapper = getattr(self.base_send, "__self__", None)
        send = wrapper.real_send if isinstance(wrapper, InstanceSessionWrapper) else self.base_send
        await send({"type": "websocket.send", "text": text})

    async def disconnect(self, code: int) -> None:
        if not getattr(self, "joined", False):
            return
        self.joined = False
        if self._broadcaster is not None:
            # What this socket saved still reaches the room before it leaves.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._broadcaster)
        await self._hub_leave()
        with contextlib.suppress(Exception):  # a layer that is away forgets it anyway
            await self.channel_layer.group_discard(self.inbox, self.channel_name)
        await database_sync_to_async(room_services.room_presence_leave)(
            group_id=self.group_id, user_id=self.user.pk
        )
        await self._presence_broadcast(joined=False)

    # --- Incoming frames ------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            content = frame_decode(text_data, bytes_data)
        except FrameError as exc:
            await self._error(exc.code, exc.message)
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict, **kwargs: Any) -> None:
        if not self._frame_allowed():
            await self._error("rate_limited", _("Slow down: too many frames."))
            return
        try:
            frame = frame_validate(content)
        except FrameError as exc:
            extra = {"field": exc.field} if exc.field else {}
            await self._error(exc.code, exc.message, client_id=frame_client_id(content), **extra)
            return
        client_id = frame["client_id"]
        try:
            await self.HANDLERS[frame["type"]](self, frame)
        except room_services.RoomError as exc:
            await self._error(exc.code, exc.message, client_id=client_id)
            if exc.code == str(room_services.CLOSE_FORBIDDEN):
                await self.close(code=room_services.CLOSE_FORBIDDEN)
        except GroupError as exc:
            await self._error("refused", " ".join(exc.messages), client_id=client_id)
        except PermissionError as exc:
            await self._error("forbidden", str(exc), client_id=client_id)
        except Exception:
            # A fault of ours, not of the frame: said to the client, and the socket lives on.
            logger.exception("room %s: a %s frame failed", self.room, frame["type"])
            await self._error(
                "server_error", _("Something went wrong; try again."), client_id=client_id
            )

    def _frame_allowed(self) -> bool:
        window = int(time.monotonic() // FRAME_WINDOW)
        if window != self.frame_window:
            self.frame_window, self.frame_count = window, 0
        self.frame_count += 1
        return self.frame_count <= FRAME_BUDGET

    async def on_sync(self, content: dict) -> None:
        after = content["after"]
        frames = await database_sync_to_async(room_services.room_catch_up)(
            group_id=self.group_id, after=after, limit=CATCH_UP_BATCH
        )
        await self.send_json(
            {"type": "batch", "messages": frames, "more": len(frames) == CATCH_UP_BATCH}
        )

    async def on_history(self, content: dict) -> None:
        around = content["around"]
        if around is not None:
            # The page around a message (a reply's original); "more": older ones exist.
            frames = await database_sync_to_async(room_services.room_history_around)(
                group_id=self.group_id, seq=around, limit=HISTORY_PAGE
            )
            more = bool(frames) and frames[0]["seq"] > 1
            await self.send_json(
                {"type": "history", "messages": frames, "more": more, "around": around}
            )
            return
        before = content["before"]
        frames = await database_sync_to_async(room_services.room_history)(
            group_id=self.group_id, before=before, limit=HISTORY_PAGE
        )
        await self.send_json(
            {"type": "history", "messages": frames, "more": len(frames) == HISTORY_PAGE}
        )

    async def on_post(self, content: dict) -> None:
        message = await database_sync_to_async(
            room_services.room_message_post, thread_sensitive=not _posts_in_parallel()
        )(
            group_id=self.group_id,
            actor=self.user,
            body=content["body"],
            broadcast=False,
            reply_to_seq=content["reply_to"],
        )
        # Committed: acknowledge, then tell the room (so the author gets the ack first).
        await self.send_json({"type": "ack", "client_id": content["client_id"], "seq": message.seq})
        # The broadcast is queued, not awaited: the socket's next post is saved while the
        # layer carries this one (a burst from one person used to wait for each round
        # trip to Redis in turn). The queue keeps the person's messages in order.
        self._broadcasts.append(message)
        if self._broadcaster is None:
            self._broadcaster = asyncio.get_running_loop().create_task(self._broadcast_queued())
            # Held until done: the loop keeps only a weak reference to its tasks.
            _BROADCASTERS.add(self._broadcaster)
            self._broadcaster.add_done_callback(_BROADCASTERS.discard)

    async def _broadcast_queued(self) -> None:
        try:
            while self._broadcasts:
                message = self._broadcasts.popleft()
                frame = room_services.message_frame(message)
                try:
                    await self.channel_layer.group_send(
                        self.room, {"type": "room.frame", "frame": frame}
                    )
                except Exception:
                    # Saved all the same: the members catch up by number when the layer
                    # is back.
                    logger.exception(
                        "room %s: broadcasting message %s failed", self.room, message.seq
                    )
                    self._layer_lost()
        finally:
            self._broadcaster = None

    async def on_edit(self, content: dict) -> None:
        # The room hears of it from the service, after the commit.
        await database_sync_to_async(room_edit_services.room_message_edit)(
            group_id=self.group_id, seq=content["seq"], actor=self.user, body=content["body"]
        )
        await self.send_json(
            {"type": "ack", "client_id": content["client_id"], "seq": content["seq"]}
        )

    async def on_delete(self, content: dict) -> None:
        await database_sync_to_async(room_edit_services.room_message_delete)(
            group_id=self.group_id, seq=content["seq"], actor=self.user
        )
        await self.send_json(
            {"type": "ack", "client_id": content["client_id"], "seq": content["seq"]}
        )

    async def on_revisions(self, content: dict) -> None:
        frame = await database_sync_to_async(room_edit_services.room_message_revisions)(
            group_id=self.group_id, seq=content["seq"], actor=self.user
        )
        await self.send_json({**frame, "client_id": content["client_id"]})

    async def on_typing(self, content: dict) -> None:
        now = time.monotonic()
        if now - self.last_typing < TYPING_MIN_INTERVAL:
            return  # throttled, silently: typing is a hint, not a message
        self.last_typing = now
        await self._layer_call(
            self.channel_layer.group_send(
                self.room,
                {
                    "type": "room.typing",
                    "user": {"id": self.user.pk, "name": self.user.public_name},
                },
            )
        )

    async def on_heartbeat(self, content: dict) -> None:
        present = await database_sync_to_async(self._presence_enter)()
        await self.send_json({"type": "presence", "present": present})

    async def on_read(self, content: dict) -> None:
        await database_sync_to_async(room_services.room_read_mark)(
            group_id=self.group_id, actor=self.user, seq=content["seq"]
        )

    async def on_react(self, content: dict) -> None:
        await database_sync_to_async(room_services.room_reaction_toggle)(
            group_id=self.group_id,
            seq=content["seq"],
            actor=self.user,
            emoji=content["emoji"],
        )

    async def on_report(self, content: dict) -> None:
        await database_sync_to_async(room_services.room_message_report)(
            group_id=self.group_id,
            seq=content["seq"],
            actor=self.user,
            reason=content["reason"],
        )
        await self.send_json({"type": "reported", "seq": content["seq"]})

    async def on_hide(self, content: dict) -> None:
        await database_sync_to_async(room_services.room_message_hide)(
            group_id=self.group_id, seq=content["seq"], actor=self.user
        )

    async def on_mute(self, content: dict) -> None:
        await database_sync_to_async(self._moderate)("mute", content["user_id"], content["minutes"])

    async def on_remove(self, content: dict) -> None:
        await database_sync_to_async(self._moderate)("remove", content["user_id"], 0)

    HANDLERS = {
        "sync": on_sync,
        "history": on_history,
        "post": on_post,
        "edit": on_edit,
        "delete": on_delete,
        "revisions": on_revisions,
        "typing": on_typing,
        "heartbeat": on_heartbeat,
        "read": on_read,
        "react": on_react,
        "report": on_report,
        "hide": on_hide,
        "mute": on_mute,
        "remove": on_remove,
    }

    def _moderate(self, action: str, user_id: int | None, minutes: int) -> None:
        from django.core.exceptions import PermissionDenied

        from .services import group_member_mute, group_member_remove

        membership = (
            GroupMembership.objects.select_related("group__association")
            .filter(group_id=self.group_id, user_id=user_id)
            .first()
        )
        if membership is None:
            raise room_services.RoomError("not_found", _("This person is not in the group."))
        try:
            if action == "mute":
                group_member_mute(membership=membership, actor=self.user, minutes=minutes)
            else:
                group_member_remove(membership=membership, actor=self.user)
        except PermissionDenied as exc:
            raise room_services.RoomError("forbidden", str(exc)) from exc

    # --- Presence ---------------------------------------------------------------------

    def _presence_enter(self) -> list[dict]:
        room_services.room_presence_touch(group_id=self.group_id, user_id=self.user.pk)
        return room_services.room_presence_list(group_id=self.group_id)

    async def _presence_broadcast(self, *, joined: bool) -> None:
        # A change, not the whole list: a room's members joining at once must not cost
        # a query and a list of everyone per arrival. Heartbeats bring the full list.
        person = {"id": self.user.pk, "name": self.user.public_name}
        frame = {"type": "presence", "joined" if joined else "left": person}
        await self._layer_call(
            self.channel_layer.group_send(self.room, {"type": "room.frame", "frame": frame})
        )

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    # --- Channel-layer events (this person's own; the room's go through the hub) ------

    async def room_frame(self, event: dict) -> None:
        # A frame for this person only (a new report, to a moderator), sent in order
        # with the room's frames.
        self.outbox.push(json.dumps(event["frame"]))

    async def room_muted(self, event: dict) -> None:
        await self.send_json({"type": "muted", "until": event["until"]})

    async def room_role(self, event: dict) -> None:
        # The person's powers changed (they left the association's team, or their role
        # there changed): the socket moderates, or stops, from now on.
        self.is_moderator = bool(event["moderator"])
        self.outbox.push(json.dumps({"type": "role", "moderator": self.is_moderator}))

    async def room_kick(self, event: dict) -> None:
        self.outbox.close()  # nothing of the room after "removed"
        await self.send_json({"type": "removed"})
        await self.close(code=room_services.CLOSE_FORBIDDEN)
