"""Factories for CMS pages: each page is added under `parent` in the tree, then published."""

import datetime
from io import BytesIO

import factory
from django.core.files.images import ImageFile
from django.utils.text import slugify
from PIL import Image as PILImage
from wagtail.images.models import Image

from cms.models import ArticleIndexPage, ArticlePage, ContentPage, HomePage


def paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


class PageFactory(factory.django.DjangoModelFactory):
    """Pass `parent=`; `live=False` leaves a draft (saved as a revision, never published)."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.LazyAttribute(lambda page: slugify(page.title))

    @classmethod
    def _create(cls, model_class, *args, parent, live=True, tags=(), **kwargs):
        page = model_class(*args, live=live, **kwargs)
        if tags:
            page.tags.add(*tags)
        parent.add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
            page.refresh_from_db()
        return page


class HomePageFactory(PageFactory):
    class Meta:
        model = HomePage

    title = "Accueil"
    hero_title = "Des loteries solidaires"
    hero_intro = "Financer des projets, apprendre ensemble."


class ContentPageFactory(PageFactory):
    class Meta:
        model = ContentPage

    intro = "Une page de contenu."
    body = factory.LazyFunction(lambda: [paragraph("<p>Texte de la page.</p>")])


class ArticleIndexPageFactory(PageFactory):
    class Meta:
        model = ArticleIndexPage

    title = "Articles"
    slug = "articles"
    intro = "Conseils pratiques."


class ArticlePageFactory(PageFactory):
    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Article numéro {n}")
    date = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
    author = "Claire Morel"
    intro = factory.LazyAttribute(lambda page: f"Introduction de « {page.title} ».")
    body = factory.LazyFunction(lambda: [paragraph("<p>Le corps de l'article.</p>")])


def image_create(*, title: str = "Photo", colour: str = "orange") -> Image:
    buffer = BytesIO()
    PILImage.new("RGB", (320, 240), colour).save(buffer, "PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name="photo.png"))
