"""What the health checks tell the apps above them (alerts) without knowing them."""

from django.dispatch import Signal

# Sent after the transaction that stored the run, once per check whose result changed, with `shop`,
# `code`, `result` ("pass", "warning", "failing", "unknown"), `explanation` (English) and `changed_at`.
check_result_changed = Signal()
