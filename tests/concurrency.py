"""Running the same work in several threads at once, as concurrent requests would."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import close_old_connections, connection


def run_at_once(
    jobs: Sequence[Any],
    work: Callable[[Any], Any],
    *,
    threads: int | None = None,
    timeout: float = 300,
) -> list[tuple[Any, Any]]:
    """Run `work(job)` for every job over `threads` threads (one per job by default),
    released together by a barrier; each closes its own database connection.

    Returns (job, outcome) pairs in the order they finished, the outcome being what
    `work` returned or the exception it raised. Fails if a thread never finished.
    """
    outcomes: list[tuple[Any, Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(min(threads or len(jobs), len(jobs)))
    chunks = [jobs[i :: barrier.parties] for i in range(barrier.parties)]

    def runner(chunk: Sequence[Any]) -> None:
        try:
            barrier.wait(timeout=60)
            for job in chunk:
                try:
                    result = work(job)
                except Exception as exc:  # noqa: BLE001 - every outcome is recorded
                    result = exc
                with lock:
                    outcomes.append((job, result))
        finally:
            connection.close()

    started = [threading.Thread(target=runner, args=(chunk,)) for chunk in chunks]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=timeout)
    close_old_connections()
    assert len(outcomes) == len(jobs), "some threads never finished"
    return outcomes
