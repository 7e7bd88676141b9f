"""The sitemap's sections: the CMS pages, then what each app registers in its ready().

`site/` imports no app above it, so apps add their own sections here.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps import Sitemap as PageSitemap

SITEMAPS: dict[str, type[Sitemap] | Sitemap] = {"pages": PageSitemap}


def sitemap_register(*, key: str, sitemap: type[Sitemap] | Sitemap) -> None:
    SITEMAPS[key] = sitemap
