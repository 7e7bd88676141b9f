"""Demo data for the public site: page tree, default site and a staff account.

Idempotent: existing pages (found by slug under their parent) and the staff account are
left as they are, so a second run changes nothing.
"""

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from accounts.models import User
from accounts.services import user_two_factor_enrol

from . import demo_articles as articles_content
from . import demo_articles_en as articles_en
from . import demo_content as content
from . import demo_content_en as content_en
from .models import ArticleIndexPage, ArticlePage, ContentPage, HomePage

STAFF_EMAIL = "staff@assosolos.test"
# A published demo credential, never used outside a local demo database.
STAFF_PASSWORD = "assosolos-demo-staff"  # noqa: S105
STAFF_DISPLAY_NAME = "Équipe Assosolos"


def demo_site_create(*, log: Callable[[str], None] = print) -> list[str]:
    """Create the demo site tree and staff account; return (and log) what was changed."""
    created: list[str] = []
    with transaction.atomic():
        staff = _staff_user(created)
        home, home_created = _home_page(owner=staff, created=created)
        _default_site(home=home, created=created)
        _welcome_page_remove(created=created)
        about = _child_page(
            home,
            ContentPage(**_page_fields(content.ABOUT), show_in_menus=True),
            owner=staff,
            created=created,
        )
        if home_created:
            # The introduction links to the about page, which needs the home page first.
            home.body = content.home_body(about_page_id=about.pk)
            home.hero_cta_page = about
            home.hero_cta_label = content.HOME_CTA_LABEL
            _publish(home, owner=staff)
        index = _child_page(
            home,
            ArticleIndexPage(**_page_fields(articles_content.ARTICLES_INDEX), show_in_menus=True),
            owner=staff,
            created=created,
        )
        today = timezone.localdate()
        for data in articles_content.articles(about_page_id=about.pk):
            article = ArticlePage(
                title=data["title"],
                slug=data["slug"],
                author=data["author"],
                date=today - timedelta(days=data["days_ago"]),
                intro=data["intro"],
                body=data["body"],
            )
            article.tags.add(*data["tags"])
            _child_page(index, article, owner=staff, created=created)
        for data in content.LEGAL_PAGES:
            _child_page(
                home,
                ContentPage(**_page_fields(data), show_in_footer=True),
                owner=staff,
                created=created,
            )

        _english_pages(home=home, owner=staff, created=created)

    if created:
        for item in created:
            log(f"Site: {item}.")
    else:
        log("Site: already in place, nothing changed.")
    log(f"Staff account for /cms/ and the site: {STAFF_EMAIL} / {STAFF_PASSWORD}")
    # The admin asks staff for a second factor: print what an authenticator app needs.
    enrolment = user_two_factor_enrol(user=staff)
    log(f"Staff two-factor secret (add it to an authenticator app): {enrolment.secret}")
    log(f"Staff two-factor URI: {enrolment.otpauth_uri}")
    log(f"Staff recovery codes (each works once): {' '.join(enrolment.recovery_codes)}")
    return created


def _page_fields(data: dict) -> dict:
    return {key: data[key] for key in ("title", "slug", "intro", "body") if key in data}


def _publish(page: Page, *, owner: User) -> None:
    page.save_revision(user=owner, log_action=False).publish(user=owner, log_action=False)


def _child_page(parent: Page, page: Page, *, owner: User, created: list[str]) -> Page:
    """The child of `parent` with `page.slug`, created and published from `page` if absent."""
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific
    page.owner = owner
    parent.add_child(instance=page)
    _publish(page, owner=owner)
    created.append(f"created page “{page.title}”")
    return page


def _staff_user(created: list[str]) -> User:
    user = User.objects.filter(email=STAFF_EMAIL).first()
    if user is None:
        user = User.objects.create_superuser(
            email=STAFF_EMAIL, password=STAFF_PASSWORD, display_name=STAFF_DISPLAY_NAME
        )
        created.append(f"created staff account {STAFF_EMAIL}")
    # A verified address lets the account log in on the public site too.
    _, email_created = EmailAddress.objects.get_or_create(
        user=user, email=STAFF_EMAIL, defaults={"verified": True, "primary": True}
    )
    if email_created:
        created.append(f"verified email address {STAFF_EMAIL}")
    return user


def _home_page(*, owner: User, created: list[str]) -> tuple[HomePage, bool]:
    home = HomePage.objects.first()
    if home is not None:
        return home, False
    home = HomePage(**content.HOME, slug="accueil", owner=owner)
    _tree_root().add_child(instance=home)
    _publish(home, owner=owner)
    created.append(f"created home page “{home.title}”")
    return home, True


def _tree_root() -> Page:
    """The root of the page tree, recreated if a database was emptied after migrating."""
    root = Page.get_first_root_node()
    if root is not None:
        return root
    if not Locale.objects.exists():
        Locale.objects.create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
    return Page.add_root(
        instance=Page(
            title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
        )
    )


def _welcome_page_remove(*, created: list[str]) -> None:
    """Delete the plain "Welcome" page Wagtail's install leaves at the top of the tree."""
    plain_page = ContentType.objects.get_for_model(Page)
    root = Page.get_first_root_node()
    for welcome in root.get_children().filter(content_type=plain_page):
        # Never delete something editors built under it or a site still serves.
        if welcome.is_leaf() and not Site.objects.filter(root_page=welcome).exists():
            welcome.delete()
            created.append(f"removed Wagtail's default page “{welcome.title}”")


def _default_site(*, home: HomePage, created: list[str]) -> Site:
    """The default site serves the home page on the configured address (SITE_URL)."""
    address = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    wanted = {
        "hostname": address.hostname or "localhost",
        "port": address.port or (443 if address.scheme == "https" else 80),
        "site_name": settings.WAGTAIL_SITE_NAME,
        "root_page_id": home.pk,
    }
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(is_default_site=True, **wanted)
        created.append(f"created default site {site.hostname}:{site.port}")
        return site
    # The default site answers any host name, but its address makes the sitemap's and
    # the emails' links: it follows SITE_URL (make run passes its HOST and PORT).
    if any(getattr(site, field) != value for field, value in wanted.items()):
        for field, value in wanted.items():
            setattr(site, field, value)
        site.save()
        created.append(f"pointed default site {site.hostname}:{site.port} at the home page")
    return site


def _english_pages(*, home: HomePage, owner: User, created: list[str]) -> None:
    """English translations of the home, about and legal pages (Wagtail's localisation).

    A page already translated is left as it is, so editors' changes survive a new run.
    """
    english, _ = Locale.objects.get_or_create(language_code="en")
    home_en = page_translation_create(home, english, content_en.HOME, owner=owner, created=created)
    about_en = None
    for page in home.get_children().live().type(ContentPage).specific():
        data = content_en.PAGES.get(page.slug)
        if data is not None:
            translated = page_translation_create(page, english, data, owner=owner, created=created)
            if page.slug == content.ABOUT["slug"]:
                about_en = translated
    if home_en is not None and about_en is not None:
        # Fresh from the database: publishing saves the tree fields (its new children).
        home_en.refresh_from_db()
        home_en.body = content_en.home_body(about_page_id=about_en.pk)
        home_en.hero_cta_page = about_en
        home_en.hero_cta_label = content_en.HOME_CTA_LABEL
        _publish(home_en, owner=owner)
    for index in home.get_children().live().type(ArticleIndexPage):
        index_en = page_translation_create(
            index, english, articles_en.ARTICLES_INDEX, owner=owner, created=created
        )
        if index_en is None:
            continue
        for article in index.get_children().live().specific():
            data = articles_en.ARTICLES.get(article.slug)
            if data is not None:
                page_translation_create(article, english, data, owner=owner, created=created)


def page_translation_create(
    page: Page, locale: Locale, data: dict, *, owner: User | None, created: list[str]
):
    """`page`'s live translation into `locale`, made from `data` if there is none yet."""
    if page.has_translation(locale):
        return None
    translated = page.copy_for_translation(locale).specific
    for field, value in data.items():
        setattr(translated, field, value)
    translated.owner = owner
    _publish(translated, owner=owner)
    created.append(f"translated “{page.title}” into English: “{translated.title}”")
    return translated
