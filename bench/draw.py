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

Then, with `DATABASE_URL` set to PostgreSQL, in a child process and its own
database `bench_<NAME>` (created, migrated and dropped here), 1 million sold
tickets (250,000 cash orders of 4 tickets, one holder each):
- **seal**: `lottery.services.ledger_seal`, the whole service (lock, checks, the
  ledger streamed out of PostgreSQL, hashed, stored, committed), undone between
  repeats;
- **limit**: `COPY (SELECT …) TO STDOUT` of the same rows, tickets joined to a
  table of their holders' pseudonyms computed beforehand, in number order, one row
  a ticket, hashed with SHA-256 as it arrives; its hash must be the seal's;
- **limit, chunked**: the same, the rows gathered by PostgreSQL in chunks of
  consecutive numbers as the seal gathers them (the limit of the seal's method);
- `limit_ratio` = limit time / seal time, medians over the repeats, seal and limit
  taking turns (the goal is at least 0.5: the seal at most twice its limit);
- peak resident memory of that child, and how much it grew during the seals.

Run from the repository root:

    DATABASE_URL=postgres://USER@HOST:5432/NAME python bench/draw.py

`--smoke`: tiny sizes, a few seconds, the same code paths (the database part
only when DATABASE_URL is PostgreSQL). The last line printed is one JSON object
with the figures, `ratio` and `limit_ratio` first (`limit_ratio` is null when the
database part did not run).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "site")]

from lottery.draw import core as draw_core  # noqa: E402 (standard library only, no Django)

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


PER_ORDER = 4


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _lottery_with_sales(n: int):
    """A closed lottery with n sold tickets: one cash order (one holder) per 4 tickets."""
    from datetime import date, timedelta

    from django.db import connection
    from django.utils import timezone

    from associations.models import Association
    from lottery import services
    from lottery.models import Lottery

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
        authorisation_commune="Lyon",
        authorisation_scan="lottery/authorisations/bench/arrete.pdf",
    )
    services.draw_commitment_create(lottery=lottery)
    with connection.cursor() as cursor:
        # One paid order per 4 tickets, cash buyers with an email; then the tickets.
        cursor.execute(
            """
            INSERT INTO lottery_order (lottery_id, buyer_name, buyer_email, quantity,
                amount_cents, channel, status, receipt_number, stripe_account_id,
                refund_blocked_reason, refunded_cents, client_address, created_at, paid_at)
            SELECT %s, '', 'buyer' || g || '@example.org', %s, %s, 'cash', 'paid', '', '', '', 0,
                '', now(), now()
            FROM generate_series(1, %s) g
            """,
            [lottery.pk, PER_ORDER, PER_ORDER * 200, -(-n // PER_ORDER)],
        )
        cursor.execute("SELECT min(id) FROM lottery_order WHERE lottery_id = %s", [lottery.pk])
        first_order = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO lottery_ticket (lottery_id, number, status, order_id, sold_at)
            SELECT %s, g, 'sold', %s + (g - 1) / %s, now() FROM generate_series(1, %s) g
            """,
            [lottery.pk, first_order, PER_ORDER, n],
        )
        cursor.execute("ANALYZE")
    return lottery


def _limit_table(lottery) -> None:
    """bench_holder(order_id, holder): every order's pseudonym, as the service derives it.

    A plain table, read in parallel by PostgreSQL where it sees fit; filled in
    batches, so that the limit's preparation does not inflate the peak memory.
    """
    from django.db import connection, transaction

    from lottery import services
    from lottery.models import DrawCommitment, Order

    key = DrawCommitment.objects.get(lottery=lottery).holder_key
    orders = (
        Order.objects.filter(lottery=lottery)
        .order_by("pk")
        .values_list("pk", "buyer_id", "buyer_email")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_holder (order_id bigint NOT NULL, holder text NOT NULL)")
        lines: list[str] = []
        for order_id, buyer_id, email in orders.iterator(chunk_size=10_000):
            holder = services.holder_pseudonym(
                holder_key=key, user_id=buyer_id, email=email, order_id=order_id
            )
            lines.append(f"{order_id}\t{holder}\n")
            if len(lines) == 10_000:
                with cursor.copy("COPY bench_holder (order_id, holder) FROM STDIN") as copy:
                    copy.write("".join(lines).encode())
                lines.clear()
        with cursor.copy("COPY bench_holder (order_id, holder) FROM STDIN") as copy:
            copy.write("".join(lines).encode())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bench_holder")


LIMIT_ROWS = """COPY (
    SELECT lpad(t.number::text, 10, '0') || ' ' || h.holder
    FROM lottery_ticket t JOIN bench_holder h ON h.order_id = t.order_id
    WHERE t.lottery_id = %s AND t.status = 'sold'
    ORDER BY t.number
) TO STDOUT"""

LIMIT_CHUNKS = """COPY (
    SELECT string_agg(lpad(t.number::text, 10, '0') || ' ' || h.holder || E'\\n', ''
        ORDER BY t.number)
    FROM lottery_ticket t JOIN bench_holder h ON h.order_id = t.order_id
    WHERE t.lottery_id = %s AND t.status = 'sold'
    GROUP BY t.number / 32768
    ORDER BY t.number / 32768
) TO STDOUT (FORMAT BINARY)"""


def _limit(lottery_id: int, *, chunked: bool) -> tuple[float, str]:
    """Stream the ledger's rows out of PostgreSQL and hash them: (seconds, SHA-256)."""
    import hashlib

    from django.db import connection

    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        if chunked:
            with cursor.copy(LIMIT_CHUNKS, [lottery_id]) as copy:
                copy.set_types(["text"])
                for (text,) in copy.rows():
                    digest.update(text.encode("ascii"))
        else:
            buffer = bytearray()  # hashed 1 MiB at a time: cheaper than once a row
            with cursor.copy(LIMIT_ROWS, [lottery_id]) as copy:
                for row in copy:
                    buffer += row
                    if len(buffer) >= 1 << 20:
                        digest.update(buffer)
                        buffer.clear()
            digest.update(buffer)
        seconds = time.perf_counter() - t0
    return seconds, digest.hexdigest()


def _seal(lottery_id: int) -> tuple[float, str]:
    """Seal through the service, then undo the seal for the next repeat."""
    from lottery import services
    from lottery.models import LedgerSeal, Lottery

    t0 = time.perf_counter()
    assert services.ledger_seal(lottery_id=lottery_id)
    seconds = time.perf_counter() - t0
    seal = LedgerSeal.objects.get(lottery_id=lottery_id)
    sha256 = seal.sha256
    seal.ledger.delete(save=False)
    seal.delete()
    Lottery.objects.filter(pk=lottery_id).update(ledger_sealed_at=None)
    return seconds, sha256


def _orm_seal(lottery) -> tuple[float, str]:
    """The portable executor (ORM, one record formatted per ticket in Python) on the same data."""
    from django.db import transaction

    from lottery import ledger_stream
    from lottery.models import DrawCommitment

    key = DrawCommitment.objects.get(lottery=lottery).holder_key
    with tempfile.TemporaryFile() as out, transaction.atomic():
        t0 = time.perf_counter()
        sha256 = ledger_stream.ledger_write_orm(lottery_id=lottery.pk, holder_key=key, out=out)
        return time.perf_counter() - t0, sha256


def _database_part(n: int, repeats: int, compare_orm: bool, queue) -> None:
    with tempfile.TemporaryDirectory() as media:
        os.environ["MEDIA_ROOT"] = media  # the sealed files go here, not in the project
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assosolos.settings.test")
        import django

        django.setup()
        from django.db import connection, connections

        if connection.vendor != "postgresql":
            queue.put(None)
            return
        creation = connection.creation
        old_name = connection.settings_dict["NAME"]
        test = connection.settings_dict.setdefault("TEST", {})
        test["NAME"] = f"bench_{old_name}"
        test["MIGRATE"] = False  # tables straight from the models: seconds, not a minute
        creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            lottery = _lottery_with_sales(n)
            _limit_table(lottery)
            _limit(lottery.pk, chunked=False)  # once untimed: every table read at least once
            rss_before = _rss_mb()
            seals, limits, chunked = [], [], []
            for repeat in range(repeats):
                # Seal and limit take turns going first, so neither always runs warmer.
                order = ("seal", "limit") if repeat % 2 == 0 else ("limit", "seal")
                for what in order:
                    if what == "seal":
                        seals.append(_seal(lottery.pk))
                    else:
                        limits.append(_limit(lottery.pk, chunked=False))
                        chunked.append(_limit(lottery.pk, chunked=True))
            rss_after = _rss_mb()
            hashes = {h for _, h in seals + limits + chunked}
            assert len(hashes) == 1, f"the seal and its limit do not hash the same bytes: {hashes}"
            figures = {
                "tickets": n,
                "repeats": repeats,
                "seal_s": [round(s, 3) for s, _ in seals],
                "limit_s": [round(s, 3) for s, _ in limits],
                "limit_chunked_s": [round(s, 3) for s, _ in chunked],
                "peak_rss_before_seal_mb": rss_before,
                "peak_rss_mb": rss_after,
            }
            seal_s = statistics.median(figures["seal_s"])
            limit_s = statistics.median(figures["limit_s"])
            chunked_s = statistics.median(figures["limit_chunked_s"])
            figures.update(
                seal_median_s=seal_s,
                limit_median_s=limit_s,
                limit_ratio=round(limit_s / seal_s, 3),
                limit_chunked_median_s=chunked_s,
                limit_chunked_ratio=round(chunked_s / seal_s, 3),
            )
            if compare_orm:
                orm_s, orm_hash = _orm_seal(lottery)
                assert orm_hash in hashes, "the ORM executor wrote other bytes"
                figures["orm_seal_s"] = round(orm_s, 2)
        finally:
            connections.close_all()
            creation.destroy_test_db(old_name, verbosity=0)
    queue.put(figures)


def _database(n: int, repeats: int, compare_orm: bool) -> dict | None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_database_part, args=(n, repeats, compare_orm, queue))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"the database part failed (exit code {process.exitcode})")
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--db-tickets", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3, help="seals and limits, medians")
    parser.add_argument(
        "--compare-orm", action="store_true", help="also time the ORM executor once (slow)"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.db_tickets, args.repeats = "20000", 2000, 1
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
    database = None
    if args.db_tickets:
        database = _database(args.db_tickets, max(1, args.repeats), args.compare_orm)
        if database is None:
            print("DATABASE_URL is not PostgreSQL: the database seal and its limit are skipped")
        else:
            print(
                f"{database['tickets']:>10,} tickets from PostgreSQL: seal "
                f"{database['seal_median_s']} s {database['seal_s']}, limit "
                f"{database['limit_median_s']} s {database['limit_s']}, limit_ratio "
                f"{database['limit_ratio']}; chunked limit {database['limit_chunked_median_s']} s, "
                f"ratio {database['limit_chunked_ratio']}; peak {database['peak_rss_mb']} MB "
                f"({database['peak_rss_before_seal_mb']} MB before the seals)"
                + (
                    f"; ORM executor {database['orm_seal_s']} s" if "orm_seal_s" in database else ""
                ),
                flush=True,
            )
    # The headline figures: the worst draw ratio over the sizes, the seal's limit ratio.
    summary = {
        "ratio": min(run["ratio"] for run in runs),
        "limit_ratio": database["limit_ratio"] if database else None,
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "prizes": len(PRIZES),
        "runs": runs,
        "postgres_seal": database,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
