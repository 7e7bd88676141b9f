"""Production under load keeps PostgreSQL's connections within the pool's maximum.

uvicorn serves the site with the production settings on loopback; while it answers
300 requests, 30 at a time, the test watches `pg_stat_activity` for the server's
connections. Without the pool, a persistent connection per ASGI thread piles up
(the README used to advise CONN_MAX_AGE=60): the first test shows it.
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings

APP_NAME = "assosolos-pool-test"
POOL_MAX = 4

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        f"?application_name={APP_NAME}"
    )


def _admin_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or 5432,
        autocommit=True,
    )


def _server_connections(admin: psycopg.Connection) -> int:
    return admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
        [settings.DATABASES["default"]["NAME"], APP_NAME],
    ).fetchone()[0]


def _production_env(**env: str) -> dict[str, str]:
    root = settings.ROOT_DIR
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{root / 'site'}{os.pathsep}{root}",
        "DJANGO_SETTINGS_MODULE": "assosolos.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RELAY_CREDENTIALS_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        **env,
    }


@pytest.fixture(scope="module")
def static_root(collected_static):
    return collected_static


class Server:
    def __init__(self, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter)
            [sys.executable, "-m", "uvicorn", "assosolos.asgi:application"]
            + ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"],
            cwd=settings.ROOT_DIR,
            env=_production_env(**env),
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(self.log.read().decode())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("uvicorn did not start")

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _serve(server: Server, *, requests: int, concurrency: int) -> tuple[list[int], int]:
    """Send the requests; return their statuses and the most server connections seen."""
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        with _admin_connection() as admin:
            while not done.is_set():
                peak = max(peak, _server_connections(admin))
                time.sleep(0.02)
            peak = max(peak, _server_connections(admin))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        # Searches read the database every time (the home page and the lottery index
        # are served from the anonymous page cache once made).
        with ThreadPoolExecutor(concurrency) as pool:
            statuses = list(
                pool.map(lambda n: server.get(f"/recherche/?q=atelier{n}"), range(requests))
            )
    finally:
        done.set()
        watcher.join()
    return statuses, peak


def test_without_the_pool_persistent_connections_pile_up(
    require_postgres, require_redis, static_root
):
    """The leak the pool fixes (kept small: the database server is shared)."""
    server = Server(DB_POOL="false", CONN_MAX_AGE="60", STATIC_ROOT=static_root)
    try:
        statuses, peak = _serve(server, requests=15, concurrency=1)
    finally:
        server.stop()
    assert all(status < 500 for status in statuses), statuses
    print(f"without the pool: {peak} connections after 15 requests")
    assert peak > POOL_MAX


def test_300_requests_stay_within_the_pool(require_postgres, require_redis, static_root):
    server = Server(DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE=str(POOL_MAX), STATIC_ROOT=static_root)
    try:
        statuses, peak = _serve(server, requests=300, concurrency=30)
    finally:
        server.stop()
    assert len(statuses) == 300
    assert all(status < 500 for status in statuses), sorted(set(statuses))
    print(f"with the pool: at most {peak} connections during 300 requests")
    assert 1 <= peak <= POOL_MAX
