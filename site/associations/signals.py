"""Signals other apps listen to, so that the associations app never imports them.

`team_membership_changed` is sent when someone's place in an association's team
changes, inside the transaction that changes it, with `association_id`, `user_id`
and `ended` (True when they left or were removed, False when their role changed).
Receivers settle, in the same transaction, what that person held through the team:
for example the groups app ends the facilitator roles of someone who left, and
tells the open room sockets of anyone whose powers changed.

`association_status_changed` is sent when the platform's staff decide on an
association (verified, rejected, suspended), inside the transaction that records
the decision, with `association_id` and `status`. For example the lottery app
releases a suspended association's pending orders and, after commit, cancels their
PaymentIntents.
"""

from django.dispatch import Signal

team_membership_changed = Signal()
association_status_changed = Signal()
