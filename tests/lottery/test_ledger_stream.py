"""The sealed ledger's two executors (ORM and PostgreSQL) write the same bytes.

The expected ledger is computed here the plain way, one pseudonym per ticket from
`services.holder_pseudonym` and `draw_core.ledger_bytes`, as the seal did before
it streamed out of PostgreSQL; both executors must give exactly these bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import io

import pytest
from django.db import connection

from lottery import ledger_stream, services
from lottery.draw import core as draw_core
from lottery.models import DrawCommitment, Lottery, Order, Ticket
from tests.factories import UserFactory

from .factories import open_lottery

pytestmark = pytest.mark.django_db

SOLD = Ticket.Status.SOLD


def _order(lottery: Lottery, *, numbers, buyer=None, email: str = "", status=SOLD) -> Order:
    """A paid order holding `numbers`, each ticket in `status` (sold, void, reserved)."""
    order = Order.objects.create(
        lottery=lottery,
        buyer=buyer,
        buyer_email=email,
        quantity=len(numbers),
        amount_cents=200 * len(numbers),
        channel=Order.Channel.ONLINE if buyer else Order.Channel.CASH,
        status=Order.Status.PAID,
    )
    Ticket.objects.filter(lottery=lottery, number__in=numbers).update(order=order, status=status)
    return order


def mixed_lottery() -> Lottery:
    """Every kind of holder, unsold and void tickets, and another lottery's sales."""
    lottery = open_lottery(ticket_cap=60)
    alice, bob = UserFactory(), UserFactory()
    _order(lottery, numbers=[3, 1, 17], buyer=alice)
    _order(lottery, numbers=[2, 40], buyer=bob)
    _order(lottery, numbers=[5, 6], buyer=alice, email="alice@example.org")  # same holder
    _order(lottery, numbers=[7], email="Carla@Example.org ")  # cash sale with an email
    _order(lottery, numbers=[30, 31], email="carla@example.org")  # same holder as above
    _order(lottery, numbers=[8, 9], email="dan@example.org")
    _order(lottery, numbers=[10], email="")  # cash sale without email: its own holder
    _order(lottery, numbers=[11], email="   ")  # blank email: its own holder too
    _order(lottery, numbers=[12, 13], buyer=bob, status=Ticket.Status.VOID)  # refunded
    _order(lottery, numbers=[14], email="erin@example.org", status=Ticket.Status.RESERVED)
    _order(lottery, numbers=[60, 59, 55], email="Émile@exemple.fr")  # non-ASCII, lowered
    # An order of the lottery whose tickets were all voided: a pseudonym nobody uses.
    _order(lottery, numbers=[20], buyer=UserFactory(), status=Ticket.Status.VOID)
    other = open_lottery(ticket_cap=10)
    _order(other, numbers=[1, 2, 3, 4], buyer=alice)
    return lottery


def expected_ledger(lottery: Lottery) -> bytes:
    key = DrawCommitment.objects.get(lottery=lottery).holder_key
    rows = []
    for ticket in Ticket.objects.filter(lottery=lottery, status=SOLD).order_by("number"):
        order = ticket.order
        holder = services.holder_pseudonym(
            holder_key=key,
            user_id=order.buyer_id if order else None,
            email=order.buyer_email if order else "",
            order_id=order.pk if order else None,
        )
        rows.append((ticket.number, holder))
    return draw_core.ledger_bytes(rows)


def written(write, lottery: Lottery) -> tuple[bytes, str]:
    out = io.BytesIO()
    key = DrawCommitment.objects.get(lottery=lottery).holder_key
    sha256 = write(lottery_id=lottery.pk, holder_key=key, out=out)
    return out.getvalue(), sha256


def test_the_pseudonym_is_hmac_sha256_of_the_holder_with_the_lottery_key():
    key = "ab" * 32
    expected = hmac.new(bytes.fromhex(key), b"email:carla@example.org", hashlib.sha256)
    assert (
        services.holder_pseudonym(
            holder_key=key, user_id=None, email=" Carla@Example.org ", order_id=4
        )
        == (expected.hexdigest()[:16])
    )
    pseudonyms = ledger_stream.HolderPseudonyms(key)
    assert pseudonyms.of("user:7") == pseudonyms.of("user:7")  # the copied key is not consumed
    assert (
        pseudonyms.of("user:7")
        == hmac.new(bytes.fromhex(key), b"user:7", "sha256").hexdigest()[:16]
    )


def test_the_orm_executor_writes_the_ledger_of_the_sold_tickets():
    lottery = mixed_lottery()
    content, sha256 = written(ledger_stream.ledger_write_orm, lottery)
    assert content == expected_ledger(lottery)
    assert sha256 == hashlib.sha256(content).hexdigest()
    numbers = [int(line[:10]) for line in content.splitlines()]
    assert numbers == [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 17, 30, 31, 40, 55, 59, 60]
    holders = dict(line.decode().split() for line in content.splitlines())
    assert holders["0000000001"] == holders["0000000005"]  # alice, online and with her email
    assert holders["0000000007"] == holders["0000000030"]  # carla, the email in two cases
    assert holders["0000000010"] != holders["0000000011"]  # two sales without email
    assert len(set(holders.values())) == 7


def test_both_executors_write_the_same_bytes_on_postgres(require_postgres, monkeypatch):
    lottery = mixed_lottery()
    expected = expected_ledger(lottery)
    orm = written(ledger_stream.ledger_write_orm, lottery)
    postgres = written(ledger_stream.ledger_write_postgres, lottery)
    assert orm == postgres == (expected, hashlib.sha256(expected).hexdigest())
    # Small batches and chunks: several loads of pseudonyms, many chunks of records.
    monkeypatch.setattr(ledger_stream, "ORDER_BATCH", 2)
    monkeypatch.setattr(ledger_stream, "CHUNK_NUMBERS", 4)
    assert written(ledger_stream.ledger_write_postgres, lottery) == postgres


def test_the_seal_writes_with_the_executor_of_its_database(monkeypatch):
    lottery = mixed_lottery()
    expected = expected_ledger(lottery)
    assert written(ledger_stream.ledger_file_write, lottery)[0] == expected
    if connection.vendor == "postgresql":  # the streaming executor, not the ORM's

        def refuse(**kwargs):
            raise AssertionError("the ORM executor ran on PostgreSQL")

        monkeypatch.setattr(ledger_stream, "ledger_write_orm", refuse)
        assert written(ledger_stream.ledger_file_write, lottery)[0] == expected


def test_a_sold_ticket_without_order_has_the_same_holder_in_both(require_postgres):
    lottery = mixed_lottery()
    Ticket.objects.filter(lottery=lottery, number=9).update(order=None)
    orm = written(ledger_stream.ledger_write_orm, lottery)
    assert orm[0] == expected_ledger(lottery)
    assert written(ledger_stream.ledger_write_postgres, lottery) == orm


def test_an_empty_ledger_is_the_same_in_both(require_postgres):
    lottery = open_lottery(ticket_cap=5)
    empty = (b"", hashlib.sha256(b"").hexdigest())
    assert written(ledger_stream.ledger_write_orm, lottery) == empty
    assert written(ledger_stream.ledger_write_postgres, lottery) == empty


def test_both_executors_refuse_a_ticket_numbered_zero(require_postgres):
    lottery = mixed_lottery()
    Ticket.objects.filter(lottery=lottery, number=60).update(number=0)
    for write in (ledger_stream.ledger_write_orm, ledger_stream.ledger_write_postgres):
        with pytest.raises(draw_core.DrawInputError):
            written(write, lottery)


def test_postgres_refuses_a_ticket_whose_order_is_another_lotterys(require_postgres):
    lottery = mixed_lottery()
    stray = Order.objects.exclude(lottery=lottery).first()
    Ticket.objects.filter(lottery=lottery, number=8).update(order=stray)
    with pytest.raises(draw_core.DrawInputError, match="malformed"):
        written(ledger_stream.ledger_write_postgres, lottery)


def test_the_seal_on_postgres_stores_the_orm_executors_ledger(require_postgres):
    lottery = mixed_lottery()
    Lottery.objects.filter(pk=lottery.pk).update(status=Lottery.Status.CLOSED)
    orm_bytes, orm_hash = written(ledger_stream.ledger_write_orm, lottery)
    assert services.ledger_seal(lottery_id=lottery.pk)
    seal = Lottery.objects.get(pk=lottery.pk).ledger_seal
    with seal.ledger.open("rb") as f:
        assert f.read() == orm_bytes
    assert seal.sha256 == orm_hash
    assert seal.ticket_count == len(orm_bytes) // draw_core.RECORD_SIZE == 17


def test_postgres_computes_one_pseudonym_per_holder(require_postgres, monkeypatch):
    lottery = open_lottery(ticket_cap=40)
    users = [UserFactory() for _ in range(3)]
    number = 0
    for round_ in range(3):  # three orders each, interleaved, four tickets an order
        for holder in [*users, "fay@example.org", "gus@example.org"]:
            numbers = range(number + 1, number + 3) if round_ else range(number + 1, number + 5)
            number = numbers[-1]
            if isinstance(holder, str):
                _order(lottery, numbers=list(numbers), email=holder)
            else:
                _order(lottery, numbers=list(numbers), buyer=holder)
    calls = []
    original = ledger_stream.HolderPseudonyms.of

    def counted(self, identity):
        calls.append(identity)
        return original(self, identity)

    monkeypatch.setattr(ledger_stream.HolderPseudonyms, "of", counted)
    content, _ = written(ledger_stream.ledger_write_postgres, lottery)
    assert len(content) // draw_core.RECORD_SIZE == 40
    # Five holders, and the one of a ticket without an order, computed up front.
    assert len(calls) == len(set(calls)) == 6
