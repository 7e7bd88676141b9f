"""Ticket rush: reserved tickets per second with many buyers at once, on PostgreSQL.

Compares the project's reservation (`lottery.services.order_reserve`: numbered
rows taken with `FOR UPDATE SKIP LOCKED`, the lottery row never locked) with the
textbook baseline (lock the lottery row with SELECT … FOR UPDATE, count the
tickets held, insert the new ones), in the same process, on the same data, and
with the least this machine allows for the same work, the limit: a bare psycopg
client sending one statement per order (`SELECT … FOR UPDATE SKIP LOCKED` of the
lowest free numbers, the order's insert and the numbers' update), with no checks,
over as many connections.

Run from the repository root:

    DATABASE_URL=postgres://USER@HOST:5432/NAME python bench/ticket_rush.py

`--smoke` runs tiny sizes once (a few seconds), to prove the bench still works.
It creates its own database (bench_NAME), migrates it, and drops it at the end.
The last line printed is one JSON object with the figures: `ratio` (ours over
the baseline) and `limit_ratio` (ours over the bare statement), higher is better.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assosolos.settings.test")

import django  # noqa: E402

django.setup()

from datetime import date, timedelta  # noqa: E402

from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from associations.models import Association  # noqa: E402
from lottery import selectors, services  # noqa: E402
from lottery.models import Lottery, Order, Prize, Ticket  # noqa: E402


class BaselineSoldOut(Exception):
    pass


def baseline_reserve(*, lottery: Lottery, buyer: User, quantity: int) -> Order:
    """The textbook approach: one lock on the lottery row serialises every buyer."""
    now = timezone.now()
    with transaction.atomic():
        current = Lottery.objects.select_for_update().get(pk=lottery.pk)
        if current.status != Lottery.Status.OPEN:
            raise BaselineSoldOut
        held = Ticket.objects.filter(
            lottery=current, status__in=(Ticket.Status.RESERVED, Ticket.Status.SOLD)
        ).count()
        if held + quantity > current.ticket_cap:
            raise BaselineSoldOut
        if current.per_person_cap is not None:
            mine = selectors.buyer_ticket_count(lottery_id=current.pk, buyer_id=buyer.pk)
            if mine + quantity > current.per_person_cap:
                raise BaselineSoldOut
        order = Order.objects.create(
            lottery=current,
            buyer=buyer,
            buyer_email=buyer.email,
            quantity=quantity,
            amount_cents=selectors.price_for_quantity(lottery=current, quantity=quantity),
            status=Order.Status.PENDING,
            expires_at=now + timedelta(minutes=15),
        )
        Ticket.objects.bulk_create(
            Ticket(lottery=current, number=held + i, status=Ticket.Status.RESERVED, order=order)
            for i in range(1, quantity + 1)
        )
    return order


def ours_reserve(*, lottery: Lottery, buyer: User, quantity: int) -> Order:
    return services.order_reserve(lottery=lottery, buyer=buyer, quantity=quantity)


_bare = threading.local()


def _bare_statement() -> tuple[str, list[str]]:
    """The limit's one statement, and the order columns it fills, in their order."""
    ticket, order = Ticket._meta.db_table, Order._meta.db_table
    fields = [f for f in Order._meta.local_concrete_fields if f is not Order._meta.auto_field]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(f"%({f.attname})s" for f in fields)
    sql = f"""WITH picked AS MATERIALIZED (
        SELECT id FROM {ticket} WHERE lottery_id = %(lottery_id)s AND status = %(available)s
        ORDER BY number LIMIT %(quantity)s FOR UPDATE SKIP LOCKED
    ),
    placed AS (
        INSERT INTO {order} ({columns}) SELECT {values}
        WHERE (SELECT count(*) FROM picked) = %(quantity)s RETURNING id
    )
    UPDATE {ticket} t SET status = %(reserved)s, order_id = placed.id
    FROM placed WHERE t.id IN (SELECT id FROM picked) RETURNING t.number"""  # noqa: S608
    return sql, [f.attname for f in fields]


def limit_reserve(*, lottery: Lottery, buyer: User, quantity: int) -> None:
    """The least the database must do per order: one statement, autocommit, no checks."""
    import psycopg

    if getattr(_bare, "conn", None) is None:
        db = connection.settings_dict
        _bare.conn = psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname=db["NAME"],
            autocommit=True,
        )
        _bare.sql, _bare.fields = _bare_statement()
    now = timezone.now()
    order = Order(
        lottery_id=lottery.pk,
        buyer_id=buyer.pk,
        buyer_email=buyer.email,
        quantity=quantity,
        amount_cents=quantity * lottery.ticket_price_cents,
        status=Order.Status.PENDING,
        created_at=now,
        expires_at=now + timedelta(minutes=15),
    )
    params = {
        name: Order._meta.get_field(name).get_db_prep_save(getattr(order, name), connection)
        for name in _bare.fields
    }
    params.update(
        available=Ticket.Status.AVAILABLE, reserved=Ticket.Status.RESERVED, quantity=quantity
    )
    rows = _bare.conn.execute(_bare.sql, params).fetchall()
    if len(rows) != quantity:
        raise BaselineSoldOut


def _bare_close() -> None:
    conn = getattr(_bare, "conn", None)
    if conn is not None:
        conn.close()
        _bare.conn = None


RESERVE = {"ours": ours_reserve, "baseline": baseline_reserve, "limit": limit_reserve}


def make_lottery(association: Association, *, cap: int, tag: str, pre_create: bool) -> Lottery:
    now = timezone.now()
    lottery = Lottery.objects.create(
        association=association,
        title=f"Bench {tag}",
        slug=f"bench-{tag}",
        authorisation_reference="BENCH",
        authorisation_date=date.today(),
        authorisation_commune="Lyon",
        authorisation_scan="lottery/authorisations/bench/arrete.pdf",
        rules="Règlement déposé en mairie.",
        ticket_price_cents=200,
        ticket_cap=cap,
        per_person_cap=cap,
        sales_open_at=now - timedelta(hours=1),
        sales_close_at=now + timedelta(days=1),
        draw_at=now + timedelta(days=2),
    )
    Prize.objects.create(lottery=lottery, rank=1, name="Atelier", value_cents=100)
    if pre_create:
        services.lottery_request_open(lottery=lottery, actor=None)
    else:
        Lottery.objects.filter(pk=lottery.pk).update(status=Lottery.Status.OPEN)
    lottery.refresh_from_db()
    return lottery


def _client_process(reserve_name, lottery_id, buyer_ids, args, barrier, results):
    """One web-worker-like process: `threads` connections placing orders for its buyers."""
    reserve = RESERVE[reserve_name]
    lottery = Lottery.objects.get(pk=lottery_id)
    buyers = list(User.objects.filter(pk__in=buyer_ids).order_by("pk"))
    connections.close_all()
    threads = args.threads // args.processes
    chunks = [buyers[i::threads] for i in range(threads)]
    ready = threading.Barrier(threads + 1)
    go = threading.Event()
    counts = {"ok": 0, "sold_out": 0, "error": 0}
    errors: list[str] = []
    lock = threading.Lock()

    def worker(chunk):
        ok = sold_out = failed = 0
        try:
            connection.ensure_connection()  # connecting is not part of the measure
            ready.wait()
            go.wait()
            for buyer in chunk:
                try:
                    reserve(lottery=lottery, buyer=buyer, quantity=args.quantity)
                    ok += 1
                except (services.SoldOut, BaselineSoldOut):
                    sold_out += 1
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    failed += 1
                    with lock:
                        errors.append(repr(exc))
        finally:
            connection.close()
            _bare_close()
            with lock:
                counts["ok"] += ok
                counts["sold_out"] += sold_out
                counts["error"] += failed

    pool = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in pool:
        t.start()
    ready.wait()
    barrier.wait()
    go.set()
    for t in pool:
        t.join()
    results.put((counts, errors[:3]))


def rush(reserve_name: str, lottery: Lottery, buyers: list[User], args) -> tuple[float, dict]:
    """Every buyer places one order, over `processes` × (threads/processes) connections.

    Processes, like a server's workers, so that the client's own interpreter lock
    does not cap the approach that runs in parallel.
    """
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(args.processes + 1)
    results = ctx.Queue()
    ids = [b.pk for b in buyers]
    connections.close_all()  # no connection may be shared with the children
    procs = [
        ctx.Process(
            target=_client_process,
            args=(reserve_name, lottery.pk, ids[i :: args.processes], args, barrier, results),
        )
        for i in range(args.processes)
    ]
    for p in procs:
        p.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    outcomes = [results.get(timeout=600) for _p in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    counts = {"ok": 0, "sold_out": 0, "error": 0}
    for part, errors in outcomes:
        for key in counts:
            counts[key] += part[key]
        if errors:
            print("errors:", errors, file=sys.stderr)
    return elapsed, counts


def oversold(lottery: Lottery) -> int:
    """Tickets claimed beyond the cap, plus numbers outside 1..cap or held twice."""
    claimed = sum(
        Order.objects.filter(
            lottery=lottery, status__in=(Order.Status.PENDING, Order.Status.PAID)
        ).values_list("quantity", flat=True)
    )
    held = Ticket.objects.filter(
        lottery=lottery, status__in=(Ticket.Status.RESERVED, Ticket.Status.SOLD)
    )
    numbers = list(held.values_list("number", flat=True))
    bad = sum(1 for n in numbers if not 1 <= n <= lottery.ticket_cap)
    return max(claimed - lottery.ticket_cap, 0) + (len(numbers) - len(set(numbers))) + bad


def mismatched(lottery: Lottery) -> int:
    """Orders not holding exactly as many numbers as they claim, plus numbers held for no order.

    `oversold` alone would miss an order counted as sold but given fewer numbers.
    """
    held = dict(
        Ticket.objects.filter(
            lottery=lottery, status__in=(Ticket.Status.RESERVED, Ticket.Status.SOLD)
        )
        .values_list("order_id")
        .annotate(n=Count("pk"))
        .values_list("order_id", "n")
    )
    live = Order.objects.filter(
        lottery=lottery, status__in=(Order.Status.PENDING, Order.Status.PAID)
    ).values_list("pk", "quantity")
    wrong = sum(1 for pk, quantity in live if held.pop(pk, 0) != quantity)
    return wrong + sum(held.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # One account holds one pending order per lottery (a second one replaces it), so
    # each order comes from its own account.
    parser.add_argument("--buyers", type=int, default=600, help="accounts, one order each")
    parser.add_argument("--threads", type=int, default=40, help="database connections in all")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--quantity", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, once: does it run?")
    args = parser.parse_args()
    if args.smoke:
        args.buyers, args.threads, args.processes, args.repeat = 60, 8, 2, 1

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: this benchmark measures its locking.")
    # Demand exceeds the cap by a sixth, so every run ends in a sold-out rush.
    cap = args.buyers * args.quantity * 5 // 6

    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    # A copy of an already migrated database when one is named (CI makes one).
    connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = os.environ.get(
        "TEST_DATABASE_TEMPLATE"
    )
    # Its own database, never the one a test run is using.
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
        buyers = User.objects.bulk_create(
            User(email=f"buyer{i}@example.org") for i in range(args.buyers)
        )
        results: dict[str, list[float]] = {"ours": [], "baseline": [], "limit": []}
        total_oversold = total_mismatched = 0
        names = ("ours", "baseline", "limit")
        for rep in range(args.repeat):
            # Rotate who goes first, so none always meets a warmer cache.
            order = names[rep % 3 :] + names[: rep % 3]
            for name in order:
                lottery = make_lottery(
                    association, cap=cap, tag=f"{name}-{rep}", pre_create=name != "baseline"
                )
                elapsed, counts = rush(name, lottery, buyers, args)
                reserved = counts["ok"] * args.quantity
                over = oversold(lottery)
                total_oversold += over
                wrong = mismatched(lottery)
                total_mismatched += wrong
                tps = reserved / elapsed
                results[name].append(tps)
                if counts["error"] or reserved != cap:
                    sys.exit(f"{name}: {counts['error']} errors, {reserved} reserved of {cap}")
                print(
                    f"rep {rep + 1} {name:8} {reserved:5d} reserved of cap {cap} "
                    f"in {elapsed:6.2f} s = {tps:8.1f} tickets/s, "
                    f"sold out {counts['sold_out']}, errors {counts['error']}, oversold {over}, "
                    f"mismatched {wrong}",
                    flush=True,
                )
    finally:
        connections.close_all()
        creation.destroy_test_db(old_name, verbosity=0)

    ours = statistics.median(results["ours"])
    baseline = statistics.median(results["baseline"])
    limit = statistics.median(results["limit"])
    print(
        json.dumps(
            {
                "ratio": round(ours / baseline, 2),
                "limit_ratio": round(ours / limit, 3),
                "ours_tps": round(ours, 1),
                "baseline_tps": round(baseline, 1),
                "limit_tps": round(limit, 1),
                "oversold": total_oversold,
                "mismatched": total_mismatched,
                "buyers": args.buyers,
                "connections": args.threads,
                "processes": args.processes,
                "tickets_per_order": args.quantity,
                "cap": cap,
                "repetitions": args.repeat,
            }
        )
    )
    if total_oversold or total_mismatched:
        sys.exit(f"oversold {total_oversold}, mismatched {total_mismatched}")


if __name__ == "__main__":
    main()
