from django.urls import path

from .consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/groupes/<int:group_id>/", RoomConsumer.as_asgi()),
]
