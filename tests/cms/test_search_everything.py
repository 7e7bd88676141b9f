"""The site search finds public lotteries and verified associations beside pages."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from associations.models import Association
from lottery import services
from tests.associations.factories import AssociationFactory
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, open_lottery

from .factories import ArticlePageFactory

pytestmark = pytest.mark.django_db


def hits(response, key: str) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in page.select(f".search-hits-{key} h3 a")]


def search(client, query: str, **params):
    return client.get(reverse("search"), {"q": query, **params})


def test_finds_an_open_lottery_by_a_word_of_its_description(client, home_page):
    lottery = open_lottery(title="Tombola du printemps", description="Gagnez un vélo électrique.")
    open_lottery(title="Autre tombola", description="Un panier garni.")

    response = search(client, "électrique")

    assert hits(response, "lotteries") == ["Tombola du printemps"]
    link = BeautifulSoup(response.content, "html.parser").select_one(".search-hits-lotteries a")
    assert link["href"] == lottery.get_absolute_url()


def test_finds_closed_and_drawn_lotteries_but_no_draft_or_cancelled_one(client, home_page):
    closed = open_lottery(title="Kermesse fermée")
    services.lottery_close(lottery_id=closed.pk)
    LotteryFactory(title="Kermesse en brouillon")
    cancelled = open_lottery(title="Kermesse annulée")
    services.lottery_cancel(lottery=cancelled, actor=UserFactory())

    assert hits(search(client, "kermesse"), "lotteries") == ["Kermesse fermée"]


def test_hides_the_lotteries_of_an_association_that_is_not_verified(client, home_page):
    lottery = open_lottery(title="Tombola suspendue")
    Association.objects.filter(pk=lottery.association_id).update(
        status=Association.Status.SUSPENDED
    )
    assert hits(search(client, "suspendue"), "lotteries") == []


def test_finds_verified_associations_by_name_purpose_or_commune(client, home_page):
    AssociationFactory(name="Les Solos de Brest", purpose="Entraide entre indépendants.")
    AssociationFactory(name="Collectif Nantais", commune="Nantes", purpose="Ateliers.")
    AssociationFactory(
        name="Indépendants en attente",
        purpose="Entraide.",
        status=Association.Status.PENDING,
    )

    assert hits(search(client, "Brest"), "associations") == ["Les Solos de Brest"]
    assert hits(search(client, "nantes"), "associations") == ["Collectif Nantais"]
    assert hits(search(client, "entraide"), "associations") == ["Les Solos de Brest"]


def test_lotteries_and_associations_head_the_first_page_beside_articles(client, article_index):
    AssociationFactory(name="Photo solidaire")
    for n in range(11):
        ArticlePageFactory(parent=article_index, title=f"Photo {n}", intro="Une photo.")

    first = search(client, "photo")
    assert hits(first, "associations") == ["Photo solidaire"]
    page = BeautifulSoup(first.content, "html.parser")
    assert page.select_one("#search-pages").get_text() == "Pages et articles"
    assert len(page.select(".search-results h2 a")) == 10

    second = search(client, "photo", page=2)
    assert hits(second, "associations") == []
    assert len(BeautifulSoup(second.content, "html.parser").select(".search-results h2 a")) == 1


def test_only_an_association_matches_then_no_page_does(client, home_page):
    AssociationFactory(name="Photographes solidaires")
    response = search(client, "photographes")
    assert hits(response, "associations") == ["Photographes solidaires"]
    assert "Aucune page ne correspond à « photographes »." in response.text


def test_an_operator_only_query_finds_nothing_and_does_not_fail(client, home_page):
    open_lottery(title="Tombola")
    response = search(client, '"*()')
    assert response.status_code == 200
    assert hits(response, "lotteries") == []
