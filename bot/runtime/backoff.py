"""How long to wait before trying a failed call again: soon, then less often, never sooner than
Graph asked, and never all replicas or mailboxes at the same instant."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.core.errors import RemoteServiceError


def _draw() -> float:
    return random.random()  # noqa: S311 - jitter, not a secret


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential back-off with jitter, bounded by ``longest``, honouring ``Retry-After``.

    The n-th wait in a row is ``first * 2**(n-1)``, capped at ``longest``, then shortened by
    up to ``jitter`` of itself at random, so mailboxes that failed together do not retry
    together. A ``Retry-After`` longer than that is waited out in full: Graph asks it of us.
    """

    first: timedelta = timedelta(seconds=1)
    longest: timedelta = timedelta(seconds=30)
    jitter: float = 0.5  # the largest share of a wait taken off at random, in [0, 1]
    draw: Callable[[], float] = _draw  # uniform in [0, 1); tests pass their own

    def __post_init__(self) -> None:
        if self.first <= timedelta(0) or self.longest < self.first:
            raise ValueError("a back-off needs 0 < first <= longest")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    def delay(self, failures: int, retry_after: timedelta | None = None) -> timedelta:
        """The wait after ``failures`` failures in a row (1 for the first)."""
        if failures < 1:
            raise ValueError("a delay follows at least one failure")
        # 2**n overflows timedelta long before it matters: stop doubling at the cap.
        doublings = min(failures - 1, 32)
        nominal = min(self.longest, self.first * (2**doublings))
        share: float = self.draw()
        wait: timedelta = nominal * (1.0 - self.jitter * share)
        if retry_after is not None and retry_after > wait:
            return retry_after
        return wait


def is_temporary(err: BaseException) -> bool:
    """A failure worth retrying soon: a remote service throttled, unavailable or silent.

    A refusal (401, 403, 404, a bad request) or a fault of our own would fail the same way
    again, so it waits for the next regular round instead.
    """
    if not isinstance(err, RemoteServiceError):
        return False
    status = getattr(err, "status", None)
    if not isinstance(status, int) or status == 0:
        return True  # no answer at all: a timeout or a lost connection
    return status in (408, 429) or status >= 500


def retry_after(err: BaseException) -> timedelta | None:
    """The wait the service asked for, if it asked (``Retry-After``)."""
    wait = getattr(err, "retry_after", None)
    return wait if isinstance(wait, timedelta) and wait > timedelta(0) else None
