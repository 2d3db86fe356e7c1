"""Log hygiene: a filter that masks anything shaped like a credential before a record is written.

The code never logs tokens on purpose; this catches what a third-party library or an exception message
might carry (Shopify tokens, Meta tokens, bearer headers, id_token and proofs in URLs).
"""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    re.compile(r"\bshp(?:at|ua|ca|ss|rt)_[A-Za-z0-9]+"),
    re.compile(r"\bEAA[A-Za-z0-9]{20,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)((?:id_token|access_token|refresh_token|appsecret_proof|client_secret|input_token)[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"),
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, redacted, so the handler does not print the raw one.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
