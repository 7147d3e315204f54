"""Retry policy: UNAVAILABLE only, exponential back-off with full jitter, bounded by the call's deadline."""

from __future__ import annotations

import dataclasses
import random

import grpc

from ._errors import ScanRulesError

__all__ = ["RetryPolicy"]


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a call is retried when it fails with UNAVAILABLE; no other code is ever retried.

    Attempt ``n`` (1-based) that fails is followed by a sleep drawn uniformly from
    ``[0, min(max_backoff, initial_backoff * multiplier ** (n - 1))]`` ("full jitter"), raised to the
    server's `google.rpc.RetryInfo.retry_delay` if it sent one. No retry starts if the sleep would pass the
    call's deadline. A server-streaming call is retried only until its first message has arrived.

    ``RetryPolicy(max_attempts=1)`` disables retries.
    """

    max_attempts: int = 4
    initial_backoff: float = 0.1
    max_backoff: float = 2.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("back-off durations must not be negative")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")

    def backoff_ceiling(self, attempt: int) -> float:
        """The upper bound of the jittered sleep after failed attempt number `attempt` (1-based)."""
        return float(min(self.max_backoff, self.initial_backoff * self.multiplier ** (attempt - 1)))

    def backoff(self, attempt: int) -> float:
        """A jittered sleep after failed attempt number `attempt` (1-based)."""
        return random.uniform(0.0, self.backoff_ceiling(attempt))

    def delay_before_retry(self, attempt: int, error: ScanRulesError, remaining: float | None) -> float | None:
        """Seconds to sleep before retrying after failed attempt `attempt`, or None to give up and raise `error`.

        `remaining` is the time left until the call's deadline (None: no deadline).
        """
        if error.code != grpc.StatusCode.UNAVAILABLE or attempt >= self.max_attempts:
            return None
        delay = self.backoff(attempt)
        if error.retry_delay is not None:
            delay = max(delay, error.retry_delay.total_seconds())
        if remaining is not None and delay >= remaining:
            return None
        return delay


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(max_attempts=1)
