"""The live draw page's websocket: winners revealed one by one as the draw commits.

Anyone may watch (the result is public). The message carries what the result page
shows (prize, ticket number, pseudonym), nothing else. A client that connects
after the draw gets the whole result at once, so a reload loses nothing.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.urls import path

from ..models import DrawResult, Lottery

CLOSE_NOT_FOUND = 4404


def _group(lottery_id: int) -> str:
    return f"lottery-draw-{lottery_id}"


def draw_winners_message(*, lottery_id: int) -> dict | None:
    result = DrawResult.objects.filter(lottery_id=lottery_id).first()
    if result is None:
        return None
    names = {p["rank"]: p["name"] for p in result.record["prizes"]}
    return {
        "type": "winners",
        "winners": [
            {"prize": names.get(w["prize_rank"], ""), "ticket": w["ticket"], "holder": w["holder"]}
            for w in result.record["winners"]
        ],
    }


def draw_broadcast(*, lottery_id: int) -> None:
    """Tell the watchers of a lottery's live page. Called after the draw commits."""
    message = draw_winners_message(lottery_id=lottery_id)
    layer = get_channel_layer()
    if message is None or layer is None:
        return
    async_to_sync(layer.group_send)(
        _group(lottery_id), {"type": "draw.revealed", "message": message}
    )


class DrawLiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.lottery_id = int(self.scope["url_route"]["kwargs"]["lottery_id"])
        exists = await database_sync_to_async(
            Lottery.objects.exclude(status=Lottery.Status.DRAFT).filter(pk=self.lottery_id).exists
        )()
        if not exists:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.channel_layer.group_add(_group(self.lottery_id), self.channel_name)
        await self.accept()
        message = await database_sync_to_async(draw_winners_message)(lottery_id=self.lottery_id)
        await self.send_json(message or {"type": "waiting"})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "lottery_id"):
            await self.channel_layer.group_discard(_group(self.lottery_id), self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Watchers only listen."""

    async def draw_revealed(self, event: dict) -> None:
        await self.send_json(event["message"])


websocket_urlpatterns = [
    path("ws/loteries/<int:lottery_id>/tirage/", DrawLiveConsumer.as_asgi()),
]
