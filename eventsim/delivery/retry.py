"""When Lambda retries a failed asynchronous invocation."""

from __future__ import annotations

__all__ = ["retry_delay"]

# "Lambda waits one minute before the first retry, then two minutes before the second"
# (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
_FIRST_RETRY_SECONDS = 60.0


def retry_delay(attempts_made: int) -> float:
    """Seconds to wait after `attempts_made` failed attempts: 60, 120, 240, ..."""
    return _FIRST_RETRY_SECONDS * float(2 ** max(0, attempts_made - 1))
