"""A uvicorn server with the production settings, and a private redis-server, for fault tests.

Each runs in its own process on a free loopback port, so a test can stop, kill and
restart them while it sends requests, without touching the services other tests use.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start in {timeout} s")


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test may kill."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (the system's redis-server)
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, self.process, "redis-server")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def production_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    root = settings.ROOT_DIR
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{root / 'site'}{os.pathsep}{root}",
        "DJANGO_SETTINGS_MODULE": "assosolos.settings.production",
        # The test's own key: the sessions it creates must be valid on the server.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        # A Fernet key (32 bytes, urlsafe base64) for the relay's credentials.
        "RELAY_CREDENTIALS_KEY": "YXNzb3NvbG9zLXRlc3RzLXJlbGF5LWtleS0zMmJ5dGU=",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECURE_SSL_REDIRECT": "false",
        "DRAW_SEED_ONLY_ALLOWED": "true",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def collect_static(path: str) -> None:
    """Production pages name their static files through the collected manifest."""
    env = production_env(
        database_url="sqlite:///unused", redis_url="redis://127.0.0.1:1/0", STATIC_ROOT=path
    )
    subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.ROOT_DIR,
        env=env,
        check=True,
    )


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # by lowercase name
    body: str

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class ProductionServer:
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    workers: int = 1

    def __post_init__(self) -> None:
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter)
            [sys.executable, "-m", "uvicorn", "assosolos.asgi:application"]
            + ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
            + ["--lifespan", "off"]
            # Open websockets and keep-alive connections would hold a graceful stop.
            + ["--timeout-graceful-shutdown", "1"]
            + (["--workers", str(self.workers)] if self.workers > 1 else []),
            cwd=settings.ROOT_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            # Its own process group: stopping it stops the workers it spawned too.
            start_new_session=True,
        )
        try:
            _wait_port(self.port, self.process, "uvicorn", timeout=120)
        except RuntimeError:
            raise RuntimeError(self.output()) from None

    def request(
        self,
        path: str,
        *,
        cookies: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        headers = dict(headers or {})
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if data is not None:
            body = "&".join(
                f"{urllib.parse.quote(k)}={urllib.parse.quote(v)}" for k, v in data.items()
            ).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.url + path, data=body, headers=headers)  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                return Response(response.status, _lower(response.headers), response.read().decode())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, _lower(exc.headers), exc.read().decode(errors="replace"))

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        # A worker left behind would keep its database connections and sockets.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer of its own
        return None
