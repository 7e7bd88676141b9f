"""Room fan-out: 200 members in one room, a burst of messages, on two ASGI servers.

Compares the project's room (`groups.consumers.RoomConsumer`: membership checks,
rate limit, each message saved with its room number before the broadcast, then
fanned out by each server's room hub, `groups.hub`) with
the minimal chat consumer of the Channels tutorial (no auth check, no
persistence: receive, group_send, send), mounted only here, on the same uvicorn
servers, the same Redis channel layer and the same middleware stack; and with the
limit, the least this machine allows for the same fan-out: a bare `websockets`
server in one process that broadcasts each message it receives to every socket
(no framework, no channel layer, no database), measured with the same clients.

Run from the repository root, with PostgreSQL and Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/assosolos_bench \\
        REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/room_fanout.py

It creates its own database (bench_room_NAME), migrates it, and drops it at the end.
Every client counts what it received; the project's clients then catch up by number
(as the room page does) and what is still missing counts as lost. The last line
printed is one JSON object with the figures, including "ratio" (ours / baseline,
delivered messages per second) and "limit_ratio" (ours / the bare broadcast).
`--smoke` runs tiny sizes once, in a few seconds, to prove the bench still works.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assosolos.settings.test")


def make_app():
    """The ASGI application of the bench servers: the project's, plus the tutorial chat."""
    from channels.auth import AuthMiddlewareStack
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.urls import path

    from assosolos.asgi import django_asgi_app  # sets Django up
    from assosolos.routing import websocket_routes

    class TutorialChatConsumer(AsyncWebsocketConsumer):
        # The Channels tutorial's chat room, as written there (async version).
        async def connect(self):
            self.room_group_name = "chat_" + self.scope["url_route"]["kwargs"]["room_name"]
            await self.channel_layer.group_add(self.room_group_name, self.channel_name)
            await self.accept()

        async def disconnect(self, close_code):
            await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

        async def receive(self, text_data=None, bytes_data=None):
            message = json.loads(text_data)["message"]
            await self.channel_layer.group_send(
                self.room_group_name, {"type": "chat.message", "message": message}
            )

        async def chat_message(self, event):
            await self.send(text_data=json.dumps({"message": event["message"]}))

    routes = [
        # Before the project's routes: they end with a catch-all for unknown paths.
        path("ws/bench/chat/<str:room_name>/", TutorialChatConsumer.as_asgi()),
        *websocket_routes(),
    ]
    return ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(routes))),
        }
    )


# The websocket side of uvicorn, as deploy/ runs it (Procfile, systemd unit).
WS_IMPLEMENTATION = "websockets-sansio"


# --- The limit: a bare broadcast ---------------------------------------------------------


def _bare_serve(port: int, deflate: bool) -> None:
    """Every text frame received goes to every open socket, as the tutorial's frames do.

    Compressed per message (permessage-deflate) exactly when the ASGI servers are.
    """
    from websockets.asyncio.server import broadcast, serve

    async def handler(socket) -> None:
        async for raw in socket:
            broadcast(server.connections, json.dumps({"message": json.loads(raw)["message"]}))

    async def main() -> None:
        nonlocal server
        async with serve(
            handler,
            "127.0.0.1",
            port,
            max_queue=None,
            ping_interval=None,
            compression="deflate" if deflate else None,
        ) as server:
            await server.serve_forever()

    server = None
    asyncio.run(main())


def _bare_start(*, deflate: bool):
    import multiprocessing
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("spawn").Process(target=_bare_serve, args=(port, deflate))
    process.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.terminate()
    sys.exit("The bare broadcast server did not start.")


# --- Clients --------------------------------------------------------------------------


class Member:
    """One websocket client; records what it received and when."""

    def __init__(self, socket, *, ours: bool, tag: str) -> None:
        self.socket, self.ours = socket, ours
        self.prefix = f"bench|{tag}|"  # only this run's messages count
        self.joined_at_seq = 0  # the room's last number when this client joined
        self.seen: set[str] = set()
        self.latencies: list[float] = []
        self.seqs: set[int] = set()
        self.recovered = 0
        self.last_frame_at = time.monotonic()
        self.last_record_at = 0.0

    async def listen(self) -> None:
        try:
            async for raw in self.socket:
                self.last_frame_at = time.monotonic()
                frame = json.loads(raw)
                if self.ours:
                    if frame.get("type") == "welcome":
                        self.joined_at_seq = frame["last_seq"]
                    elif frame.get("type") == "message":
                        self.seqs.add(frame["seq"])
                        self._record(frame["body"])
                    elif frame.get("type") == "batch":
                        self.batch = frame
                else:
                    self._record(frame["message"])
        except Exception:  # noqa: BLE001, S110 - closed at the end of the run
            pass

    def _record(self, text: str) -> None:
        if not text.startswith(self.prefix) or text in self.seen:
            return
        self.seen.add(text)
        now = time.time()
        self.last_record_at = now
        self.latencies.append(now - float(text.split("|")[3]))


async def _connect(url: str, cookie: str | None):
    from websockets.asyncio.client import connect

    origin = url.split("/ws/")[0].replace("ws://", "http://")
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    return await connect(
        url,
        origin=origin,
        additional_headers=headers,
        max_queue=None,
        open_timeout=120,
        ping_interval=None,
    )


async def _quiet(members: list[Member], seconds: float, limit: float) -> None:
    """Wait until no client has received anything for `seconds` (or `limit` passed)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if time.monotonic() - max(m.last_frame_at for m in members) > seconds:
            return
        await asyncio.sleep(0.1)


async def run_once(
    *,
    ours: bool,
    urls: list[str],
    group_id: int,
    cookies: list[str],
    senders: int,
    each: int,
    tag: str,
) -> dict:
    n = len(cookies)
    path = f"/ws/groupes/{group_id}/" if ours else f"/ws/bench/chat/{tag}/"
    sockets = []
    for start in range(0, n, 20):  # people arrive in waves, not all in the same instant
        sockets += await asyncio.gather(
            *(
                _connect(
                    urls[i % len(urls)].replace("http://", "ws://") + path,
                    cookies[i] if ours else None,
                )
                for i in range(start, min(n, start + 20))
            )
        )
    members = [Member(s, ours=ours, tag=tag) for s in sockets]
    listeners = [asyncio.create_task(m.listen()) for m in members]
    await _quiet(members, 1.0, 60)  # joins and presence frames settle first
    expected = {f"bench|{tag}|{s}-{i}" for s in range(senders) for i in range(each)}

    async def send_all(sender: int) -> None:
        for i in range(each):
            text = f"bench|{tag}|{sender}-{i}|{time.time()}"
            frame = {"type": "post", "body": text} if ours else {"message": text}
            await members[sender].socket.send(json.dumps(frame))

    started = time.time()
    await asyncio.gather(*(send_all(s) for s in range(senders)))
    total = len(expected) * n

    def delivered() -> int:
        return sum(len(m.seen) for m in members)

    deadline = time.monotonic() + 120
    while delivered() < total and time.monotonic() < deadline:
        if time.monotonic() - max(m.last_frame_at for m in members) > 3:
            break  # nothing more is coming
        await asyncio.sleep(0.05)
    live = delivered()
    elapsed = max(m.last_record_at for m in members) - started
    latencies = sorted(x for m in members for x in m.latencies)
    recovered = 0
    if ours:
        # What the room page does when it sees a gap: ask for everything after the last
        # number it had, page by page.
        for m in members:
            if len(m.seen) < len(expected):
                before, after, more = len(m.seen), m.joined_at_seq, True
                while more:
                    m.batch = None
                    await m.socket.send(json.dumps({"type": "sync", "after": after}))
                    while m.batch is None:
                        await asyncio.sleep(0.01)
                    for frame in m.batch["messages"]:
                        m._record(frame["body"])
                        after = max(after, frame["seq"])
                    more = m.batch["more"]
                recovered += len(m.seen) - before
    lost = sum(len(expected - {"|".join(t.split("|")[:3]) for t in m.seen}) for m in members)
    for s in sockets:
        await s.close()
    for task in listeners:
        task.cancel()
    return {
        "members": n,
        "messages": len(expected),
        "deliveries_expected": total,
        "delivered_live": live,
        "recovered": recovered,
        "lost": lost,
        "seconds": round(elapsed, 3),
        "msgs_per_s": round(live / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--messages-each", type=int, default=20)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--log", type=Path, default=None, help="where the servers log")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, once: does it run?")
    parser.add_argument(
        "--ws",
        default=WS_IMPLEMENTATION,
        choices=("websockets", "websockets-sansio", "wsproto", "auto"),
        help="uvicorn's websocket implementation (default: as deploy/ runs it)",
    )
    parser.add_argument(
        "--deflate",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="per-message compression, on the ASGI servers and the bare one alike "
        "(default off, as deploy/ runs it)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.members, args.senders, args.messages_each, args.repeat = 20, 2, 5, 1
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "REDIS_URL"
    ):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL.")

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from groups.models import Group, GroupMembership
    from tests.associations.factories import AssociationFactory
    from tests.factories import UserFactory
    from tests.groups.asgi_servers import asgi_servers, database_url_for

    old_name = connection.settings_dict["NAME"]
    creation = connection.creation
    # A copy of an already migrated database when one is named (CI makes one).
    connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = os.environ.get(
        "TEST_DATABASE_TEMPLATE"
    )
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_room_{old_name}"
    test_name = creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        group = Group.objects.create(
            association=AssociationFactory(),
            title="Bench",
            topic="linkedin",
            capacity=args.members,
        )
        cookies = []
        for i in range(args.members):
            user = UserFactory(email=f"bench{i}@example.org", verified=False)
            GroupMembership.objects.create(group=group, user=user, joined_via="invitation")
            client = Client()
            client.force_login(user)
            cookies.append(client.cookies["sessionid"].value)
        connection.close()
        env = {
            "DJANGO_SETTINGS_MODULE": "assosolos.settings.test",
            "DATABASE_URL": database_url_for(test_name),
            "REDIS_URL": os.environ["REDIS_URL"],
            "CONN_MAX_AGE": "60",  # as in production: a socket's queries reuse a connection
            # The burst is the point: the limit is still checked, but allows every run.
            "GROUPS_ROOM_RATE_LIMIT": str(args.messages_each * (args.repeat + 1)),
        }
        runs: dict[str, list[dict]] = {"ours": [], "baseline": [], "limit": []}
        bare, bare_url = _bare_start(deflate=args.deflate)
        kinds = ("baseline", "ours", "limit")
        with asgi_servers(
            args.servers,
            env=env,
            app="bench.room_fanout:make_app",
            factory=True,
            log_path=args.log,
            extra_args=(
                "--ws",
                args.ws,
                "--ws-per-message-deflate",
                "true" if args.deflate else "false",
            ),
        ) as urls:
            for r in range(args.repeat):
                order = kinds[r % 3 :] + kinds[: r % 3]
                for kind in order:
                    result = asyncio.run(
                        run_once(
                            ours=kind == "ours",
                            urls=[bare_url] if kind == "limit" else urls,
                            group_id=group.pk,
                            cookies=cookies,
                            senders=args.senders,
                            each=args.messages_each,
                            tag=f"{kind}{r}",
                        )
                    )
                    runs[kind].append(result)
                    print(kind, json.dumps(result), flush=True)
                    time.sleep(0.5 if args.smoke else 2)
    finally:
        if "bare" in locals():
            bare.terminate()
            bare.join()
        creation.destroy_test_db(old_name, verbosity=0)

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    ours, base = median("ours", "msgs_per_s"), median("baseline", "msgs_per_s")
    limit = median("limit", "msgs_per_s")
    lost = sum(r["lost"] for r in runs["ours"])
    print(
        json.dumps(
            {
                "ratio": round(ours / base, 3) if base else None,
                "limit_ratio": round(ours / limit, 3) if limit else None,
                "ours_msgs_per_s": ours,
                "baseline_msgs_per_s": base,
                "limit_msgs_per_s": limit,
                "limit_p50_ms": median("limit", "p50_ms"),
                "ours_p50_ms": median("ours", "p50_ms"),
                "ours_p99_ms": median("ours", "p99_ms"),
                "baseline_p50_ms": median("baseline", "p50_ms"),
                "baseline_p99_ms": median("baseline", "p99_ms"),
                "ours_lost": lost,
                "ours_recovered": sum(r["recovered"] for r in runs["ours"]),
                "baseline_lost": sum(r["lost"] for r in runs["baseline"]),
                "members": args.members,
                "messages": args.senders * args.messages_each,
                "servers": args.servers,
                "repeat": args.repeat,
                "ws": args.ws,
                "deflate": args.deflate,
            }
        )
    )
    if lost:
        sys.exit(f"{lost} messages lost in the room")


if __name__ == "__main__":
    main()
