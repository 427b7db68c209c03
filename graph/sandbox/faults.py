"""Fault injection for the sandbox: seeded, so a test sees the same faults every run."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class FaultRule:
    """Which requests fail, how, and how slowly everything answers."""

    rate: float = 0.0  # chance in [0, 1] that a matching request fails
    statuses: tuple[int, ...] = (503,)
    retry_after: float | None = 0.0  # seconds, sent as Retry-After on 429/503; None: omit
    path: re.Pattern[str] | None = None  # only paths matching this (re.search)
    latency: timedelta = timedelta(0)  # added to every matching request
    # "before": the request is refused unprocessed; "after": it is processed and the
    # answer lost (the case transactionId exists for); "either": the RNG picks.
    phase: str = "before"
    limit: int | None = None  # inject at most this many faults, then none

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultRule:
        """A rule from the control API's JSON body."""
        pattern = body.get("path")
        latency_ms = float(body.get("latency_ms", 0) or 0) + 1000 * float(
            body.get("latency", 0) or 0
        )
        phase = str(body.get("phase", "before"))
        if phase not in ("before", "after", "either"):
            raise ValueError("phase must be before, after or either")
        rate = float(body.get("rate", 1.0))
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        retry_after = body.get("retry_after", 0)
        return cls(
            rate=rate,
            statuses=tuple(int(s) for s in body.get("statuses", [503])) or (503,),
            retry_after=None if retry_after is None else float(retry_after),
            path=re.compile(str(pattern)) if pattern else None,
            latency=timedelta(milliseconds=latency_ms),
            phase=phase,
            limit=None if body.get("limit") is None else int(body["limit"]),
        )

    def to_json(self) -> dict[str, Any]:
        """The rule as the control API shows it."""
        return {
            "rate": self.rate,
            "statuses": list(self.statuses),
            "retry_after": self.retry_after,
            "path": self.path.pattern if self.path else None,
            "latency_ms": self.latency / timedelta(milliseconds=1),
            "phase": self.phase,
            "limit": self.limit,
        }


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure."""

    status: int
    retry_after: float | None
    after: bool  # process the request first, then answer with the fault


@dataclass
class FaultInjector:
    """Decides, with a seeded RNG, which Graph requests fail."""

    seed: int = 0
    rule: FaultRule | None = None
    injected: int = 0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - seeded on purpose: repeatable faults

    def set(self, rule: FaultRule, seed: int | None = None) -> None:
        """Start injecting ``rule``; a seed restarts the RNG."""
        self.rule = rule
        self.injected = 0
        if seed is not None:
            self.rng = random.Random(seed)  # noqa: S311

    def clear(self) -> None:
        """Stop injecting faults."""
        self.rule = None

    def latency_for(self, path: str) -> timedelta:
        """Added latency for a request to ``path``."""
        rule = self.rule
        if rule is None or (rule.path is not None and not rule.path.search(path)):
            return timedelta(0)
        return rule.latency

    def pick(self, path: str) -> Fault | None:
        """The fault for this request, if it gets one."""
        rule = self.rule
        if rule is None or rule.rate <= 0:
            return None
        if rule.limit is not None and self.injected >= rule.limit:
            return None
        if rule.path is not None and not rule.path.search(path):
            return None
        if self.rng.random() >= rule.rate:
            return None
        status = self.rng.choice(rule.statuses)
        after = rule.phase == "after" or (rule.phase == "either" and self.rng.random() < 0.5)
        self.injected += 1
        return Fault(status=status, retry_after=rule.retry_after, after=after)
