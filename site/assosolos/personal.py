"""Signed-in visitors get the busiest pages from a shared skeleton with their own parts
filled in.

The anonymous page cache (`page_cache`) serves one copy to every visitor who is not
signed in. A signed-in visitor sees the same page but for a few parts that are their
own: the account menu with their name, the buy box with the tickets they hold. A
template marks each such part with `{% personal "template.html" %}`; rendered as
usual, the tag includes that template with the page's context, as `{% include %}`
would.

A view that opts in (`personal_page`) renders the page once per process and version
of its data with each personal part left as a hole, keeps that skeleton in the
process's own cache for `page_cache_seconds()`, and for each visitor renders only
the parts in the holes, with the same context the whole page would have had. The
response is the page as a full render would have made it; what it saves is rendering
everything around the holes again for every visitor.

What is never shared: a skeleton is only made when no messages wait to be shown (they
are part of the page around the holes), and a CSRF token outside a hole is taken out
of it and each visitor gets their own in its place. The key names the page's data
versions (the caller's `shared_key`), so a sale or an edit makes a new skeleton at
once, as it makes a new anonymous copy.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from .page_cache import (
    CSRF_INPUT,
    CSRF_PLACEHOLDER,
    local_cache,
    messages_waiting,
    page_cache_seconds,
)

register = template.Library()

# The context variable that, while a skeleton is rendered, collects the holes' templates.
HOLES = "personal_holes"
HOLE_MARK = "\x00personal-hole\x00"
SKELETON_KEY = "personal-skeleton:{digest}"


@register.tag(name="personal")
def do_personal(parser: template.base.Parser, token: template.base.Token) -> PersonalNode:
    """`{% personal "template.html" %}`: a part of the page that is the visitor's own."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one template name")
    return PersonalNode(parser.compile_filter(bits[1]))


class PersonalNode(template.Node):
    def __init__(self, name: template.base.FilterExpression) -> None:
        self.name = name

    def render(self, context: template.Context) -> str:
        name = self.name.resolve(context)
        holes = context.get(HOLES)
        if holes is not None:  # a skeleton: the part is rendered per visitor
            holes.append(name)
            return mark_safe(HOLE_MARK)  # noqa: S308 - a fixed marker, no input
        with context.push():
            return context.template.engine.get_template(name).render(context)


def _skeleton_key(request: HttpRequest, template_name: str, shared_key: str) -> str:
    language = getattr(request, "LANGUAGE_CODE", "")
    raw = "\n".join((request.get_host(), language, request.path, template_name, shared_key))
    return SKELETON_KEY.format(digest=hashlib.sha256(raw.encode()).hexdigest())


def _skeleton_make(
    request: HttpRequest, template_name: str, context: dict[str, Any]
) -> tuple[list[str], list[str], bool]:
    """The page rendered with its personal parts as holes: the text between the holes,
    the holes' templates, and whether CSRF tokens were taken out of the text."""
    holes: list[str] = []
    # Around the holes the page is rendered as for nobody in particular: a part that
    # names the visitor and was not marked personal shows as for a visitor not signed
    # in, rather than showing this visitor's name to the next ones.
    shared = {**context, HOLES: holes, "user": AnonymousUser()}
    text = render_to_string(template_name, shared, request=request)
    raw = text.encode()
    raw, tokens = CSRF_INPUT.subn(rb"\1" + CSRF_PLACEHOLDER + rb"\3", raw)
    pieces = raw.decode().split(HOLE_MARK)
    if len(pieces) != len(holes) + 1:  # a marker that did not come from a hole
        raise ValueError(f"{template_name}: the skeleton's holes do not match its marks")
    return pieces, holes, bool(tokens)


def personal_page(
    request: HttpRequest, template_name: str, context: dict[str, Any], *, shared_key: str
) -> HttpResponse:
    """The page `template_name` rendered with `context`, from this process's skeleton
    of it where one is kept under `shared_key` (the version of everything the page
    shows alike to every visitor), its personal parts rendered for this visitor."""
    seconds = page_cache_seconds()
    local = local_cache()
    if seconds <= 0 or local is None or messages_waiting(request):
        return HttpResponse(render_to_string(template_name, context, request=request))
    key = _skeleton_key(request, template_name, shared_key)
    skeleton = local.get(key)
    if skeleton is None:
        skeleton = _skeleton_make(request, template_name, context)
        local.set(key, skeleton, seconds)
    pieces, holes, csrf = skeleton
    out = [pieces[0]]
    for name, piece in zip(holes, pieces[1:], strict=True):
        out.append(get_template(name).render(context, request))
        out.append(piece)
    text = "".join(out)
    if csrf:
        text = text.replace(CSRF_PLACEHOLDER.decode(), get_token(request))
    return HttpResponse(text)
