"""A session's places hold under concurrent "coming" answers (PostgreSQL).

As for the lottery's tickets, the rush is first run with the protection switched off
(`SESSION_ANSWER_LOCKING`, the session row lock only), to prove the race is real,
then with it on, to prove that exactly the places are taken and every other member
is told the session is full.
"""

import pytest

from groups.models import SessionAnswer
from groups.services import SessionFull, attendance, session_answer_set
from tests.concurrency import run_at_once

from .factories import GroupFactory, GroupMemberFactory, SessionFactory

MEMBERS = 40
PLACES = 5


@pytest.fixture
def rush(require_postgres, transactional_db):
    group = GroupFactory(title="Groupe très demandé", capacity=MEMBERS)
    members = [GroupMemberFactory(group=group).user for _ in range(MEMBERS)]
    session = SessionFactory(group=group, capacity=PLACES)
    return session, members


def _answer_coming_at_once(session, members):
    return run_at_once(
        members,
        lambda member: session_answer_set(session=session, actor=member, answer="coming"),
    )


def _coming(session) -> int:
    return SessionAnswer.objects.filter(session=session, answer="coming").count()


def test_without_the_session_lock_the_rush_overfills_the_session(rush, monkeypatch):
    monkeypatch.setattr(attendance, "SESSION_ANSWER_LOCKING", False)
    session, members = rush
    outcomes = _answer_coming_at_once(session, members)
    accepted = [r for _m, r in outcomes if isinstance(r, SessionAnswer)]
    assert len(accepted) > PLACES, "no overfill without the lock: the race is not shown"
    assert _coming(session) > PLACES


def test_with_the_session_lock_exactly_the_places_are_taken(rush):
    assert attendance.SESSION_ANSWER_LOCKING is True
    session, members = rush
    outcomes = _answer_coming_at_once(session, members)
    accepted = [r for _m, r in outcomes if isinstance(r, SessionAnswer)]
    refused = [r for _m, r in outcomes if not isinstance(r, SessionAnswer)]
    assert len(accepted) == PLACES
    assert all(isinstance(r, SessionFull) for r in refused), {type(r) for r in refused}
    assert len(refused) == MEMBERS - PLACES
    assert _coming(session) == PLACES
    assert SessionAnswer.objects.filter(session=session).count() == PLACES
