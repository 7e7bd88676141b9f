"""Two owners stepping down at the same moment must leave one owner behind."""

import time

import pytest
from django.core.exceptions import ValidationError

from associations import selectors, services
from associations.models import Membership
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _both_owners_leave(monkeypatch):
    association = AssociationFactory()
    owners = [
        MembershipFactory(association=association, role=Membership.Role.OWNER).user
        for _ in range(2)
    ]
    count = selectors.association_owner_count

    def slow_count(**kwargs):
        # Widen the gap between "how many owners?" and the delete, as a busy server would.
        result = count(**kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(selectors, "association_owner_count", slow_count)
    results = run_at_once(
        owners, lambda user: services.association_leave(association=association, actor=user)
    )
    outcomes = []
    for _user, result in results:
        if isinstance(result, ValidationError):
            outcomes.append("refused")
        elif isinstance(result, Exception):
            raise result
        else:
            outcomes.append("left")
    return association, sorted(outcomes)


def test_without_the_lock_both_owners_could_leave(require_postgres, monkeypatch):
    monkeypatch.setattr(services.team, "_lock_association", lambda association: association)
    association, outcomes = _both_owners_leave(monkeypatch)
    assert outcomes == ["left", "left"]
    assert selectors.association_owner_count(association=association) == 0


def test_with_the_lock_the_last_owner_stays(require_postgres, monkeypatch):
    association, outcomes = _both_owners_leave(monkeypatch)
    assert outcomes == ["left", "refused"]
    assert selectors.association_owner_count(association=association) == 1
