"""Benchmark: how fast the sandbox serves the real gateway on loopback.

Prints one JSON line: requests per second overall, and p50/p99 latency per call type.
``--small`` (or ``CONFBOT_BENCH_SMALL=1``) runs a few calls only, as a CI smoke test.
Sandbox and gateway share one process and event loop, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.core.conference import Role
from bot.core.mailbox import OutgoingMail
from bot.core.meeting import Attendee, MeetingRequest
from graph.auth import GraphConnection, build_gateway
from graph.sandbox.server import start_sandbox

CHAIRS = ["chair.amberley", "chair.brightwell", "chair.cartwright"]
MAILBOX = "cp.requests"
PER_MAILBOX = 4  # stay within Outlook's concurrency limit, as the service does


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def run(count: int) -> dict[str, Any]:
    """Run ``count`` calls of each type and return the figures."""
    sandbox = await start_sandbox()
    gateway = build_gateway(GraphConnection(base_url=sandbox.graph_url))
    timings: dict[str, list[float]] = {}
    gates = {key: asyncio.Semaphore(PER_MAILBOX) for key in [*CHAIRS, MAILBOX, "mts.admin"]}

    async def timed(name: str, gate: str, call: Callable[[], Awaitable[Any]]) -> Any:
        async with gates[gate]:
            began = time.perf_counter()
            result = await call()
            timings.setdefault(name, []).append((time.perf_counter() - began) * 1000)
            return result

    start = datetime(2027, 1, 4, 9, tzinfo=UTC)

    def meeting(n: int) -> MeetingRequest:
        chair = CHAIRS[n % len(CHAIRS)]
        return MeetingRequest(
            organiser=chair,
            subject=f"Conference CP-2027-{n:05d}",
            start=start + timedelta(hours=n),
            end=start + timedelta(hours=n, minutes=90),
            attendees=(Attendee("femi.okafor@example.org", "Femi Okafor", Role.SOCIAL_WORKER),),
            html_body="<p>Conference</p>",
            transaction_id=f"bench-{n}",
        )

    await gateway.create_meeting(meeting(10**6))  # warm msgraph's first-call cost
    began = time.perf_counter()
    refs = await asyncio.gather(
        *(
            timed("create_meeting", CHAIRS[n % 3], lambda n=n: gateway.create_meeting(meeting(n)))
            for n in range(count)
        )
    )
    await asyncio.gather(
        *(
            timed(
                "get_meeting",
                CHAIRS[n % 3],
                lambda n=n, ref=ref: gateway.get_meeting(CHAIRS[n % 3], ref.event_id),
            )
            for n, ref in enumerate(refs)
        )
    )
    mail = OutgoingMail(to=("cp.requests@example.org",), subject="Request", html_body="<p>x</p>")
    await asyncio.gather(
        *(
            timed("send_mail", "mts.admin", lambda: gateway.send_mail("mts.admin", mail))
            for _ in range(count)
        )
    )
    delta = await timed(
        "read_inbox_delta", MAILBOX, lambda: gateway.read_inbox_delta(MAILBOX, None)
    )
    await asyncio.gather(
        *(
            timed(
                "mark_processed",
                MAILBOX,
                lambda m=m: gateway.mark_processed(MAILBOX, m.id),
            )
            for m in delta.messages
        )
    )
    window = (start, start + timedelta(days=7))
    await asyncio.gather(
        *(
            timed(
                "get_schedule",
                CHAIRS[0],
                lambda: gateway.get_schedule(CHAIRS[0], CHAIRS, *window),
            )
            for _ in range(max(1, count // 5))
        )
    )
    elapsed = time.perf_counter() - began
    requests = sum(1 for r in sandbox.sandbox.requests) - 1
    metrics = gateway.metrics.snapshot()
    await gateway.aclose()
    await sandbox.close()
    return {
        "benchmark": "graph_sandbox",
        "calls_per_type": count,
        "seconds": round(elapsed, 3),
        "http_requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "retries": metrics["retries"],
        "latency_ms": {
            name: {
                "n": len(values),
                "p50": round(statistics.median(values), 2),
                "p99": round(_percentile(values, 0.99), 2),
            }
            for name, values in timings.items()
        },
    }


def main() -> None:
    """Parse flags, run, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="a quick smoke run")
    parser.add_argument("--calls", type=int, default=None, help="calls per call type")
    args = parser.parse_args()
    small = args.small or os.environ.get("CONFBOT_BENCH_SMALL") == "1"
    count = args.calls or (20 if small else 300)
    print(json.dumps(asyncio.run(run(count))))


if __name__ == "__main__":
    main()
