"""Draw benchmark: seal and draw 100 prizes among 1 and 10 million sold tickets.

For each size, in a fresh child process (so its peak memory is its own):
- **seal**: write the canonical ledger file of N sold tickets and its SHA-256
  (`draw_core.ledger_write`, the code the seal runs);
- **hash**: SHA-256 of the same ledger file once, read in 1 MiB chunks: the
  baseline, the least any draw that looks at its ledger must do;
- **draw**: what the draw service runs on the sealed file: open it, check it
  still has the sealed hash, and derive 100 winners (`draw_core.winners_draw`);
- `ratio` = hash time / draw time (1.0 would mean the draw costs no more than
  reading its ledger once; the goal is at least 0.5);
- peak resident memory of the child process (goal: under 300 MB at 10 million).

Then, with `DATABASE_URL` set to PostgreSQL, the time to seal 1 million sold
tickets from the database (`lottery.services.ledger_seal`), in its own database
`bench_<NAME>`, created, migrated and dropped here.

Run from the repository root:

    DATABASE_URL=postgres://USER@HOST:5432/NAME python bench/draw.py

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "site")]

from lottery import draw_core  # noqa: E402 (standard library only, no Django)

PRIZES = [1] * 100
SEED = "5e" * 32
BEACON = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587"


def _rows(n: int):
    # Sold numbers with gaps (every 7th number unsold), 3 tickets a holder, holder ids
    # from a fixed pool so that making up the data costs little next to the seal.
    pool = [f"{(h * 0x9E3779B97F4A7C15) % (1 << 64):016x}" for h in range(4096)]
    number = 0
    for i in range(n):
        number += 2 if i % 6 == 5 else 1
        yield number, pool[(i // 3) % 4096]


def _one_size(n: int, queue) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.txt"
        t0 = time.perf_counter()
        with path.open("wb") as out:
            sealed_hash = draw_core.ledger_write(_rows(n), out)
        seal_s = time.perf_counter() - t0

        with path.open("rb") as f:
            t0 = time.perf_counter()
            baseline_hash = draw_core.sha256_file(f)
            hash_s = time.perf_counter() - t0
        assert baseline_hash == sealed_hash

        t0 = time.perf_counter()
        with path.open("rb") as f:
            ledger = draw_core.Ledger(f)
            assert ledger.sha256() == sealed_hash
            result = draw_core.winners_draw(
                seed_hex=SEED,
                ledger=ledger,
                ledger_sha256=sealed_hash,
                beacon_randomness=BEACON,
                lottery_id=1,
                prize_quantities=PRIZES,
                one_prize_per_person=True,
            )
        draw_s = time.perf_counter() - t0
        assert len(result.winners) == len(PRIZES)
        size_mb = path.stat().st_size / 1e6
    queue.put(
        {
            "tickets": n,
            "ledger_mb": round(size_mb, 1),
            "seal_s": round(seal_s, 3),
            "hash_s": round(hash_s, 3),
            "draw_s": round(draw_s, 3),
            "ratio": round(hash_s / draw_s, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )


def _measure(n: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_one_size, args=(n, queue))
    process.start()
    figures = queue.get()
    process.join()
    return figures


def _seal_from_postgres(n: int) -> dict | None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assosolos.settings.test")
    import django

    django.setup()
    from datetime import date, timedelta

    from django.db import connection, connections
    from django.utils import timezone

    from associations.models import Association
    from lottery import services
    from lottery.models import DrawCommitment, Lottery

    if connection.vendor != "postgresql":
        print("DATABASE_URL is not PostgreSQL: the database seal is not measured")
        return None
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"
    creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        association = Association.objects.create(
            name="Bench",
            slug="bench",
            rna_number="W000000001",
            address="1 rue du Banc",
            postcode="75001",
            commune="Paris",
            purpose="Benchmark",
            contact_email="bench@example.org",
            status=Association.Status.VERIFIED,
        )
        now = timezone.now()
        lottery = Lottery.objects.create(
            association=association,
            title="Bench draw",
            slug="bench-draw",
            ticket_price_cents=200,
            ticket_cap=n,
            sales_open_at=now - timedelta(days=2),
            sales_close_at=now - timedelta(days=1),
            draw_at=now,
            status=Lottery.Status.CLOSED,
            authorisation_reference="BENCH",
            authorisation_date=date.today(),
        )
        services.draw_commitment_create(lottery=lottery)
        per_order = 4
        with connection.cursor() as cursor:
            # One paid order per 4 tickets, cash buyers with an email; then the tickets.
            cursor.execute(
                """
                INSERT INTO lottery_order (lottery_id, buyer_name, buyer_email, quantity,
                    amount_cents, channel, status, receipt_number, created_at, paid_at)
                SELECT %s, '', 'buyer' || g || '@example.org', %s, %s, 'cash', 'paid', '',
                    now(), now()
                FROM generate_series(1, %s) g
                """,
                [lottery.pk, per_order, per_order * 200, n // per_order],
            )
            cursor.execute("SELECT min(id) FROM lottery_order WHERE lottery_id = %s", [lottery.pk])
            first_order = cursor.fetchone()[0]
            cursor.execute(
                """
                INSERT INTO lottery_ticket (lottery_id, number, status, order_id, sold_at)
                SELECT %s, g, 'sold', %s + (g - 1) / %s, now() FROM generate_series(1, %s) g
                """,
                [lottery.pk, first_order, per_order, n],
            )
            cursor.execute("ANALYZE lottery_ticket")
        t0 = time.perf_counter()
        assert services.ledger_seal(lottery_id=lottery.pk)
        seal_s = time.perf_counter() - t0
        lottery.refresh_from_db()
        assert lottery.ledger_seal.ticket_count == n
        assert DrawCommitment.objects.filter(lottery=lottery).exists()
        return {"tickets": n, "seal_db_s": round(seal_s, 2)}
    finally:
        connections.close_all()
        creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--db-tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = []
    for n in sizes:
        figures = _measure(n)
        print(
            f"{n:>10,} tickets: ledger {figures['ledger_mb']} MB, seal {figures['seal_s']} s, "
            f"hash {figures['hash_s']} s, draw {figures['draw_s']} s, "
            f"ratio {figures['ratio']}, peak {figures['peak_rss_mb']} MB",
            flush=True,
        )
        runs.append(figures)
    database = _seal_from_postgres(args.db_tickets) if args.db_tickets else None
    if database:
        tickets, seconds = database["tickets"], database["seal_db_s"]
        print(f"{tickets:>10,} tickets sealed from PostgreSQL in {seconds} s")
    # The headline figure is the worst case over the sizes measured.
    summary = {
        "ratio": min(run["ratio"] for run in runs),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "prizes": len(PRIZES),
        "runs": runs,
        "postgres_seal": database,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
