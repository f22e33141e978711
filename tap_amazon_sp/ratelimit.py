"""Usage plans: one token bucket per SP-API operation, shared by every stream and thread.

Amazon meters each operation with a token bucket (rate = tokens added per second, burst = bucket
size). We mirror it on our side so that we wait before a request instead of collecting 429s.
The defaults come from the models; `x-amzn-RateLimit-Limit` on a response tells us the rate
Amazon actually applies to this seller, and replaces ours.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """A thread-safe token bucket."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self) -> float:
        """Take one token, waiting for it if needed; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                delay = (1 - self._tokens) / self.rate
            self._sleep(delay)
            waited += delay

    def try_acquire(self) -> bool:
        """Take one token only if one is there now."""
        with self._lock:
            self._refill()
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False

    def seconds_for(self, count: int) -> float:
        """How long taking `count` more tokens takes from now, at the current rate."""
        with self._lock:
            self._refill()
            return max(0.0, count - self._tokens) / self.rate

    def set_rate(self, rate: float) -> None:
        """Apply the rate Amazon reported for this caller."""
        if rate > 0:
            with self._lock:
                self._refill()
                self.rate = rate


class UsagePlans:
    """The buckets of all operations, created on first use from the operation table."""

    def __init__(self, *, conservative: frozenset[str] = frozenset()) -> None:
        # Operations named in `conservative` get a bucket of one: no bursts at all.
        self._conservative = conservative
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, operation: str, rate: float, burst: int) -> TokenBucket:
        """The bucket of `operation`, made with the model's rate and burst the first time."""
        with self._lock:
            found = self._buckets.get(operation)
            if found is None:
                size = 1 if operation in self._conservative else burst
                found = self._buckets[operation] = TokenBucket(rate, size)
            return found
