"""Failed logins, counted so that nobody can lock another person out of their account.

A wrong password is counted three times, in the shared cache (Redis in production):

- per address and account together (LOGIN_FAILURES_PER_PAIR): a guesser at one
  address is stopped on that account, while its owner, elsewhere, is not;
- per address over all accounts (LOGIN_FAILURES_PER_ADDRESS, a higher ceiling): one
  address trying many accounts (credential stuffing) is stopped;
- per account over all addresses: past LOGIN_ACCOUNT_DELAY_AFTER failures each
  further attempt on the account must wait, twice as long each time up to
  LOGIN_ACCOUNT_MAX_DELAY_SECONDS, which slows an attacker spread over many
  addresses but only delays the owner. At LOGIN_ACCOUNT_CEILING failures, password
  sign-in to the account pauses until its period ends, and the owner is emailed a
  one-time sign-in link (accounts.signin_links), once per period, so they always
  get in.

Counts are kept in fixed windows of each period; a refused attempt checks no
password and is not counted. A successful login forgets its pair's failures; a
password reset forgets the account's. The login is counted as typed (lower-cased),
whether or not an account has it, so the answers tell no more than the login form.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assosolos.ratelimit import address_bucket, client_address

# The clock every count and sign-in link reads; tests move it instead of sleeping.
clock = time.time


class LoginRefused(Exception):
    """A login attempt refused before its password is checked; `message` says until when."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Counter:
    key: str
    period: int
    ends_at: float


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _counter(kind: str, identity: str, period: int, now: float) -> _Counter:
    window = int(now // period)
    return _Counter(
        key=f"login:{kind}:{_digest(identity)}:{window}",
        period=period,
        ends_at=(window + 1) * period,
    )


def _count(counter: _Counter) -> int:
    return int(cache.get(counter.key, 0))


def _increment(counter: _Counter) -> int:
    # add() is atomic: only the first failure of a window creates the counter.
    if cache.add(counter.key, 1, timeout=counter.period + 1):
        return 1
    try:
        return cache.incr(counter.key)
    except ValueError:  # expired between add() and incr()
        cache.add(counter.key, 1, timeout=counter.period + 1)
        return 1


def _normalise(login: str) -> str:
    return (login or "").strip().lower()


def _counters(*, request: HttpRequest, login: str, now: float) -> dict[str, _Counter]:
    address = address_bucket(client_address(request))
    account = _normalise(login)
    return {
        "pair": _counter("pair", f"{address}|{account}", settings.LOGIN_FAILURES_PAIR_PERIOD, now),
        "address": _counter("address", address, settings.LOGIN_FAILURES_ADDRESS_PERIOD, now),
        "account": _counter("account", account, settings.LOGIN_ACCOUNT_PERIOD, now),
    }


def _wait_key(login: str) -> str:
    return f"login:account-wait:{_digest(_normalise(login))}"


def _when(moment: float, now: float) -> dict[str, str]:
    """`moment` as the form says it: how long from now, and the local time."""
    seconds = max(1, math.ceil(moment - now))
    if seconds < 90:
        wait = ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    else:
        minutes = math.ceil(seconds / 60)
        wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    local = timezone.localtime(datetime.fromtimestamp(moment, tz=UTC))
    return {"wait": wait, "time": formats.time_format(local, "H:i:s")}


def login_attempt_check(*, request: HttpRequest, login: str) -> None:
    """Raise LoginRefused when a password for `login` may not be tried from this client now."""
    now = clock()
    counters = _counters(request=request, login=login, now=now)
    pair = counters["pair"]
    if _count(pair) >= settings.LOGIN_FAILURES_PER_PAIR:
        raise LoginRefused(
            _(
                "Too many failed attempts to sign in to this account from your connection. "
                "Try again in %(wait)s (at %(time)s), or reset your password."
            )
            % _when(pair.ends_at, now)
        )
    address = counters["address"]
    if _count(address) >= settings.LOGIN_FAILURES_PER_ADDRESS:
        raise LoginRefused(
            _(
                "Too many failed sign-in attempts from your connection. "
                "Try again in %(wait)s (at %(time)s)."
            )
            % _when(address.ends_at, now)
        )
    account = counters["account"]
    if _count(account) >= settings.LOGIN_ACCOUNT_CEILING:
        raise LoginRefused(
            _(
                "After too many failed attempts, signing in to this account with a "
                "password is paused for %(wait)s (until %(time)s). If this address has "
                "an account, a one-time sign-in link has been emailed to it."
            )
            % _when(account.ends_at, now)
        )
    next_attempt_at = cache.get(_wait_key(login))
    if next_attempt_at is not None and now < next_attempt_at:
        raise LoginRefused(
            _(
                "This account has had many failed sign-in attempts: to protect it, the "
                "next attempt is possible in %(wait)s (at %(time)s)."
            )
            % _when(next_attempt_at, now)
        )


def login_failure_record(*, request: HttpRequest, login: str) -> None:
    """Count a wrong password for `login` from this client; at the ceiling, email the owner."""
    from .signin_links import signin_link_send

    now = clock()
    counters = _counters(request=request, login=login, now=now)
    _increment(counters["pair"])
    _increment(counters["address"])
    account = counters["account"]
    failures = _increment(account)
    delay_after = settings.LOGIN_ACCOUNT_DELAY_AFTER
    if failures >= delay_after:
        delay = min(
            settings.LOGIN_ACCOUNT_DELAY_SECONDS * 2 ** min(failures - delay_after, 32),
            settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS,
        )
        cache.set(_wait_key(login), now + delay, timeout=math.ceil(delay) + 1)
    if failures >= settings.LOGIN_ACCOUNT_CEILING and cache.add(
        f"{account.key}:link-sent", True, timeout=account.period + 1
    ):
        signin_link_send(login=_normalise(login))


def login_success_record(*, request: HttpRequest, login: str) -> None:
    """The right password: forget this address's failures on this account."""
    cache.delete(_counters(request=request, login=login, now=clock())["pair"].key)


def login_failures_forget(*, request: HttpRequest, login: str) -> None:
    """The owner proved they hold the address (password reset): reopen password sign-in."""
    counters = _counters(request=request, login=login, now=clock())
    cache.delete_many([counters["pair"].key, counters["account"].key, _wait_key(login)])
