"""Wagtail page types of the public site: home, content pages and articles."""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Locale, Page
from wagtail.search import index

from .blocks import BodyStreamBlock


class HomePage(Page):
    """The site root: a hero, an optional body and what is coming on the platform."""

    hero_title = models.CharField(
        _("hero title"), max_length=160, blank=True, help_text=_("Empty: the page title.")
    )
    hero_intro = models.TextField(_("hero text"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_label = models.CharField(_("button label"), max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("button page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_url = models.URLField(_("or button external URL"), blank=True)
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_intro"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_label"),
                FieldPanel("hero_cta_page"),
                FieldPanel("hero_cta_url"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("hero_intro"),
        index.SearchField("body"),
    ]

    # Only the tree root may hold a home page; other apps' index pages (lotteries,
    # groups) name HomePage as their parent, so no subpage_types list here. Editors
    # make its other languages with the translation tool, not by creating another.
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def clean(self):
        super().clean()
        if self.hero_cta_page and self.hero_cta_url:
            raise ValidationError(
                {"hero_cta_url": _("Choose either a page or an external URL, not both.")}
            )
        if self.hero_cta_label and not (self.hero_cta_page or self.hero_cta_url):
            raise ValidationError({"hero_cta_page": _("The button needs a page or a URL.")})

    def route(self, request, path_components):
        """A page not translated yet is served from the default language's tree.

        The site is served from the home page in the visitor's language; the pages
        editors have not translated (or other apps' pages) stay reachable there.
        """
        try:
            return super().route(request, path_components)
        except Http404:
            default = self.get_translation_or_none(Locale.get_default())
            if default is None or default.pk == self.pk:
                raise
            return default.specific.route(request, path_components)

    def hero_cta_href(self, request=None) -> str:
        if self.hero_cta_page_id:
            page = self.hero_cta_page
            return page.get_url(request) if page.live else ""
        return self.hero_cta_url

    def get_context(self, request, *args, **kwargs):
        # Imported here: the selectors module imports these models.
        from assosolos.page_cache import LISTINGS, page_depends_on

        from .apps import CMS_PAGES
        from .selectors import article_list_latest

        page_depends_on(request, LISTINGS, CMS_PAGES)
        context = super().get_context(request, *args, **kwargs)
        context["hero_cta_href"] = self.hero_cta_href(request)
        # "What is coming": the apps' sections (assosolos.sections), then the articles;
        # each is rendered only when not empty.
        context["latest_articles"] = article_list_latest(root=self, limit=3)
        return context


class ContentPage(Page):
    """A plain page: about, legal notices, help."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"), blank=True)
    show_in_footer = models.BooleanField(
        _("show in footer"),
        default=False,
        help_text=_("List this page among the legal links at the bottom of every page."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("show_in_footer")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage"]

    class Meta:
        verbose_name = _("content page")


class ArticleIndexPage(RoutablePageMixin, Page):
    """Lists its articles, newest first, with tag filter, pagination and an RSS feed."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]

    per_page = 10

    class Meta:
        verbose_name = _("article index")

    def get_articles(self, *, tag: str = ""):
        from .selectors import article_list_for_index

        return article_list_for_index(index=self, tag=tag)

    def get_context(self, request, *args, **kwargs):
        from .selectors import article_tag_list

        context = super().get_context(request, *args, **kwargs)
        tag = request.GET.get("tag", "").strip()[:100]
        # get_page() turns junk into page 1 and too-large numbers into the last page.
        paginator = Paginator(self.get_articles(tag=tag), self.per_page)
        context["articles"] = paginator.get_page(request.GET.get("page"))
        context["paginator"] = paginator
        context["current_tag"] = tag
        context["tags"] = article_tag_list(index=self)
        return context

    @path("feed/", name="feed")
    def feed(self, request):
        from .feeds import ArticleFeed

        return ArticleFeed(index=self)(request)


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(Page):
    """A news or advice article."""

    author = models.CharField(
        _("author"), max_length=120, blank=True, help_text=_("Empty: the page owner's name.")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("introduction"), max_length=500)
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("listing image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("author"), FieldPanel("date"), FieldPanel("tags")],
            heading=_("About this article"),
        ),
        FieldPanel("intro"),
        FieldPanel("listing_image"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro", boost=1.5),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("date"),
    ]

    parent_page_types = ["cms.ArticleIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    @property
    def author_name(self) -> str:
        if self.author:
            return self.author
        return self.owner.public_name if self.owner_id else ""

    @property
    def date_as_datetime(self) -> datetime:
        """The article date as an aware datetime (the start of that day), for feeds."""
        return timezone.make_aware(datetime.combine(self.date, time.min))
