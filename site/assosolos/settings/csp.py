"""The Content-Security-Policy (django-csp): exactly what the pages use, nothing inline.

Pages load our own scripts and styles, Stripe.js and its frames on the checkout,
and open websockets to our own host. No page has an inline script or event
handler; the standalone error page's one inline style is allowed by its hash.
The staff screens (/cms/, /django-admin/) have their own, stricter on origins but
with inline scripts, which the Wagtail admin needs (`staff_content_security_policy`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF

REAL_STRIPE_JS = "https://js.stripe.com"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _inline_style_hashes(template: Path) -> list[str]:
    hashes = []
    for style in re.findall(r"<style>(.*?)</style>", template.read_text(), flags=re.S):
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return hashes


def content_security_policy(
    *, site_url: str, stripe_js_url: str, stripe_api_base: str, templates_dir: Path
) -> dict:
    """The CONTENT_SECURITY_POLICY setting for a site served at `site_url`."""
    site = urlsplit(site_url)
    websockets = ("wss://" if site.scheme == "https" else "ws://") + site.netloc
    stripe = _origin(stripe_js_url)
    real_stripe = stripe == REAL_STRIPE_JS
    stripe_api = _origin(stripe_api_base) if stripe_api_base else "https://api.stripe.com"
    # Stripe's own list: 3-D Secure runs in frames from hooks.stripe.com.
    stripe_frames = [stripe, "https://hooks.stripe.com"] if real_stripe else [stripe]
    stripe_images = ["https://*.stripe.com"] if real_stripe else []
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, stripe],
            "style-src": [SELF, *_inline_style_hashes(templates_dir / "500.html")],
            "img-src": [SELF, "data:", *stripe_images],
            "font-src": [SELF],
            "connect-src": sorted({SELF, websockets, stripe, stripe_api}),
            "frame-src": stripe_frames,
            "frame-ancestors": [NONE],
            "form-action": [SELF],
            "base-uri": [SELF],
            "object-src": [NONE],
        },
    }


# The staff screens: Wagtail's and Django's own admin pages, which get their own policy
# (`assosolos.middleware.SiteCSPMiddleware`).
STAFF_URL_PREFIXES = ("/cms/", "/django-admin/")


def staff_content_security_policy() -> dict:
    """The CONTENT_SECURITY_POLICY_STAFF setting: what the admin screens need, and no more.

    Our own origin only. Wagtail's form widgets start themselves with inline scripts
    (`new ImageChooser("id_…", …)`, `initDateTimeChooser(…)`, one per field), written
    by Python code with no nonce and no hook for one, and which scripts a screen has
    depends on its fields, so neither nonces nor a fixed list of hashes fits:
    script-src needs 'unsafe-inline' on these screens (and only these). Styles need no
    exception. Everything else stays closed: no other origin for scripts, styles,
    images or connections, no plugins, no <base>, forms post to us only, and the
    screens frame only themselves (the page preview). tests/cms/test_browser_csp.py
    walks the screens under it.
    """
    return {
        "URL_PREFIXES": list(STAFF_URL_PREFIXES),
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, "'unsafe-inline'"],
            "style-src": [SELF],
            "img-src": [SELF, "data:"],
            "font-src": [SELF],
            "connect-src": [SELF],
            "frame-src": [SELF],
            "frame-ancestors": [SELF],
            "form-action": [SELF],
            "base-uri": [SELF],
            "object-src": [NONE],
        },
    }
