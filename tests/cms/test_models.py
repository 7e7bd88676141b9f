import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.models import Page

from cms.blocks import CallToActionBlock
from cms.models import ArticleIndexPage, ArticlePage, ContentPage, HomePage
from tests.factories import UserFactory

from .factories import ArticlePageFactory


def test_page_type_rules():
    assert HomePage.allowed_parent_page_models() == [Page]
    assert ArticleIndexPage.allowed_parent_page_models() == [HomePage]
    assert ArticleIndexPage.allowed_subpage_models() == [ArticlePage]
    assert ArticlePage.allowed_parent_page_models() == [ArticleIndexPage]
    assert ArticlePage.allowed_subpage_models() == []
    assert set(ContentPage.allowed_parent_page_models()) == {HomePage, ContentPage}
    assert ContentPage.allowed_subpage_models() == [ContentPage]


def test_where_pages_can_be_created(home_page, article_index, about_page):
    root = Page.get_first_root_node()
    # One home page only: the tree already has one.
    assert not HomePage.can_create_at(root)
    assert not HomePage.can_create_at(home_page)
    assert ArticleIndexPage.can_create_at(home_page)
    assert ArticlePage.can_create_at(article_index)
    assert not ArticlePage.can_create_at(home_page)
    assert not ArticlePage.can_create_at(about_page)
    assert ContentPage.can_create_at(home_page)
    assert ContentPage.can_create_at(about_page)
    assert not ContentPage.can_create_at(article_index)


def test_a_home_page_can_be_created_at_the_root_of_an_empty_tree(db):
    assert HomePage.can_create_at(Page.get_first_root_node())


def test_article_author_falls_back_to_the_owner_public_name(article_index):
    owner = UserFactory(display_name="Nadia")
    signed = ArticlePageFactory(parent=article_index, author="Claire Morel", owner=owner)
    unsigned = ArticlePageFactory(parent=article_index, author="", owner=owner)
    anonymous = ArticlePageFactory(parent=article_index, author="", owner=None)

    assert signed.author_name == "Claire Morel"
    assert unsigned.author_name == "Nadia"
    assert anonymous.author_name == ""


@pytest.mark.parametrize(
    ("page_set", "url", "valid"),
    [
        (True, "", True),
        (False, "https://example.org/", True),
        (True, "https://x.org/", False),
        (False, "", False),
    ],
)
def test_call_to_action_needs_exactly_one_destination(home_page, page_set, url, valid):
    block = CallToActionBlock()
    value = block.to_python(
        {
            "text": "Rejoignez-nous",
            "label": "Go",
            "page": home_page.pk if page_set else None,
            "url": url,
        }
    )
    if valid:
        block.clean(value)
    else:
        with pytest.raises(StructBlockValidationError) as error:
            block.clean(value)
        assert set(error.value.block_errors) == {"page", "url"}


def test_home_button_needs_a_destination_and_only_one(home_page, about_page):
    home_page.hero_cta_label = "Découvrir"
    with pytest.raises(ValidationError) as error:
        home_page.full_clean()
    assert "hero_cta_page" in error.value.message_dict

    home_page.hero_cta_page = about_page
    home_page.hero_cta_url = "https://example.org/"
    with pytest.raises(ValidationError) as error:
        home_page.full_clean()
    assert "hero_cta_url" in error.value.message_dict

    home_page.hero_cta_url = ""
    home_page.full_clean()
