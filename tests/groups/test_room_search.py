"""Searching a room: French full text on PostgreSQL, a plain contains elsewhere; members only.

Hidden messages never appear, in hits or in their context.
"""

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Message
from groups.search import selectors as search
from tests.factories import StaffFactory, UserFactory

from .factories import GroupFactory


def say(group, author, body, *, hidden=False):
    Group.objects.filter(pk=group.pk).update(last_seq=F("last_seq") + 1)
    seq = Group.objects.values_list("last_seq", flat=True).get(pk=group.pk)
    return Message.objects.create(
        group=group,
        seq=seq,
        author=author,
        body=body,
        hidden_at=timezone.now() if hidden else None,
    )


def found(group, query):
    return [m.body for m in search.room_messages_search(group_id=group.pk, query=query)]


@pytest.fixture
def contains_backend(monkeypatch):
    monkeypatch.setattr(search, "SEARCH_BACKEND", "contains")


# --- PostgreSQL: French, accents aside, stemmed -------------------------------------


def test_accents_do_not_matter_on_postgres(require_postgres, group, alice):
    say(group, alice, "Cet été, on publie nos profils.")
    say(group, alice, "Rien à voir.")
    assert found(group, "ete") == ["Cet été, on publie nos profils."]
    assert found(group, "ÉTÉ") == ["Cet été, on publie nos profils."]


def test_words_are_stemmed_on_postgres(require_postgres, group, alice):
    say(group, alice, "La réunion de jeudi est déplacée.")
    say(group, alice, "Réunions mensuelles : le premier lundi.")
    assert sorted(found(group, "reunions")) == [
        "La réunion de jeudi est déplacée.",
        "Réunions mensuelles : le premier lundi.",
    ]
    # Both words must be there (websearch syntax), and any text is a valid query.
    assert found(group, "réunion jeudi") == ["La réunion de jeudi est déplacée."]
    assert found(group, 'reunion -jeudi "(&|!') == ["Réunions mensuelles : le premier lundi."]


def test_the_search_index_serves_the_query(require_postgres, group, alice):
    # The filter the search applies, alone: the planner may prefer the room's own index
    # when the room is small, but the expression must be the indexed one.
    say(group, alice, "Cet été")
    queryset = search.messages_matching(Message.objects.all(), query="ete")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "groups_message_body_search" in plan


# --- Both databases -------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["database", "contains"])
def test_hidden_messages_and_other_rooms_never_match(backend, monkeypatch, group, alice):
    if backend == "contains":
        monkeypatch.setattr(search, "SEARCH_BACKEND", "contains")
    other = GroupFactory()
    say(group, alice, "profil LinkedIn à revoir")
    say(group, alice, "profil insultant", hidden=True)
    say(other, alice, "profil d'un autre groupe")
    assert found(group, "profil") == ["profil LinkedIn à revoir"]


@pytest.mark.parametrize("backend", ["database", "contains"])
def test_an_edited_message_is_found_by_its_new_words_not_its_old_ones(
    backend, monkeypatch, group, alice
):
    from groups.services.room_edit import room_message_edit

    if backend == "contains":
        monkeypatch.setattr(search, "SEARCH_BACKEND", "contains")
    message = say(group, alice, "atelier tricot jeudi")
    room_message_edit(
        group_id=group.pk, seq=message.seq, actor=alice, body="atelier poterie vendredi"
    )
    assert found(group, "poterie") == ["atelier poterie vendredi"]
    assert found(group, "vendredi") == ["atelier poterie vendredi"]
    assert found(group, "tricot") == []
    assert found(group, "jeudi") == []
    assert found(group, "atelier") == ["atelier poterie vendredi"]


@pytest.mark.parametrize("backend", ["database", "contains"])
def test_a_deleted_message_never_matches(backend, monkeypatch, group, alice):
    from groups.services.room_edit import room_message_delete

    if backend == "contains":
        monkeypatch.setattr(search, "SEARCH_BACKEND", "contains")
    kept = say(group, alice, "profil LinkedIn à revoir")
    gone = say(group, alice, "profil à effacer")
    room_message_delete(group_id=group.pk, seq=gone.seq, actor=alice)
    assert found(group, "profil") == [kept.body]
    assert list(search.room_messages_searchable(group_id=group.pk)) == [kept]


def test_the_fallback_ignores_case_and_wants_every_word(contains_backend, group, alice):
    say(group, alice, "Bonjour à tous, le Pitch est prêt")
    say(group, alice, "bonjour")
    assert found(group, "BONJOUR pitch") == ["Bonjour à tous, le Pitch est prêt"]
    assert found(group, "  ") == []
    assert len(found(group, "bonjour")) == 2


def test_each_hit_comes_with_its_visible_neighbours(contains_backend, group, alice, bob):
    say(group, bob, "avant")
    say(group, alice, "masqué", hidden=True)
    hit = say(group, alice, "le mot cherché")
    say(group, bob, "après")
    [entry] = search.search_hits_in_context(group_id=group.pk, messages=[hit])
    assert (entry.before.body, entry.message.body, entry.after.body) == (
        "avant",
        "le mot cherché",
        "après",
    )


# --- The page -------------------------------------------------------------------------


def search_url(group, **params):
    from urllib.parse import urlencode

    return reverse("groups:room_search", args=[group.pk]) + "?" + urlencode(params)


def test_a_member_finds_a_message_with_a_link_to_it_in_the_room(client, group, alice, bob):
    say(group, bob, "Salut")
    hit = say(group, bob, "Voici mon nouveau bandeau")
    say(group, alice, "Bravo")
    client.force_login(alice)
    response = client.get(search_url(group, q="bandeau"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Voici mon nouveau bandeau" in html
    assert "Salut" in html and "Bravo" in html  # the context
    assert f'href="{group.get_room_url()}#m{hit.seq}"' in html
    assert list(response.context["hits"])[0].message.pk == hit.pk


def test_hidden_messages_are_not_shown_on_the_page(client, group, alice, facilitator):
    say(group, alice, "un secret bien gardé", hidden=True)
    client.force_login(facilitator)
    response = client.get(search_url(group, q="secret"))
    assert response.status_code == 200
    assert response.context["hits"] == []
    assert "bien gardé" not in response.content.decode()


def test_strangers_are_refused_and_visitors_sent_to_sign_in(client, group, alice):
    say(group, alice, "réservé aux membres")
    client.force_login(UserFactory())
    response = client.get(search_url(group, q="membres"))
    assert response.status_code == 403
    assert "réservé aux membres" not in response.content.decode()
    client.logout()
    response = client.get(search_url(group, q="membres"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_staff_and_association_admins_may_search(client, group, alice):
    from tests.associations.factories import AdminFactory

    say(group, alice, "ordre du jour")
    for person in (StaffFactory(), AdminFactory(association=group.association).user):
        client.force_login(person)
        response = client.get(search_url(group, q="ordre"))
        assert response.status_code == 200
        assert len(response.context["hits"]) == 1


def test_empty_and_too_long_queries(client, group, alice):
    say(group, alice, "quelque chose")
    client.force_login(alice)
    response = client.get(reverse("groups:room_search", args=[group.pk]))
    assert response.status_code == 200
    assert response.context["page"] is None
    response = client.get(search_url(group, q="   "))
    assert response.status_code == 200 and response.context["page"] is None
    response = client.get(search_url(group, q="x" * (search.QUERY_MAX_LENGTH + 1)))
    assert response.status_code == 400
    assert response.context["form"].errors["q"]
    assert response.context["page"] is None


def test_results_come_by_pages_newest_first(client, group, alice):
    from groups.search.views import RESULTS_PER_PAGE

    for n in range(RESULTS_PER_PAGE + 3):
        say(group, alice, f"pitch numéro {n}")
    client.force_login(alice)
    first = client.get(search_url(group, q="pitch"))
    second = client.get(search_url(group, q="pitch", page=2))
    assert first.context["page"].paginator.count == RESULTS_PER_PAGE + 3
    assert first.context["hits"][0].message.body == f"pitch numéro {RESULTS_PER_PAGE + 2}"
    assert [h.message.body for h in second.context["hits"]] == [
        "pitch numéro 2",
        "pitch numéro 1",
        "pitch numéro 0",
    ]
    assert "page=2" in first.content.decode()
