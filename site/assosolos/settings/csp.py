"""The Content-Security-Policy (django-csp): exactly what the pages use, nothing inline.

Pages load our own scripts and styles, Stripe.js and its frames on the checkout,
and open websockets to our own host. No page has an inline script or event
handler; the standalone error page's one inline style is allowed by its hash.
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
        # The CMS and Django admin screens are the libraries' own pages, with their
        # own inline scripts; they are for staff only.
        "EXCLUDE_URL_PREFIXES": ["/cms/", "/django-admin/"],
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
