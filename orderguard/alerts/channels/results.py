"""What a channel reports back after one send: delivered, worth retrying, or refused for good."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# Enough of the receiver's answer to show the merchant ("invalid_token", "ok"), never a whole page.
SNIPPET_LENGTH = 200


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    # 429 (with Retry-After), 5xx, a timeout or a connection error: the same message may succeed later.
    RETRYABLE = "retryable"
    # The receiver will never accept it as configured (revoked webhook, archived channel, 404/410, bad
    # payload): the destination is broken until the merchant fixes it.
    PERMANENT = "permanent"


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    status_code: int | None = None
    answer: str = ""
    retry_after_seconds: int | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome is Outcome.DELIVERED


def snippet(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SNIPPET_LENGTH else text[: SNIPPET_LENGTH - 1] + "…"
