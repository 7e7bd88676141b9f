"""Start real ASGI servers (uvicorn) on loopback, in their own processes.

Used by the end-to-end room tests and by `bench/room_fanout.py`: several
servers sharing one PostgreSQL database and one Redis, like a deployment's
workers behind a proxy.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for(name: str) -> str:
    """The DATABASE_URL of this process, pointing at database `name` instead."""
    if not os.environ.get("DATABASE_URL"):
        return f"sqlite:///{name}"  # the test database file
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ASGI server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"ASGI server on port {port} did not start in {timeout} s")


@contextmanager
def asgi_servers(
    count: int,
    *,
    env: dict[str, str],
    app: str = "tests.groups.e2e_asgi:application",
    factory: bool = False,
    log_path: Path | None = None,
    extra_args: tuple[str, ...] = (),
):
    """Yield the base URLs of `count` uvicorn servers; stop them on exit.

    `extra_args` go to uvicorn's command line as they are (e.g. its websocket options).
    """
    processes: list[subprocess.Popen] = []
    urls = []
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        for _ in range(count):
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--app-dir",
                str(ROOT / "site"),
                "--log-level",
                "warning",
                "--no-access-log",
                "--lifespan",
                "off",
                # Open websockets would hold a graceful stop.
                "--timeout-graceful-shutdown",
                "1",
            ]
            if factory:
                command.append("--factory")
            command += extra_args
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'site'}", **env},
                stdout=log,
                stderr=log,
            )
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            _wait_for(int(url.rsplit(":", 1)[1]), process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if log is not subprocess.DEVNULL:
            log.close()
