"""Signals other apps listen to, so that the lottery app never imports them.

`draw_committed` is sent once a draw's result is committed to the database (from
`assosolos.effects.signal_on_commit`), with `lottery_id` and `result_id`. A receiver reads the
winners from `lottery.draw.selectors.draw_winners_for_enrolment(result_id=...)`; for
example the groups app enrols the winners whose prize carries a seat.
"""

from django.dispatch import Signal

draw_committed = Signal()

# Sent after the commit that gave an account its guest orders (`user_id`,
# `order_ids`); a receiver reads their winners from
# `lottery.draw.selectors.draw_winners_of_orders(order_ids=...)`.
guest_orders_attached = Signal()
