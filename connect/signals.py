from django.dispatch import Signal

# An association's payment account changed (connected, updated, disconnected); sent
# after the commit. Arguments: association_id, ready (can it take payments now).
payment_account_changed = Signal()
