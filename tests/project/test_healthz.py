"""/healthz: JSON for monitors, 200 when every required part answers, 503 otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from assosolos.health import TASKS_LATE_SECONDS
from tests.project.live_production import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_time():
    """A cluster that schedules: every periodic task's next run is ahead."""
    Schedule.objects.update(next_run=timezone.now() + timedelta(minutes=1))
    Schedule.objects.create(
        func="math.floor",
        args="1",
        schedule_type=Schedule.MINUTES,
        minutes=1,
        next_run=timezone.now() + timedelta(seconds=30),
    )


def test_healthy_parts_answer_200_with_each_part(client, settings, on_time):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "tasks"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["tasks"]["ok"] is True


def test_a_cluster_that_stopped_scheduling_gives_503(client, settings, on_time):
    settings.REDIS_URL = ""
    late = timezone.now() - timedelta(seconds=TASKS_LATE_SECONDS + 60)
    Schedule.objects.filter(func="math.floor").update(next_run=late)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["tasks"] == {
        "ok": False,
        "required": True,
        "ms": response.json()["checks"]["tasks"]["ms"],
        "error": "TasksLate",
    }


def test_an_unreachable_redis_gives_503_naming_only_the_kind_of_error(client, settings, on_time):
    settings.REDIS_URL = f"redis://:secret-password@127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False
    assert response.json()["checks"]["cache"]["error"] == "ConnectionError"
    assert b"secret-password" not in response.content
    assert b"127.0.0.1" not in response.content


def test_drand_is_checked_when_configured_and_is_not_required(client, settings, on_time):
    settings.REDIS_URL = ""
    assert "drand" not in client.get("/healthz").json()["checks"]
    settings.DRAND_URLS = [f"http://127.0.0.1:{free_port()}"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["drand"]["ok"] is False
    assert response.json()["checks"]["drand"]["required"] is False


def test_healthz_is_never_served_from_the_page_cache(client, settings, on_time):
    settings.REDIS_URL = ""
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 5
    first = client.get("/healthz")
    Schedule.objects.filter(func="math.floor").update(
        next_run=timezone.now() - timedelta(seconds=TASKS_LATE_SECONDS + 60)
    )
    second = client.get("/healthz")
    assert (first.status_code, second.status_code) == (200, 503)
    assert "X-Page-Cache" not in second
