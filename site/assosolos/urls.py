from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as accounts_views
from cms import views as cms_views

from .health import healthz
from .sitemaps import sitemap_index, sitemap_language

# One login door: the admins' own login, password reset and password change screens
# lead to the site's, so email verification, rate limits and the second factor apply
# to everyone. These come before the admins' URLs, which they replace.
login_door_urlpatterns = [
    path("cms/login/", accounts_views.cms_login, name="cms_login"),
    re_path(r"^cms/password_reset/", accounts_views.password_reset_door),
    path("django-admin/login/", accounts_views.django_admin_login, name="django_admin_login"),
    re_path(r"^django-admin/password_reset/", accounts_views.password_reset_door),
    re_path(r"^django-admin/password_change/", accounts_views.password_change_door),
]

# Outside the languages: the admins (each person's own language setting), monitors,
# Stripe's webhooks, the language switch, and what search engines and browsers ask for at
# the root.
urlpatterns = login_door_urlpatterns + [
    # For monitors: JSON, never cached, never rate limited (assosolos/health.py).
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    # The site map: an index of one map per language (assosolos/sitemaps.py).
    path("sitemap.xml", sitemap_index, name="sitemap_index"),
    path("sitemap-<str:language>.xml", sitemap_language, name="sitemap"),
    path("robots.txt", cms_views.robots_txt, name="robots_txt"),
    path("favicon.ico", cms_views.favicon, name="favicon"),
]

# The site itself, in French at the root and in English under /en/ (the language is in
# the address, so a page can be shared in either language; assosolos/languages.py).
site_urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    path("associations/", include("associations.urls")),
    path("loteries/", include("lottery.urls")),
    path("paiements/", include("connect.urls")),
    path("papiers/", include("papers.urls")),
    path("groupes/", include("groups.urls")),
    path("pitchs/", include("groups.pitches.urls")),
    path("suivis/", include("followups.urls")),
    path("relais/", include("relay.urls")),
    path("recherche/", cms_views.search, name="search"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database or cache that is away gives the 503 page, anything else the 500 page.
handler500 = "assosolos.unavailable.server_error"

# Wagtail's catch-all serves the page tree of the address's language; it must come last.
urlpatterns += i18n_patterns(
    *site_urlpatterns, path("", include(wagtail_urls)), prefix_default_language=False
)
