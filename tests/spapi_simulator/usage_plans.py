"""Amazon's usage plans: one token bucket per operation (rate tokens per second, burst capacity)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from tap_amazon_sp.operations import Operation

__all__ = ["TokenBucket", "UsagePlans"]


class TokenBucket:
    """A bucket that starts full, refills continuously, and pays one token per request."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()

    def acquire(self) -> bool:
        """Take a token if one is there; False means the request is throttled."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def refill(self) -> None:
        """Back to a full bucket."""
        self._tokens = float(self.burst)
        self._stamp = self._clock()


class UsagePlans:
    """Buckets for a set of operations; ``rate_scale`` speeds up refills (burst is unchanged)."""

    def __init__(
        self,
        operations: Iterable[Operation],
        rate_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._buckets = {op.name: TokenBucket(op.rate * rate_scale, op.burst, clock) for op in operations}

    def acquire(self, operation: str) -> bool:
        """True if the call may proceed, False if it must be answered 429."""
        with self._lock:
            return self._buckets[operation].acquire()

    def limit_header(self, operation: str) -> str:
        """The value of x-amzn-RateLimit-Limit for an operation: its (scaled) rate."""
        return f"{self._buckets[operation].rate:.6g}"

    def refill_all(self) -> None:
        """Fill every bucket (used by the simulator's reset)."""
        with self._lock:
            for bucket in self._buckets.values():
                bucket.refill()
