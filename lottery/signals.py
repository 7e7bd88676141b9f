"""Signals the lottery app sends, so that other apps react without being imported here."""

from django.dispatch import Signal

# Sent after a draw is committed, with `lottery` (the Lottery) and `winners`: a list of
# objects with `prize_id`, `ticket_number` and `user_id` (None for a ticket sold to
# someone without an account).
draw_committed = Signal()
