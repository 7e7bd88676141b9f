"""Editors can open every page type in the Wagtail admin and add pages where allowed."""

from django.urls import reverse

from tests.factories import staff_sign_in

from .factories import ArticlePageFactory


def test_editor_can_open_each_page_type(client, staff_user, home_page, article_index, about_page):
    article = ArticlePageFactory(parent=article_index, tags=["LinkedIn"])
    staff_sign_in(client, staff_user)

    for page in (home_page, article_index, about_page, article):
        response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200, page


def test_add_page_forms_follow_the_page_type_rules(client, staff_user, article_index):
    staff_sign_in(client, staff_user)

    allowed = client.get(
        reverse("wagtailadmin_pages:add", args=["cms", "articlepage", article_index.pk])
    )
    refused = client.get(
        reverse(
            "wagtailadmin_pages:add", args=["cms", "articlepage", article_index.get_parent().pk]
        )
    )

    assert allowed.status_code == 200
    # Wagtail sends the editor back with an error instead of showing the form.
    assert refused.status_code == 302
    assert refused.url == reverse("wagtailadmin_home")
