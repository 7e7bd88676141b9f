"""With REDIS_URL set, the cache and the channel layer are shared by every worker."""

import subprocess
import sys
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from assosolos.ratelimit import ratelimit_consume

pytestmark = pytest.mark.usefixtures("require_redis")


def test_rate_limits_are_counted_across_processes():
    key = f"shared-{uuid.uuid4()}"
    code = (
        "import django; django.setup(); "
        "from assosolos.ratelimit import ratelimit_consume as c; "
        f"print([c(scope='t', key='{key}', limit=3, period=60) for _ in range(2)])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": f"{settings.ROOT_DIR}:{settings.ROOT_DIR / 'site'}",
            "DJANGO_SETTINGS_MODULE": "assosolos.settings.test",
            "REDIS_URL": settings.REDIS_URL,
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[True, True]"
    # The other process used two of the three attempts: one is left here.
    assert ratelimit_consume(scope="t", key=key, limit=3, period=60) is True
    assert ratelimit_consume(scope="t", key=key, limit=3, period=60) is False


def test_channel_layer_delivers_through_redis():
    layer = get_channel_layer()
    assert type(layer).__module__.startswith("channels_redis")
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.send)(channel, {"type": "room.message", "text": "bonjour"})
    assert async_to_sync(layer.receive)(channel) == {"type": "room.message", "text": "bonjour"}
