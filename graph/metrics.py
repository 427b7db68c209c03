"""Counters the status page reads to show how Graph is treating us."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class GraphMetrics:
    """Running totals for one gateway: calls, retries, throttles and failures."""

    requests: int = 0  # HTTP attempts sent, retries included
    retries: int = 0  # attempts that repeated an earlier one
    throttled: int = 0  # 429 answers seen
    unavailable: int = 0  # 503/504 answers seen
    failures: int = 0  # gateway calls that ended in an error
    by_status: dict[int, int] = field(default_factory=dict)

    def record_response(self, status: int, *, retry: bool) -> None:
        """Count one HTTP answer."""
        self.requests += 1
        if retry:
            self.retries += 1
        if status == 429:
            self.throttled += 1
        elif status in (503, 504):
            self.unavailable += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def snapshot(self) -> dict[str, object]:
        """A plain copy, safe to serialise."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "throttled": self.throttled,
            "unavailable": self.unavailable,
            "failures": self.failures,
            "by_status": dict(self.by_status),
        }
