"""Site search at /recherche/."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from .factories import ArticlePageFactory, ContentPageFactory, paragraph


def result_titles(response) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in page.select(".search-results h2 a")]


@pytest.fixture
def search(client):
    def run(query, **params):
        return client.get(reverse("search"), {"q": query, **params})

    return run


def test_search_finds_an_article_by_a_word_of_its_body(search, article_index):
    article = ArticlePageFactory(
        parent=article_index,
        title="Soigner son profil",
        intro="Quelques conseils.",
        body=[paragraph("<p>Prenez la photo près d'une fenêtre, sur un fond neutre.</p>")],
    )
    ArticlePageFactory(parent=article_index, title="Autre sujet")

    response = search("fenêtre")

    assert response.status_code == 200
    assert result_titles(response) == ["Soigner son profil"]
    link = BeautifulSoup(response.content, "html.parser").select_one(".search-results h2 a")
    assert link["href"] == article.url


def test_search_keeps_the_query_in_the_boxes(search, home_page):
    page = BeautifulSoup(search("réseau local").content, "html.parser")

    assert page.find("input", id="search-query")["value"] == "réseau local"
    # The header's search box too.
    assert page.find("input", id="site-search")["value"] == "réseau local"


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_shows_a_prompt_and_no_results(search, home_page, query):
    response = search(query)

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one(".search-results") is None
    assert page.select_one("p.empty") is None
    assert "Saisissez un ou plusieurs mots" in page.get_text()


def test_query_without_match_says_so(search, article_index):
    ArticlePageFactory(parent=article_index, title="LinkedIn")

    response = search("zzqxw")

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one(".search-results") is None
    assert "Aucune page ne correspond à « zzqxw »" in page.select_one("p.empty").get_text()


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"(*',
        'emploi "',
        '"jeunes',
        "jeunes*",
        "(emploi",
        "emploi AND OR NOT",
        "NEAR(",
        "l'emploi -",
        "emploi:",
        "x" * 500,
    ],
)
def test_odd_queries_never_fail(search, article_index, query):
    ArticlePageFactory(parent=article_index, title="L'emploi des jeunes")

    assert search(query).status_code == 200


def test_search_leaves_out_drafts(search, home_page):
    ContentPageFactory(parent=home_page, title="Calendrier publié")
    ContentPageFactory(parent=home_page, title="Calendrier secret", live=False)

    assert result_titles(search("calendrier")) == ["Calendrier publié"]


def test_search_results_are_paginated(search, article_index):
    for n in range(12):
        ArticlePageFactory(parent=article_index, title=f"Atelier numéro {n}")

    first = search("atelier")
    second = search("atelier", page=2)
    beyond = search("atelier", page="zz")

    assert len(result_titles(first)) == 10
    assert len(result_titles(second)) == 2
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    assert result_titles(beyond) == result_titles(first)
    next_link = BeautifulSoup(first.content, "html.parser").select_one(".pagination a[rel=next]")
    assert next_link["href"] == "?q=atelier&page=2"


def test_search_only_answers_get(client, home_page):
    assert client.post(reverse("search"), {"q": "x"}).status_code == 405
