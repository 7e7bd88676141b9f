"""The two networks, through their own client libraries (Mastodon.py, atproto).

Every failure becomes a `RelayError` holding the network's message and whether a
later try may succeed (the server or the connection failed) or not (it refused).
"""

from __future__ import annotations

from dataclasses import dataclass

from atproto import Client, models
from atproto_client.exceptions import AtProtocolError
from django.utils.translation import gettext as _
from mastodon import Mastodon
from mastodon.errors import (
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonServerError,
)

from groups.networks import LINK_RE

BLUESKY_DEFAULT_SERVER = "https://bsky.social"
TIMEOUT = 20


class RelayError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Posted:
    remote_id: str
    url: str


# --- Mastodon ------------------------------------------------------------------------


def _mastodon(*, server: str, token: str) -> Mastodon:
    return Mastodon(
        access_token=token,
        api_base_url=server.rstrip("/"),
        version_check_mode="none",
        request_timeout=TIMEOUT,
    )


def _mastodon_error(exc: MastodonError) -> RelayError:
    retryable = isinstance(exc, MastodonServerError | MastodonNetworkError)
    # Mastodon.py's API errors carry (method, status, reason, message).
    parts = [str(a) for a in exc.args[1:] if a not in (None, "")]
    return RelayError(" ".join(parts) or str(exc), retryable=retryable)


def mastodon_verify(*, server: str, token: str) -> str:
    """The account's user name, as the instance confirms the token."""
    try:
        account = _mastodon(server=server, token=token).account_verify_credentials()
    except MastodonError as exc:
        raise _mastodon_error(exc) from exc
    return account["acct"]


def mastodon_post(*, server: str, token: str, text: str, key: str) -> Posted:
    """Post `text`; `key` is sent as Mastodon's Idempotency-Key: the instance answers a
    repeated key (kept an hour) with the status it already made."""
    try:
        status = _mastodon(server=server, token=token).status_post(
            text, visibility="public", language="fr", idempotency_key=key
        )
    except MastodonError as exc:
        raise _mastodon_error(exc) from exc
    return Posted(remote_id=str(status["id"]), url=status.get("url") or "")


def mastodon_delete(*, server: str, token: str, remote_id: str) -> None:
    try:
        _mastodon(server=server, token=token).status_delete(remote_id)
    except MastodonNotFoundError:
        return  # already gone
    except MastodonError as exc:
        raise _mastodon_error(exc) from exc


# --- Bluesky -------------------------------------------------------------------------


def _bluesky_error(exc: AtProtocolError) -> RelayError:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    content = getattr(response, "content", None)
    message = getattr(content, "message", None) or getattr(content, "error", None)
    # No response: the connection failed; 5xx: the server did. Both may pass later.
    retryable = status is None or status >= 500
    return RelayError(
        str(message or status or exc) or _("The server refused."), retryable=retryable
    )


def _bluesky(*, server: str, handle: str, password: str) -> tuple[Client, str]:
    client = Client(base_url=f"{server.rstrip('/')}/xrpc")
    try:
        client.login(handle, password, fetch_bsky_profile=False)
    except AtProtocolError as exc:
        raise _bluesky_error(exc) from exc
    session = client._session
    return client, session.did if session else ""


def bluesky_verify(*, server: str, handle: str, password: str) -> str:
    """The account's handle, as the server confirms the app password with a session."""
    client, _did = _bluesky(server=server, handle=handle, password=password)
    return client._session.handle if client._session else handle


def bluesky_facets(*, text: str) -> list[models.AppBskyRichtextFacet.Main]:
    """Every link of `text` as a link facet, its span in UTF-8 bytes (as Bluesky wants)."""
    facets = []
    for match in LINK_RE.finditer(text):
        start = len(text[: match.start()].encode())
        end = start + len(match.group().encode())
        uri = match.group()
        if not uri.lower().startswith(("http://", "https://")):
            uri = f"https://{uri}"
        facets.append(
            models.AppBskyRichtextFacet.Main(
                index=models.AppBskyRichtextFacet.ByteSlice(byte_start=start, byte_end=end),
                features=[models.AppBskyRichtextFacet.Link(uri=uri)],
            )
        )
    return facets


POST_COLLECTION = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def bluesky_record_key(*, micros: int, clock: int) -> str:
    """A record key in the TID format posts use (53 bits of microseconds since the epoch,
    10 bits of clock id, base32-sortable): fixed per post, so a retry names the same
    record and can find it instead of posting it twice."""
    value = ((micros & (2**53 - 1)) << 10) | (clock % 1024)
    return "".join(_TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def _bluesky_posted(did: str, uri: str) -> Posted:
    rkey = uri.rsplit("/", 1)[-1]
    return Posted(remote_id=uri, url=f"https://bsky.app/profile/{did}/post/{rkey}")


def _bluesky_existing(client: Client, *, did: str, rkey: str) -> Posted | None:
    try:
        found = client.com.atproto.repo.get_record(
            {"repo": did, "collection": POST_COLLECTION, "rkey": rkey}
        )
    except AtProtocolError as exc:
        content = getattr(getattr(exc, "response", None), "content", None)
        if getattr(content, "error", None) == "RecordNotFound":
            return None
        raise _bluesky_error(exc) from exc
    return _bluesky_posted(did, found.uri)


def bluesky_post(
    *, server: str, handle: str, password: str, text: str, rkey: str, retry: bool
) -> Posted:
    """Post `text` as the record `rkey`. On a retry, a record already made under that key
    (by a try whose outcome was lost) is the post: it is not made twice."""
    client, did = _bluesky(server=server, handle=handle, password=password)
    if retry and (existing := _bluesky_existing(client, did=did, rkey=rkey)):
        return existing
    record = models.AppBskyFeedPost.Record(
        text=text,
        created_at=client.get_current_time_iso(),
        langs=["fr"],
        facets=bluesky_facets(text=text) or None,
    )
    try:
        created = client.com.atproto.repo.create_record(
            models.ComAtprotoRepoCreateRecord.Data(
                repo=did, collection=POST_COLLECTION, record=record, rkey=rkey
            )
        )
    except AtProtocolError as exc:
        raise _bluesky_error(exc) from exc
    return _bluesky_posted(did, created.uri)


def bluesky_delete(*, server: str, handle: str, password: str, remote_id: str) -> None:
    client, _did = _bluesky(server=server, handle=handle, password=password)
    try:
        client.delete_post(remote_id)
    except AtProtocolError as exc:
        raise _bluesky_error(exc) from exc
