"""Reads for searching a room: which messages may be found, and each hit in its context.

On PostgreSQL, full-text search in French with accents ignored: the
`french_unaccent` configuration (migration groups 0003) puts `unaccent` before the
French stemmer, so "ete" finds "été" and "réunions" finds "réunion"; a GIN index on
the same expression serves it. On SQLite (the embedded default), every word of the
query must appear in the message, case aside (ASCII letters only: SQLite's LIKE).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from ..models import Message

SEARCH_CONFIG = "french_unaccent"
# The indexed expression: the filter must be written exactly so for the index to serve.
SEARCH_VECTOR = SearchVector("body", config=SEARCH_CONFIG)
QUERY_MAX_LENGTH = 100
# Words the SQLite fallback looks for, at most (each one is a LIKE over the room).
FALLBACK_MAX_WORDS = 8
# Messages looked at on each side of a hit for its context.
CONTEXT_SPAN = 3
# Which way to search: None for the database's own ("full_text" on PostgreSQL,
# "contains" elsewhere); tests run the fallback on PostgreSQL too.
SEARCH_BACKEND: str | None = None


def search_backend() -> str:
    if SEARCH_BACKEND is not None:
        return SEARCH_BACKEND
    return "full_text" if connection.vendor == "postgresql" else "contains"


def room_messages_searchable(*, group_id: int) -> QuerySet[Message]:
    """The room's messages a search may show: never a hidden or a deleted one.

    Every search read (hits and their context) starts here.
    """
    return Message.objects.filter(
        group_id=group_id, hidden_at__isnull=True, deleted_at__isnull=True
    )


def search_query_clean(query: str) -> str:
    """The query as searched: spaces collapsed, cut to QUERY_MAX_LENGTH."""
    return " ".join((query or "").split())[:QUERY_MAX_LENGTH].strip()


def room_messages_search(*, group_id: int, query: str) -> QuerySet[Message]:
    """The room's visible messages that match `query`, newest first (none for an empty one)."""
    query = search_query_clean(query)
    if not query:
        return Message.objects.none()
    messages = room_messages_searchable(group_id=group_id).select_related("author")
    return messages_matching(messages, query=query).order_by("-seq")


def messages_matching(messages: QuerySet[Message], *, query: str) -> QuerySet[Message]:
    """Narrow `messages` to those matching a cleaned, non-empty `query`."""
    if search_backend() == "full_text":
        # websearch syntax: any text is a valid query ("quoted phrase", -word, or).
        wanted = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return messages.alias(search=SEARCH_VECTOR).filter(search=wanted)
    for word in query.split()[:FALLBACK_MAX_WORDS]:
        messages = messages.filter(body__icontains=word)
    return messages


@dataclass(frozen=True)
class SearchHit:
    """A message found, with the visible messages just before and after it."""

    message: Message
    before: Message | None
    after: Message | None


def search_hits_in_context(*, group_id: int, messages: list[Message]) -> list[SearchHit]:
    """Each found message with its neighbours (one query for a whole page of hits)."""
    if not messages:
        return []
    window = Q()
    for message in messages:
        window |= Q(seq__gte=message.seq - CONTEXT_SPAN, seq__lte=message.seq + CONTEXT_SPAN)
    around = (
        room_messages_searchable(group_id=group_id)
        .filter(window)
        .select_related("author")
        .order_by("seq")
    )
    by_seq = {m.seq: m for m in around}
    hits = []
    for message in messages:
        before = [m for seq, m in by_seq.items() if message.seq - CONTEXT_SPAN <= seq < message.seq]
        after = [m for seq, m in by_seq.items() if message.seq < seq <= message.seq + CONTEXT_SPAN]
        hits.append(
            SearchHit(
                message=message,
                before=before[-1] if before else None,
                after=after[0] if after else None,
            )
        )
    return hits
