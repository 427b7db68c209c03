"""The sandbox's fault injector: seeded, bounded, and scoped by path."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph.sandbox.faults import FaultInjector, FaultRule


def test_fault_rule_reads_the_control_api_body() -> None:
    rule = FaultRule.from_json(
        {"rate": 0.2, "statuses": [429, 503], "retry_after": 2, "path": "/events", "latency": 0.1}
    )
    assert rule.statuses == (429, 503)
    assert rule.retry_after == 2
    assert rule.latency == timedelta(milliseconds=100)
    assert rule.to_json()["path"] == "/events"


@pytest.mark.parametrize("body", [{"rate": 2}, {"phase": "sometimes"}])
def test_fault_rule_refuses_nonsense(body: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FaultRule.from_json(body)


def test_same_seed_gives_the_same_faults() -> None:
    rule = FaultRule(rate=0.3, statuses=(429, 503))
    runs = []
    for _ in range(2):
        injector = FaultInjector(seed=5)
        injector.set(rule)
        runs.append([injector.pick("/v1.0/users") for _ in range(50)])
    assert runs[0] == runs[1]


def test_faults_only_hit_matching_paths_and_stop_at_the_limit() -> None:
    injector = FaultInjector()
    injector.set(
        FaultRule(
            rate=1.0, statuses=(503,), path=FaultRule.from_json({"path": "/events$"}).path, limit=2
        )
    )
    assert injector.pick("/v1.0/users/x/messages") is None
    assert injector.pick("/v1.0/users/x/events") is not None
    assert injector.pick("/v1.0/users/x/events") is not None
    assert injector.pick("/v1.0/users/x/events") is None
