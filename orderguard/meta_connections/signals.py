"""What the connection tells the apps above it, without knowing them (meta_connections never imports
orders): a receiver in orders forgets the orders of an account the shop no longer uses."""

from django.dispatch import Signal

# Sent inside the transaction that switched the shop's commerce account (reconnected to another account,
# or disconnected), with `shop`, `previous` (the account id before) and `current` ("" when disconnected).
commerce_account_changed = Signal()
