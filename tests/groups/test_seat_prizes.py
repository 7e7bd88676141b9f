"""Seats offered as lottery prizes: the group's admins attach a prize, its winners join."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups import selectors, services
from groups.models import GroupMembership, GroupSeatPrize
from lottery import services as lottery_services
from lottery.models import Lottery
from tests.associations.factories import AdminFactory, AssociationFactory, MembershipFactory
from tests.concurrency import run_at_once
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, PrizeFactory, open_lottery, paid_order

from .factories import GroupFactory, GroupMemberFactory

pytestmark = pytest.mark.django_db

Status = Lottery.Status


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def seat_group(admin):
    return GroupFactory(association=admin.association, title="LinkedIn pour débuter", capacity=4)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin.user)
    return client


def _attach_url(group):
    return reverse("groups:manage_seat_prize_attach", args=[group.pk])


def _detach_url(seat):
    return reverse("groups:manage_seat_prize_detach", args=[seat.group_id, seat.pk])


def _manage_url(group):
    return reverse("groups:manage", args=[group.pk])


def _prize(association, *, status=Status.DRAFT, quantity=1, **lottery_fields):
    lottery = LotteryFactory(association=association, status=status, **lottery_fields)
    return PrizeFactory(lottery=lottery, quantity=quantity, name=f"Coaching {lottery.pk}")


def _form_errors(response):
    return response.context["seat_prize_form"].errors


# --- Attaching and detaching from the manage page -----------------------------------


def test_admin_attaches_a_prize_and_the_page_lists_it(admin_client, seat_group):
    prize = _prize(seat_group.association, status=Status.OPEN, title="Tombola d'été")
    response = admin_client.post(_attach_url(seat_group), {"prize": prize.pk})
    assert response.status_code == 302
    assert response.url == _manage_url(seat_group) + "#prize-seats"
    seat = GroupSeatPrize.objects.get()
    assert (seat.prize, seat.group) == (prize, seat_group)

    page = admin_client.get(response.url)
    assert "donne désormais une place dans le groupe" in page.text
    section = page.text[page.text.index('id="prize-seats"') :]
    assert "Tombola d&#x27;été" in section
    assert f"{prize.rank}. {prize.name}" in section
    assert "<td>Ouverte</td>" in section  # the lottery's status
    assert _detach_url(seat) in section
    # The prize left the choices: it carries its seat now.
    assert [row.seat for row in page.context["prize_seats"]] == [seat]
    assert prize.pk not in [p.pk for p in selectors.group_prizes_attachable(group=seat_group)]


def test_the_choices_are_the_associations_prizes_that_may_still_take_a_seat(
    admin_client, seat_group
):
    association = seat_group.association
    draft, open_ = _prize(association), _prize(association, status=Status.OPEN)
    hidden = [
        _prize(association, status=Status.CLOSED),
        _prize(association, status=Status.DRAWN),
        _prize(association, status=Status.CANCELLED),
        _prize(AssociationFactory()),  # someone else's
    ]
    taken = _prize(association)
    GroupSeatPrize.objects.create(prize=taken, group=GroupFactory(association=association))
    page = admin_client.get(_manage_url(seat_group))
    values = [
        value for value, _label in page.context["seat_prize_form"].fields["prize"].widget.choices
    ]
    assert values == ["", draft.pk, open_.pk]
    for prize in [*hidden, taken]:
        assert f'value="{prize.pk}"' not in page.text.split('id="prize-seats"')[1]


def test_admin_detaches_a_seat_from_a_draft_lottery(admin_client, seat_group):
    seat = GroupSeatPrize.objects.create(prize=_prize(seat_group.association), group=seat_group)
    response = admin_client.post(_detach_url(seat))
    assert response.status_code == 302
    assert not GroupSeatPrize.objects.exists()
    assert "ne donne plus de place dans le groupe" in admin_client.get(response.url).text


def test_a_cancelled_lotterys_seat_may_be_detached(admin_client, seat_group):
    prize = _prize(seat_group.association, status=Status.CANCELLED)
    seat = GroupSeatPrize.objects.create(prize=prize, group=seat_group)
    admin_client.post(_detach_url(seat))
    assert not GroupSeatPrize.objects.exists()


# --- Refusals -------------------------------------------------------------------------


def test_a_prize_of_another_association_is_refused(admin_client, seat_group):
    foreign = _prize(AssociationFactory())
    response = admin_client.post(_attach_url(seat_group), {"prize": foreign.pk})
    assert response.status_code == 400
    assert _form_errors(response)["prize"] == [
        "Choisissez un lot d'une loterie de votre association."
    ]
    assert "Choisissez un lot d&#x27;une loterie de votre association." in response.text
    assert not GroupSeatPrize.objects.exists()


@pytest.mark.parametrize("value", ["999999", "abc", "", "-1", "9" * 30])
def test_an_unknown_or_malformed_prize_gets_a_form_error(admin_client, seat_group, value):
    response = admin_client.post(_attach_url(seat_group), {"prize": value})
    assert response.status_code == 400
    assert _form_errors(response)["prize"]
    assert not GroupSeatPrize.objects.exists()


def test_a_prize_already_carrying_a_seat_elsewhere_is_refused(admin_client, seat_group):
    prize = _prize(seat_group.association)
    other = GroupFactory(association=seat_group.association, title="Instagram ensemble")
    GroupSeatPrize.objects.create(prize=prize, group=other)
    response = admin_client.post(_attach_url(seat_group), {"prize": prize.pk})
    assert response.status_code == 400
    assert _form_errors(response)["prize"] == [
        "Ce lot donne déjà une place dans le groupe « Instagram ensemble »."
    ]
    assert GroupSeatPrize.objects.get().group == other
    # And a second time in the same group says so.
    seat_prize = _prize(seat_group.association)
    GroupSeatPrize.objects.create(prize=seat_prize, group=seat_group)
    response = admin_client.post(_attach_url(seat_group), {"prize": seat_prize.pk})
    assert _form_errors(response)["prize"] == ["Ce lot donne déjà une place dans ce groupe."]


@pytest.mark.parametrize(
    ("status", "sealed"),
    [
        (Status.CLOSED, False),
        (Status.CLOSED, True),
        (Status.DRAWN, True),
        (Status.CANCELLED, False),
    ],
)
def test_a_lottery_past_its_sales_refuses_a_new_seat(admin_client, seat_group, status, sealed):
    prize = _prize(
        seat_group.association,
        status=status,
        ledger_sealed_at=timezone.now() if sealed else None,
        title="Tombola d'hiver",
    )
    response = admin_client.post(_attach_url(seat_group), {"prize": prize.pk})
    assert response.status_code == 400
    [error] = _form_errors(response)["prize"]
    assert "Tombola d'hiver" in error and "ne peut plus changer" in error
    assert not GroupSeatPrize.objects.exists()


def test_an_open_lottery_sealed_by_mistake_is_still_refused(seat_group, admin):
    # The seal is what freezes the draw's inputs, whatever the status says.
    prize = _prize(seat_group.association, status=Status.OPEN, ledger_sealed_at=timezone.now())
    with pytest.raises(services.GroupError):
        services.group_seat_prize_attach(group=seat_group, actor=admin.user, prize_id=prize.pk)


def test_more_winners_than_free_seats_is_refused(admin_client, seat_group):
    """Capacity 4: two members and one seat already promised leave one seat to offer."""
    association = seat_group.association
    GroupMemberFactory.create_batch(2, group=seat_group)
    GroupMemberFactory(group=seat_group, role=GroupMembership.Role.FACILITATOR)  # takes none
    GroupSeatPrize.objects.create(prize=_prize(association, status=Status.OPEN), group=seat_group)
    # Seats promised by draws already done or cancelled are not owed any more.
    for status in (Status.DRAWN, Status.CANCELLED):
        GroupSeatPrize.objects.create(
            prize=_prize(association, status=status, quantity=3), group=seat_group
        )
    assert selectors.group_seat_promises(group=seat_group).free == 1

    two_winners = _prize(association, quantity=2)
    response = admin_client.post(_attach_url(seat_group), {"prize": two_winners.pk})
    assert response.status_code == 400
    assert _form_errors(response)["prize"] == [
        "Ce lot a 2 gagnants ; places ni occupées ni promises à un autre lot : 1. "
        "Augmentez d'abord le nombre de places du groupe."
    ]
    assert not GroupSeatPrize.objects.filter(prize=two_winners).exists()

    one_winner = _prize(association, quantity=1)
    assert admin_client.post(_attach_url(seat_group), {"prize": one_winner.pk}).status_code == 302
    assert selectors.group_seat_promises(group=seat_group).free == 0


def test_members_who_join_after_the_promise_bring_a_warning(admin_client, seat_group):
    GroupSeatPrize.objects.create(
        prize=_prize(seat_group.association, quantity=2), group=seat_group
    )
    page = admin_client.get(_manage_url(seat_group))
    assert "pour les gagnants à venir" not in page.text
    GroupMemberFactory.create_batch(3, group=seat_group)  # 3 members + 2 promised > 4
    page = admin_client.get(_manage_url(seat_group))
    assert page.context["seat_promises"].short == 1
    assert "Il manque 1 place au groupe pour les gagnants à venir" in page.text


def test_a_suspended_association_cannot_offer_seats(admin_client, seat_group):
    prize = _prize(seat_group.association)
    seat_group.association.status = "suspended"
    seat_group.association.save(update_fields=["status"])
    response = admin_client.post(_attach_url(seat_group), {"prize": prize.pk})
    assert response.status_code == 400
    assert "n'est pas une association vérifiée" in " ".join(
        response.context["seat_prize_form"].non_field_errors()
    )
    assert not GroupSeatPrize.objects.exists()


@pytest.mark.parametrize(
    ("status", "sealed"), [(Status.CLOSED, False), (Status.CLOSED, True), (Status.DRAWN, True)]
)
def test_the_seat_stays_once_sales_have_closed(admin_client, seat_group, status, sealed):
    prize = _prize(
        seat_group.association,
        status=status,
        ledger_sealed_at=timezone.now() if sealed else None,
    )
    seat = GroupSeatPrize.objects.create(prize=prize, group=seat_group)
    page = admin_client.get(_manage_url(seat_group))
    assert _detach_url(seat) not in page.text  # no button
    response = admin_client.post(_detach_url(seat), follow=True)
    assert "ne peut plus changer" in response.text
    assert GroupSeatPrize.objects.filter(pk=seat.pk).exists()


def test_the_seat_stays_once_a_ticket_is_sold_with_it(admin_client, seat_group):
    lottery = open_lottery(association=seat_group.association)
    seat = GroupSeatPrize.objects.create(prize=lottery.prizes.get(), group=seat_group)
    assert _detach_url(seat) in admin_client.get(_manage_url(seat_group)).text
    paid_order(lottery=lottery, quantity=1)
    assert _detach_url(seat) not in admin_client.get(_manage_url(seat_group)).text
    response = admin_client.post(_detach_url(seat), follow=True)
    assert "ont été vendus avec elle" in response.text
    assert GroupSeatPrize.objects.filter(pk=seat.pk).exists()


def test_a_seat_of_another_group_cannot_be_detached_through_this_one(admin_client, seat_group):
    other = GroupFactory()  # another association's group
    seat = GroupSeatPrize.objects.create(prize=_prize(other.association), group=other)
    url = reverse("groups:manage_seat_prize_detach", args=[seat_group.pk, seat.pk])
    response = admin_client.post(url, follow=True)
    assert "Ce lot ne donne plus de place dans ce groupe." in response.text
    assert GroupSeatPrize.objects.filter(pk=seat.pk).exists()


# --- Who may -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["association member", "group member", "stranger"])
def test_only_the_groups_managers_attach_and_detach(client, seat_group, who):
    prize = _prize(seat_group.association)
    seat = GroupSeatPrize.objects.create(prize=_prize(seat_group.association), group=seat_group)
    user = {
        "association member": lambda: MembershipFactory(association=seat_group.association).user,
        "group member": lambda: GroupMemberFactory(group=seat_group).user,
        "stranger": UserFactory,
    }[who]()
    client.force_login(user)
    assert client.post(_attach_url(seat_group), {"prize": prize.pk}).status_code == 403
    assert client.post(_detach_url(seat)).status_code == 403
    with pytest.raises(PermissionDenied):  # the service says no too, whoever calls it
        services.group_seat_prize_attach(group=seat_group, actor=user, prize_id=prize.pk)
    assert list(GroupSeatPrize.objects.values_list("prize", flat=True)) == [seat.prize_id]


def test_anonymous_visitors_are_sent_to_sign_in(client, seat_group):
    seat = GroupSeatPrize.objects.create(prize=_prize(seat_group.association), group=seat_group)
    for url in (_attach_url(seat_group), _detach_url(seat)):
        response = client.post(url, {"prize": seat.prize_id})
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert GroupSeatPrize.objects.count() == 1


def test_the_forms_need_a_post_with_its_csrf_token(admin, seat_group):
    prize = _prize(seat_group.association)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user)
    assert client.get(_attach_url(seat_group)).status_code == 405
    assert client.post(_attach_url(seat_group), {"prize": prize.pk}).status_code == 403
    page = client.get(_manage_url(seat_group))
    token = page.context["csrf_token"]
    response = client.post(
        _attach_url(seat_group), {"prize": prize.pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert GroupSeatPrize.objects.filter(prize=prize).exists()


# --- The public group page -----------------------------------------------------------


def test_the_group_page_names_the_prizes_that_offer_a_seat(client, seat_group):
    association = seat_group.association
    on_sale = _prize(association, status=Status.OPEN, quantity=2, title="Tombola de la rentrée")
    not_public = _prize(association, status=Status.DRAFT)
    done = _prize(association, status=Status.DRAWN, ledger_sealed_at=timezone.now())
    for prize in (on_sale, not_public, done):
        GroupSeatPrize.objects.create(prize=prize, group=seat_group)
    page = client.get(seat_group.get_absolute_url())
    assert page.status_code == 200
    assert "Une place à gagner à la loterie" in page.text
    assert f'<a href="{on_sale.lottery.get_absolute_url()}">Tombola de la rentrée</a>' in page.text
    assert "à chacun de ses 2 gagnants" in page.text
    assert not_public.lottery.title not in page.text
    assert done.lottery.title not in page.text


def test_the_group_page_has_no_seat_section_without_seat_prizes(client, seat_group):
    assert "Une place à gagner à la loterie" not in client.get(seat_group.get_absolute_url()).text


# --- End to end: from the manage page to the draw ------------------------------------


def test_a_seat_attached_on_the_page_enrols_the_winner_when_the_draw_commits(
    admin_client, seat_group, settings, django_capture_on_commit_callbacks
):
    settings.DRAND_URLS = []  # no public randomness: the draw uses the seed and the ledger
    lottery = open_lottery(association=seat_group.association, ticket_cap=20)
    prize = lottery.prizes.get()
    response = admin_client.post(_attach_url(seat_group), {"prize": prize.pk})
    assert response.status_code == 302

    buyer = UserFactory(email="gagnante@example.org")
    paid_order(lottery=lottery, buyer=buyer, quantity=3)  # the only buyer: she wins
    assert lottery_services.lottery_close(lottery_id=lottery.pk)
    assert lottery_services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lottery_services.draw_perform(
            lottery_id=lottery.pk, now=lottery.draw_at + timedelta(minutes=1)
        )

    membership = GroupMembership.objects.get(group=seat_group, user=buyer)
    assert membership.joined_via == GroupMembership.JoinedVia.PRIZE_SEAT
    seat_emails = [m for m in mail.outbox if seat_group.title in m.subject + m.body]
    assert [m.to for m in seat_emails] == [[buyer.email]]
    # Drawn: the seat is no longer promised, and stays with its prize.
    assert selectors.group_seat_promises(group=seat_group).promised == 0
    seat = GroupSeatPrize.objects.get(prize=prize)
    admin_client.post(_detach_url(seat))
    assert GroupSeatPrize.objects.filter(pk=seat.pk).exists()


# --- Two admins offering the last seat at once (PostgreSQL) -------------------------


def _race_for_the_last_seat(monkeypatch):
    admin = AdminFactory()
    group = GroupFactory(association=admin.association, capacity=1)
    prizes = [_prize(admin.association, status=Status.OPEN) for _ in range(2)]
    promised = selectors.group_seats_promised

    def slow_promised(**kwargs):
        # Widen the gap between counting the promised seats and the insert.
        result = promised(**kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(selectors, "group_seats_promised", slow_promised)
    results = run_at_once(
        prizes,
        lambda prize: services.group_seat_prize_attach(
            group=group, actor=admin.user, prize_id=prize.pk
        ),
    )
    outcomes = []
    for _job, result in results:
        if isinstance(result, services.GroupError):
            outcomes.append("refused")
        elif isinstance(result, Exception):
            raise result
        else:
            outcomes.append("attached")
    return group, sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_without_the_group_lock_both_admins_could_promise_the_last_seat(
    require_postgres, monkeypatch
):
    from groups.services import seats

    monkeypatch.setattr(seats, "_group_lock", lambda group_id: seats.Group.objects.get(pk=group_id))
    group, outcomes = _race_for_the_last_seat(monkeypatch)
    assert outcomes == ["attached", "attached"]
    assert selectors.group_seats_promised(group=group) == 2


@pytest.mark.django_db(transaction=True)
def test_with_the_group_lock_the_last_seat_is_promised_once(require_postgres, monkeypatch):
    group, outcomes = _race_for_the_last_seat(monkeypatch)
    assert outcomes == ["attached", "refused"]
    assert selectors.group_seats_promised(group=group) == 1


def test_the_group_page_costs_the_same_queries_with_one_or_many_seat_prizes(
    client, seat_group, django_assert_max_num_queries
):
    def prize_on_sale():
        prize = _prize(seat_group.association, status=Status.OPEN)
        GroupSeatPrize.objects.create(prize=prize, group=seat_group)

    prize_on_sale()
    client.get(seat_group.get_absolute_url())  # warm the lottery URL template cache
    with django_assert_max_num_queries(20) as one:
        client.get(seat_group.get_absolute_url())
    for _ in range(5):
        prize_on_sale()
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(seat_group.get_absolute_url())
    assert page.text.count("donne une place dans ce groupe") == 6
