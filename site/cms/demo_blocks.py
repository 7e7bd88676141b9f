"""Helpers that build the demo pages' StreamField raw data (lists of {"type", "value"})."""


def h2(text: str) -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h2"}}


def h3(text: str) -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h3"}}


def rich(html: str) -> dict:
    return {"type": "paragraph", "value": html.strip()}


def quote(text: str, attribution: str = "") -> dict:
    return {"type": "quote", "value": {"quote": text, "attribution": attribution}}


def cta(text: str, label: str, *, page_id: int | None = None, url: str = "") -> dict:
    return {
        "type": "call_to_action",
        "value": {"text": text, "label": label, "page": page_id, "url": url},
    }
