"""Exports a French spreadsheet opens cleanly: .xlsx read back with openpyxl, French CSV."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lottery import services
from lottery.exports import XLSX_CONTENT_TYPE
from lottery.models import Order, Ticket
from tests.factories import UserFactory
from tests.lottery.factories import BundleFactory, LotteryFactory, PrizeFactory, manager_of

pytestmark = pytest.mark.django_db

# 2026-07-14 10:30 UTC is 12:30 in Paris (summer time).
PAID_AT = datetime(2026, 7, 14, 10, 30, tzinfo=UTC)


def url(name, lottery):
    return reverse(f"lottery:{name}", args=[lottery.association.slug, lottery.slug])


@pytest.fixture
def lottery():
    lottery = LotteryFactory(ticket_price_cents=250)
    PrizeFactory(lottery=lottery)
    BundleFactory(lottery=lottery, quantity=5, price_cents=1050)
    services.lottery_request_open(lottery=lottery, actor=None)
    lottery.refresh_from_db()
    return lottery


@pytest.fixture
def orders(lottery):
    buyer = UserFactory(display_name="Zoé", email="zoe@example.org")
    online = services.order_reserve(lottery=lottery, buyer=buyer, quantity=5)
    services.order_confirm_payment(order_id=online.pk, payment_intent_id="pi_export")
    cheque = services.order_record_offline(
        lottery=lottery,
        actor=None,
        channel="cheque",
        quantity=1,
        receipt_number="C-1",
        buyer_name='=HYPERLINK("http://x";"clic")',
    )
    Order.objects.filter(lottery=lottery).update(created_at=PAID_AT, paid_at=PAID_AT)
    Ticket.objects.filter(lottery=lottery).exclude(sold_at=None).update(sold_at=PAID_AT)
    return online, cheque


@pytest.fixture
def admin_client(client, lottery):
    client.force_login(manager_of(lottery.association))
    return client


def workbook_rows(response):
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet, list(sheet.iter_rows())


def test_orders_xlsx_has_french_headers_and_typed_cells(admin_client, lottery, orders):
    online, cheque = orders
    response = admin_client.get(url("export_orders_xlsx", lottery))

    assert response["Content-Disposition"].endswith('-commandes.xlsx"')
    sheet, (header, first, second) = workbook_rows(response)
    assert sheet.title == "Commandes"
    assert [c.value for c in header] == [
        "N° de commande",
        "Date",
        "Canal",
        "Statut",
        "Nom de l'acheteur",
        "E-mail de l'acheteur",
        "Nombre de billets",
        "Montant (€)",
        "Numéro de reçu",
        "Payée le",
        "Remboursée le",
        "Numéros de billets",
        "Paiement Stripe",
    ]
    row = {h.value: c for h, c in zip(header, first, strict=True)}
    assert row["N° de commande"].value == online.pk
    assert row["Nombre de billets"].value == 5
    amount = row["Montant (€)"]
    assert amount.data_type == "n" and amount.value == 10.5  # the bundle, in euros
    assert "€" in amount.number_format
    date = row["Date"]
    assert date.is_date and date.value == datetime(2026, 7, 14, 12, 30)  # Paris time
    assert row["Canal"].value == "En ligne" and row["Statut"].value == "Payée"
    assert row["Numéros de billets"].value == "1 2 3 4 5"
    assert row["Remboursée le"].value is None
    cheque_row = {h.value: c for h, c in zip(header, second, strict=True)}
    name = cheque_row["Nom de l'acheteur"]
    assert name.data_type == "s" and name.value == cheque.buyer_name  # text, never a formula
    assert cheque_row["Montant (€)"].value == 2.5
    assert cheque_row["Canal"].value == "Chèque"


def test_tickets_xlsx_lists_each_held_number_with_its_sale_date(admin_client, lottery, orders):
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)

    _sheet, rows = workbook_rows(admin_client.get(url("export_tickets_xlsx", lottery)))

    assert [c.value for c in rows[0]][:3] == ["N° de billet", "Statut", "N° de commande"]
    numbers = [(r[0].value, r[1].value) for r in rows[1:]]
    assert numbers == [(n, "Vendu") for n in range(1, 7)] + [(7, "Réservé, non payé")]
    assert rows[1][6].value == datetime(2026, 7, 14, 12, 30) and rows[1][6].is_date
    assert rows[7][6].value is None


def read_french_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_orders_csv_is_in_the_french_dialect_with_formulas_neutralised(
    admin_client, lottery, orders
):
    online, _cheque = orders
    response = admin_client.get(url("export_orders", lottery))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, first, second = read_french_csv(response)
    assert header[:4] == ["N° de commande", "Date", "Canal", "Statut"]
    row = dict(zip(header, first, strict=True))
    assert row["N° de commande"] == str(online.pk)
    assert row["Montant (€)"] == "10,50"  # decimal comma
    assert row["Date"] == "14/07/2026 12:30"
    assert row["E-mail de l'acheteur"] == "zoe@example.org"
    assert row["Paiement Stripe"] == "pi_export"
    cheque = dict(zip(header, second, strict=True))
    assert cheque["Nom de l'acheteur"] == '\'=HYPERLINK("http://x";"clic")'
    assert cheque["Numéro de reçu"] == "C-1"


def test_tickets_csv_lists_each_held_number(admin_client, lottery, orders):
    rows = read_french_csv(admin_client.get(url("export_tickets", lottery)))
    assert rows[0][:2] == ["N° de billet", "Statut"]
    assert [r[:2] for r in rows[1:]] == [[str(n), "Vendu"] for n in range(1, 7)]


def test_exports_are_for_the_association_admins_only(client, lottery, orders):
    client.force_login(UserFactory())
    for name in ("export_orders", "export_orders_xlsx", "export_tickets", "export_tickets_xlsx"):
        assert client.get(url(name, lottery)).status_code == 403, name


def test_amounts_never_pass_through_a_float():
    from lottery.exports import CENTS, Column, _csv_value, _euros

    assert _euros(1999) == Decimal("19.99")
    assert _csv_value(Column("x", CENTS), 100_000_001) == "1000000,01"
