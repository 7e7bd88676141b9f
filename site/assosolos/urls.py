from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as accounts_views
from cms import views as cms_views

from .health import healthz
from .sitemaps import SITEMAPS

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

urlpatterns = login_door_urlpatterns + [
    # For monitors: JSON, never cached, never rate limited (assosolos/health.py).
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
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
    # For search engines and browsers: the site map, crawl rules, the icon.
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", cms_views.robots_txt, name="robots_txt"),
    path("favicon.ico", cms_views.favicon, name="favicon"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database or cache that is away gives the 503 page, anything else the 500 page.
handler500 = "assosolos.unavailable.server_error"

# Wagtail's catch-all serves the page tree; it must come last.
urlpatterns += [path("", include(wagtail_urls))]
