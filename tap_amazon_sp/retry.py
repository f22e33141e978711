"""How the tap tries again: SP-API calls, Login with Amazon and document downloads alike.

Each is tried a bounded number of times, with a jittered exponential pause between tries, and each
retry is said in one warning that ends in "(try N of M)", so a seller sees how far a failure got.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable


class Backoff:
    """Bounded, jittered exponential backoff."""

    def __init__(self, *, tries: int = 8, base: float = 1.0, cap: float = 60.0) -> None:
        self.tries = tries
        self.base = base
        self.cap = cap

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.cap, self.base * 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0)


class Retries:
    """Up to `tries` attempts at one thing, with a pause after each failed one but the last.

    After a failure the caller asks `again`: False when that was the last try (the caller raises),
    otherwise the retry has been said and its pause waited.
    """

    def __init__(
        self,
        *,
        tries: int,
        backoff: Backoff,
        logger: logging.Logger,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.tries = tries
        self.backoff = backoff
        self.logger = logger
        self.sleep = sleep

    def again(self, attempt: int, doing: str, *, then: str = "", delay: float | None = None) -> bool:
        """After failed attempt number `attempt`: whether to try once more. If so, one warning says
        "`doing` in S s`then` (try N of M)" and the pause (the backoff's, unless `delay`) is waited."""
        if attempt >= self.tries:
            return False
        seconds = self.backoff.delay(attempt) if delay is None else delay
        self.logger.warning("%s in %.1f s%s (try %d of %d)", doing, seconds, then, attempt + 1, self.tries)
        self.sleep(seconds)
        return True
