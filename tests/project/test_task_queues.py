"""Two deployments sharing one Redis each take only their own tasks."""

import runpy

from django.conf import settings
from django_q.brokers.redis_broker import Redis as RedisBroker
from django_q.signing import SignedPackage

BASE_SETTINGS = settings.ROOT_DIR / "site" / "assosolos" / "settings" / "base.py"


def _deployment_q_cluster(monkeypatch, prefix: str) -> dict:
    """The Q_CLUSTER a deployment computes from its environment."""
    monkeypatch.setenv("REDIS_URL", settings.REDIS_URL)
    monkeypatch.setenv("CACHE_KEY_PREFIX", prefix)
    return runpy.run_path(str(BASE_SETTINGS))["Q_CLUSTER"]


def test_each_deployment_names_its_task_queue_after_its_prefix(monkeypatch):
    first = _deployment_q_cluster(monkeypatch, "assosolos-lyon")
    second = _deployment_q_cluster(monkeypatch, "assosolos-nantes")
    assert first["name"] == "assosolos-lyon"
    assert second["name"] == "assosolos-nantes"


def test_two_deployments_on_one_redis_do_not_take_each_others_tasks(require_redis, monkeypatch):
    lyon = RedisBroker(list_key=_deployment_q_cluster(monkeypatch, "assosolos-test-lyon")["name"])
    nantes = RedisBroker(
        list_key=_deployment_q_cluster(monkeypatch, "assosolos-test-nantes")["name"]
    )
    lyon.connection = nantes.connection = RedisBroker.get_connection()
    for broker in (lyon, nantes):
        broker.purge_queue()
    try:
        lyon.enqueue(SignedPackage.dumps({"func": "lottery.tasks.sales_sweep", "id": "lyon-1"}))

        assert nantes.dequeue() is None  # Nantes' cluster waits on its own list only
        [(_ack, package)] = lyon.dequeue()
        assert SignedPackage.loads(package)["id"] == "lyon-1"
    finally:
        for broker in (lyon, nantes):
            broker.purge_queue()
